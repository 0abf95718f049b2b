-- One row per AWS Cost and Usage Report line item of a current delivery, legacy CUR (CSV or its
-- Athena parquet flavour) and CUR 2.0 alike: renamed, typed and categorised only. Money goes
-- through try_to_money (text that does not parse becomes NULL and the row is quarantined with the
-- reason), timestamps through parse_utc_timestamp, the line item type is looked up in the
-- aws_line_item_types seed. What a row means for the bill is decided in intermediate/providers/aws.
-- A payer's data comes through exactly one export (assert_each_aws_bill_comes_from_one_export), so
-- staging both never doubles a bill.
{#- Every amount and quantity the warehouse reads: (CUR column, staged name). -#}
{%- set amounts = [
    ('line_item_usage_amount', 'usage_amount'),
    ('line_item_normalized_usage_amount', 'normalized_usage_amount'),
    ('line_item_unblended_rate', 'unblended_rate'),
    ('line_item_unblended_cost', 'unblended_cost'),
    ('line_item_net_unblended_cost', 'net_unblended_cost'),
    ('pricing_public_on_demand_cost', 'public_on_demand_cost'),
    ('pricing_public_on_demand_rate', 'public_on_demand_rate'),
    ('reservation_effective_cost', 'ri_effective_cost'),
    ('reservation_net_effective_cost', 'ri_net_effective_cost'),
    ('reservation_amortized_upfront_fee_for_billing_period', 'ri_amortized_upfront_fee_for_billing_period'),
    ('reservation_unused_amortized_upfront_fee_for_billing_period', 'ri_unused_amortized_upfront_fee'),
    ('reservation_net_unused_amortized_upfront_fee_for_billing_period', 'ri_net_unused_amortized_upfront_fee'),
    ('reservation_unused_recurring_fee', 'ri_unused_recurring_fee'),
    ('reservation_net_unused_recurring_fee', 'ri_net_unused_recurring_fee'),
    ('reservation_unused_quantity', 'ri_unused_quantity'),
    ('savings_plan_savings_plan_rate', 'sp_rate'),
    ('savings_plan_savings_plan_effective_cost', 'sp_effective_cost'),
    ('savings_plan_net_savings_plan_effective_cost', 'sp_net_effective_cost'),
    ('savings_plan_total_commitment_to_date', 'sp_total_commitment_to_date'),
    ('savings_plan_used_commitment', 'sp_used_commitment'),
    ('savings_plan_amortized_upfront_commitment_for_billing_period', 'sp_amortized_upfront_commitment'),
    ('savings_plan_recurring_commitment_for_billing_period', 'sp_recurring_commitment'),
    ('reservation_number_of_reservations', 'ri_number_of_reservations'),
    ('reservation_upfront_value', 'ri_upfront_value')
] %}
with

-- Both AWS exports: the loader names legacy CUR (CSV or Athena parquet) and CUR 2.0 columns
-- alike, the Athena way (D5), so one query stages both; `source_name` keeps which export a row is.
source as (
    select
        'aws_cur' as source_name,
        *
    from {{ source('aws_cur', 'line_items') }}
    union all by name
    select
        'aws_cur2' as source_name,
        *
    from {{ source('aws_cur2', 'line_items') }}
),

line_item_types as (
    select * from {{ ref('aws_line_item_types') }}
),

currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

typed as (
    select
        source_name,
        _export_name as export_name,
        _delivery_id as delivery_id,
        _source_file as source_file,
        _source_row_number as source_row_number,
        _delivery_flavour as delivery_flavour,
        _assembly_id as assembly_id,
        nullif(trim(identity_line_item_id), '') as line_item_id,
        nullif(trim(bill_invoice_id), '') as invoice_id,
        nullif(trim(bill_invoicing_entity), '') as invoicing_entity,
        nullif(trim(bill_billing_entity), '') as billing_entity,
        nullif(trim(bill_bill_type), '') as bill_type,
        nullif(trim(bill_payer_account_id), '') as payer_account_id,
        nullif(trim(bill_payer_account_name), '') as payer_account_name,
        {{ parse_utc_timestamp('bill_billing_period_start_date') }} as billing_period_start,
        {{ parse_utc_timestamp('bill_billing_period_end_date') }} as billing_period_end,
        nullif(trim(line_item_usage_account_id), '') as usage_account_id,
        nullif(trim(line_item_usage_account_name), '') as usage_account_name,
        nullif(trim(line_item_line_item_type), '') as line_item_type,
        {{ parse_utc_timestamp('line_item_usage_start_date') }} as usage_start,
        {{ parse_utc_timestamp('line_item_usage_end_date') }} as usage_end,
        nullif(trim(line_item_product_code), '') as product_code,
        nullif(trim(line_item_usage_type), '') as usage_type,
        nullif(trim(line_item_operation), '') as operation,  -- noqa: RF04
        nullif(trim(line_item_availability_zone), '') as availability_zone,
        nullif(trim(line_item_resource_id), '') as resource_id,
        upper(nullif(trim(line_item_currency_code), '')) as currency_code,
        nullif(trim(line_item_line_item_description), '') as line_item_description,
        nullif(trim(line_item_tax_type), '') as tax_type,
        nullif(trim(line_item_legal_entity), '') as legal_entity,
        coalesce(nullif(trim(product_product_name), ''), nullif(trim(line_item_product_code), '')) as product_name,
        nullif(trim(product_product_family), '') as product_family,
        coalesce(nullif(trim(product_region_code), ''), nullif(trim(product_region), '')) as region_code,
        nullif(trim(product_location), '') as region_name,
        coalesce(nullif(trim(product_servicecode), ''), nullif(trim(line_item_product_code), '')) as service_code,
        nullif(trim(product_instance_type), '') as instance_type,
        nullif(trim(product_sku), '') as sku,
        nullif(trim(pricing_rate_code), '') as rate_code,
        nullif(trim(pricing_term), '') as pricing_term,
        nullif(trim(pricing_unit), '') as pricing_unit,
        nullif(trim(pricing_purchase_option), '') as purchase_option,
        nullif(trim(reservation_reservation_a_r_n), '') as reservation_arn,
        nullif(trim(savings_plan_savings_plan_a_r_n), '') as savings_plan_arn,
        nullif(trim(savings_plan_offering_type), '') as sp_offering_type,
        -- The commitment's own terms, repeated on its rows (read by int_aws__commitments).
        nullif(trim(pricing_lease_contract_length), '') as lease_contract_length,
        {{ parse_utc_timestamp('reservation_start_time') }} as reservation_start,
        {{ parse_utc_timestamp('reservation_end_time') }} as reservation_end,
        {{ parse_utc_timestamp('savings_plan_start_time') }} as savings_plan_start,
        {{ parse_utc_timestamp('savings_plan_end_time') }} as savings_plan_end,
        nullif(trim(savings_plan_payment_option), '') as sp_payment_option,
        nullif(trim(savings_plan_purchase_term), '') as sp_purchase_term,
        {{ try_to_money_columns(amounts) }}
        -- The first amount whose text is there but does not parse: the row is quarantined rather
        -- than carried with that amount missing or replaced by another column.
        {{ first_unparseable_amount(amounts) }} as unparseable_amount_column,
        resource_tags,
        cost_category
    from source
),

checked as (
    select
        typed.*,
        line_item_types.charge_category as type_charge_category,
        line_item_types.charge_frequency as type_charge_frequency,
        -- The first reason a row cannot be used; NULL for a good row.
        case
            when typed.unblended_cost is null then 'unparseable or missing lineItem/UnblendedCost'
            when typed.unparseable_amount_column is not null
                then 'unparseable amount in ' || typed.unparseable_amount_column
            when typed.payer_account_id is null then 'missing bill/PayerAccountId'
            when typed.usage_account_id is null then 'missing lineItem/UsageAccountId'
            when typed.billing_period_start is null or typed.billing_period_end is null
                then 'unparseable or missing billing period dates'
            when typed.billing_period_end <= typed.billing_period_start then 'billing period end not after its start'
            when typed.usage_start is null or typed.usage_end is null then 'unparseable or missing usage dates'
            when typed.usage_end < typed.usage_start then 'usage end date before usage start date'
            when typed.line_item_type is null then 'missing lineItem/LineItemType'
            when line_item_types.line_item_type is null then 'unknown line item type ' || typed.line_item_type
            when typed.currency_code is null then 'missing lineItem/CurrencyCode'
            when currencies.currency_code is null then 'unknown currency code ' || typed.currency_code
            when typed.line_item_type = 'DiscountedUsage' and typed.ri_effective_cost is null
                then 'DiscountedUsage without a parseable reservation/EffectiveCost'
            when typed.line_item_type = 'SavingsPlanCoveredUsage' and typed.sp_effective_cost is null
                then 'SavingsPlanCoveredUsage without a parseable savingsPlan/SavingsPlanEffectiveCost'
            when
                typed.line_item_type = 'SavingsPlanRecurringFee'
                and (typed.sp_total_commitment_to_date is null or typed.sp_used_commitment is null)
                then 'SavingsPlanRecurringFee without parseable commitment amounts'
            when
                typed.line_item_type = 'RIFee'
                and coalesce(typed.ri_net_unused_recurring_fee, typed.ri_unused_recurring_fee) is null
                then 'RIFee without a parseable reservation/UnusedRecurringFee'
            when typed.line_item_type in ('DiscountedUsage', 'RIFee') and typed.reservation_arn is null
                then typed.line_item_type || ' without a reservation ARN'
            when
                typed.line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
                and typed.savings_plan_arn is null
                then typed.line_item_type || ' without a Savings Plan ARN'
        end as quarantine_reason
    from typed
    left join line_item_types
        on typed.line_item_type = line_item_types.line_item_type
    left join currencies
        on typed.currency_code = currencies.currency_code
),

final as (
    select * from checked
)

select * from final
