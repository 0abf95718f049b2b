-- Cost anomalies: consecutive anomalous days of one series in one direction (int_anomaly_days) form one
-- anomaly, with when it was first and last seen, what it cost, what was expected, and its impact.
--   impact_cost    = Σ (actual − expected) over its days (negative for a drop);
--   impact_percent = 100 × impact_cost ÷ Σ expected, NULL when nothing was expected.
-- anomaly_id is a hash of the series, direction and first day, so it stays the same across refreshes
-- (feedback keyed on it sticks) as long as that day stays anomalous. An anomaly still going on the
-- as-of day is_ongoing. baseline_days: the days of history its root causes (fct_cost_anomaly_root_causes)
-- and triage owner are measured against. See concept_cost_anomalies.
-- Grain: one row per anomaly.
with

days as (
    select * from {{ ref('int_anomaly_days') }}
),

as_of as (
    select max(charge_date) as as_of_date
    from days
),

flagged as (
    select
        *,
        charge_date - cast(row_number() over (partition by series_id, direction order by charge_date) as integer)
            as island
    from days
    where is_anomalous
),

anomalies as (
    -- a series' attributes are the same on every day of it: grouping by them groups by the series
    select
        series_id,
        direction,
        island,
        series_grain,
        series_value,
        provider_name,
        billing_account_id,
        service_name,
        region_id,
        owner,
        reporting_currency,
        min(charge_date) as first_seen,
        max(charge_date) as last_seen,
        count(*) as anomalous_days,
        sum(actual_cost) as actual_cost,
        sum(expected_cost) as expected_cost,
        -- the day furthest from expected; on a tie the later day (every build picks the same)
        arg_max(charge_date, (abs(actual_cost - expected_cost), charge_date)) as peak_day,
        arg_min(history_days, charge_date) as first_day_history_days
    from flagged
    group by all
),

final as (
    select
        substr(
            md5(anomalies.series_id || '|' || anomalies.direction || '|' || cast(anomalies.first_seen as varchar)), 1, 16
        ) as anomaly_id,
        anomalies.series_id,
        anomalies.series_grain,
        anomalies.series_value,
        anomalies.provider_name,
        anomalies.billing_account_id,
        anomalies.service_name,
        anomalies.region_id,
        anomalies.owner,
        anomalies.direction,
        anomalies.first_seen,
        anomalies.last_seen,
        anomalies.peak_day,
        anomalies.anomalous_days,
        -- the days before the anomaly its root causes and owner are measured against: the usual cost is
        -- the average of anomaly_baseline_days, or of the series' fewer days of history
        greatest(1, least({{ var('anomaly_baseline_days') }}, anomalies.first_day_history_days)) as baseline_days,
        anomalies.last_seen = as_of.as_of_date as is_ongoing,
        anomalies.reporting_currency,
        anomalies.actual_cost,
        anomalies.expected_cost,
        anomalies.actual_cost - anomalies.expected_cost as impact_cost,
        {%- set impact_ratio = exact_ratio(
            'anomalies.actual_cost - anomalies.expected_cost', 'abs(anomalies.expected_cost)'
        ) %}
        case
            when anomalies.expected_cost <> 0 then {{ to_money('100 * ' ~ impact_ratio) }}
        end as impact_percent,
        as_of.as_of_date
    from anomalies
    cross join as_of
)

select * from final
