-- Each alert threshold of each budget (budgets.csv) with the forecast series its scope is: the
-- whole bill is `total:all`; a provider, owner, service category or tag value the series of that
-- grain and value; a billing account the series `<provider> / <billing account id>`. A budget whose
-- scope has no cost yet keeps a NULL series (its periods then show no cost).
-- Grain: one row per budget and threshold.
with

budgets as (
    select * from {{ ref('stg_mappings__budgets') }}
),

series as (
    select distinct
        series_id,
        series_grain,
        series_value,
        reporting_currency
    from {{ ref('int_cost_daily_series') }}
),

final as (
    select
        budgets.*,
        series.series_id,
        series.reporting_currency
    from budgets
    left join series
        on
            (budgets.scope_type = 'whole_bill' and series.series_id = 'total:all')
            or (
                budgets.scope_type in ('provider', 'owner', 'service_category', 'tag')
                and budgets.scope_type = series.series_grain
                and budgets.scope_value = series.series_value
            )
            or (
                budgets.scope_type = 'billing_account'
                and series.series_grain = 'billing_account'
                and series.series_value like '% / ' || budgets.scope_value
            )
)

select * from final
