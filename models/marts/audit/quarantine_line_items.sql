-- Every raw row the warehouse could not use, with where it came from and why. Nothing is dropped
-- silently: a row is either in focus_cost_and_usage or here, and fct_billing_reconciliation
-- checks that the two add back up to the raw bill.
with

source_line_items as (
    select * from {{ ref('int_source_line_items_unioned') }}
),

final as (
    select
        source_name,
        export_name,
        source_file,
        source_row_number,
        source_line_number,
        source_line_item_id,
        source_line_item_type,
        billing_account_id,
        billing_period_start,
        billing_currency,
        provider_billed_cost,
        provider_amortized_cost,
        quarantine_reason,
        raw_line,
        unread_line_count
    from source_line_items
    where quarantine_reason is not null
)

select * from final
