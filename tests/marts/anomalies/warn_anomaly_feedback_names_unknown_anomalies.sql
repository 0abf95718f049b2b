-- Feedback in anomaly_feedback.csv for an anomaly id the warehouse does not have: a typo, or an
-- anomaly whose first day is no longer anomalous after a restatement (its id changed). A warning, not
-- an error: the rest of the triage stands; fix or remove the row.
{{ config(severity='warn') }}

select
    feedback.anomaly_id,
    feedback.feedback_status,
    feedback.reviewed_by
from {{ ref('int_anomaly_feedback_latest') }} as feedback
left join {{ ref('fct_cost_anomalies') }} as anomalies
    on feedback.anomaly_id = anomalies.anomaly_id
where anomalies.anomaly_id is null
