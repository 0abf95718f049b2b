-- A view, like the AWS conform: int_charges_checked computes it in its own pass (D73).
-- Azure cost details conformed to FOCUS 1.2 (snake_case names), as ../shared/FINOPS_REFERENCE.md
-- section 2 and Microsoft's own FOCUS conversion do it:
--   * every amortised-export row, plus commitment purchases and refunds from the actual export
--     (int_azure__cost_details decides which rows are carried);
--   * BilledCost 0 for commitment-covered usage and unused commitment rows (the purchase is what
--     is billed), else the cost; EffectiveCost 0 for commitment purchases and refunds, else the
--     amortised cost;
--   * UnusedReservation / UnusedSavingsPlan rows are Usage with CommitmentDiscountStatus Unused;
--     refunds are Purchase corrections; RoundingAdjustment is an Adjustment (seed azure_charge_types);
--   * a day becomes the charge period [day, day + 1 day);
--   * PricingQuantity = Quantity ÷ the pricing block in UnitOfMeasure ("100 Hours" → 100), and unit
--     prices are per block.
-- Quarantined rows are not here: see quarantine_line_items.
with

line_items as (
    select * from {{ ref('int_azure__cost_details') }}
    where is_carried and quarantine_reason is null
),

service_categories as (
    select * from {{ ref('azure_service_categories') }}
),

classified as (
    select
        line_items.*,
        service_categories.service_category as meter_service_category,
        service_categories.service_subcategory as meter_service_subcategory,
        coalesce(line_items.is_commitment_pricing and line_items.charge_type = 'Usage', false) as is_covered_usage,
        coalesce(line_items.type_commitment_discount_status = 'Unused', false) as is_unused_commitment,
        coalesce(line_items.pricing_model = 'Spot', false) as is_spot,
        coalesce(line_items.type_charge_category in ('Usage', 'Purchase') and line_items.quantity is not null, false)
            as has_quantity,
        -- Savings plans are Spend commitments; reservations are Usage commitments.
        case
            when lower(line_items.commitment_discount_id) like '%/microsoft.billingbenefits/%' then true
            when lower(line_items.commitment_discount_id) like '%/microsoft.capacity/%' then false
            else coalesce(line_items.pricing_model = 'SavingsPlan', false)
        end as is_savings_plan,
        case
            when nullif(ltrim(line_items.unit_text, '/'), '') is null then 'Units'
            when lower(ltrim(line_items.unit_text, '/')) in ('hour', 'hours') then 'Hours'
            when lower(ltrim(line_items.unit_text, '/')) in ('day', 'days') then 'Days'
            when lower(ltrim(line_items.unit_text, '/')) in ('month', 'months') then 'Months'
            -- "GB/Month" (GB stored for a month) is FOCUS's GB-Months.
            else regexp_replace(
                regexp_replace(ltrim(line_items.unit_text, '/'), '/\s*(Hour|Day|Month|Year)s?$', '-\1s'), '\s+', ' ', 'g'
            )
        end as unit_name,
        coalesce(
            line_items.type_charge_category = 'Usage' and line_items.type_commitment_discount_status is null
            and line_items.quantity is not null and line_items.payg_price > 0,
            false
        ) as has_list_price,
        coalesce(
            line_items.type_charge_category = 'Usage' and line_items.type_commitment_discount_status is null
            and line_items.quantity is not null and line_items.unit_price > 0,
            false
        ) as has_contracted_price,
        -- Unit prices are per single unit in the export; FOCUS prices the pricing block.
        coalesce(line_items.pricing_currency, line_items.billing_currency) = line_items.billing_currency
            as is_priced_in_billing_currency
    from line_items
    left join service_categories
        on line_items.meter_category = service_categories.meter_category
),

conformed as (
    select
        -- lineage
        'Microsoft' as provider_name,
        source_name,
        export_name,
        delivery_id,
        source_file,
        source_row_number,
        cast(null as varchar) as source_line_item_id,
        charge_type as source_line_item_type,
        'charge' as row_kind,
        cast(null as varchar) as invoicing_entity,
        -- accounts and periods
        billing_account_id,
        -- Names as the export states them (BillingProfileName, else BillingAccountName; SubscriptionName);
        -- int_charges_checked applies accounts.csv first and falls back to the id (D45).
        billing_account_name,
        case when is_mca then 'Billing Profile' else 'Billing Account' end as billing_account_type,
        subscription_id as sub_account_id,
        case when subscription_id is not null then subscription_name end as sub_account_name,
        case when subscription_id is not null then 'Subscription' end as sub_account_type,
        billing_currency,
        billing_period_start,
        billing_period_end,
        charge_day as charge_period_start,
        charge_day + interval 1 day as charge_period_end,
        invoice_id,
        'Microsoft' as invoice_issuer_name,
        coalesce(publisher_name, 'Microsoft') as publisher_name,
        -- charge
        type_charge_category as charge_category,
        type_charge_class as charge_class,
        case
            when is_unused_commitment then 'Unused commitment of ' || commitment_discount_id
            else coalesce(product_name, meter_name, charge_type)
        end as charge_description,
        case
            when is_unused_commitment or is_covered_usage then 'Usage-Based'
            when lower(frequency) = 'onetime' then 'One-Time'
            when lower(frequency) = 'recurring' then 'Recurring'
            when lower(frequency) = 'usagebased' then 'Usage-Based'
            when type_charge_category = 'Usage' then 'Usage-Based'
            else 'One-Time'
        end as charge_frequency,
        case
            when type_charge_category in ('Tax', 'Adjustment', 'Credit') then null
            when is_unused_commitment or is_covered_usage then 'Committed'
            when is_spot then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        -- money
        focus_row_billed_cost as billed_cost,
        focus_row_effective_cost as effective_cost,
        -- ListCost: the usage at retail prices: PaygCostInBillingCurrency, else PayGPrice × Quantity;
        -- EA exports often state PayGPrice 0, and then the negotiated UnitPrice × Quantity is the
        -- best list price known, else the row's own cost. Unused commitment rows are not usage (0);
        -- purchases, tax and adjustments are at their billed amount.
        {{ to_money("case
            when is_unused_commitment then 0
            when type_charge_category <> 'Usage' then focus_row_billed_cost
            when payg_cost is not null then payg_cost
            when has_list_price and is_priced_in_billing_currency then payg_price * quantity
            when has_contracted_price and is_priced_in_billing_currency then unit_price * quantity
            else cost
        end") }} as list_cost,
        -- ContractedCost: the negotiated price of usage (UnitPrice × Quantity), before commitments.
        {{ to_money("case
            when is_unused_commitment then 0
            when type_charge_category <> 'Usage' then focus_row_billed_cost
            when has_contracted_price and is_priced_in_billing_currency then unit_price * quantity
            else cost
        end") }} as contracted_cost,
        -- Unit prices are per pricing block, in the billing currency (MCA may price in another).
        case
            when has_list_price and is_priced_in_billing_currency then payg_price * pricing_block_size
            when payg_cost is null and has_contracted_price and is_priced_in_billing_currency
                then unit_price * pricing_block_size
        end as list_unit_price,
        case
            when has_contracted_price and is_priced_in_billing_currency then unit_price * pricing_block_size
        end as contracted_unit_price,
        case
            when has_list_price then payg_price * pricing_block_size
            when payg_cost is null and has_contracted_price then unit_price * pricing_block_size
        end as pricing_currency_list_unit_price,
        case when has_contracted_price then unit_price * pricing_block_size end
            as pricing_currency_contracted_unit_price,
        -- quantities
        case
            when has_quantity and not is_unused_commitment
                then {{ from_money_units(money_units('quantity') ~ ' // pricing_block_size') }}
        end as pricing_quantity,
        case when has_quantity and not is_unused_commitment then unit_name end as pricing_unit,
        -- FOCUS: ConsumedQuantity describes usage only (not purchases or unused commitment).
        case when has_quantity and type_charge_category = 'Usage' and not is_unused_commitment then quantity end
            as consumed_quantity,
        case when has_quantity and type_charge_category = 'Usage' and not is_unused_commitment then unit_name end
            as consumed_unit,
        -- commitment discount
        case
            when is_covered_usage or is_unused_commitment or is_commitment_purchase then commitment_discount_id
        end as commitment_discount_id,
        case
            when is_covered_usage or is_unused_commitment or is_commitment_purchase
                then case when is_savings_plan then 'Spend' else 'Usage' end
        end as commitment_discount_category,
        case
            when is_covered_usage or is_unused_commitment or is_commitment_purchase
                then case when is_savings_plan then 'Savings Plan' else 'Reservation' end
        end as commitment_discount_type,
        case
            when is_covered_usage or is_unused_commitment or is_commitment_purchase then commitment_name
        end as commitment_discount_name,
        case when is_covered_usage then 'Used' when is_unused_commitment then 'Unused' end
            as commitment_discount_status,
        -- Savings plans count money (the amortised cost used or left unused); reservations count
        -- the hours they cover or leave unused (Quantity in its unit), and only when the export
        -- states both: FOCUS wants the quantity and its unit together (D46).
        case
            when (is_covered_usage or is_unused_commitment) and is_savings_plan then focus_row_effective_cost
            when (is_covered_usage or is_unused_commitment) and unit_name is not null then quantity
        end as commitment_discount_quantity,
        case
            when (is_covered_usage or is_unused_commitment) and is_savings_plan then billing_currency
            when (is_covered_usage or is_unused_commitment) and quantity is not null then unit_name
        end as commitment_discount_unit,
        -- service, location, resource, SKU
        case
            when type_charge_category in ('Tax', 'Adjustment') then 'Other'
            else coalesce(meter_service_category, 'Other')
        end as service_category,
        case
            when type_charge_category in ('Tax', 'Adjustment') then 'Other (Other)'
            else coalesce(meter_service_subcategory, 'Other (Other)')
        end as service_subcategory,
        coalesce(meter_category, consumed_service, 'Microsoft Azure') as service_name,
        case
            when lower(resource_location) not in ('global', 'unassigned', 'unknown')
                then lower(replace(resource_location, ' ', ''))
        end as region_id,
        case when lower(resource_location) not in ('global', 'unassigned', 'unknown') then resource_location end
            as region_name,
        availability_zone,
        case when is_unused_commitment then commitment_discount_id else resource_id end as resource_id,
        case
            when is_unused_commitment then null
            else coalesce(resource_name, nullif(regexp_extract(resource_id, '[^/]+$'), ''))
        end as resource_name,
        -- ResourceType (D47): the ARM type of the resource id (microsoft.compute/virtualmachines),
        -- else the meter category the resource is billed under.
        case
            when is_unused_commitment then case when is_savings_plan then 'Savings Plan' else 'Reservation' end
            when resource_id is not null
                then coalesce(
                    {{ resource_type_from_id('resource_id') }}, meter_category, consumed_service, 'Microsoft Azure'
                )
        end as resource_type,
        case when type_charge_category not in ('Tax', 'Adjustment') then coalesce(product_id, part_number) end
            as sku_id,
        -- FOCUS: SkuMeter and SkuPriceId describe a SKU, and a price has one SKU: a meter can be sold
        -- under several products or part numbers, so the price id is the SKU and the meter.
        case
            when type_charge_category not in ('Tax', 'Adjustment') and coalesce(product_id, part_number) is not null
                then meter_name
        end as sku_meter,
        case
            when type_charge_category not in ('Tax', 'Adjustment') and coalesce(product_id, part_number) is not null
                then coalesce(product_id, part_number) || coalesce('/' || meter_id, '')
        end as sku_price_id,
        cast(null as varchar) as sku_price_details,
        cast(null as varchar) as capacity_reservation_id,
        cast(null as varchar) as capacity_reservation_status,
        coalesce(pricing_currency, billing_currency) as pricing_currency,
        -- MCA can price in another currency than it bills (e.g. USD prices on a EUR bill).
        case
            when is_priced_in_billing_currency or focus_row_effective_cost = 0 then focus_row_effective_cost
            else cost_in_pricing_currency
        end as pricing_currency_effective_cost,
        tags
    from classified
),

final as (
    select * from conformed
)

select * from final
