-- One row per line (or record) the reader rejected: recovered lines with what was done
-- (`repair`), unreadable ones with their text. For an unreadable line, what the line itself or its
-- delivery folder says about its bill is kept as hints; int_unreadable_line_candidate_bills adds
-- what the file's other rows say.
with

source as (
    select * from {{ source('landing', 'rejected_lines') }}
),

renamed as (
    select
        source as source_name,
        _export_name as export_name,
        _delivery_id as delivery_id,
        _source_file as source_file,
        line_number as source_line_number,
        error_message,
        csv_line as raw_line,
        line_count as unread_line_count,
        repair,
        row_number as recovered_row_number,
        lower(error_type) as error_type
    from source
),

-- The billing period a delivery folder names: AWS legacy CUR `<yyyymmdd-yyyymmdd>/` (the
-- period), CUR 2.0 and FOCUS data exports `BILLING_PERIOD=YYYY-MM/`, Google Cloud
-- `invoice_month=YYYYMM/`, and an Azure date-range folder when it spans one calendar month
-- from its first day (an EA or MCA billing period). None for other layouts.
folder_periods as (
    select
        *,
        case
            when source_name = 'aws_cur'
                then try_strptime(regexp_extract(source_file, '/([0-9]{8})-[0-9]{8}/', 1), '%Y%m%d')
            when source_name in ('aws_cur2', 'focus')
                then try_strptime(regexp_extract(source_file, '(?i)billing_period=([0-9]{4}-[0-9]{2})/', 1), '%Y-%m')
            when source_name = 'gcp'
                then try_strptime(regexp_extract(source_file, 'invoice_month=([0-9]{6})/', 1), '%Y%m')
            when
                source_name = 'azure'
                and regexp_extract(source_file, '/([0-9]{6})01-[0-9]{8}/', 1)
                = regexp_extract(source_file, '/[0-9]{8}-([0-9]{6})[0-9]{2}/', 1)
                then try_strptime(regexp_extract(source_file, '/([0-9]{6})01-[0-9]{8}/', 1), '%Y%m')
        end as folder_period_start
    from renamed
),

-- A Google Cloud JSON line names its fields, so what survives of a broken line says whose bill it
-- is: `"billing_account_id": "…"`, `"invoice": {"month": "YYYYMM"}`, `"currency": "…"`. A CSV
-- line's fields cannot be trusted by position once the line is broken, so it gives no hint.
final as (
    select
        *,
        case
            when source_name = 'gcp'
                then nullif(regexp_extract(raw_line, '"billing_account_id"\s*:\s*"([^"]+)"', 1), '')
        end as line_billing_account_id,
        case
            when source_name = 'gcp'
                then try_strptime(
                    regexp_extract(raw_line, '"invoice"\s*:\s*\{\s*"month"\s*:\s*"([0-9]{6})"', 1), '%Y%m'
                )
        end as line_billing_period_start,
        case
            when source_name = 'gcp'
                then nullif(upper(regexp_extract(raw_line, '"currency"\s*:\s*"([A-Za-z]{3})"', 1)), '')
        end as line_billing_currency
    from folder_periods
)

select * from final
