-- All providers' FOCUS-conformed rows in one relation (snake_case FOCUS names).
-- Adding a provider = a new conformed model and one more `union all by name` branch here.
with

aws as (
    select * from {{ ref('int_aws__charges_conformed') }}
),

focus_exports as (
    select * from {{ ref('int_focus__charges_conformed') }}
),

azure as (
    select * from {{ ref('int_azure__charges_conformed') }}
),

gcp as (
    select * from {{ ref('int_gcp__charges_conformed') }}
),

final as (
    select * from aws
    union all by name
    select * from focus_exports
    union all by name
    select * from azure
    union all by name
    select * from gcp
)

select * from final
