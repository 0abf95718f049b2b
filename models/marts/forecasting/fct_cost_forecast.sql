-- The daily cost forecast of every series (the whole bill, each provider, billing account, owner and
-- service category), from the day after the as-of day (the last day with usage cost) to the end of
-- the horizon, in the reporting currency. Usage cost is forecast by the model the series' backtests
-- chose (int_cost_forecast_daily, finops/forecasting.py); purchases are added back as known amounts:
-- what is already billed for a future day (a monthly fee's slices reach its month end) and the
-- recurring purchases carried forward (int_forecast_recurring_fees: the last month's, spread evenly
-- over each day, and in a month still open the fees billed by the hour that have no rows yet).
-- One-time purchases are never repeated. Two more lines are
-- shown apart so nobody is surprised by them: the planned changes of forecast_adjustments.csv
-- (int_forecast_adjustments_daily, concept_forecast_adjustments) and the change a commitment's end
-- brings inside the horizon (int_commitment_expiry_daily). Intervals are the usage model's, shifted
-- by these amounts. See concept_cost_forecast.
-- Grain: one row per series, cost basis and forecast day.
with

forecast as (
    select * from {{ ref('int_cost_forecast_daily') }}
),

series_days as (
    select * from {{ ref('int_cost_daily_series') }}
),

series as (
    select * from {{ ref('int_forecast_series') }}
),

purchases_by_day as (
    {%- for basis in ['billed', 'effective'] %}
        select
            series_id,
            '{{ basis }}' as cost_basis,
            charge_date,
            recurring_purchase_{{ basis }}_cost + one_time_purchase_{{ basis }}_cost as purchase_cost
        from series_days
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

with_known as (
    select
        forecast.*,
        coalesce(billed_ahead.purchase_cost, 0) + coalesce(carried.recurring_fee_cost, 0) as known_purchase_cost
    from forecast
    left join purchases_by_day as billed_ahead
        on
            forecast.series_id = billed_ahead.series_id
            and forecast.cost_basis = billed_ahead.cost_basis
            and forecast.forecast_date = billed_ahead.charge_date
    left join {{ ref('int_forecast_recurring_fees') }} as carried
        on
            forecast.series_id = carried.series_id
            and forecast.cost_basis = carried.cost_basis
            and forecast.forecast_date = carried.forecast_date
),

planned as (
    select
        series_id,
        cost_basis,
        forecast_date,
        sum(planned_change_cost) as planned_change_cost,
        string_agg(adjustment_id, '|' order by adjustment_id) as planned_change_ids
    from {{ ref('int_forecast_adjustments_daily') }}
    group by all
),

expiring as (
    select
        series_id,
        cost_basis,
        forecast_date,
        sum(commitment_expiry_cost) as commitment_expiry_cost,
        string_agg(commitment_discount_id, '|' order by commitment_discount_id) as expiring_commitment_ids
    from {{ ref('int_commitment_expiry_daily') }}
    group by all
),

with_lines as (
    select
        with_known.*,
        {{ to_money('with_known.forecast') }} as usage_forecast_cost,
        {{ to_money('with_known.known_purchase_cost') }} as known_purchase_money,
        coalesce(planned.planned_change_cost, 0) as planned_change_cost,
        planned.planned_change_ids,
        coalesce(expiring.commitment_expiry_cost, 0) as commitment_expiry_cost,
        expiring.expiring_commitment_ids,
        {{ to_money('with_known.known_purchase_cost') }}
        + coalesce(planned.planned_change_cost, 0)
        + coalesce(expiring.commitment_expiry_cost, 0) as other_lines_cost
    from with_known
    left join planned
        on
            with_known.series_id = planned.series_id
            and with_known.cost_basis = planned.cost_basis
            and with_known.forecast_date = planned.forecast_date
    left join expiring
        on
            with_known.series_id = expiring.series_id
            and with_known.cost_basis = expiring.cost_basis
            and with_known.forecast_date = expiring.forecast_date
),

final as (
    select
        with_lines.series_id,
        series.series_grain,
        series.series_value,
        with_lines.cost_basis,
        with_lines.forecast_date,
        series.reporting_currency,
        with_lines.model as forecast_model,
        with_lines.selection_basis,
        with_lines.fallback_reason is not null as is_fallback,
        with_lines.fallback_reason,
        with_lines.usage_forecast_cost,
        with_lines.known_purchase_money as known_purchase_cost,
        with_lines.planned_change_cost,
        with_lines.planned_change_ids,
        with_lines.commitment_expiry_cost,
        with_lines.expiring_commitment_ids,
        with_lines.usage_forecast_cost + with_lines.other_lines_cost as forecast_cost,
        {%- for bound in ['lo_80', 'hi_80', 'lo_95', 'hi_95'] %}
            {{ to_money('with_lines.' ~ bound) }} + with_lines.other_lines_cost as forecast_cost_{{ bound }},
        {%- endfor %}
        with_lines.as_of_date
    from with_lines
    inner join series
        on with_lines.series_id = series.series_id
)

select * from final
