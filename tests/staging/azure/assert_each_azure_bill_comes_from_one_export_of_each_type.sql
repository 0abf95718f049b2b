{{ config(
    tags=['input_check'],
    meta={'stop': 'The Azure {export_type} cost of billing profile {billing_account_id} for {billing_period} is landed twice, in {export_folders}; keep one {export_type}-cost export per scope (delete or move the other export folder) and run again.'}
) }}
-- A billing profile's period must come from one actual-cost export and one amortised-cost export.
-- Two export definitions of the same scope in the landing folder (a recreated or renamed export)
-- would double the bill on both bases, and the reconciliation could not see it, because raw and
-- FOCUS would both be doubled. Keep one export of each type per scope.
with

cost_details as (
    select * from {{ ref('stg_azure__cost_details') }}
),

final as (
    select
        billing_account_id,
        export_type,
        strftime(billing_period_start, '%Y-%m') as billing_period,
        count(distinct export_name) as export_count,
        string_agg(distinct 'azure/' || export_name, ', ' order by 'azure/' || export_name) as export_folders
    from cost_details
    where billing_account_id is not null and billing_period_start is not null
    group by 1, 2, 3
    having count(distinct export_name) > 1
)

select * from final
