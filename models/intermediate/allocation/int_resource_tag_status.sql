-- Taggable spend per resource and required tag dimension, with what its tags say: the grain the
-- tag compliance marts aggregate. Taggable: usage and purchases that belong to something that can
-- carry tags: a resource id or tags of its own. Tax, credits, adjustments and account-level lines
-- with neither (discount lines, refunds, a purchase with no resource) are not (DECISIONLOG D37).
-- Tagged lines without a resource id are one line per account and owner (resource_id NULL).
-- tag_status: tagged (an allowed value), invalid (a value that is not allowed), untagged (no key
-- of the dimension, or an empty value). A resource is new in the billing period of its first day
-- in the warehouse, except in the warehouse's first billing period (nothing says it is new then).
with

slices as (
    select * from {{ ref('int_charges_allocated_direct') }}
    where
        charge_category in ('Usage', 'Purchase')
        and (resource_id is not null or tags is not null)
),

required_dimensions as (
    select dimension from {{ ref('stg_mappings__tag_dimensions') }}
    where is_required
),

tags_resolved as (
    select * from {{ ref('int_tags_resolved') }}
),

first_seen as (
    select
        resource_id,
        min(charge_date) as first_seen_date
    from {{ ref('int_charges_allocated_direct') }}
    where resource_id is not null
    group by all
),

warehouse_start as (
    select min(billing_period_start) as first_billing_period_start
    from {{ ref('int_charges_allocated_direct') }}
),

by_tag_set as (
    select
        billing_period_start,
        billing_currency,
        sub_account_id,
        direct_owner as owner,
        resource_id,
        tags,
        sum(effective_cost) as taggable_effective_cost
    from slices
    group by all
),

final as (
    select
        by_tag_set.billing_period_start,
        by_tag_set.billing_currency,
        required_dimensions.dimension,
        by_tag_set.sub_account_id,
        by_tag_set.owner,
        by_tag_set.resource_id,
        first_seen.first_seen_date,
        coalesce(
            cast(first_seen.first_seen_date as timestamp) >= by_tag_set.billing_period_start
            and by_tag_set.billing_period_start > warehouse_start.first_billing_period_start,
            false
        ) as is_new_resource,
        case
            when tags_resolved.value_status = 'valid' then 'tagged'
            when tags_resolved.value_status = 'invalid' then 'invalid'
            else 'untagged'
        end as tag_status,
        sum(by_tag_set.taggable_effective_cost) as taggable_effective_cost
    from by_tag_set
    cross join required_dimensions
    left join tags_resolved
        on
            by_tag_set.tags = tags_resolved.tags
            and required_dimensions.dimension = tags_resolved.dimension
    left join first_seen
        on by_tag_set.resource_id = first_seen.resource_id
    cross join warehouse_start
    group by all
)

select * from final
