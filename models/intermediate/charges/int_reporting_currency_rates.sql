-- The rate that turns each billing currency into the reporting currency, per billing period
-- (month of BillingPeriodStart): 1 for the reporting currency itself, else the user's rate from
-- exchange_rates.csv. The reporting currency is that file's to_currency; without rates, a warehouse
-- whose bills are all in one currency reports in it. A rate that is needed and missing stops the
-- build here with one sentence naming the currency and month (never a NULL cost downstream).
with

billed_months as (
    select distinct
        billing_currency,
        cast(date_trunc('month', billing_period_start) as date) as billing_month
    from {{ ref('int_charges_unioned') }}
),

rates as (
    select * from {{ ref('stg_mappings__exchange_rates') }}
),

currencies as (
    select
        count(distinct billing_currency) as currency_count,
        min(billing_currency) as only_currency,
        string_agg(distinct billing_currency, ', ' order by billing_currency) as currency_list
    from billed_months
),

file_currency as (
    select min(to_currency) as to_currency
    from rates
),

reporting as (
    select
        case
            when file_currency.to_currency is not null then file_currency.to_currency
            when currencies.currency_count <= 1 then currencies.only_currency
            else {{ input_error(
                "'The bills are in ' || currencies.currency_list || ' and no exchange_rates.csv (FINOPS_MAPPINGS_DIR) "
                ~ "gives rates: add monthly rates from each billing currency to one reporting currency and run again.'"
            ) }}
        end as reporting_currency
    from currencies
    cross join file_currency
),

final as (
    select
        billed_months.billing_currency,
        billed_months.billing_month,
        reporting.reporting_currency,
        case
            when billed_months.billing_currency = reporting.reporting_currency then cast(1 as {{ money_type() }})
            when rates.exchange_rate is not null then rates.exchange_rate
            else {{ input_error(
                "'No exchange rate from ' || billed_months.billing_currency || ' to ' || reporting.reporting_currency
                || ' for ' || strftime(billed_months.billing_month, '%Y-%m') || ': add the row \"'
                || billed_months.billing_currency || ',' || reporting.reporting_currency || ','
                || strftime(billed_months.billing_month, '%Y-%m') || ',<rate>\" to exchange_rates.csv '
                || '(FINOPS_MAPPINGS_DIR) and run again.'"
            ) }}
        end as exchange_rate
    from billed_months
    cross join reporting
    left join rates
        on
            billed_months.billing_currency = rates.from_currency
            and billed_months.billing_month = rates.rate_month
)

select * from final
