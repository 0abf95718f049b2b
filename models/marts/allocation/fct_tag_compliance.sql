-- Tag compliance per billing period, required tag dimension, account and owner: taggable spend
-- (effective cost of usage and purchases with a resource id or tags, DECISIONLOG D37) split into
-- tagged (an allowed value), invalid (a value the policy does not allow) and untagged (no key, or
-- an empty value), and the tag coverage = tagged ÷ taggable.
-- New-resource compliance: resources first seen in the period, how many there are, how many
-- carry an allowed value on all their taggable cost, and their spend. The owner is the direct
-- owner (for untagged cost: the account's owner), so a team sees the gaps it must close.
with

status as (
    select * from {{ ref('int_resource_tag_status') }}
),

per_resource as (
    select
        billing_period_start,
        billing_currency,
        dimension,
        sub_account_id,
        owner,
        resource_id,
        is_new_resource,
        bool_and(tag_status = 'tagged') as is_fully_tagged,
        sum(taggable_effective_cost) as taggable_effective_cost,
        sum(case when tag_status = 'tagged' then taggable_effective_cost else 0 end) as tagged_effective_cost,
        sum(case when tag_status = 'invalid' then taggable_effective_cost else 0 end) as invalid_effective_cost,
        sum(case when tag_status = 'untagged' then taggable_effective_cost else 0 end) as untagged_effective_cost
    from status
    group by all
),

aggregated as (
    select
        billing_period_start,
        billing_currency,
        dimension,
        sub_account_id,
        owner,
        sum(taggable_effective_cost) as taggable_effective_cost,
        sum(tagged_effective_cost) as tagged_effective_cost,
        sum(invalid_effective_cost) as invalid_effective_cost,
        sum(untagged_effective_cost) as untagged_effective_cost,
        count(distinct resource_id) as resource_count,
        count(distinct case when is_new_resource then resource_id end) as new_resource_count,
        count(distinct case when is_new_resource and is_fully_tagged then resource_id end)
            as new_resource_tagged_count,
        sum(case when is_new_resource then taggable_effective_cost else 0 end) as new_resource_taggable_effective_cost,
        sum(case when is_new_resource then tagged_effective_cost else 0 end) as new_resource_tagged_effective_cost
    from per_resource
    group by all
),

final as (
    select
        *,
        {{ exact_ratio('tagged_effective_cost', 'taggable_effective_cost') }} as tag_coverage,
        {{ exact_ratio('new_resource_tagged_effective_cost', 'new_resource_taggable_effective_cost') }}
            as new_resource_tag_coverage
    from aggregated
)

select * from final
