-- Per source, billing account, billing period and currency: the raw bill on both bases (computed
-- the provider's way), what reached the FOCUS dataset, what was quarantined, and the differences.
-- raw = FOCUS + quarantined (+ netted, billed basis only: SavingsPlanCoveredUsage and
-- SavingsPlanNegation amounts, 0 whenever every negation meets its covered usage) must hold to
-- the last decimal on both bases; a test enforces it. A bill that lost a line of unknown amount
-- (a line the reader could not split, a row whose amount does not parse) is never called
-- reconciled, even when the known amounts add up: it is `incomplete`, with the number of such lines.
with

source_line_items as (
    select * from {{ ref('int_source_line_items_unioned') }}
),

focus_rows as (
    select * from {{ ref('focus_cost_and_usage') }}
),

candidate_bills as (
    select * from {{ ref('int_unreadable_line_candidate_bills') }}
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
            as quarantined_amortized_cost,
        sum(unread_line_count) as placed_unknown_amount_line_count
    from source_line_items
    group by 1, 2, 3, 4
),

-- A line of unknown amount that may belong to several bills of its file (they differ in account,
-- period or currency and nothing on the line tells them apart) may be missing from each of them.
candidates_counted as (
    select
        *,
        count(*) over (partition by source_file, source_line_number) as candidate_count
    from candidate_bills
),

possible_losses as (
    select
        source_name,
        billing_account_id,
        cast(billing_period_start as timestamp) as billing_period_start,
        billing_currency,
        sum(unread_line_count) as possible_unknown_amount_line_count
    from candidates_counted
    where candidate_count > 1
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
        {{ to_money('coalesce(raw_totals.quarantined_amortized_cost, 0)') }} as quarantined_amortized_cost,
        cast(
            coalesce(raw_totals.placed_unknown_amount_line_count, 0)
            + coalesce(possible_losses.possible_unknown_amount_line_count, 0) as bigint
        ) as unknown_amount_line_count
    from raw_totals
    full outer join focus_totals
        on
            raw_totals.source_name = focus_totals.source_name
            and raw_totals.billing_account_id is not distinct from focus_totals.billing_account_id
            and raw_totals.billing_period_start is not distinct from focus_totals.billing_period_start
            and raw_totals.billing_currency is not distinct from focus_totals.billing_currency
    left join possible_losses
        on
            raw_totals.source_name = possible_losses.source_name
            and raw_totals.billing_account_id = possible_losses.billing_account_id
            and raw_totals.billing_period_start = possible_losses.billing_period_start
            and raw_totals.billing_currency = possible_losses.billing_currency
),

differences as (
    select
        *,
        raw_billed_cost - focus_billed_cost - quarantined_billed_cost - netted_billed_cost as billed_cost_difference,
        raw_amortized_cost - focus_effective_cost - quarantined_amortized_cost as effective_cost_difference
    from joined
),

final as (
    select
        *,
        case
            when billed_cost_difference <> 0 or effective_cost_difference <> 0 then 'not reconciled'
            when unknown_amount_line_count > 0 then 'incomplete'
            else 'reconciled'
        end as reconciliation_status,
        billed_cost_difference = 0
        and effective_cost_difference = 0
        and unknown_amount_line_count = 0 as is_reconciled
    from differences
)

select * from final
