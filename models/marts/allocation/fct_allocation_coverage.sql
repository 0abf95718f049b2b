-- How much of each bill found an owner: per billing period and currency (and per billing account,
-- which the period rows add up from), the total cost, the part allocated to owners and the part
-- left in the unallocated bucket, on both cost bases, with the split by how it was decided
-- (tag, account mapping, shared-cost rule). Coverage is spend-weighted: allocated ÷ total cost.
with

allocated as (
    select * from {{ ref('fct_cost_allocated') }}
),

by_account as (
    select
        billing_period_start,
        billing_currency,
        billing_account_id,
        sum(billed_cost) as total_billed_cost,
        sum(effective_cost) as total_effective_cost,
        sum(case when allocation_method <> 'unallocated' then billed_cost else 0 end) as allocated_billed_cost,
        sum(case when allocation_method <> 'unallocated' then effective_cost else 0 end) as allocated_effective_cost,
        sum(case when allocation_method = 'unallocated' then billed_cost else 0 end) as unallocated_billed_cost,
        sum(
            case when allocation_method = 'unallocated' then effective_cost else 0 end
        ) as unallocated_effective_cost,
        sum(case when allocation_method = 'tag' then effective_cost else 0 end) as tag_allocated_effective_cost,
        sum(
            case when allocation_method = 'account' then effective_cost else 0 end
        ) as account_allocated_effective_cost,
        sum(
            case when allocation_method = 'shared' then effective_cost else 0 end
        ) as shared_allocated_effective_cost
    from allocated
    group by all
),

all_accounts as (
    select
        billing_period_start,
        billing_currency,
        'all' as billing_account_id,
        sum(total_billed_cost) as total_billed_cost,
        sum(total_effective_cost) as total_effective_cost,
        sum(allocated_billed_cost) as allocated_billed_cost,
        sum(allocated_effective_cost) as allocated_effective_cost,
        sum(unallocated_billed_cost) as unallocated_billed_cost,
        sum(unallocated_effective_cost) as unallocated_effective_cost,
        sum(tag_allocated_effective_cost) as tag_allocated_effective_cost,
        sum(account_allocated_effective_cost) as account_allocated_effective_cost,
        sum(shared_allocated_effective_cost) as shared_allocated_effective_cost
    from by_account
    group by all
),

rolled_up as (
    select
        *,
        false as is_all_accounts
    from by_account
    union all by name
    select
        *,
        true as is_all_accounts
    from all_accounts
),

final as (
    select
        *,
        {{ exact_ratio('allocated_effective_cost', 'total_effective_cost') }} as allocated_effective_cost_coverage,
        {{ exact_ratio('allocated_billed_cost', 'total_billed_cost') }} as allocated_billed_cost_coverage
    from rolled_up
)

select * from final
