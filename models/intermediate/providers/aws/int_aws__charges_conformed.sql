-- A view (D73): its one reader, int_charges_checked, computes it in its own pass (filtered to the
-- deliveries it rebuilds) and writes the one wide copy of the conformed rows.
-- AWS line items conformed to FOCUS 1.2 (snake_case names), commitments per the FOCUS rules:
--   * covered usage (DiscountedUsage, SavingsPlanCoveredUsage): EffectiveCost = the commitment's
--     effective cost, status Used, PricingCategory Committed. BilledCost is 0: AWS bills
--     DiscountedUsage at 0, and SavingsPlanCoveredUsage's on-demand cost is cancelled by its
--     SavingsPlanNegation row, so the covered row is billed at 0 and the negation is not carried;
--   * commitment fees (RIFee, SavingsPlanRecurringFee, the RI upfront Fee, SavingsPlanUpfrontFee):
--     Purchase rows that keep BilledCost with EffectiveCost 0;
--   * the unused part of a recurring commitment fee becomes its own Usage row with status Unused,
--     BilledCost 0 and EffectiveCost = the unused amount, ResourceId = the commitment id;
--   * SavingsPlanNegation rows cancel the on-demand cost that SavingsPlanCoveredUsage carries;
--     with covered usage billed at 0 they carry nothing and are not FOCUS rows (DECISIONLOG).
-- Quarantined rows are not here: see quarantine_line_items.
with

line_items as (
    select * from {{ ref('int_aws__line_items') }}
    where quarantine_reason is null
),

service_categories as (
    select * from {{ ref('aws_service_categories') }}
),

pricing_units as (
    select * from {{ ref('aws_pricing_units') }}
),

classified as (
    select
        line_items.*,
        coalesce(line_items.savings_plan_arn, line_items.reservation_arn) as commitment_id,
        line_items.savings_plan_arn is not null as is_savings_plan,
        coalesce(line_items.pricing_term = 'Spot' or line_items.usage_type like '%SpotUsage%', false) as is_spot,
        -- A refund dated before the billing period corrects an already invoiced period.
        line_items.line_item_type = 'Refund'
        and line_items.usage_start < line_items.billing_period_start as is_correction,
        -- Negotiated and bundled discounts: amounts without a quantity, off the list price.
        line_items.line_item_type in (
            'EdpDiscount', 'BundledDiscount', 'PrivateRateDiscount', 'Discount', 'DistributorDiscount'
        ) as is_discount,
        case
            when line_items.line_item_type = 'Refund' and line_items.tax_type is not null then 'Tax'
            when
                line_items.line_item_type = 'Refund'
                and coalesce(line_items.savings_plan_arn, line_items.reservation_arn) is not null then 'Purchase'
            else line_items.type_charge_category
        end as charge_category,
        line_items.line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') as is_covered_usage,
        -- Usage with a quantity and a rate (on-demand, spot or commitment-covered), as opposed to
        -- discounts, refunds and fees that carry only an amount.
        line_items.line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') as is_metered_usage,
        line_items.line_item_type in ('RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
        or (line_items.line_item_type = 'Fee' and line_items.reservation_arn is not null) as is_commitment_purchase,
        -- The commitment a row belongs to: covered usage, commitment fees (and so their Unused
        -- rows) and refunds of a commitment; other rows carry no commitment columns.
        case
            when
                line_items.line_item_type in (
                    'DiscountedUsage', 'SavingsPlanCoveredUsage', 'RIFee', 'SavingsPlanRecurringFee',
                    'SavingsPlanUpfrontFee', 'Refund'
                )
                or (line_items.line_item_type = 'Fee' and line_items.reservation_arn is not null)
                then coalesce(line_items.savings_plan_arn, line_items.reservation_arn)
        end as commitment_discount_id,
        case line_items.line_item_type
            when 'RIFee' then line_items.aws_amortized_cost
            when 'SavingsPlanRecurringFee' then line_items.aws_amortized_cost
            else 0
        end as unused_commitment_cost
    from line_items
    -- No filter of its own (SavingsPlanNegation rows are left out by its two readers): DuckDB pushes
    -- such a filter into the raw parquet scan first, and the row check's batch filter on
    -- delivery_id, which reaches this CTE later (a filter common to both readers), then stays
    -- above the scan, so every batch read every AWS line item of every delivery (D89).
),

charges as (
    select
        classified.*,
        'charge' as row_kind,
        case
            when classified.line_item_type = 'SavingsPlanCoveredUsage' then {{ to_money(0) }}
            else classified.aws_billed_cost
        end as billed_cost,
        case when classified.is_commitment_purchase then {{ to_money(0) }} else classified.aws_amortized_cost end
            as effective_cost,
        case when classified.is_covered_usage then 'Used' end as commitment_discount_status
    from classified
    where classified.line_item_type <> 'SavingsPlanNegation'
),

-- The unused part of a recurring commitment fee, as its own row (FOCUS: Unused commitment).
unused_commitments as (
    select
        classified.*,
        'unused_commitment' as row_kind,
        {{ to_money(0) }} as billed_cost,
        classified.unused_commitment_cost as effective_cost,
        'Unused' as commitment_discount_status
    from classified
    where
        classified.line_item_type in ('RIFee', 'SavingsPlanRecurringFee')
        and classified.unused_commitment_cost <> 0
),

charge_rows as (
    select * from charges
    union all
    select * from unused_commitments
),

rows_ as (
    select
        charge_rows.*,
        -- Quantity of the commitment this row uses (Used), leaves unused (Unused) or buys (recurring
        -- purchase): dollars of commitment for Savings Plans, instance hours for Reserved Instances.
        -- NULL when the CUR leaves the amount it comes from empty (an RIFee without
        -- lineItem/UsageAmount): the unit is then NULL too, as FOCUS wants the pair (D46).
        case
            when charge_rows.row_kind = 'unused_commitment' and charge_rows.is_savings_plan then charge_rows.effective_cost
            when charge_rows.row_kind = 'unused_commitment' then charge_rows.ri_unused_quantity
            when charge_rows.line_item_type = 'SavingsPlanCoveredUsage' then charge_rows.effective_cost
            when charge_rows.line_item_type = 'DiscountedUsage' then charge_rows.usage_amount
            when charge_rows.line_item_type = 'SavingsPlanRecurringFee' then charge_rows.sp_total_commitment_to_date
            when charge_rows.line_item_type = 'RIFee' then charge_rows.usage_amount
        end as commitment_discount_quantity
    from charge_rows
),

conformed as (
    select
        -- lineage (x_ columns of the public model)
        'AWS' as provider_name,
        rows_.source_name,
        rows_.export_name,
        rows_.delivery_id,
        rows_.source_file,
        rows_.source_row_number,
        rows_.line_item_id as source_line_item_id,
        rows_.line_item_type as source_line_item_type,
        rows_.row_kind,
        -- accounts and periods
        rows_.payer_account_id as billing_account_id,
        rows_.payer_account_name as billing_account_name,
        'Management Account' as billing_account_type,
        rows_.usage_account_id as sub_account_id,
        -- Names as the export states them (CUR 2.0 and some legacy CURs); int_charges_checked applies
        -- accounts.csv first and falls back to the id (D45).
        rows_.usage_account_name as sub_account_name,
        'Member Account' as sub_account_type,
        rows_.currency_code as billing_currency,
        rows_.billing_period_start,
        rows_.billing_period_end,
        {{ charge_period_start('rows_.usage_start', 'rows_.usage_end') }} as charge_period_start,
        {{ charge_period_end('rows_.usage_start', 'rows_.usage_end') }} as charge_period_end,
        rows_.invoice_id,
        -- AWS invoices every row of a CUR, Marketplace charges included: the issuer is AWS. The
        -- legal entity that issues the invoice (bill/InvoicingEntity) is kept in invoicing_entity.
        'AWS' as invoice_issuer_name,
        coalesce(rows_.invoicing_entity, rows_.legal_entity) as invoicing_entity,
        case
            when rows_.billing_entity = 'AWS Marketplace' then coalesce(rows_.legal_entity, 'AWS Marketplace')
            else 'AWS'
        end as publisher_name,
        -- charge
        case when rows_.row_kind = 'unused_commitment' then 'Usage' else rows_.charge_category end as charge_category,
        case when rows_.is_correction then 'Correction' end as charge_class,
        case
            when rows_.row_kind = 'unused_commitment' then 'Unused commitment of ' || rows_.commitment_id
            else rows_.line_item_description
        end as charge_description,
        case
            when rows_.row_kind = 'unused_commitment' then 'Usage-Based'
            when rows_.line_item_type = 'Refund' then 'One-Time'
            else rows_.type_charge_frequency
        end as charge_frequency,
        case
            when rows_.charge_category in ('Tax', 'Credit') then null
            when rows_.row_kind = 'unused_commitment' or rows_.is_covered_usage then 'Committed'
            when rows_.charge_category = 'Purchase' then 'Standard'
            when rows_.is_spot then 'Dynamic'
            when rows_.line_item_type = 'Usage' then 'Standard'
            else 'Other'
        end as pricing_category,
        -- money
        rows_.billed_cost,
        rows_.effective_cost,
        -- ListCost: the public on-demand price of metered usage; discounts are off the list, so 0;
        -- fees, tax and refunds are charged at their billed amount.
        {{ to_money("case
            when rows_.row_kind = 'unused_commitment' or rows_.is_discount then 0
            when rows_.is_metered_usage then coalesce(rows_.public_on_demand_cost, rows_.unblended_cost)
            else rows_.billed_cost
        end") }} as list_cost,
        -- ContractedCost: the price agreed for this account before commitment discounts: what the
        -- usage is charged on demand (UnblendedCost; DiscountedUsage shows 0 there, so its public
        -- on-demand cost), negotiated discounts at their billed amount.
        {{ to_money("case
            when rows_.row_kind = 'unused_commitment' then 0
            when rows_.line_item_type = 'DiscountedUsage' then coalesce(rows_.public_on_demand_cost, 0)
            when rows_.is_metered_usage then rows_.unblended_cost
            else rows_.billed_cost
        end") }} as contracted_cost,
        case
            when rows_.row_kind = 'charge' and rows_.is_metered_usage then rows_.public_on_demand_rate
        end as list_unit_price,
        case
            when rows_.row_kind = 'charge' and rows_.line_item_type = 'DiscountedUsage' then rows_.public_on_demand_rate
            when rows_.row_kind = 'charge' and rows_.is_metered_usage then rows_.unblended_rate
        end as contracted_unit_price,
        -- quantities: the CUR meters usage in its pricing unit, so ConsumedQuantity/Unit repeat these
        case
            when
                rows_.row_kind = 'charge' and rows_.is_metered_usage
                and rows_.pricing_unit is not null
                then rows_.usage_amount
        end as pricing_quantity,
        case
            when
                rows_.row_kind = 'charge' and rows_.is_metered_usage
                and rows_.usage_amount is not null
                then coalesce(pricing_units.focus_unit, rows_.pricing_unit)
        end as pricing_unit,
        -- commitment discount
        rows_.commitment_discount_id,
        case
            when rows_.commitment_discount_id is not null
                then case when rows_.is_savings_plan then 'Spend' else 'Usage' end
        end as commitment_discount_category,
        case
            when rows_.commitment_discount_id is not null
                then case when rows_.is_savings_plan then 'Savings Plan' else 'Reserved Instance' end
        end as commitment_discount_type,
        rows_.commitment_discount_status,
        rows_.commitment_discount_quantity,
        case
            when rows_.commitment_discount_quantity is not null
                then case when rows_.is_savings_plan then rows_.currency_code else 'Hours' end
        end as commitment_discount_unit,
        -- service, location, resource, SKU. ServiceName is the product's name (lineItem/ProductCode's
        -- product), so its category is the product code's: data transfer billed under Amazon EC2
        -- (product/servicecode AWSDataTransfer) stays EC2's, one category per ServiceName (D48).
        coalesce(
            product_categories.service_category, service_categories.service_category, 'Other'
        ) as service_category,
        coalesce(
            product_categories.service_subcategory, service_categories.service_subcategory, 'Other (Other)'
        ) as service_subcategory,
        rows_.product_name as service_name,
        rows_.region_code as region_id,
        case when rows_.region_code is not null then coalesce(rows_.region_name, rows_.region_code) end as region_name,
        rows_.availability_zone,
        case when rows_.row_kind = 'unused_commitment' then rows_.commitment_id else rows_.resource_id end as resource_id,
        case when rows_.row_kind = 'unused_commitment' then null else rows_.resource_id end as resource_name,
        -- ResourceType (D47): the product family AWS states (Compute Instance, Storage), else the
        -- ARN's service and resource type, else the product.
        case
            when
                rows_.row_kind = 'unused_commitment'
                then case when rows_.is_savings_plan then 'Savings Plan' else 'Reserved Instance' end
            when rows_.resource_id is not null
                then coalesce(rows_.product_family, {{ resource_type_from_id('rows_.resource_id') }}, rows_.product_name)
        end as resource_type,
        -- FOCUS: tax rows carry no SKU; SkuMeter and SkuPriceId only describe a SKU.
        case when rows_.charge_category <> 'Tax' then rows_.sku end as sku_id,
        case when rows_.charge_category <> 'Tax' and rows_.sku is not null then rows_.usage_type end as sku_meter,
        case when rows_.charge_category <> 'Tax' and rows_.sku is not null then rows_.rate_code end as sku_price_id,
        -- AWS prices in the billing currency: the pricing-currency columns repeat the billing ones.
        rows_.currency_code as pricing_currency,
        -- FOCUS Tags: the loader already keys user-defined tags by their name and AWS tags as `aws:...`.
        case when cardinality(rows_.resource_tags) > 0 then to_json(rows_.resource_tags)::varchar end as tags
    from rows_
    left join service_categories as product_categories
        on rows_.product_code = product_categories.service_code
    left join service_categories
        on rows_.service_code = service_categories.service_code
    left join pricing_units
        on rows_.pricing_unit = pricing_units.aws_unit
),

final as (
    select
        *,
        pricing_quantity as consumed_quantity,
        pricing_unit as consumed_unit,
        effective_cost as pricing_currency_effective_cost,
        list_unit_price as pricing_currency_list_unit_price,
        contracted_unit_price as pricing_currency_contracted_unit_price,
        -- Columns of the FOCUS dataset a CUR does not state (the provider contract has them).
        null::varchar as commitment_discount_name,
        null::varchar as capacity_reservation_id,
        null::varchar as capacity_reservation_status,
        null::varchar as sku_price_details
    from conformed
)

select * from final
