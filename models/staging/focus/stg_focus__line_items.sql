-- One row per row of a native FOCUS export (1.0, 1.1 or 1.2), typed. Enumerated values are
-- brought to the spec's spelling ('Usage-based' -> 'Usage-Based'); other values are kept as the
-- export states them. Columns that an older FOCUS version lacks are NULL here and are filled in
-- int_focus__charges_conformed. `quarantine_reason` names why a row cannot be used.
with

source as (
    select * from {{ source('focus', 'line_items') }}
),

currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

typed as (
    select
        'focus' as source_name,
        _export_name as export_name,
        _delivery_id as delivery_id,
        _source_file as source_file,
        _source_row_number as source_row_number,
        _delivery_flavour as delivery_flavour,
        nullif(trim(availability_zone), '') as availability_zone,
        {{ try_to_money('billed_cost') }} as billed_cost,
        nullif(trim(billing_account_id), '') as billing_account_id,
        nullif(trim(billing_account_name), '') as billing_account_name,
        nullif(trim(billing_account_type), '') as billing_account_type,
        upper(nullif(trim(billing_currency), '')) as billing_currency,
        {{ parse_utc_timestamp('billing_period_end') }} as billing_period_end,
        {{ parse_utc_timestamp('billing_period_start') }} as billing_period_start,
        nullif(trim(capacity_reservation_id), '') as capacity_reservation_id,
        nullif(trim(capacity_reservation_status), '') as capacity_reservation_status,
        {{ canonical_value('charge_category', ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment']) }} as charge_category,
        {{ canonical_value('charge_class', ['Correction']) }} as charge_class,
        nullif(trim(charge_description), '') as charge_description,
        {{ canonical_value('charge_frequency', ['One-Time', 'Recurring', 'Usage-Based']) }} as charge_frequency,
        {{ parse_utc_timestamp('charge_period_end') }} as charge_period_end,
        {{ parse_utc_timestamp('charge_period_start') }} as charge_period_start,
        {{ canonical_value('commitment_discount_category', ['Spend', 'Usage']) }} as commitment_discount_category,
        nullif(trim(commitment_discount_id), '') as commitment_discount_id,
        nullif(trim(commitment_discount_name), '') as commitment_discount_name,
        {{ try_to_money('commitment_discount_quantity') }} as commitment_discount_quantity,
        {{ canonical_value('commitment_discount_status', ['Used', 'Unused']) }} as commitment_discount_status,
        nullif(trim(commitment_discount_type), '') as commitment_discount_type,
        nullif(trim(commitment_discount_unit), '') as commitment_discount_unit,
        {{ try_to_money('consumed_quantity') }} as consumed_quantity,
        nullif(trim(consumed_unit), '') as consumed_unit,
        {{ try_to_money('contracted_cost') }} as contracted_cost,
        {{ try_to_money('contracted_unit_price') }} as contracted_unit_price,
        {{ try_to_money('effective_cost') }} as effective_cost,
        nullif(trim(invoice_id), '') as invoice_id,
        nullif(trim(invoice_issuer_name), '') as invoice_issuer_name,
        {{ try_to_money('list_cost') }} as list_cost,
        {{ try_to_money('list_unit_price') }} as list_unit_price,
        {{ canonical_value('pricing_category', ['Standard', 'Dynamic', 'Committed', 'Other']) }} as pricing_category,
        upper(nullif(trim(pricing_currency), '')) as pricing_currency,
        {{ try_to_money('pricing_currency_contracted_unit_price') }} as pricing_currency_contracted_unit_price,
        {{ try_to_money('pricing_currency_effective_cost') }} as pricing_currency_effective_cost,
        {{ try_to_money('pricing_currency_list_unit_price') }} as pricing_currency_list_unit_price,
        {{ try_to_money('pricing_quantity') }} as pricing_quantity,
        nullif(trim(pricing_unit), '') as pricing_unit,
        nullif(trim(provider_name), '') as provider_name,
        nullif(trim(publisher_name), '') as publisher_name,
        nullif(trim(region_id), '') as region_id,
        nullif(trim(region_name), '') as region_name,
        nullif(trim(resource_id), '') as resource_id,
        nullif(trim(resource_name), '') as resource_name,
        nullif(trim(resource_type), '') as resource_type,
        nullif(trim(service_category), '') as service_category,
        nullif(trim(service_name), '') as service_name,
        nullif(trim(service_subcategory), '') as service_subcategory,
        nullif(trim(sku_id), '') as sku_id,
        nullif(trim(sku_meter), '') as sku_meter,
        nullif(trim(sku_price_details), '') as sku_price_details,
        nullif(trim(sku_price_id), '') as sku_price_id,
        nullif(trim(sub_account_id), '') as sub_account_id,
        nullif(trim(sub_account_name), '') as sub_account_name,
        nullif(trim(sub_account_type), '') as sub_account_type,
        nullif(trim(tags), '') as tags
    from source
),

checked as (
    select
        typed.*,
        case
            when typed.billed_cost is null then 'unparseable or missing BilledCost'
            when typed.effective_cost is null then 'unparseable or missing EffectiveCost'
            when typed.billing_account_id is null then 'missing BillingAccountId'
            when typed.billing_period_start is null or typed.billing_period_end is null
                then 'unparseable or missing billing period dates'
            when typed.charge_period_start is null or typed.charge_period_end is null
                then 'unparseable or missing charge period dates'
            when typed.billing_period_end <= typed.billing_period_start then 'BillingPeriodEnd not after BillingPeriodStart'
            when typed.charge_period_end < typed.charge_period_start then 'ChargePeriodEnd before ChargePeriodStart'
            when
                typed.charge_category not in ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')
                or typed.charge_category is null
                then 'unknown ChargeCategory ' || coalesce(typed.charge_category, '(missing)')
            when typed.billing_currency is null then 'missing BillingCurrency'
            when currencies.currency_code is null then 'unknown currency code ' || typed.billing_currency
            when typed.provider_name is null then 'missing ProviderName'
            when
                typed.tags is not null
                and coalesce(case when json_valid(typed.tags) then json_type(typed.tags) end, '') <> 'OBJECT'
                then 'Tags is not a JSON object'
        end as quarantine_reason
    from typed
    left join currencies
        on typed.billing_currency = currencies.currency_code
),

final as (
    select * from checked
)

select * from final
