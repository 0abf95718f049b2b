{{ config(
    tags=['input_check'],
    meta={'stop': 'The Google Cloud invoice month {billing_period} of billing account {billing_account_id} is landed twice, in {export_folders}; keep one export (standard or detailed) and one folder per invoice month (delete or move the other) and run again.'}
) }}
-- A billing account's invoice month must come from one export, and within it from one place. Google
-- writes a standard and a detailed export table of the same account (`gcp_billing_export_v1_…` and
-- `gcp_billing_export_resource_v1_…`): landing both, or a month both as loose files and in its
-- `invoice_month=` folder, would double the bill on both sides of the reconciliation. Land one.
with

billing_export as (
    select * from {{ ref('stg_gcp__billing_export') }}
),

-- Where a file sits: its export, and the invoice_month=YYYYMM folder it is in (loose files are
-- named as such).
placed as (
    select distinct
        billing_account_id,
        billing_period_start,
        'gcp/' || export_name
        || coalesce(
            '/' || nullif(regexp_extract(source_file, '(invoice_month=[0-9]{6})', 1), ''),
            ' (files outside an invoice_month= folder)'
        ) as delivery
    from billing_export
    where billing_account_id is not null and billing_period_start is not null
),

final as (
    select
        billing_account_id,
        strftime(billing_period_start, '%Y-%m') as billing_period,
        count(*) as delivery_count,
        string_agg(delivery, ', ' order by delivery) as export_folders
    from placed
    group by 1, 2
    having count(*) > 1
)

select * from final
