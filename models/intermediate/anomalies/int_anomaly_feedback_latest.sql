-- The triage of each anomaly that has feedback (anomaly_feedback.csv): its latest status, who gave it
-- and when, the first time anyone reviewed it and, while its latest status is `resolved`, when.
-- Grain: one row per anomaly id with feedback.
with

feedback as (
    select * from {{ ref('stg_mappings__anomaly_feedback') }}
),

final as (
    select
        anomaly_id,
        arg_max(feedback_status, reviewed_at) as feedback_status,
        arg_max(reviewed_by, reviewed_at) as reviewed_by,
        max(reviewed_at) as reviewed_at,
        arg_max(note, reviewed_at) as note,
        min(reviewed_at) as first_reviewed_at,
        -- resolved only while the latest status says so (a reopened anomaly is open again)
        case
            when arg_max(feedback_status, reviewed_at) = 'resolved'
                then max(reviewed_at) filter (where feedback_status = 'resolved')
        end as resolved_at
    from feedback
    group by all
)

select * from final
