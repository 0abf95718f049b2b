-- fct_amortized_costs dates costs to days; it must neither drop nor double a cent: per billing
-- account, billing period and currency its billed and effective totals equal the FOCUS dataset's.
with

daily as (
    select
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('fct_amortized_costs') }}
    group by 1, 2, 3
),

focus as (
    select
        BillingAccountId as billing_account_id,
        BillingPeriodStart as billing_period_start,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost
    from {{ ref('focus_cost_and_usage') }}
    group by 1, 2, 3
)

select
    daily.billed_cost as daily_billed_cost,
    focus.billed_cost as focus_billed_cost,
    daily.effective_cost as daily_effective_cost,
    focus.effective_cost as focus_effective_cost,
    coalesce(daily.billing_account_id, focus.billing_account_id) as billing_account_id,
    coalesce(daily.billing_period_start, focus.billing_period_start) as billing_period_start
from daily
full outer join focus
    on
        daily.billing_account_id = focus.billing_account_id
        and daily.billing_period_start = focus.billing_period_start
        and daily.billing_currency = focus.billing_currency
where
    daily.billed_cost is distinct from focus.billed_cost
    or daily.effective_cost is distinct from focus.effective_cost
