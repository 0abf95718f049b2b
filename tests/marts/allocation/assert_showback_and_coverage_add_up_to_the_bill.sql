-- The statements agree with each other and with the bill: per billing period and currency, the
-- owners of fct_showback_monthly (the unallocated bucket included) add up to the total of
-- fct_allocation_coverage, its unallocated row equals the coverage's unallocated cost, and the
-- coverage's per-account rows add up to its all-accounts row; both cost bases.
with

showback as (
    select
        billing_period_start,
        billing_currency,
        sum(total_billed_cost) as billed_cost,
        sum(total_effective_cost) as effective_cost,
        sum(case when is_unallocated then total_effective_cost else 0 end) as unallocated_effective_cost
    from {{ ref('fct_showback_monthly') }}
    group by 1, 2
),

coverage as (
    select
        billing_period_start,
        billing_currency,
        sum(case when is_all_accounts then total_billed_cost end) as billed_cost,
        sum(case when is_all_accounts then total_effective_cost end) as effective_cost,
        sum(case when is_all_accounts then unallocated_effective_cost end) as unallocated_effective_cost,
        sum(case when not is_all_accounts then total_effective_cost end) as accounts_effective_cost,
        sum(case when not is_all_accounts then total_billed_cost end) as accounts_billed_cost
    from {{ ref('fct_allocation_coverage') }}
    group by 1, 2
)

select
    showback.billed_cost as showback_billed_cost,
    coverage.billed_cost as coverage_billed_cost,
    showback.effective_cost as showback_effective_cost,
    coverage.effective_cost as coverage_effective_cost,
    coalesce(showback.billing_period_start, coverage.billing_period_start) as billing_period_start
from showback
full outer join coverage
    on
        showback.billing_period_start = coverage.billing_period_start
        and showback.billing_currency = coverage.billing_currency
where
    showback.billed_cost is distinct from coverage.billed_cost
    or showback.effective_cost is distinct from coverage.effective_cost
    or showback.unallocated_effective_cost is distinct from coverage.unallocated_effective_cost
    or coverage.accounts_effective_cost is distinct from coverage.effective_cost
    or coverage.accounts_billed_cost is distinct from coverage.billed_cost
