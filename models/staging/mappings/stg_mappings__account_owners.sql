-- Who owns each account, subscription or project, and since when (account_owners.csv): the owner
-- of cost that carries no valid owner tag. effective_to is exclusive; NULL = still the owner.
with

source as (
    select * from {{ source('mappings', 'mapping_account_owners') }}
),

final as (
    select
        account_id,
        owner,
        effective_from,
        effective_to
    from source
)

select * from final
