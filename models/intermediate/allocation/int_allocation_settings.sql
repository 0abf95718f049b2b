-- The two names allocation needs, in one row: the owner dimension (the tag_dimensions.csv row
-- with is_owner, `team` when the file is absent) and the unallocated bucket (macro
-- unallocated_owner).
with

dimensions as (
    select * from {{ ref('stg_mappings__tag_dimensions') }}
),

owner_dimensions as (
    select min(dimension) as dimension
    from dimensions
    where is_owner
),

final as (
    select
        coalesce(dimension, '{{ var("default_owner_dimension") }}') as owner_dimension,
        {{ unallocated_owner() }} as unallocated_owner
    from owner_dimensions
)

select * from final
