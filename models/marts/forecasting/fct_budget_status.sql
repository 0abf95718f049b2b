-- Every budget of budgets.csv, per period (month, quarter or year) and alert threshold: the cost to
-- the as-of day, where the period is forecast to land (fct_cost_forecast: actual + the forecast of
-- the remaining days, with its 80 % interval) and the naive run rate beside it, the variance to the
-- budget, and each threshold's state and the day it was first crossed:
--   * an `actual` threshold is crossed on the first day the period's cumulative actual cost
--     reaches it (ALARM from then on);
--   * a `forecast` threshold is in ALARM when the period's forecast reaches it; crossed_on is the
--     day the cumulative path (actual, then forecast) reaches it: in the past when the actuals
--     already did, else the day it is expected to.
-- Amounts are in the budget's currency: the series are in the reporting currency, converted back
-- with exchange_rates.csv (the month's rate, else the nearest month's: the latest before, else the
-- first after); a budget in a currency with no rate stops the build with one sentence.
-- Periods: every period from the first day of cost to the end of the forecast, within the budget's
-- effective dates, that ends by the forecast's last day or holds the as-of day.
-- Grain: one row per budget, period start and threshold.
with

budget_thresholds as (
    select * from {{ ref('int_budget_thresholds') }}
),

budgets as (
    select distinct
        budget_id,
        scope_type,
        scope_value,
        period_type,
        budget_amount,
        budget_currency,
        cost_basis,
        effective_from,
        effective_to,
        series_id,
        reporting_currency
    from budget_thresholds
),

series_days as (
    select * from {{ ref('int_cost_daily_series') }}
),

forecast as (
    select * from {{ ref('fct_cost_forecast') }}
),

bounds as (
    select
        (select max(as_of_date) from forecast) as as_of_date,
        (select min(charge_date) from series_days) as first_day,
        (select max(forecast_date) from forecast) as last_day,
        (
            select count(*) from forecast
            where cost_basis = 'billed'
        ) > 0 as has_billed_forecast
),

periods as (
    select
        budgets.*,
        cast(period_start.generate_series as date) as period_start,
        cast(
            period_start.generate_series
            + case budgets.period_type
                when 'month' then interval 1 month
                when 'quarter' then interval 3 month
                else interval 1 year
            end
            - interval 1 day as date
        ) as period_end
    from budgets
    cross join bounds
    cross join generate_series(
        cast(date_trunc(budgets.period_type, bounds.first_day) as timestamp),
        cast(bounds.last_day as timestamp),
        case budgets.period_type
            when 'month' then interval 1 month
            when 'quarter' then interval 3 month
            else interval 1 year
        end
    ) as period_start
),

budget_periods as (
    select periods.*
    from periods
    cross join bounds
    where
        (periods.period_end <= bounds.last_day or bounds.as_of_date between periods.period_start and periods.period_end)
        and (periods.effective_from is null or periods.effective_from <= periods.period_end)
        and (periods.effective_to is null or periods.effective_to > periods.period_start)
),

days as (
    -- each period's days with cost: actual to the as-of day, then the forecast (the effective
    -- forecast when no billed one exists: the two bases are then equal)
    select
        budget_periods.budget_id,
        budget_periods.period_start,
        series_days.charge_date as cost_date,
        case budget_periods.cost_basis
            when 'billed' then series_days.billed_cost
            else series_days.effective_cost
        end as actual_cost,
        case budget_periods.cost_basis
            when 'billed' then series_days.billed_cost
            else series_days.effective_cost
        end as projected_cost,
        case budget_periods.cost_basis
            when 'billed' then series_days.billed_cost
            else series_days.effective_cost
        end as projected_lo_80,
        case budget_periods.cost_basis
            when 'billed' then series_days.billed_cost
            else series_days.effective_cost
        end as projected_hi_80
    from budget_periods
    cross join bounds
    inner join series_days
        on
            budget_periods.series_id = series_days.series_id
            and series_days.charge_date between budget_periods.period_start and budget_periods.period_end
            and bounds.as_of_date >= series_days.charge_date
    union all
    select
        budget_periods.budget_id,
        budget_periods.period_start,
        forecast.forecast_date as cost_date,
        0 as actual_cost,
        forecast.forecast_cost as projected_cost,
        forecast.forecast_cost_lo_80 as projected_lo_80,
        forecast.forecast_cost_hi_80 as projected_hi_80
    from budget_periods
    cross join bounds
    inner join forecast
        on
            budget_periods.series_id = forecast.series_id
            and forecast.forecast_date between budget_periods.period_start and budget_periods.period_end
    where forecast.cost_basis = case when bounds.has_billed_forecast then budget_periods.cost_basis else 'effective' end
),

needed_rates as (
    select distinct
        budget_periods.budget_id,
        budget_periods.budget_currency,
        budget_periods.reporting_currency,
        cast(date_trunc('month', days.cost_date) as date) as cost_month
    from days
    inner join budget_periods
        on
            days.budget_id = budget_periods.budget_id
            and days.period_start = budget_periods.period_start
    where budget_periods.budget_currency <> budget_periods.reporting_currency
),

checked_rates as (
    {{- planning_rates(
        'needed_rates', 'budget_id', 'budget_currency', 'cost_month',
        "'Budget ' || needed_rates.budget_id", 'the budget'
    ) }}
),

converted as (
    select
        days.budget_id,
        days.period_start,
        days.cost_date,
    {%- for amount in ['actual_cost', 'projected_cost', 'projected_lo_80', 'projected_hi_80'] %}
        case
            when checked_rates.exchange_rate is null then {{ to_money('days.' ~ amount) }}
            else {{ exact_ratio(to_money('days.' ~ amount), 'checked_rates.exchange_rate') }}
        end as {{ amount }}{{ ',' if not loop.last }}
    {%- endfor %}
    from days
    left join checked_rates
        on
            days.budget_id = checked_rates.budget_id
            and cast(date_trunc('month', days.cost_date) as date) = checked_rates.cost_month
),

by_day as (
    select
        budget_id,
        period_start,
        cost_date,
        sum(actual_cost) as actual_cost,
        sum(projected_cost) as projected_cost,
        sum(projected_lo_80) as projected_lo_80,
        sum(projected_hi_80) as projected_hi_80
    from converted
    group by all
),

cumulative as (
    select
        *,
        sum(actual_cost) over period_days as cumulative_actual_cost,
        sum(projected_cost) over period_days as cumulative_projected_cost
    from by_day
    window period_days as (partition by budget_id, period_start order by cost_date rows unbounded preceding)
),

daily_run_rate as (
    -- the last 28 days of actual cost in the budget's scope, whichever period they fall in
    select
        budgets.budget_id,
        sum(
            case budgets.cost_basis
                when 'billed' then series_days.billed_cost
                else series_days.effective_cost
            end
        ) / 28 as daily_cost
    from budgets
    cross join bounds
    inner join series_days
        on
            budgets.series_id = series_days.series_id
            and series_days.charge_date > bounds.as_of_date - interval 28 day
            and bounds.as_of_date >= series_days.charge_date
    group by all
),

latest_rates as (
    select
        budget_id,
        arg_max(exchange_rate, cost_month) as exchange_rate
    from checked_rates
    group by all
),

run_rates as (
    -- the last 28 days' average daily cost in the budget's currency (at the latest rate) for each
    -- day of the period after the as-of day
    select
        budget_periods.budget_id,
        budget_periods.period_start,
        coalesce(daily_run_rate.daily_cost, 0) / coalesce(latest_rates.exchange_rate, 1) as daily_cost,
        greatest(
            datediff(
                'day',
                greatest(bounds.as_of_date, budget_periods.period_start - interval 1 day),
                budget_periods.period_end
            ),
            0
        ) as remaining_days
    from budget_periods
    cross join bounds
    left join daily_run_rate
        on budget_periods.budget_id = daily_run_rate.budget_id
    left join latest_rates
        on budget_periods.budget_id = latest_rates.budget_id
),

totals as (
    select
        budget_periods.budget_id,
        budget_periods.period_start,
        coalesce(sum(by_day.actual_cost), 0) as actual_cost,
        coalesce(sum(by_day.projected_cost), 0) as forecast_cost,
        coalesce(sum(by_day.projected_lo_80), 0) as forecast_cost_lo_80,
        coalesce(sum(by_day.projected_hi_80), 0) as forecast_cost_hi_80
    from budget_periods
    left join by_day
        on
            budget_periods.budget_id = by_day.budget_id
            and budget_periods.period_start = by_day.period_start
    group by all
),

crossings as (
    select
        budget_thresholds.budget_id,
        budget_periods.period_start,
        budget_thresholds.threshold_percent,
        budget_thresholds.threshold_basis,
        budget_thresholds.budget_amount * budget_thresholds.threshold_percent / 100 as threshold_amount,
        min(cumulative.cost_date) filter (
            where
            budget_thresholds.threshold_basis = 'actual'
            and cumulative.cost_date <= bounds.as_of_date
            and cumulative.cumulative_actual_cost
            >= budget_thresholds.budget_amount * budget_thresholds.threshold_percent / 100
        ) as actual_crossed_on,
        min(cumulative.cost_date) filter (
            where
            cumulative.cumulative_projected_cost
            >= budget_thresholds.budget_amount * budget_thresholds.threshold_percent / 100
        ) as projected_crossed_on
    from budget_thresholds
    cross join bounds
    inner join budget_periods
        on budget_thresholds.budget_id = budget_periods.budget_id
    left join cumulative
        on
            budget_periods.budget_id = cumulative.budget_id
            and budget_periods.period_start = cumulative.period_start
    group by all
),

final as (
    select
        budget_periods.budget_id,
        budget_periods.scope_type,
        budget_periods.scope_value,
        budget_periods.series_id,
        budget_periods.period_type,
        budget_periods.period_start,
        budget_periods.period_end,
        budget_periods.cost_basis,
        budget_periods.budget_currency,
        budget_periods.budget_amount,
        bounds.as_of_date,
        case
            when budget_periods.period_end <= bounds.as_of_date then 'closed'
            when budget_periods.period_start > bounds.as_of_date then 'future'
            else 'current'
        end as period_status,
        totals.actual_cost,
        totals.forecast_cost,
        totals.forecast_cost_lo_80,
        totals.forecast_cost_hi_80,
        totals.actual_cost + {{ to_money('run_rates.daily_cost * run_rates.remaining_days') }} as run_rate_cost,
        totals.forecast_cost - budget_periods.budget_amount as variance,
        {{ exact_ratio('totals.forecast_cost - budget_periods.budget_amount', 'budget_periods.budget_amount') }}
            as variance_ratio,
        crossings.threshold_percent,
        crossings.threshold_basis,
        {{ to_money('crossings.threshold_amount') }} as threshold_amount,
        case
            when crossings.threshold_basis = 'actual' then crossings.actual_crossed_on
            else crossings.projected_crossed_on
        end as crossed_on,
        case
            when crossings.threshold_basis = 'actual' and crossings.actual_crossed_on is not null then 'ALARM'
            when crossings.threshold_basis = 'forecast' and totals.forecast_cost >= crossings.threshold_amount
                then 'ALARM'
            else 'OK'
        end as alert_state
    from budget_periods
    cross join bounds
    inner join totals
        on
            budget_periods.budget_id = totals.budget_id
            and budget_periods.period_start = totals.period_start
    inner join crossings
        on
            budget_periods.budget_id = crossings.budget_id
            and budget_periods.period_start = crossings.period_start
    inner join run_rates
        on
            budget_periods.budget_id = run_rates.budget_id
            and budget_periods.period_start = run_rates.period_start
)

select * from final
