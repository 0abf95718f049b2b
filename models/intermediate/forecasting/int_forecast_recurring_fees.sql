-- The recurring purchases (a support plan, a commitment's monthly or hourly fee) each series'
-- forecast carries forward as a known amount, per forecast day, on top of what is already billed for
-- that day (a monthly fee's slices that reach its month end):
--   * in the months after the last month with a recurring purchase: that month's total, spread evenly
--     over each day of the month;
--   * when that last month is the as-of day's own month and still open (the as-of day is not its
--     last day), fees billed by the hour or day have no rows yet for its remaining days: the month is
--     expected to cost at least the previous month's recurring purchases per day × its days, and
--     what is missing of that is spread over the remaining days (nothing when a monthly fee was
--     billed whole). The later months carry that expected month forward, not its first days only.
-- int_commitment_expiry_daily takes a commitment's fee back from the days this carries fees on.
-- Grain: one row per series, cost basis and forecast day with a carried amount.
with

forecast_days as (
    select distinct
        series_id,
        cost_basis,
        forecast_date,
        as_of_date
    from {{ ref('int_cost_forecast_daily') }}
),

last_day_of_data as (
    select max(as_of_date) as as_of_date
    from forecast_days
),

as_of as (
    select
        as_of_date,
        cast(date_trunc('month', as_of_date) as date) as as_of_month,
        as_of_date < last_day(as_of_date) as is_month_open,
        datediff('day', as_of_date, last_day(as_of_date)) as remaining_days
    from last_day_of_data
),

recurring_months as (
    {%- for basis in ['billed', 'effective'] %}
        select
            series_id,
            '{{ basis }}' as cost_basis,
            cast(date_trunc('month', charge_date) as date) as month_start,
            sum(recurring_purchase_{{ basis }}_cost) as recurring_purchase_cost
        from {{ ref('int_cost_daily_series') }}
        group by all
        having sum(recurring_purchase_{{ basis }}_cost) <> 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

last_recurring_month as (
    select
        series_id,
        cost_basis,
        max(month_start) as month_start,
        arg_max(recurring_purchase_cost, month_start) as recurring_purchase_cost
    from recurring_months
    group by all
),

expected as (
    -- the monthly amount carried forward, and what the open month still lacks of it
    select
        last_month.series_id,
        last_month.cost_basis,
        last_month.month_start,
        case
            when last_month.month_start = as_of.as_of_month and as_of.is_month_open and previous.month_start is not null
                then greatest(
                    last_month.recurring_purchase_cost,
                    previous.recurring_purchase_cost / day(last_day(previous.month_start)) * day(last_day(as_of.as_of_month))
                )
            else last_month.recurring_purchase_cost
        end as monthly_recurring_cost,
        case
            when last_month.month_start = as_of.as_of_month and as_of.is_month_open and previous.month_start is not null
                then greatest(
                    0,
                    previous.recurring_purchase_cost / day(last_day(previous.month_start)) * day(last_day(as_of.as_of_month))
                    - last_month.recurring_purchase_cost
                ) / as_of.remaining_days
            else 0
        end as open_month_daily_top_up
    from last_recurring_month as last_month
    cross join as_of
    left join recurring_months as previous
        on
            last_month.series_id = previous.series_id
            and last_month.cost_basis = previous.cost_basis
            and previous.month_start = cast(as_of.as_of_month - interval 1 month as date)
),

carried as (
    select
        forecast_days.series_id,
        forecast_days.cost_basis,
        forecast_days.forecast_date,
        case
            when date_trunc('month', forecast_days.forecast_date) > expected.month_start
                then expected.monthly_recurring_cost / day(last_day(forecast_days.forecast_date))
            else expected.open_month_daily_top_up
        end as recurring_fee_cost
    from forecast_days
    inner join expected
        on
            forecast_days.series_id = expected.series_id
            and forecast_days.cost_basis = expected.cost_basis
),

final as (
    select
        series_id,
        cost_basis,
        forecast_date,
        {{ to_money('recurring_fee_cost') }} as recurring_fee_cost
    from carried
    where recurring_fee_cost <> 0
)

select * from final
