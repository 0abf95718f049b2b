-- One row per CSV line the parser could not split into fields.
with

source as (
    select * from {{ source('landing', 'rejected_lines') }}
),

final as (
    select
        source as source_name,
        _export_name as export_name,
        _source_file as source_file,
        line_number as source_line_number,
        error_message,
        csv_line as raw_line,
        lower(error_type) as error_type
    from source
)

select * from final
