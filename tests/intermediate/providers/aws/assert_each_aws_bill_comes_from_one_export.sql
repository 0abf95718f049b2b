{{ config(
    tags=['input_check'],
    meta={'stop': 'The AWS bill of payer account {billing_account_id} for {billing_period} is landed twice, in {export_folders}; keep one export per payer and period (one CUR report, in one format, or one CUR 2.0 export: delete or move the other) and run again.'}
) }}
-- A payer account's billing period must come from exactly one export in one flavour (one CUR
-- report as CSV deliveries or as its Athena parquet, or one CUR 2.0 export). Two exports of the
-- same bill in the landing folder would double it, and the reconciliation could not see it,
-- because raw and FOCUS would both be doubled.
with

line_items as (
    select * from {{ ref('int_aws__line_items') }}
),

-- Where an export sits, as the user sees it in the landing folder (a legacy CUR report's CSV and
-- parquet deliveries share the report folder, so the flavour is named too).
placed as (
    select distinct
        payer_account_id as billing_account_id,
        billing_period_start,
        source_name || '/' || export_name
        || case delivery_flavour
            when 'cur_csv' then ' (CSV)'
            when 'cur_parquet' then ' (parquet)'
            else ''
        end as export_folder
    from line_items
    where payer_account_id is not null and billing_period_start is not null
),

final as (
    select
        billing_account_id,
        strftime(billing_period_start, '%Y-%m') as billing_period,
        count(*) as export_count,
        string_agg(export_folder, ', ' order by export_folder) as export_folders
    from placed
    group by 1, 2
    having count(*) > 1
)

select * from final
