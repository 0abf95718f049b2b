-- Business volumes per owner and day (business_drivers.csv): the drivers of driver-based splits
-- and the denominators of unit costs.
with

source as (
    select * from {{ source('mappings', 'mapping_business_drivers') }}
),

final as (
    select
        owner,
        driver_name,
        quantity,
        date as driver_date
    from source
)

select * from final
