-- A view, like the AWS conform: int_charges_checked computes it in its own pass (D73), so the
-- labels are rewritten into Tags once.
-- Google Cloud billing export rows conformed to FOCUS 1.2 (snake_case names), one FOCUS row per
-- usable export row, no synthetic rows (see concept_gcp_in_focus):
--   * BilledCost = EffectiveCost = cost + Σ credits.amount, Google's own FOCUS view: every credit
--     (committed use, sustained use, free tier, promotion, discount...) lowers the row it is on;
--   * rows carrying a committed use discount credit are covered usage (status Used, Committed);
--     commitment fees (SKU description "Commitment...") are recurring Purchase rows;
--   * tax → Tax, adjustment and rounding_error → Adjustment, One-Time; a row with adjustment_info
--     whose usage starts before its invoice month corrects an earlier period (ChargeClass Correction).
-- Quarantined rows are not here: see quarantine_line_items.
with

line_items as (
    select * from {{ ref('stg_gcp__billing_export') }}
    where quarantine_reason is null
),

service_categories as (
    select * from {{ ref('gcp_service_categories') }}
),

units as (
    select * from {{ ref('gcp_units') }}
),

classified as (
    select
        line_items.*,
        -- Units in FOCUS UnitFormat (seed gcp_units): `hour` → Hours, `gibibyte month` → GiB-Months.
        coalesce(pricing_units.focus_unit, line_items.usage_pricing_unit) as focus_pricing_unit,
        coalesce(usage_units.focus_unit, line_items.usage_unit) as focus_usage_unit,
        -- Commitment fees are billed as regular rows on a SKU named "Commitment v1: ...",
        -- "Commitment - dollar based v1: ..." (spend-based).
        coalesce(line_items.cost_type = 'regular' and line_items.sku_description ilike 'Commitment%', false)
            as is_commitment_fee,
        coalesce(line_items.sku_description ilike '%dollar based%', false) as is_spend_commitment_fee,
        coalesce(
            line_items.sku_description ilike '%Spot%' or line_items.sku_description ilike '%Preemptible%', false
        ) as is_spot,
        coalesce(
            line_items.resource_cud_credit_id is not null or line_items.spend_cud_credit_id is not null, false
        ) as is_covered_usage,
        -- A correction of an earlier period: Google says what the row adjusts (adjustment_info) and
        -- its usage starts before the invoice month it is billed in.
        coalesce(
            coalesce(
                line_items.adjustment_info_id, line_items.adjustment_info_type,
                line_items.adjustment_info_mode, line_items.adjustment_info_description
            ) is not null
            and line_items.usage_start_time < line_items.billing_period_start,
            false
        ) as is_correction,
        case line_items.cost_type
            when 'tax' then 'Tax'
            when 'adjustment' then 'Adjustment'
            when 'rounding_error' then 'Adjustment'
            else case
                when line_items.cost_type = 'regular' and line_items.sku_description ilike 'Commitment%'
                    then 'Purchase'
                else 'Usage'
            end
        end as charge_category,
        -- Flattened labels: resource labels by their key, project labels as goog-project:<key>,
        -- system labels as goog-system:<key>; empty values are not carried.
        list_filter(
            list_concat(
                list_transform(line_items.labels, lbl -> { 'key': trim(lbl.key), 'value': lbl.value }),
                list_transform(
                    line_items.project_labels, lbl -> { 'key': 'goog-project:' || trim(lbl.key), 'value': lbl.value }
                ),
                list_transform(
                    line_items.system_labels, lbl -> { 'key': 'goog-system:' || trim(lbl.key), 'value': lbl.value }
                )
            ),
            lbl -> nullif(lbl.key, '') is not null and nullif(trim(lbl.value), '') is not null
        ) as label_pairs
    from line_items
    left join units as pricing_units
        on lower(line_items.usage_pricing_unit) = pricing_units.gcp_unit
    left join units as usage_units
        on lower(line_items.usage_unit) = usage_units.gcp_unit
),

priced as (
    select
        classified.*,
        classified.charge_category in ('Usage', 'Purchase') as is_priced,
        -- Google's price per pricing unit (price.effective_price is for price.pricing_unit_quantity
        -- units), else the row's own cost per pricing unit; divided exactly (exact_ratio).
        case
            when classified.price_effective_price is not null
                then case
                    when coalesce(classified.price_pricing_unit_quantity, 1) = 1 then classified.price_effective_price
                    else {{ exact_ratio('classified.price_effective_price', 'classified.price_pricing_unit_quantity') }}
                end
            when classified.gcp_cost >= 0 and classified.usage_amount_in_pricing_units <> 0
                then {{ exact_ratio('classified.gcp_cost', 'classified.usage_amount_in_pricing_units') }}
        end as row_contracted_unit_price,
        -- The commitment a row belongs to: covered usage names the commitment its committed use
        -- discount credit comes from (resource-based first); a fee row names its subscription, else
        -- its credit. Other rows (and covered rows of other charge categories) carry none.
        case
            when classified.is_commitment_fee
                then coalesce(
                    classified.subscription_instance_id, classified.resource_cud_credit_id,
                    classified.spend_cud_credit_id
                )
            when classified.charge_category = 'Usage' and classified.is_covered_usage
                then coalesce(classified.resource_cud_credit_id, classified.spend_cud_credit_id)
        end as commitment_id,
        -- Keys sorted; a key given twice keeps its first value in sort order.
        list_sort(classified.label_pairs) as sorted_label_pairs
    from classified
),

conformed as (
    select
        -- lineage (x_ columns of the public model)
        'Google Cloud' as provider_name,
        priced.source_name,
        priced.export_name,
        priced.delivery_id,
        priced.source_file,
        priced.source_row_number,
        cast(null as varchar) as source_line_item_id,
        priced.cost_type as source_line_item_type,
        'charge' as row_kind,
        cast(null as varchar) as invoicing_entity,
        -- accounts and periods
        priced.billing_account_id,
        -- The export names no billing account; int_charges_checked applies accounts.csv, else the id (D45).
        cast(null as varchar) as billing_account_name,
        'Billing Account' as billing_account_type,
        priced.project_id as sub_account_id,
        case when priced.project_id is not null then priced.project_name end as sub_account_name,
        case when priced.project_id is not null then 'Project' end as sub_account_type,
        priced.billing_currency,
        priced.billing_period_start,
        priced.billing_period_end,
        {{ charge_period_start('priced.usage_start_time', 'priced.usage_end_time') }} as charge_period_start,
        {{ charge_period_end('priced.usage_start_time', 'priced.usage_end_time') }} as charge_period_end,
        cast(null as varchar) as invoice_id,
        -- Google invoices every row of the billing account, Marketplace included, except agency
        -- sales, where Google acts as the seller's agent and the seller issues the invoice.
        case
            when priced.transaction_type = 'THIRD_PARTY_AGENCY' and priced.seller_name is not null
                then priced.seller_name
            else 'Google Cloud'
        end as invoice_issuer_name,
        case
            when priced.transaction_type like 'THIRD_PARTY%' and priced.seller_name is not null
                then priced.seller_name
            else 'Google Cloud'
        end as publisher_name,
        -- charge
        priced.charge_category,
        case when priced.is_correction then 'Correction' end as charge_class,
        coalesce(priced.adjustment_info_description, priced.sku_description) as charge_description,
        case
            when priced.charge_category = 'Purchase' then 'Recurring'
            when priced.charge_category = 'Usage' then 'Usage-Based'
            else 'One-Time'
        end as charge_frequency,
        case
            when not priced.is_priced then null
            when priced.is_commitment_fee then 'Standard'
            when priced.is_covered_usage then 'Committed'
            when priced.is_spot then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        -- money: Google's billed amount, credits included, on both bases
        priced.gcp_billed_cost as billed_cost,
        priced.gcp_billed_cost as effective_cost,
        coalesce(priced.cost_at_list, priced.gcp_cost) as list_cost,
        priced.gcp_cost as contracted_cost,
        -- unit prices and quantities: usage and purchase rows only (FOCUS: never on tax)
        case
            when priced.is_priced and priced.usage_pricing_unit is not null
                then case
                    when priced.cost_at_list is null or priced.cost_at_list = priced.gcp_cost
                        then priced.row_contracted_unit_price
                    when priced.cost_at_list >= 0 and priced.usage_amount_in_pricing_units <> 0
                        then {{ exact_ratio('priced.cost_at_list', 'priced.usage_amount_in_pricing_units') }}
                end
        end as list_unit_price,
        case
            when priced.is_priced and priced.usage_pricing_unit is not null then priced.row_contracted_unit_price
        end as contracted_unit_price,
        case
            when priced.is_priced and priced.usage_pricing_unit is not null then priced.usage_amount_in_pricing_units
        end as pricing_quantity,
        case
            when priced.is_priced and priced.usage_amount_in_pricing_units is not null then priced.focus_pricing_unit
        end as pricing_unit,
        case
            when priced.charge_category = 'Usage' and priced.usage_unit is not null then priced.usage_quantity
        end as consumed_quantity,
        case
            when priced.charge_category = 'Usage' and priced.usage_quantity is not null then priced.focus_usage_unit
        end as consumed_unit,
        -- commitment discount: covered usage names the commitment its credit comes from; a fee row
        -- names its subscription (else its credit).
        priced.commitment_id as commitment_discount_id,
        case
            when priced.commitment_id is null then null
            when priced.is_commitment_fee
                then case when priced.is_spend_commitment_fee then 'Spend' else 'Usage' end
            when priced.resource_cud_credit_id is not null then 'Usage'
            else 'Spend'
        end as commitment_discount_category,
        case when priced.commitment_id is not null then 'Committed Use Discount' end as commitment_discount_type,
        case when priced.commitment_id is not null and not priced.is_commitment_fee then 'Used' end
            as commitment_discount_status,
        cast(null as varchar) as commitment_discount_name,
        cast(null as {{ money_type() }}) as commitment_discount_quantity,
        cast(null as varchar) as commitment_discount_unit,
        -- service, location, resource, SKU
        coalesce(priced.service_description, 'Google Cloud') as service_name,
        coalesce(service_categories.service_category, 'Other') as service_category,
        coalesce(service_categories.service_subcategory, 'Other (Other)') as service_subcategory,
        priced.location_region as region_id,
        priced.location_region as region_name,
        priced.location_zone as availability_zone,
        coalesce(priced.resource_global_name, priced.resource_name) as resource_id,
        priced.resource_name,
        -- ResourceType (D47): the service and collection of the resource's global name
        -- (//compute.googleapis.com/.../instances/vm-1 -> compute.googleapis.com/instances), else the
        -- service the resource is billed under (Compute Engine).
        case
            when coalesce(priced.resource_global_name, priced.resource_name) is not null
                then coalesce(
                    {{ resource_type_from_id('priced.resource_global_name') }},
                    priced.service_description,
                    'Google Cloud'
                )
        end as resource_type,
        -- FOCUS: tax rows carry no SKU.
        case when priced.charge_category <> 'Tax' then priced.sku_id end as sku_id,
        case when priced.charge_category <> 'Tax' and priced.sku_id is not null then priced.sku_description end
            as sku_meter,
        -- Google publishes one price list entry per SKU id: SkuPriceId = SkuId.
        case when priced.charge_category <> 'Tax' then priced.sku_id end as sku_price_id,
        cast(null as varchar) as sku_price_details,
        cast(null as varchar) as capacity_reservation_id,
        cast(null as varchar) as capacity_reservation_status,
        -- FOCUS Tags: one JSON object, keys sorted, NULL without labels.
        case
            when len(priced.sorted_label_pairs) > 0
                then cast(to_json(map_from_entries(list_filter(
                    priced.sorted_label_pairs,
                    (lbl, i) -> i = 1 or lbl.key <> priced.sorted_label_pairs[i - 1].key
                ))) as varchar)
        end as tags,
        -- Google prices in the billing currency: the pricing-currency columns repeat the billing ones.
        priced.billing_currency as pricing_currency
    from priced
    left join service_categories
        on priced.service_description = service_categories.service_description
),

final as (
    select
        *,
        effective_cost as pricing_currency_effective_cost,
        list_unit_price as pricing_currency_list_unit_price,
        contracted_unit_price as pricing_currency_contracted_unit_price
    from conformed
)

select * from final
