-- Per source, billing account, billing period and currency: the raw bill on both bases (computed
-- the provider's way), what reached the FOCUS dataset, what was quarantined, and the differences.
-- raw = FOCUS + quarantined (+ netted, billed basis only: SavingsPlanCoveredUsage and
-- SavingsPlanNegation amounts, 0 whenever every negation meets its covered usage) must hold to
-- the last decimal on both bases; a test enforces it.
with

source_line_items as (
    select * from {{ ref('int_source_line_items_unioned') }}
),

focus_rows as (
    select * from {{ ref('focus_cost_and_usage') }}
),

raw_totals as (
    select
        source_name,
        billing_account_id,
        billing_period_start,
        billing_currency,
        count(*) as raw_row_count,
        coalesce(sum(billed_basis_cost), 0) as raw_billed_cost,
        coalesce(sum(amortized_basis_cost), 0) as raw_amortized_cost,
        coalesce(sum(netted_billed_cost), 0) as netted_billed_cost,
        count(quarantine_reason) as quarantined_row_count,
        coalesce(sum(provider_billed_cost) filter (where quarantine_reason is not null), 0) as quarantined_billed_cost,
        coalesce(sum(provider_amortized_cost) filter (where quarantine_reason is not null), 0)
            as quarantined_amortized_cost
    from source_line_items
    group by 1, 2, 3, 4
),

focus_totals as (
    select
        x_source_name as source_name,
        billingaccountid as billing_account_id,
        billingperiodstart as billing_period_start,
        billingcurrency as billing_currency,
        count(*) as focus_row_count,
        sum(billedcost) as focus_billed_cost,
        sum(effectivecost) as focus_effective_cost
    from focus_rows
    group by 1, 2, 3, 4
),

joined as (
    select
        coalesce(raw_totals.source_name, focus_totals.source_name) as source_name,
        coalesce(raw_totals.billing_account_id, focus_totals.billing_account_id) as billing_account_id,
        coalesce(raw_totals.billing_period_start, focus_totals.billing_period_start) as billing_period_start,
        coalesce(raw_totals.billing_currency, focus_totals.billing_currency) as billing_currency,
        coalesce(raw_totals.raw_row_count, 0) as raw_row_count,
        {{ to_money('coalesce(raw_totals.raw_billed_cost, 0)') }} as raw_billed_cost,
        {{ to_money('coalesce(raw_totals.raw_amortized_cost, 0)') }} as raw_amortized_cost,
        {{ to_money('coalesce(raw_totals.netted_billed_cost, 0)') }} as netted_billed_cost,
        coalesce(focus_totals.focus_row_count, 0) as focus_row_count,
        {{ to_money('coalesce(focus_totals.focus_billed_cost, 0)') }} as focus_billed_cost,
        {{ to_money('coalesce(focus_totals.focus_effective_cost, 0)') }} as focus_effective_cost,
        coalesce(raw_totals.quarantined_row_count, 0) as quarantined_row_count,
        {{ to_money('coalesce(raw_totals.quarantined_billed_cost, 0)') }} as quarantined_billed_cost,
        {{ to_money('coalesce(raw_totals.quarantined_amortized_cost, 0)') }} as quarantined_amortized_cost
    from raw_totals
    full outer join focus_totals
        on
            raw_totals.source_name = focus_totals.source_name
            and raw_totals.billing_account_id is not distinct from focus_totals.billing_account_id
            and raw_totals.billing_period_start is not distinct from focus_totals.billing_period_start
            and raw_totals.billing_currency is not distinct from focus_totals.billing_currency
),

final as (
    select
        *,
        raw_billed_cost - focus_billed_cost - quarantined_billed_cost - netted_billed_cost as billed_cost_difference,
        raw_amortized_cost - focus_effective_cost - quarantined_amortized_cost as effective_cost_difference,
        raw_billed_cost = focus_billed_cost + quarantined_billed_cost + netted_billed_cost
        and raw_amortized_cost = focus_effective_cost + quarantined_amortized_cost as is_reconciled
    from joined
)

select * from final
