-- For every line of unknown amount (a line the reader rejected and the loader could not recover),
-- the bills it may belong to: the bills (source, billing account, billing period, billing currency)
-- of the readable rows of its own file that agree with what the line and its delivery folder say
-- (a Google Cloud JSON line's own billing_account_id, invoice month and currency; the period a
-- folder such as BILLING_PERIOD=2026-08 or invoice_month=202608 names). One candidate places the
-- line in that bill; several mean each of them may have lost it. A file without readable rows
-- gives no candidate: the line then keeps only what it and its folder say.
with

rejected_lines as (
    select * from {{ ref('stg_landing__rejected_lines') }}
    where repair is null
),

-- The bill of every readable row of every provider (the provider contract's `source_amounts`).
readable_rows as (
    {{ union_providers('source_amounts') }}
),

-- Only the files that have an unreadable line are looked at.
file_bills as (
    select distinct
        source_name,
        source_file,
        billing_account_id,
        billing_period_start,
        billing_currency
    from readable_rows
    where source_file in (select rejected_lines.source_file from rejected_lines)
),

final as (
    select
        rejected_lines.source_file,
        rejected_lines.source_line_number,
        rejected_lines.unread_line_count,
        file_bills.source_name,
        file_bills.billing_account_id,
        file_bills.billing_period_start,
        file_bills.billing_currency
    from rejected_lines
    inner join file_bills
        on
            rejected_lines.source_file = file_bills.source_file
            and file_bills.billing_account_id
            = coalesce(rejected_lines.line_billing_account_id, file_bills.billing_account_id)
            and file_bills.billing_period_start = coalesce(
                rejected_lines.line_billing_period_start,
                rejected_lines.folder_period_start,
                file_bills.billing_period_start
            )
            and file_bills.billing_currency
            = coalesce(rejected_lines.line_billing_currency, file_bills.billing_currency)
)

select * from final
