{{ config(
    tags=['input_check'],
    meta={'stop': 'The FOCUS bill of billing account {billing_account_id} ({provider_name}) for {billing_period} is landed twice, in {export_folders}; keep one export folder per bill (delete or move the other) and run again.'}
) }}
-- A native FOCUS export folder is read as "every file counts" (D5): a bill landed under two export
-- folders (the same export copied twice, or an export recreated under a new name) would double it
-- on both sides of the reconciliation, which could then not see it. One bill is a provider's billing
-- account and billing period; a charge is doubled when its sub account (NULL included) appears in
-- the period from two folders. Exports scoped to different sub accounts of one billing account
-- (Azure subscription-scoped FOCUS exports) do not overlap and pass.
with

line_items as (
    select * from {{ ref('stg_focus__line_items') }}
),

placed as (
    select distinct
        provider_name,
        billing_account_id,
        billing_period_start,
        sub_account_id,
        export_name
    from line_items
    where billing_account_id is not null and billing_period_start is not null
),

doubled as (
    select
        provider_name,
        billing_account_id,
        billing_period_start,
        sub_account_id
    from placed
    group by all
    having count(distinct export_name) > 1
),

final as (
    select
        placed.provider_name,
        placed.billing_account_id,
        strftime(placed.billing_period_start, '%Y-%m') as billing_period,
        count(distinct placed.export_name) as export_count,
        string_agg(distinct 'focus/' || placed.export_name, ', ' order by 'focus/' || placed.export_name)
            as export_folders
    from placed
    inner join doubled
        on
            placed.provider_name is not distinct from doubled.provider_name
            and placed.billing_account_id = doubled.billing_account_id
            and placed.billing_period_start = doubled.billing_period_start
            and placed.sub_account_id is not distinct from doubled.sub_account_id
    group by 1, 2, 3
)

select * from final
