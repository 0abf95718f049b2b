-- One row per commitment the user describes in commitments.csv; the loader has already checked
-- types, uniqueness and that the term is ordered.
with

source as (
    select * from {{ source('mappings', 'mapping_commitments') }}
),

final as (
    select
        commitment_discount_id,
        term_start,
        term_end,
        term_months,
        payment_option,
        scope,
        note,
        {{ to_money('committed_quantity_per_hour') }} as committed_quantity_per_hour,
        committed_unit
    from source
)

select * from final
