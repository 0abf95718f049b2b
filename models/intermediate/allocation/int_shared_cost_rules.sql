-- The shared-cost rules as allocation applies them: a pool is either a slice of the bill (the
-- pool_* filters) or an owner's holdings (pool_owner, an owner pool).
with

rules as (
    select * from {{ ref('stg_mappings__shared_cost_rules') }}
),

final as (
    select
        *,
        pool_owner is not null as is_owner_pool
    from rules
)

select * from final
