-- The provider contract's raw side for AWS (macros/provider_contract.sql): every AWS line item with
-- what it adds to the bill on each basis and what it gives the FOCUS dataset. AWS states both
-- bases on every row, and the FOCUS rows carry the same amounts, so both pairs agree.
with

line_items as (
    select * from {{ ref('int_aws__line_items') }}
    where {{ delivery_to_rebuild() }}
),

final as (
    select
        source_name,
        export_name,
        delivery_id,
        source_file,
        source_row_number,
        line_item_id as source_line_item_id,
        line_item_type as source_line_item_type,
        payer_account_id as billing_account_id,
        billing_period_start,
        currency_code as billing_currency,
        quarantine_reason,
        aws_billed_cost as billed_basis_cost,
        aws_amortized_cost as amortized_basis_cost,
        aws_billed_cost as provider_billed_cost,
        aws_amortized_cost as provider_amortized_cost,
        -- The FOCUS mapping bills SavingsPlanCoveredUsage at 0 and does not carry
        -- SavingsPlanNegation rows (int_aws__charges_conformed): on a usable row, these billed
        -- amounts are netted, not lost (int_source_line_items_unioned).
        coalesce(line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation'), false)
            as is_netted_savings_plan_row,
        -- An amount that does not parse counts nowhere (D7), so the row's bill has a line of unknown amount.
        aws_billed_cost is null or aws_amortized_cost is null as is_amount_unknown
    from line_items
)

select * from final
