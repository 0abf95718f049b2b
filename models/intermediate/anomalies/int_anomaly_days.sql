-- Each series' expected cost of each day, from the days before it only (no look-ahead), and whether the
-- day is anomalous (concept_cost_anomalies):
--   expected  = the median of the last anomaly_baseline_days (28) days, times the day of week's factor
--               (the median of the same weekday over the last 8 weeks ÷ the median of those 8 weeks),
--               so weekends are not anomalies: a robust baseline a spike or a drop barely moves;
--               on the first and last three days of a month, times that day's usual factor too (the
--               median ratio of actual to expected on the same day of the last 3 months, when at
--               least 2 months show it and it is 5 % or more), so a month-end batch is not one (the
--               ratio reads every day, flagged or not: a calendar effect recurs, an anomaly does not);
--   scale     = 1.4826 × the median absolute error of the last 28 days' expected costs (a robust
--               standard deviation), at least 1 % of the expected cost;
--   interval  = expected ± anomaly_interval_width (3) × scale;
--   anomalous = the actual is outside the interval, the series has anomaly_min_history_days (14) of
--               history, and the impact |actual − expected| is at least anomaly_min_impact_cost (100,
--               reporting currency) and anomaly_min_impact_percent (20 %) of the expected cost (any
--               percent when nothing was expected). Drops count as well as spikes.
-- Two passes: the second computes the baseline without the days the first flagged, so that an
-- anomaly of the last weeks (a leak of two weeks fills half a 28-day window) does not raise the
-- baseline enough to hide the next one.
-- Grain: one row per series and day.
with

days as (
    select
        *,
        effective_cost as baseline_cost_0,
        -- the first and last three days of a month, each its own position; every other day is 'mid'
        case
            when day(last_day(charge_date)) - day(charge_date) < 3
                then 'end-' || (day(last_day(charge_date)) - day(charge_date))
            when day(charge_date) <= 3 then 'start-' || day(charge_date)
            else 'mid'
        end as month_position,
        count(*) over (
            partition by series_id order by charge_date rows between unbounded preceding and 1 preceding
        ) as history_days
    from {{ ref('int_anomaly_series_days') }}
),
{% for pass in [1, 2] %}
    {%- set value = 'baseline_cost_' ~ (pass - 1) %}

    levels_{{ pass }} as (
        select
            *,
            median({{ value }}) over baseline as baseline_median,
            median({{ value }}) over eight_weeks as eight_week_median,
            median({{ value }}) over same_weekday as weekday_median
        from {{ 'days' if pass == 1 else 'flagged_1' }}
        window
            baseline as (
                partition by series_id order by charge_date
                rows between {{ var('anomaly_baseline_days') }} preceding and 1 preceding
            ),
            eight_weeks as (partition by series_id order by charge_date rows between 56 preceding and 1 preceding),
            same_weekday as (
                partition by series_id, dayofweek(charge_date) order by charge_date
                rows between 8 preceding and 1 preceding
            )
    ),

    weekly_{{ pass }} as (
        select
            * exclude (baseline_median, eight_week_median, weekday_median),
            {#- pass 2: when the first pass flagged every day of the window, its baseline stands -#}
            {{ 'coalesce(' if pass == 2 }}case
                when history_days >= {{ var('anomaly_min_history_days') }} and eight_week_median > 0
                    then baseline_median * weekday_median / eight_week_median
                else baseline_median
            end{{ ', weekly_expected_1)' if pass == 2 }} as weekly_expected_{{ pass }}
        from levels_{{ pass }}
    ),

    calendar_{{ pass }} as (
        select
            *,
            median(effective_cost / nullif(weekly_expected_{{ pass }}, 0)) over same_position as position_factor_{{ pass }},
            count(effective_cost / nullif(weekly_expected_{{ pass }}, 0)) over same_position as position_days_{{ pass }}
        from weekly_{{ pass }}
        window same_position as (
            partition by series_id, month_position order by charge_date rows between 3 preceding and 1 preceding
        )
    ),

    expected_{{ pass }} as (
        select
            * exclude (position_factor_{{ pass }}, position_days_{{ pass }}),
            weekly_expected_{{ pass }} * case
                when
                    month_position <> 'mid' and position_days_{{ pass }} >= 2
                    and abs(position_factor_{{ pass }} - 1) >= 0.05
                    then position_factor_{{ pass }}
                else 1
            end as expected_cost_{{ pass }}
        from calendar_{{ pass }}
    ),

    scaled_{{ pass }} as (
        select
            *,
            greatest(
                1.4826 * median(abs({{ value }} - expected_cost_{{ pass }})) over baseline,
                0.01 * abs(expected_cost_{{ pass }})
            ) as scale_{{ pass }}
        from expected_{{ pass }}
        window baseline as (
            partition by series_id order by charge_date
            rows between {{ var('anomaly_baseline_days') }} preceding and 1 preceding
        )
    ),

    flagged_{{ pass }} as (
        select
            *,
            coalesce(
                history_days >= {{ var('anomaly_min_history_days') }}
                and abs(effective_cost - expected_cost_{{ pass }}) > {{ var('anomaly_interval_width') }} * scale_{{ pass }}
                and abs(effective_cost - expected_cost_{{ pass }}) >= {{ var('anomaly_min_impact_cost') }}
                and (
                    expected_cost_{{ pass }} = 0
                    or abs(effective_cost - expected_cost_{{ pass }})
                    >= {{ var('anomaly_min_impact_percent') }} / 100 * abs(expected_cost_{{ pass }})
                ),
                false
            ) as is_anomalous_{{ pass }},
            case when is_anomalous_{{ pass }} then null else effective_cost end as baseline_cost_{{ pass }}
        from scaled_{{ pass }}
    ),
{% endfor %}

final as (
    select
        series_id,
        series_grain,
        series_value,
        provider_name,
        billing_account_id,
        service_name,
        region_id,
        owner,
        reporting_currency,
        charge_date,
        effective_cost as actual_cost,
        {{ to_money('expected_cost_2') }} as expected_cost,
        {{ to_money('expected_cost_2 - ' ~ var('anomaly_interval_width') ~ ' * scale_2') }} as expected_cost_low,
        {{ to_money('expected_cost_2 + ' ~ var('anomaly_interval_width') ~ ' * scale_2') }} as expected_cost_high,
        history_days,
        is_anomalous_2 as is_anomalous,
        case when effective_cost >= expected_cost_2 then 'spike' else 'drop' end as direction
    from flagged_2
)

select * from final
