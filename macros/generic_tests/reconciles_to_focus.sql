{#- Conservation against the FOCUS dataset: a model that re-cuts the bill (into days, owners...)
    neither drops nor doubles a cent. Per billing account, billing period and currency, its
    Σ billed_cost and Σ effective_cost equal focus_cost_and_usage's BilledCost and EffectiveCost,
    exactly. The model needs billing_account_id, billing_period_start, billing_currency,
    billed_cost and effective_cost. Fails with one row per period that differs. -#}
{% test reconciles_to_focus(model) %}
with

model_totals as (
    select
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ model }}
    group by 1, 2, 3
),

focus_totals as (
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
    coalesce(model_totals.billing_account_id, focus_totals.billing_account_id) as billing_account_id,
    coalesce(model_totals.billing_period_start, focus_totals.billing_period_start) as billing_period_start,
    coalesce(model_totals.billing_currency, focus_totals.billing_currency) as billing_currency,
    model_totals.billed_cost as model_billed_cost,
    focus_totals.billed_cost as focus_billed_cost,
    model_totals.effective_cost as model_effective_cost,
    focus_totals.effective_cost as focus_effective_cost
from model_totals
full outer join focus_totals
    on
        model_totals.billing_account_id = focus_totals.billing_account_id
        and model_totals.billing_period_start = focus_totals.billing_period_start
        and model_totals.billing_currency = focus_totals.billing_currency
where
    model_totals.billed_cost is distinct from focus_totals.billed_cost
    or model_totals.effective_cost is distinct from focus_totals.effective_cost
{% endtest %}
