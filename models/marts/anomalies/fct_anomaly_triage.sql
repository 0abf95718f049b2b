-- Where each cost anomaly stands in triage: its latest status from anomaly_feedback.csv (`open` when
-- nobody has looked at it), who gave it and when, the owner to chase, and how long things took:
--   detectable_at     the end of its first anomalous day: with daily cost data, the earliest moment
--                     the day's whole cost is known;
--   hours_to_review   from detectable_at to the first feedback;
--   hours_to_resolve  from detectable_at to the `resolved` feedback (MTTR is their mean);
--   age_days          the days from its first day to the as-of day, for anomalies still open.
-- The owner of an owner series is that owner; of a leaf series, the owner whose allocated usage cost
-- of the service in that billing account moved most in the anomaly's direction over its days (against
-- its average of the days before, as the root causes are measured): who spent, or stopped spending.
-- `expected`, `planned`, `resolved` and `false_positive` close an anomaly; `acknowledged` keeps it
-- open. Feedback naming an id the warehouse does not have is flagged by a warning test.
-- See concept_anomaly_triage. Grain: one row per anomaly.
with

anomalies as (
    select * from {{ ref('fct_cost_anomalies') }}
),

latest as (
    select * from {{ ref('int_anomaly_feedback_latest') }}
),

leaf_owners as (
    -- each owner's move over the anomaly's days: its cost then minus its average daily cost over the
    -- anomaly_baseline_days before, times the days (as fct_cost_anomaly_root_causes measures a cause)
    select
        anomalies.anomaly_id,
        pieces.owner,
        any_value(anomalies.direction) as direction,
        coalesce(sum(pieces.effective_cost) filter (where pieces.charge_date >= anomalies.first_seen), 0)
        - coalesce(sum(pieces.effective_cost) filter (where pieces.charge_date < anomalies.first_seen), 0)
        / any_value(anomalies.baseline_days) * any_value(anomalies.anomalous_days) as owner_move
    from anomalies
    inner join {{ ref('int_charges_allocated') }} as pieces
        on
            anomalies.provider_name = pieces.provider_name
            and anomalies.billing_account_id = pieces.billing_account_id
            and anomalies.service_name = coalesce(pieces.service_name, '(no service)')
            and pieces.charge_date
            between anomalies.first_seen - {{ var('anomaly_baseline_days') }} and anomalies.last_seen
    where anomalies.series_grain = 'leaf' and pieces.charge_category = 'Usage'
    group by all
),

leaf_owner as (
    -- the owner that moved most in the anomaly's direction; on a tie the first in name order, so
    -- that every build names the same owner
    select
        anomaly_id,
        owner
    from leaf_owners
    qualify row_number() over (
        partition by anomaly_id
        order by owner_move * case when direction = 'drop' then -1 else 1 end desc, owner
    ) = 1
),

final as (
    select
        anomalies.anomaly_id,
        anomalies.series_id,
        anomalies.series_grain,
        anomalies.direction,
        anomalies.first_seen,
        anomalies.last_seen,
        anomalies.is_ongoing,
        anomalies.reporting_currency,
        anomalies.impact_cost,
        latest.reviewed_by,
        latest.reviewed_at,
        latest.note,
        latest.first_reviewed_at,
        latest.resolved_at,
        anomalies.as_of_date,
        cast(anomalies.first_seen + interval 1 day as timestamp) as detectable_at,
        coalesce(anomalies.owner, leaf_owner.owner) as triage_owner,
        coalesce(latest.feedback_status, 'open') as triage_status,
        coalesce(latest.feedback_status, 'open') in ('open', 'acknowledged') as is_open,
        datediff('hour', cast(anomalies.first_seen + interval 1 day as timestamp), latest.first_reviewed_at)
            as hours_to_review,
        datediff('hour', cast(anomalies.first_seen + interval 1 day as timestamp), latest.resolved_at)
            as hours_to_resolve,
        case
            when coalesce(latest.feedback_status, 'open') in ('open', 'acknowledged')
                then datediff('day', anomalies.first_seen, anomalies.as_of_date)
        end as age_days
    from anomalies
    left join latest
        on anomalies.anomaly_id = latest.anomaly_id
    left join leaf_owner
        on anomalies.anomaly_id = leaf_owner.anomaly_id
)

select * from final
