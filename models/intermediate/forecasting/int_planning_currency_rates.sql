-- The monthly rates of exchange_rates.csv from each currency a budget, a planned change or an
-- optimisation action's expected saving is in to the reporting currency: fct_budget_status divides
-- by them to show a budget's figures in its own currency; int_forecast_adjustments_daily and
-- fct_savings_realized multiply a planned amount or an expected saving by them.
-- Grain: one row per planning currency and month with a rate.
with

rates as (
    select * from {{ ref('stg_mappings__exchange_rates') }}
),

planning_currencies as (
    select budget_currency as planning_currency from {{ ref('stg_mappings__budgets') }}
    union
    select amount_currency from {{ ref('stg_mappings__forecast_adjustments') }}
    where amount_currency is not null
    union
    select saving_currency from {{ ref('stg_mappings__optimisation_actions') }}
),

final as (
    select
        rates.from_currency as planning_currency,
        rates.to_currency as reporting_currency,
        rates.rate_month,
        rates.exchange_rate
    from rates
    inner join planning_currencies
        on rates.from_currency = planning_currencies.planning_currency
)

select * from final
