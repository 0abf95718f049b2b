-- Shared-cost rules (shared_cost_rules.csv): which costs form a pool and how it is split, applied
-- in rule_order. An empty pool filter matches anything.
with

source as (
    select * from {{ source('mappings', 'mapping_shared_cost_rules') }}
),

final as (
    select
        rule_id,
        rule_order,
        description,
        pool_provider,
        pool_billing_account_id,
        pool_sub_account_id,
        pool_service_name,
        pool_service_category,
        pool_charge_category,
        pool_owner,
        method,
        driver_name,
        effective_from,
        effective_to,
        coalesce(pool_unallocated_only, false) as is_pool_unallocated_only
    from source
)

select * from final
