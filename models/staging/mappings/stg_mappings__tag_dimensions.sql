-- The allocation dimensions of the user's tag policy (tag_dimensions.csv): which count for tag
-- compliance and which one names the owner on showback statements.
with

source as (
    select * from {{ source('mappings', 'mapping_tag_dimensions') }}
),

final as (
    select
        dimension,
        is_required,
        is_owner,
        description
    from source
)

select * from final
