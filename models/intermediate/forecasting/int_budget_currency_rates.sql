-- The monthly rates of exchange_rates.csv from each currency a budget is in to the reporting
-- currency (fct_budget_status divides by them to show a budget's figures in its own currency).
-- Grain: one row per budget currency and month with a rate.
with

rates as (
    select * from {{ ref('stg_mappings__exchange_rates') }}
),

budget_currencies as (
    select distinct budget_currency from {{ ref('stg_mappings__budgets') }}
),

final as (
    select
        rates.from_currency as budget_currency,
        rates.to_currency as reporting_currency,
        rates.rate_month,
        rates.exchange_rate
    from rates
    inner join budget_currencies
        on rates.from_currency = budget_currencies.budget_currency
)

select * from final
