-- The planned changes of forecast_adjustments.csv (a launch, a migration, a switch-off) as amounts
-- per forecast series and day, in the reporting currency, on the forecast days from the change's
-- effective_from up to (not including) its effective_to:
--   * a monthly amount is spread evenly over the days of each calendar month (converted from its
--     currency with exchange_rates.csv: the forecast month's rate, else the nearest month's);
--   * a percent is that share of the scope series' usage forecast of the day (a scope with no cost
--     yet has no usage forecast, so a percent of it is nothing).
-- A change lands on the series of its own scope and on every series that surely contains it: the
-- whole bill, and for a billing account its provider. Other series (the owners of a provider's
-- cost, the service categories of an owner's) cannot know their share and are left as they are;
-- a scope with no cost yet (a new team, a new account) shows its change in the whole bill only.
-- See concept_forecast_adjustments. Grain: one row per series, cost basis, forecast day and change.
with

adjustments as (
    select * from {{ ref('stg_mappings__forecast_adjustments') }}
),

series as (
    select * from {{ ref('int_forecast_series') }}
),

forecast as (
    select
        series_id,
        cost_basis,
        forecast_date,
        forecast
    from {{ ref('int_cost_forecast_daily') }}
),

scope_series as (
    select
        adjustments.adjustment_id,
        series.series_id as scope_series_id,
        series.series_grain as scope_series_grain,
        series.series_value as scope_series_value
    from adjustments
    left join series
        on {{ scope_is_series('adjustments', 'series') }}
),

targets as (
    -- the series each change lands on: its scope's own, the whole bill's, a billing account's provider
    select
        adjustment_id,
        scope_series_id as series_id
    from scope_series
    where scope_series_id is not null
    union
    select
        adjustment_id,
        'total:all' as series_id
    from scope_series
    union
    select
        adjustment_id,
        'provider:' || split_part(scope_series_value, ' / ', 1) as series_id
    from scope_series
    where scope_series_grain = 'billing_account'
),

scope_usage as (
    -- the usage forecast of the change's scope on each day (summed, should a scope match several
    -- series, e.g. one billing account id under two providers)
    select
        scope_series.adjustment_id,
        forecast.cost_basis,
        forecast.forecast_date,
        sum(forecast.forecast) as scope_usage_forecast
    from scope_series
    inner join forecast
        on scope_series.scope_series_id = forecast.series_id
    group by all
),

days as (
    select
        forecast.series_id,
        forecast.cost_basis,
        forecast.forecast_date,
        adjustments.adjustment_id,
        adjustments.adjustment_type,
        adjustments.monthly_amount,
        adjustments.amount_currency,
        adjustments.adjustment_percent,
        series.reporting_currency,
        scope_usage.scope_usage_forecast
    from targets
    inner join adjustments
        on targets.adjustment_id = adjustments.adjustment_id
    inner join series
        on targets.series_id = series.series_id
    inner join forecast
        on
            targets.series_id = forecast.series_id
            and adjustments.effective_from <= forecast.forecast_date
            and (adjustments.effective_to is null or adjustments.effective_to > forecast.forecast_date)
    left join scope_usage
        on
            targets.adjustment_id = scope_usage.adjustment_id
            and forecast.cost_basis = scope_usage.cost_basis
            and forecast.forecast_date = scope_usage.forecast_date
),

needed_rates as (
    select distinct
        adjustment_id,
        amount_currency,
        reporting_currency,
        cast(date_trunc('month', forecast_date) as date) as forecast_month
    from days
    where adjustment_type = 'amount' and amount_currency <> reporting_currency
),

checked_rates as (
    {{- planning_rates(
        'needed_rates', 'adjustment_id', 'amount_currency', 'forecast_month',
        "'Planned change ' || needed_rates.adjustment_id || ' of forecast_adjustments.csv'", 'the amount'
    ) }}
),

final as (
    select
        days.series_id,
        days.cost_basis,
        days.forecast_date,
        days.adjustment_id,
        days.adjustment_type,
        case
            when days.adjustment_type = 'percent'
                then {{ to_money('coalesce(days.scope_usage_forecast, 0) * days.adjustment_percent / 100') }}
            else {{ prorate_money(
                'coalesce(' ~ convert_money('days.monthly_amount', 'checked_rates.exchange_rate') ~ ', days.monthly_amount)',
                1,
                'day(last_day(days.forecast_date))'
            ) }}
        end as planned_change_cost
    from days
    left join checked_rates
        on
            days.adjustment_id = checked_rates.adjustment_id
            and cast(date_trunc('month', days.forecast_date) as date) = checked_rates.forecast_month
)

select * from final
