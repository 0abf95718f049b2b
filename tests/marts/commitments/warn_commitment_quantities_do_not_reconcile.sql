{{ config(severity='warn') }}
-- Commitments whose stated quantities do not add up (every Used and Unused row states a quantity,
-- but purchased ≠ used + unused on some day): their utilisation is reported on effective cost
-- instead of their own basis. Lists each with its first mismatching day, for the reader to check
-- with the provider (e.g. a size-flexible Reserved Instance whose usage is stated in hours of other
-- instance sizes). Commitments whose rows state no quantity (a FOCUS 1.0 export's) are on effective
-- cost by design and not listed.
with

days as (
    select * from {{ ref('int_commitment_days') }}
),

commitments as (
    select * from {{ ref('int_commitments') }}
    where has_quantity_on_every_row
)

select
    days.commitment_discount_id,
    min(days.charge_date) as first_day,
    min(
        case
            when
                days.stated_purchased_quantity
                is distinct from days.stated_used_quantity + days.stated_unused_quantity
                then days.charge_date
        end
    ) as first_mismatching_day
from days
inner join commitments
    on days.commitment_discount_id = commitments.commitment_discount_id
where not days.quantities_reconcile
group by 1
