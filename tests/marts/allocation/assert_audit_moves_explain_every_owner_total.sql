-- The audit explains every owner's total: per billing period, currency and owner,
--   direct cost (tags, account mapping, the unallocated bucket) + moved in − moved out
--   = what the owner holds in fct_cost_allocated,
-- on both cost bases, where moves are fct_allocation_audit's rows (into target_owner, out of
-- source_owner). A rule that moved cost without the audit seeing it breaks this.
with

direct as (
    select
        billing_period_start,
        billing_currency,
        direct_owner as owner,
        billed_cost,
        effective_cost
    from {{ ref('int_charges_allocated_direct') }}
),

moved_in as (
    select
        billing_period_start,
        billing_currency,
        target_owner as owner,
        moved_billed_cost as billed_cost,
        moved_effective_cost as effective_cost
    from {{ ref('fct_allocation_audit') }}
),

moved_out as (
    select
        billing_period_start,
        billing_currency,
        source_owner as owner,
        -moved_billed_cost as billed_cost,
        -moved_effective_cost as effective_cost
    from {{ ref('fct_allocation_audit') }}
),

expected as (
    select
        billing_period_start,
        billing_currency,
        owner,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from (
        select * from direct
        union all
        select * from moved_in
        union all
        select * from moved_out
    ) as flows
    group by 1, 2, 3
),

held as (
    select
        billing_period_start,
        billing_currency,
        owner,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('fct_cost_allocated') }}
    group by 1, 2, 3
)

select
    expected.billed_cost as expected_billed_cost,
    held.billed_cost as held_billed_cost,
    expected.effective_cost as expected_effective_cost,
    held.effective_cost as held_effective_cost,
    coalesce(expected.owner, held.owner) as owner,
    coalesce(expected.billing_period_start, held.billing_period_start) as billing_period_start
from expected
full outer join held
    on
        expected.billing_period_start = held.billing_period_start
        and expected.billing_currency = held.billing_currency
        and expected.owner = held.owner
where
    coalesce(expected.billed_cost, 0) <> coalesce(held.billed_cost, 0)
    or coalesce(expected.effective_cost, 0) <> coalesce(held.effective_cost, 0)
