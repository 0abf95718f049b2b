-- Where each series lands per calendar month: the actual cost to the as-of day plus the forecast of
-- the remaining days (fct_cost_forecast), for the as-of day's month and each month of the horizon,
-- with the run rate beside it (the actual so far plus the last 28 days' daily average for each
-- remaining day: the naive projection finance would otherwise make). The month's planned changes and
-- commitment-expiry change (both inside the remaining forecast) are shown beside it.
-- A month's interval adds the daily bounds (errors of one month move together, so the daily bounds
-- are summed rather than combined as independent); fct_forecast_accuracy reports how often the
-- monthly interval held in the backtests. See concept_cost_forecast.
-- Grain: one row per series, cost basis and month.
with

forecast as (
    select * from {{ ref('fct_cost_forecast') }}
),

series_days as (
    select * from {{ ref('int_cost_daily_series') }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from forecast
),

actual_days as (
    {%- for basis in ['billed', 'effective'] %}
        select
            series_days.series_id,
            '{{ basis }}' as cost_basis,
            series_days.charge_date,
            series_days.{{ basis }}_cost as day_cost
        from series_days
        cross join as_of
        where series_days.charge_date <= as_of.as_of_date
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

months as (
    select
        series_id,
        cost_basis,
        any_value(series_grain) as series_grain,
        any_value(series_value) as series_value,
        any_value(reporting_currency) as reporting_currency,
        any_value(forecast_model) as forecast_model,
        bool_or(is_fallback) as is_fallback,
        cast(date_trunc('month', forecast_date) as date) as month_start,
        sum(forecast_cost) as forecast_remaining_cost,
        sum(planned_change_cost) as planned_change_cost,
        sum(commitment_expiry_cost) as commitment_expiry_cost,
        {%- for bound in ['lo_80', 'hi_80', 'lo_95', 'hi_95'] %}
            sum(forecast_cost_{{ bound }}) as remaining_{{ bound }},
        {%- endfor %}
        count(*) as forecast_days
    from forecast
    group by all
),

month_actuals as (
    select
        actual_days.series_id,
        actual_days.cost_basis,
        cast(date_trunc('month', actual_days.charge_date) as date) as month_start,
        sum(actual_days.day_cost) as actual_cost,
        count(*) as actual_days
    from actual_days
    group by all
),

last_28_days as (
    select
        actual_days.series_id,
        actual_days.cost_basis,
        sum(actual_days.day_cost) / 28 as daily_run_rate
    from actual_days
    cross join as_of
    where actual_days.charge_date > as_of.as_of_date - interval 28 day
    group by all
),

final as (
    select
        months.series_id,
        months.series_grain,
        months.series_value,
        months.cost_basis,
        months.month_start,
        months.reporting_currency,
        months.forecast_model,
        months.is_fallback,
        coalesce(month_actuals.actual_cost, 0) as actual_cost,
        months.forecast_remaining_cost,
        months.planned_change_cost,
        months.commitment_expiry_cost,
        coalesce(month_actuals.actual_cost, 0) + months.forecast_remaining_cost as forecast_total_cost,
        {%- for bound in ['lo_80', 'hi_80', 'lo_95', 'hi_95'] %}
            coalesce(month_actuals.actual_cost, 0) + months.remaining_{{ bound }} as forecast_total_cost_{{ bound }},
        {%- endfor %}
        {{ to_money(
            'coalesce(month_actuals.actual_cost, 0) + months.forecast_days * coalesce(last_28_days.daily_run_rate, 0)'
        ) }} as run_rate_total_cost,
        months.forecast_days
    from months
    left join month_actuals
        on
            months.series_id = month_actuals.series_id
            and months.cost_basis = month_actuals.cost_basis
            and months.month_start = month_actuals.month_start
    left join last_28_days
        on
            months.series_id = last_28_days.series_id
            and months.cost_basis = last_28_days.cost_basis
)

select * from final
