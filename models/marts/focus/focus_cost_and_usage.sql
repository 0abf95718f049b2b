-- The FOCUS 1.2 cost and usage dataset: every provider's charges with exactly the FOCUS column
-- names and types, then the warehouse's x_ columns: lineage, and the four costs in the reporting
-- currency (BillingCurrency stays as billed; int_reporting_currency_rates has the monthly rate).
-- BI tools and finance read this table, in any session time zone (D49): the four Date/Time columns
-- are UTC wall-clock TIMESTAMPs without a zone, so DATE(ChargePeriodStart) is the UTC day everywhere,
-- and Tags is a MAP(VARCHAR, VARCHAR), so Tags['team'] is the tag's value (the FOCUS use-case
-- library's spelling); focus-validator gets Tags as JSON text (finops/checks/focus_validation.py).
-- A view in the working database: a reader computes the columns it reads (a key test costs about
-- what it would on a table), and publication writes the one copy readers use, one folder per
-- delivery (D71, D72).
with

charges as (
    select * from {{ ref('int_charges_unioned') }}
),

converted as (
    select
        charges.*,
        rates.reporting_currency,
        rates.exchange_rate
    from charges
    {{ join_reporting_rates('charges') }}
),

final as (
    select
        cast(availability_zone as varchar) as AvailabilityZone,
        {{ to_money('billed_cost') }} as BilledCost,
        cast(billing_account_id as varchar) as BillingAccountId,
        cast(billing_account_name as varchar) as BillingAccountName,
        cast(billing_account_type as varchar) as BillingAccountType,
        cast(billing_currency as varchar) as BillingCurrency,
        cast(billing_period_end as timestamp) as BillingPeriodEnd,
        cast(billing_period_start as timestamp) as BillingPeriodStart,
        cast(capacity_reservation_id as varchar) as CapacityReservationId,
        cast(capacity_reservation_status as varchar) as CapacityReservationStatus,
        cast(charge_category as varchar) as ChargeCategory,
        cast(charge_class as varchar) as ChargeClass,
        cast(charge_description as varchar) as ChargeDescription,
        cast(charge_frequency as varchar) as ChargeFrequency,
        cast(charge_period_end as timestamp) as ChargePeriodEnd,
        cast(charge_period_start as timestamp) as ChargePeriodStart,
        cast(commitment_discount_category as varchar) as CommitmentDiscountCategory,
        cast(commitment_discount_id as varchar) as CommitmentDiscountId,
        cast(commitment_discount_name as varchar) as CommitmentDiscountName,
        {{ to_money('commitment_discount_quantity') }} as CommitmentDiscountQuantity,
        cast(commitment_discount_status as varchar) as CommitmentDiscountStatus,
        cast(commitment_discount_type as varchar) as CommitmentDiscountType,
        cast(commitment_discount_unit as varchar) as CommitmentDiscountUnit,
        {{ to_money('consumed_quantity') }} as ConsumedQuantity,
        cast(consumed_unit as varchar) as ConsumedUnit,
        {{ to_money('contracted_cost') }} as ContractedCost,
        {{ to_money('contracted_unit_price') }} as ContractedUnitPrice,
        {{ to_money('effective_cost') }} as EffectiveCost,
        cast(invoice_id as varchar) as InvoiceId,
        cast(invoice_issuer_name as varchar) as InvoiceIssuerName,
        {{ to_money('list_cost') }} as ListCost,
        {{ to_money('list_unit_price') }} as ListUnitPrice,
        cast(pricing_category as varchar) as PricingCategory,
        cast(pricing_currency as varchar) as PricingCurrency,
        {{ to_money('pricing_currency_contracted_unit_price') }} as PricingCurrencyContractedUnitPrice,
        {{ to_money('pricing_currency_effective_cost') }} as PricingCurrencyEffectiveCost,
        {{ to_money('pricing_currency_list_unit_price') }} as PricingCurrencyListUnitPrice,
        {{ to_money('pricing_quantity') }} as PricingQuantity,
        cast(pricing_unit as varchar) as PricingUnit,
        cast(provider_name as varchar) as ProviderName,
        cast(publisher_name as varchar) as PublisherName,
        cast(region_id as varchar) as RegionId,
        cast(region_name as varchar) as RegionName,
        cast(resource_id as varchar) as ResourceId,
        cast(resource_name as varchar) as ResourceName,
        cast(resource_type as varchar) as ResourceType,
        cast(service_category as varchar) as ServiceCategory,
        cast(service_name as varchar) as ServiceName,
        cast(service_subcategory as varchar) as ServiceSubcategory,
        cast(sku_id as varchar) as SkuId,
        cast(sku_meter as varchar) as SkuMeter,
        cast(sku_price_details as varchar) as SkuPriceDetails,
        cast(sku_price_id as varchar) as SkuPriceId,
        cast(sub_account_id as varchar) as SubAccountId,
        cast(sub_account_name as varchar) as SubAccountName,
        cast(sub_account_type as varchar) as SubAccountType,
        cast(cast(tags as json) as map (varchar, varchar)) as Tags,
        source_name as x_source_name,
        export_name as x_source_export,
        delivery_id as x_source_delivery_id,
        source_file as x_source_file,
        source_row_number as x_source_row_number,
        source_line_item_id as x_source_line_item_id,
        source_line_item_type as x_source_line_item_type,
        row_kind as x_row_kind,
        invoicing_entity as x_invoicing_entity,
        cast(reporting_currency as varchar) as x_reporting_currency,
        exchange_rate as x_exchange_rate,
        {{ convert_money(to_money('billed_cost'), 'exchange_rate') }} as x_billed_cost_in_reporting_currency,
        {{ convert_money(to_money('effective_cost'), 'exchange_rate') }} as x_effective_cost_in_reporting_currency,
        {{ convert_money(to_money('list_cost'), 'exchange_rate') }} as x_list_cost_in_reporting_currency,
        {{ convert_money(to_money('contracted_cost'), 'exchange_rate') }} as x_contracted_cost_in_reporting_currency
    from converted
)

select * from final
