-- The daily utilisation of each commitment adds up to its FOCUS rows: Σ used and unused
-- effective cost over its days = Σ EffectiveCost of its Used and Unused rows, exactly. Commitments
-- their provider does not amortise (Google Cloud CUDs, D42) have no utilisation rows by design.
with

days as (
    select
        commitment_discount_id,
        sum(used_effective_cost) as used_effective_cost,
        sum(unused_effective_cost) as unused_effective_cost
    from {{ ref('fct_commitment_utilization') }}
    group by 1
),

focus as (
    select
        CommitmentDiscountId as commitment_discount_id,
        sum(case when CommitmentDiscountStatus = 'Used' then EffectiveCost else 0 end) as used_effective_cost,
        sum(case when CommitmentDiscountStatus = 'Unused' then EffectiveCost else 0 end) as unused_effective_cost
    from {{ ref('focus_cost_and_usage') }}
    where
        CommitmentDiscountStatus is not null
        and CommitmentDiscountId in (
            select amortized.commitment_discount_id from {{ ref('int_commitments') }} as amortized
            where amortized.is_amortized_by_provider
        )
    group by 1
)

select
    days.used_effective_cost as days_used,
    focus.used_effective_cost as focus_used,
    days.unused_effective_cost as days_unused,
    focus.unused_effective_cost as focus_unused,
    coalesce(days.commitment_discount_id, focus.commitment_discount_id) as commitment_discount_id
from days
full outer join focus
    on days.commitment_discount_id = focus.commitment_discount_id
where
    days.used_effective_cost is distinct from focus.used_effective_cost
    or days.unused_effective_cost is distinct from focus.unused_effective_cost
