-- One row per file found in the landing folder's source folders: current, superseded or not read.
with

source as (
    select * from {{ source('landing', 'landing_files') }}
),

final as (
    select
        source as source_name,
        export_name,
        file_path as source_file,
        delivery_flavour,
        status as delivery_status,
        assembly_id,
        rows_loaded,
        lines_rejected,
        lines_recovered,
        link_path,
        nullif(reason, '') as status_reason
    from source
)

select * from final
