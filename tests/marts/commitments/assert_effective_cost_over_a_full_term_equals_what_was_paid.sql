-- Amortisation neither creates nor loses money: for a commitment whose whole term lies inside the
-- loaded data, Σ EffectiveCost of its Used and Unused rows over the term = Σ BilledCost of its
-- purchases (upfront and recurring). Commitments whose term is unknown or reaches outside the
-- data cannot be checked this way and are not listed.
with

commitments as (
    select * from {{ ref('dim_commitments') }}
)

select
    commitment_discount_id,
    term_start,
    term_end,
    one_time_purchase_cost + recurring_purchase_cost as paid,
    used_effective_cost + unused_effective_cost as effective_cost
from commitments
where
    term_start is not null
    and term_end is not null
    and first_charge_start <= term_start
    and last_charge_end >= term_end
    and one_time_purchase_cost + recurring_purchase_cost <> used_effective_cost + unused_effective_cost
