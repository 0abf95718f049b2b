-- A billing profile's period must come from one actual-cost export and one amortised-cost export.
-- Two export definitions of the same scope in the landing folder (a recreated or renamed export)
-- would double the bill on both bases, and the reconciliation could not see it, because raw and
-- FOCUS would both be doubled. Keep one export of each type per scope.
with

cost_details as (
    select * from {{ ref('stg_azure__cost_details') }}
)

select
    billing_account_id,
    billing_period_start,
    export_type,
    count(distinct export_name) as export_count,
    string_agg(distinct export_name, ', ') as exports
from cost_details
where billing_account_id is not null and billing_period_start is not null
group by 1, 2, 3
having count(distinct export_name) > 1
