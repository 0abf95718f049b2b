-- Every raw row of every source with the provider's own billed and amortised amounts and the
-- reason it was quarantined (NULL when it was used). The reconciliation's "raw" side and the
-- quarantine table both read this, so they cannot disagree about what a raw row was worth.
--   billed_basis_cost / amortized_basis_cost: what the row adds to the provider's bill on each
--     basis (the raw side of fct_billing_reconciliation). For Azure the actual-cost export is the
--     billed basis and the amortised export the amortised one, so each row counts on one basis.
--   provider_billed_cost / provider_amortized_cost: what the row gives the FOCUS dataset when it
--     is carried (the quarantined side when it is not). For AWS and FOCUS exports both pairs agree.
with

aws as (
    select * from {{ ref('int_aws__line_items_unioned') }}
),

focus_exports as (
    select * from {{ ref('stg_focus__line_items') }}
),

azure as (
    select * from {{ ref('stg_azure__cost_details') }}
),

gcp as (
    select * from {{ ref('stg_gcp__billing_export') }}
),

rejected_lines as (
    select * from {{ ref('stg_landing__rejected_lines') }}
),

aws_amounts as (
    select
        source_name,
        export_name,
        source_file,
        source_row_number,
        cast(null as bigint) as source_line_number,
        line_item_id as source_line_item_id,
        line_item_type as source_line_item_type,
        payer_account_id as billing_account_id,
        billing_period_start,
        currency_code as billing_currency,
        aws_billed_cost as billed_basis_cost,
        aws_amortized_cost as amortized_basis_cost,
        aws_billed_cost as provider_billed_cost,
        aws_amortized_cost as provider_amortized_cost,
        -- The FOCUS mapping bills SavingsPlanCoveredUsage at 0 and does not carry
        -- SavingsPlanNegation rows: on a usable row, these billed amounts are netted, not lost.
        case
            when quarantine_reason is null and line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')
                then aws_billed_cost
            else {{ to_money(0) }}
        end as netted_billed_cost,
        quarantine_reason,
        cast(null as varchar) as raw_line
    from aws
),

focus_amounts as (
    select
        source_name,
        export_name,
        source_file,
        source_row_number,
        cast(null as bigint) as source_line_number,
        cast(null as varchar) as source_line_item_id,
        cast(null as varchar) as source_line_item_type,
        billing_account_id,
        billing_period_start,
        billing_currency,
        billed_cost as billed_basis_cost,
        effective_cost as amortized_basis_cost,
        billed_cost as provider_billed_cost,
        effective_cost as provider_amortized_cost,
        {{ to_money(0) }} as netted_billed_cost,
        quarantine_reason,
        cast(null as varchar) as raw_line
    from focus_exports
),

-- Azure: the actual export's rows are the billed basis, the amortised export's the amortised one.
-- A row FOCUS does not carry (an actual-export row other than a commitment purchase or refund)
-- gives FOCUS nothing: the amortised export's row of the same charge carries it.
azure_amounts as (
    select
        source_name,
        export_name,
        source_file,
        source_row_number,
        cast(null as bigint) as source_line_number,
        cast(null as varchar) as source_line_item_id,
        export_type || ' ' || coalesce(charge_type, '') as source_line_item_type,
        billing_account_id,
        billing_period_start,
        billing_currency,
        azure_actual_cost as billed_basis_cost,
        azure_amortized_cost as amortized_basis_cost,
        focus_row_billed_cost as provider_billed_cost,
        focus_row_effective_cost as provider_amortized_cost,
        {{ to_money(0) }} as netted_billed_cost,
        quarantine_reason,
        cast(null as varchar) as raw_line
    from azure
),

-- Google Cloud: the export's cost + credits is the bill on both bases (Google's own FOCUS view).
gcp_amounts as (
    select
        source_name,
        export_name,
        source_file,
        source_row_number,
        cast(null as bigint) as source_line_number,
        cast(null as varchar) as source_line_item_id,
        cost_type as source_line_item_type,
        billing_account_id,
        billing_period_start,
        billing_currency,
        gcp_billed_cost as billed_basis_cost,
        gcp_billed_cost as amortized_basis_cost,
        gcp_billed_cost as provider_billed_cost,
        gcp_billed_cost as provider_amortized_cost,
        {{ to_money(0) }} as netted_billed_cost,
        quarantine_reason,
        cast(null as varchar) as raw_line
    from gcp
),

-- Lines the CSV parser could not split: their amounts are unknown, so they count as rows only.
rejected_amounts as (
    select
        source_name,
        export_name,
        source_file,
        cast(null as bigint) as source_row_number,
        source_line_number,
        cast(null as varchar) as source_line_item_id,
        cast(null as varchar) as source_line_item_type,
        cast(null as varchar) as billing_account_id,
        cast(null as timestamp) as billing_period_start,
        cast(null as varchar) as billing_currency,
        cast(null as {{ money_type() }}) as billed_basis_cost,
        cast(null as {{ money_type() }}) as amortized_basis_cost,
        cast(null as {{ money_type() }}) as provider_billed_cost,
        cast(null as {{ money_type() }}) as provider_amortized_cost,
        {{ to_money(0) }} as netted_billed_cost,
        case
            when error_type = 'invalid json' then 'unreadable JSON line: ' || error_message
            else 'unreadable CSV line (' || error_type || '): ' || error_message
        end as quarantine_reason,
        raw_line
    from rejected_lines
),

final as (
    select * from aws_amounts
    union all
    select * from focus_amounts
    union all
    select * from azure_amounts
    union all
    select * from gcp_amounts
    union all
    select * from rejected_amounts
)

select * from final
