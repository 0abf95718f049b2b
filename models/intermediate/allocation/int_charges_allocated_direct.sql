-- Every daily cost slice with its direct owner, before shared-cost rules:
--   1. tag: the owner dimension's tag resolves to an allowed value (int_tags_resolved);
--   2. account: else the owner of the row's sub account (AWS linked account, subscription,
--      project), else of its billing account, effective on the slice's day (account_owners.csv;
--      effective_to exclusive, so a re-org on the 15th moves cost from the 15th on);
--   3. unallocated: else the explicit unallocated bucket (macro unallocated_owner).
-- Grain: one row per FOCUS row and UTC day, as int_charges_split_by_day. Incremental by delivery
-- (D63): an incremental run owns only the slices of the deliveries the daily split rewrote.
{%- set rebuilt = rebuilt_deliveries() %}
with

slices as (
    select
        delivery_id,
        source_file,
        source_row_number,
        row_kind,
        charge_date,
        source_name,
        provider_name,
        billing_account_id,
        sub_account_id,
        billing_currency,
        billing_period_start,
        service_name,
        service_category,
        charge_category,
        commitment_discount_status,
        resource_id,
        tags,
        billed_cost,
        effective_cost
    from {{ ref('int_charges_split_by_day') }}
    where {{ delivery_batch(rebuilt if incremental_by_delivery() else none) }}
),

settings as (
    select * from {{ ref('int_allocation_settings') }}
),

owner_tags as (
    select
        int_tags_resolved.tags,
        int_tags_resolved.dimension_value as tag_owner
    from {{ ref('int_tags_resolved') }} as int_tags_resolved
    inner join settings
        on int_tags_resolved.dimension = settings.owner_dimension
    where int_tags_resolved.value_status = 'valid'
),

account_owners as (
    select * from {{ ref('stg_mappings__account_owners') }}
),

owned as (
    select
        slices.*,
        owner_tags.tag_owner,
        settings.unallocated_owner,
        coalesce(sub_account_owners.owner, billing_account_owners.owner) as account_owner
    from slices
    cross join settings
    left join owner_tags
        on slices.tags = owner_tags.tags
    left join account_owners as sub_account_owners
        on
            slices.sub_account_id = sub_account_owners.account_id
            and slices.charge_date >= sub_account_owners.effective_from
            and (sub_account_owners.effective_to is null or slices.charge_date < sub_account_owners.effective_to)
    left join account_owners as billing_account_owners
        on
            slices.billing_account_id = billing_account_owners.account_id
            and slices.charge_date >= billing_account_owners.effective_from
            and (
                billing_account_owners.effective_to is null
                or slices.charge_date < billing_account_owners.effective_to
            )
),

final as (
    select
        * exclude (tag_owner, account_owner, unallocated_owner),
        coalesce(tag_owner, account_owner, unallocated_owner) as direct_owner,
        case
            when tag_owner is not null then 'tag'
            when account_owner is not null then 'account'
            else 'unallocated'
        end as direct_method,
        -- Which dbt invocation wrote the row: the allocation rebuilds the scopes of the slices this one did.
        '{{ this_invocation() }}' as built_by_invocation
    from owned
)

select * from final
