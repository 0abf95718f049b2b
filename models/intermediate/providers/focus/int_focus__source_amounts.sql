-- The provider contract's raw side for native FOCUS exports (macros/provider_contract.sql): every
-- staged FOCUS row, whose BilledCost and EffectiveCost are the bill on each basis and what the
-- FOCUS dataset gets from it.
with

focus_exports as (
    select * from {{ ref('stg_focus__line_items') }}
    where {{ delivery_to_rebuild() }}
),

final as (
    select
        source_name,
        export_name,
        delivery_id,
        source_file,
        source_row_number,
        cast(null as varchar) as source_line_item_id,
        cast(null as varchar) as source_line_item_type,
        billing_account_id,
        billing_period_start,
        billing_currency,
        billed_cost as billed_basis_cost,
        effective_cost as amortized_basis_cost,
        billed_cost as provider_billed_cost,
        effective_cost as provider_amortized_cost,
        false as is_netted_savings_plan_row,
        quarantine_reason,
        billed_cost is null or effective_cost is null as is_amount_unknown
    from focus_exports
)

select * from final
