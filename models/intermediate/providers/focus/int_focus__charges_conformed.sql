-- Native FOCUS rows brought to FOCUS 1.2: columns added since the export's version are filled
-- where the data determines them and left NULL where it does not (see DECISIONLOG):
--   * ServiceSubcategory (1.1): "Other (<ServiceCategory>)", the spec's catch-all of the category;
--   * PricingCurrency (1.2): the BillingCurrency (an export without the column prices in it);
--   * PricingCurrencyEffectiveCost (1.2, mandatory): EffectiveCost when priced in the billing currency;
--   * ListCost / ContractedCost (mandatory since 1.0-preview but absent from some exports): BilledCost;
--   * RegionId / RegionName: an export that states only one of the pair gets it for both;
--   * a charge dated at an instant (start = end) gets the hour that contains it (macro charge_period);
--   * ResourceType: a resource without one gets the type its id names, else its ServiceName; a type
--     without a resource id is dropped (FOCUS ResourceType-C-004-C/-C-005-C, D47);
--   * AWS's exports name AWS's invoicing legal entity (Amazon Web Services EMEA SARL...) as
--     InvoiceIssuerName; as for the CUR (D12) the issuer is AWS and the entity is kept in
--     x_invoicing_entity, since FOCUS reads an issuer other than the provider as a third party paid
--     instead of it (BilledCost-C-005-C).
-- A row that still breaks a FOCUS row rule is quarantined in int_charges_checked (D46).
-- Quarantined rows are not here: see quarantine_line_items.
with

line_items as (
    select * from {{ ref('stg_focus__line_items') }}
    where quarantine_reason is null
),

issuers as (
    select
        *,
        -- AWS invoices through its regional legal entities (Amazon Web Services, Inc., Amazon Web
        -- Services EMEA SARL, AWS Serviços Brasil Ltda., Amazon Internet Services Private Limited).
        coalesce(
            provider_name = 'AWS' and (
                invoice_issuer_name ilike 'Amazon Web Services%'
                or invoice_issuer_name ilike 'AWS %'
                or invoice_issuer_name ilike 'Amazon Internet Services%'
            ),
            false
        ) as issuer_is_aws_entity
    from line_items
),

conformed as (
    select
        provider_name,
        source_name,
        export_name,
        delivery_id,
        source_file,
        source_row_number,
        billing_account_id,
        billing_account_name,
        billing_account_type,
        sub_account_id,
        sub_account_name,
        sub_account_type,
        billing_currency,
        billing_period_start,
        billing_period_end,
        invoice_id,
        charge_category,
        charge_class,
        charge_description,
        charge_frequency,
        pricing_category,
        billed_cost,
        effective_cost,
        list_unit_price,
        contracted_unit_price,
        pricing_quantity,
        pricing_unit,
        consumed_quantity,
        consumed_unit,
        commitment_discount_id,
        commitment_discount_category,
        commitment_discount_type,
        commitment_discount_status,
        commitment_discount_quantity,
        commitment_discount_unit,
        availability_zone,
        resource_id,
        resource_name,
        case
            when resource_id is not null
                then coalesce(resource_type, {{ resource_type_from_id('resource_id') }}, service_name, provider_name)
        end as resource_type,
        sku_id,
        sku_meter,
        sku_price_id,
        tags,
        commitment_discount_name,
        capacity_reservation_id,
        capacity_reservation_status,
        sku_price_details,
        pricing_currency_contracted_unit_price,
        pricing_currency_list_unit_price,
        case
            when issuer_is_aws_entity then 'AWS'
            else coalesce(invoice_issuer_name, provider_name)
        end as invoice_issuer_name,
        coalesce(publisher_name, provider_name) as publisher_name,
        coalesce(list_cost, billed_cost) as list_cost,
        coalesce(contracted_cost, billed_cost) as contracted_cost,
        coalesce(service_category, 'Other') as service_category,
        coalesce(service_subcategory, 'Other (' || coalesce(service_category, 'Other') || ')') as service_subcategory,
        coalesce(service_name, provider_name) as service_name,
        {{ charge_period_start('charge_period_start', 'charge_period_end') }} as charge_period_start,
        {{ charge_period_end('charge_period_start', 'charge_period_end') }} as charge_period_end,
        -- FOCUS requires RegionId and RegionName together; an export that gives one gets it for both.
        coalesce(region_id, region_name) as region_id,
        coalesce(region_name, region_id) as region_name,
        coalesce(pricing_currency, billing_currency) as pricing_currency,
        -- Mandatory in 1.2: an older export prices in its billing currency, so it is EffectiveCost.
        case
            when pricing_currency is null or pricing_currency = billing_currency
                then coalesce(pricing_currency_effective_cost, effective_cost)
            else pricing_currency_effective_cost
        end as pricing_currency_effective_cost,
        case
            when issuer_is_aws_entity then invoice_issuer_name
        end as invoicing_entity,
        cast(null as varchar) as source_line_item_id,
        cast(null as varchar) as source_line_item_type,
        'charge' as row_kind
    from issuers
),

final as (
    select * from conformed
)

select * from final
