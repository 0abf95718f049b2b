-- Every series a forecast is made for (int_cost_daily_series), once: its grain, value and the
-- reporting currency its amounts are in. The marts and the budget and planned-change scopes join
-- to it.
-- Grain: one row per series.
with

series_days as (
    select * from {{ ref('int_cost_daily_series') }}
),

final as (
    select distinct
        series_id,
        series_grain,
        series_value,
        reporting_currency
    from series_days
)

select * from final
