-- The display name of each account the user names in accounts.csv (an AWS account, Azure billing
-- account, billing profile or subscription, Google Cloud billing account or project). It wins over
-- the name an export states (int_charges_checked, DECISIONLOG D45).
with

source as (
    select * from {{ source('mappings', 'mapping_accounts') }}
),

final as (
    select
        account_id,
        account_name
    from source
)

select * from final
