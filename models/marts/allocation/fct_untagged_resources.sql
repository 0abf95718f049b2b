-- The resources to fix first: per billing period and required tag dimension, every resource with
-- taggable spend that is untagged or carries a value the policy does not allow, ranked by that
-- spend (rank 1 = the costliest). Cost without a resource id is not listed (it has nothing to tag).
with

status as (
    select * from {{ ref('int_resource_tag_status') }}
    where resource_id is not null and tag_status <> 'tagged'
),

per_resource as (
    select
        billing_period_start,
        billing_currency,
        dimension,
        resource_id,
        -- a resource seen under several accounts or owners in a period is shown with the costliest
        -- (on a tie the last in name order, so that every build shows the same)
        arg_max(sub_account_id, (taggable_effective_cost, sub_account_id)) as sub_account_id,
        arg_max(owner, (taggable_effective_cost, owner)) as owner,
        bool_or(is_new_resource) as is_new_resource,
        sum(case when tag_status = 'untagged' then taggable_effective_cost else 0 end) as untagged_effective_cost,
        sum(case when tag_status = 'invalid' then taggable_effective_cost else 0 end) as invalid_effective_cost,
        sum(taggable_effective_cost) as noncompliant_effective_cost
    from status
    group by all
),

final as (
    select
        *,
        row_number() over (
            partition by billing_period_start, billing_currency, dimension
            order by noncompliant_effective_cost desc, resource_id asc
        ) as cost_rank
    from per_resource
)

select * from final
