-- The user's triage of cost anomalies (anomaly_feedback.csv), one row per anomaly and time it was
-- reviewed (an anomaly may be acknowledged, resolved, reopened...): the loader has checked the id's
-- form, the status word and the date-time.
with

source as (
    select * from {{ source('mappings', 'mapping_anomaly_feedback') }}
),

final as (
    select
        anomaly_id,
        status as feedback_status,
        reviewed_by,
        reviewed_at,
        note
    from source
)

select * from final
