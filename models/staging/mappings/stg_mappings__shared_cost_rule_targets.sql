-- Who receives a share of each shared-cost rule's pool (shared_cost_rule_targets.csv), with the
-- percentage for fixed splits. A rule without listed targets shares among every owner in scope.
with

source as (
    select * from {{ source('mappings', 'mapping_shared_cost_rule_targets') }}
),

final as (
    select
        rule_id,
        target_owner,
        weight_percent
    from source
)

select * from final
