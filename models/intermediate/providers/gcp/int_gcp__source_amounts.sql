-- The provider contract's raw side for Google Cloud (macros/provider_contract.sql): the export's
-- cost + credits is the bill on both bases (Google's own FOCUS view) and what FOCUS gets.
with

billing_export as (
    select * from {{ ref('stg_gcp__billing_export') }}
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
        cost_type as source_line_item_type,
        billing_account_id,
        billing_period_start,
        billing_currency,
        gcp_billed_cost as billed_basis_cost,
        gcp_billed_cost as amortized_basis_cost,
        gcp_billed_cost as provider_billed_cost,
        gcp_billed_cost as provider_amortized_cost,
        false as is_netted_savings_plan_row,
        quarantine_reason,
        gcp_billed_cost is null as is_amount_unknown
    from billing_export
)

select * from final
