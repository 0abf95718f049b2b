-- Unit economics: per owner, business driver (business_drivers.csv) and day or calendar month of
-- use (drivers are dated by day; showback's billing periods may hold a late line of an earlier
-- month), the owner's allocated effective cost (direct and shared, fct_cost_allocated), the
-- driver's volume and the unit cost = cost ÷ volume, with the previous period's unit cost and the
-- change (the trend). Per billing currency: costs are not converted, each currency has its own
-- unit cost over the same volume.
-- A day without a driver value has driver_quantity NULL and unit cost NULL, never 0 per unit; a
-- month counts its days with cost but no driver value (missing_driver_days) and has a unit cost
-- only when there are none. Owners appear for the drivers they report.
with

allocated as (
    select * from {{ ref('fct_cost_allocated') }}
),

drivers as (
    select * from {{ ref('int_business_drivers') }}
),

owner_drivers as (
    select distinct
        owner,
        driver_name
    from drivers
),

daily_cost as (
    select
        owner,
        billing_currency,
        charge_date,
        sum(effective_cost) as allocated_effective_cost
    from allocated
    group by all
),

daily as (
    select
        'day' as period_grain,
        owner_drivers.owner,
        owner_drivers.driver_name,
        daily_cost.billing_currency,
        daily_cost.charge_date as period_start,
        daily_cost.allocated_effective_cost,
        drivers.quantity as driver_quantity,
        case when drivers.quantity is null then 1 else 0 end as missing_driver_days
    from owner_drivers
    inner join daily_cost
        on owner_drivers.owner = daily_cost.owner
    left join drivers
        on
            owner_drivers.owner = drivers.owner
            and owner_drivers.driver_name = drivers.driver_name
            and daily_cost.charge_date = drivers.driver_date
),

monthly as (
    select
        'month' as period_grain,
        owner,
        driver_name,
        billing_currency,
        cast(date_trunc('month', period_start) as date) as period_start,
        sum(allocated_effective_cost) as allocated_effective_cost,
        sum(driver_quantity) as driver_quantity,
        sum(missing_driver_days) as missing_driver_days
    from daily
    group by all
),

periods as (
    select * from daily
    union all
    select * from monthly
),

costed as (
    select
        *,
        case
            when missing_driver_days = 0 then {{ exact_ratio('allocated_effective_cost', 'driver_quantity') }}
        end as unit_cost
    from periods
),

-- the previous period counts only when it is the day (month) just before; after a gap, no trend
with_previous as (
    select
        *,
        case
            when
                lag(period_start) over history
                = period_start - case when period_grain = 'day' then interval 1 day else interval 1 month end
                then lag(unit_cost) over history
        end as previous_unit_cost
    from costed
    window history as (partition by period_grain, owner, driver_name, billing_currency order by period_start)
),

final as (
    select
        period_grain,
        period_start,
        owner,
        driver_name,
        billing_currency,
        allocated_effective_cost,
        driver_quantity,
        missing_driver_days,
        unit_cost,
        previous_unit_cost,
        unit_cost - previous_unit_cost as unit_cost_change,
        {{ exact_ratio('unit_cost - previous_unit_cost', 'previous_unit_cost') }} as unit_cost_change_ratio
    from with_previous
)

select * from final
