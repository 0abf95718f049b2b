-- The provider contract's raw side for Azure (macros/provider_contract.sql): the actual export's
-- rows are the billed basis, the amortized export's the amortized one, so each row counts on one
-- basis. A row FOCUS does not carry (an actual-export row other than a commitment purchase or
-- refund) gives FOCUS nothing: the amortized export's row of the same charge carries it.
with

cost_details as (
    select * from {{ ref('int_azure__cost_details') }}
    where {{ delivery_to_rebuild() }}
),

final as (
    select
        source_name,
        export_name,
        delivery_id,
        source_file,
        source_row_number,
        billing_account_id,
        billing_period_start,
        billing_currency,
        quarantine_reason,
        azure_actual_cost as billed_basis_cost,
        azure_amortized_cost as amortized_basis_cost,
        focus_row_billed_cost as provider_billed_cost,
        focus_row_effective_cost as provider_amortized_cost,
        cast(null as varchar) as source_line_item_id,
        false as is_netted_savings_plan_row,
        export_type || ' ' || coalesce(charge_type, '') as source_line_item_type,
        -- each row counts on its export's basis: the other basis is NULL by design
        coalesce(azure_actual_cost, azure_amortized_cost) is null as is_amount_unknown
    from cost_details
)

select * from final
