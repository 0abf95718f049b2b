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
    select * from {{ ref('int_forecast_series') }}
),

final as (
    select
        budgets.*,
        series.series_id,
        series.reporting_currency
    from budgets
    left join series
        on {{ scope_is_series('budgets', 'series') }}
)

select * from final
