-- Business driver volumes per owner, driver and day (business_drivers.csv), for driver-based
-- splits and unit costs.
with

drivers as (
    select * from {{ ref('stg_mappings__business_drivers') }}
),

final as (
    select
        owner,
        driver_name,
        driver_date,
        quantity
    from drivers
)

select * from final
