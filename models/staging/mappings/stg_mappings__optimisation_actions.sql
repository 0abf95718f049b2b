-- The user's optimisation actions (optimisation_actions.csv), one row per action: the loader has
-- checked the words, the currency, that a usage action has a scope and a commitment purchase names
-- its commitment, and made the owner and the tag filter canonical.
-- saving_kind: `usage` for every action that changes what is used (measured against a forecast of
-- its scope), `commitment` for a commitment purchase (measured as the commitment's own savings).
with

source as (
    select * from {{ source('mappings', 'mapping_optimisation_actions') }}
),

final as (
    select
        action_id,
        description,
        owner,
        action_type,
        case when action_type = 'commitment_purchase' then 'commitment' else 'usage' end as saving_kind,
        implemented_on,
        {{ to_money('expected_monthly_saving') }} as expected_monthly_saving,
        currency as saving_currency,
        provider_name,
        billing_account_id,
        sub_account_id,
        service_name,
        region_id,
        resource_id,
        tag as tag_filter,
        commitment_discount_id
    from source
)

select * from final
