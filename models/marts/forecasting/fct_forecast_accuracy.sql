-- How accurate each series' forecasts were, measured the only honest way: rolling-origin backtests
-- (int_forecast_backtests). At each of the last forecast_backtest_origins month starts every model
-- was fitted on the days before it and scored on the days after it, up to the as-of day; horizon
-- month 0 is the origin's own month, 1 the next, and so on. Measures (concept_forecast_accuracy has
-- a worked example of each):
--   mape      mean of |forecast - actual| / |actual| over scored days with an actual other than 0
--   wape      Σ |forecast - actual| / Σ |actual| (days; large days weigh more, zero days count)
--   bias      Σ (forecast - actual) / Σ |actual| (above 0: the model over-forecast)
--   coverage  share of scored days whose actual fell inside the 80 % / 95 % interval
--   monthly   the same on each (origin, month) total: Σ |F - A| / Σ |A|, coverage of the monthly
--             interval (daily bounds summed), and the share of months within the threshold
--   skill     1 - wape / wape of the seasonal-naive baseline (above 0: better than the baseline)
-- is_selected marks the model fct_cost_forecast uses for the series; is_within_run_threshold says
-- whether its monthly error is within forecast_accuracy_threshold (12 %: FinOps Foundation "Run").
-- Usage cost only: purchases are known amounts, not forecast. Grain: one row per series, cost
-- basis, model and horizon month.
with

backtests as (
    select * from {{ ref('int_forecast_backtests') }}
),

series as (
    select * from {{ ref('int_forecast_series') }}
),

selected as (
    select distinct
        series_id,
        cost_basis,
        model
    from {{ ref('int_cost_forecast_daily') }}
),

daily as (
    select
        series_id,
        cost_basis,
        model,
        horizon_month,
        count(distinct origin) as origins_scored,
        count(*) as days_scored,
        avg(abs(forecast - actual) / abs(actual)) filter (where actual <> 0) as mape,
        sum(abs(forecast - actual)) / nullif(sum(abs(actual)), 0) as wape,
        sum(forecast - actual) / nullif(sum(abs(actual)), 0) as bias,
        avg(case when actual between lo_80 and hi_80 then 1.0 else 0.0 end) as coverage_80,
        avg(case when actual between lo_95 and hi_95 then 1.0 else 0.0 end) as coverage_95,
        sum(actual) as actual_cost,
        sum(forecast) as forecast_cost
    from backtests
    group by all
),

monthly_totals as (
    select
        series_id,
        cost_basis,
        model,
        horizon_month,
        origin,
        sum(forecast) as forecast_total,
        sum(actual) as actual_total,
        sum(lo_80) as lo_80_total,
        sum(hi_80) as hi_80_total,
        sum(lo_95) as lo_95_total,
        sum(hi_95) as hi_95_total
    from backtests
    group by all
),

monthly as (
    select
        series_id,
        cost_basis,
        model,
        horizon_month,
        sum(abs(forecast_total - actual_total)) / nullif(sum(abs(actual_total)), 0) as monthly_wape,
        avg(case when actual_total between lo_80_total and hi_80_total then 1.0 else 0.0 end)
            as monthly_coverage_80,
        avg(case when actual_total between lo_95_total and hi_95_total then 1.0 else 0.0 end)
            as monthly_coverage_95,
        avg(
            case
                when
                    abs(forecast_total - actual_total)
                    <= {{ var('forecast_accuracy_threshold') }} * abs(actual_total)
                    then 1.0
                else 0.0
            end
        ) as share_of_months_within_threshold
    from monthly_totals
    group by all
),

measured as (
    select
        daily.*,
        monthly.monthly_wape,
        monthly.monthly_coverage_80,
        monthly.monthly_coverage_95,
        monthly.share_of_months_within_threshold
    from daily
    inner join monthly
        on
            daily.series_id = monthly.series_id
            and daily.cost_basis = monthly.cost_basis
            and daily.model = monthly.model
            and daily.horizon_month = monthly.horizon_month
),

final as (
    select
        measured.series_id,
        series.series_grain,
        series.series_value,
        measured.cost_basis,
        measured.model as forecast_model,
        measured.horizon_month,
        series.reporting_currency,
        coalesce(selected.model is not null, false) as is_selected,
        measured.origins_scored,
        measured.days_scored,
        {{ to_money('measured.actual_cost') }} as actual_cost,
        {{ to_money('measured.forecast_cost') }} as forecast_cost,
        {{ to_money('measured.mape') }} as mape,
        {{ to_money('measured.wape') }} as wape,
        {{ to_money('measured.bias') }} as bias,
        {{ to_money('measured.coverage_80') }} as coverage_80,
        {{ to_money('measured.coverage_95') }} as coverage_95,
        {{ to_money('measured.monthly_wape') }} as monthly_wape,
        {{ to_money('measured.monthly_coverage_80') }} as monthly_coverage_80,
        {{ to_money('measured.monthly_coverage_95') }} as monthly_coverage_95,
        {{ to_money('measured.share_of_months_within_threshold') }} as share_of_months_within_threshold,
        measured.monthly_wape <= {{ var('forecast_accuracy_threshold') }} as is_within_run_threshold,
        {{ to_money('1 - measured.wape / nullif(baseline.wape, 0)') }} as skill_vs_seasonal_naive
    from measured
    inner join series
        on measured.series_id = series.series_id
    left join measured as baseline
        on
            measured.series_id = baseline.series_id
            and measured.cost_basis = baseline.cost_basis
            and measured.horizon_month = baseline.horizon_month
            and baseline.model = 'seasonal_naive'
    left join selected
        on
            measured.series_id = selected.series_id
            and measured.cost_basis = selected.cost_basis
            and measured.model = selected.model
)

select * from final
