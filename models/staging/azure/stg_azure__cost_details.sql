-- One row per row of an Azure cost details export (actual or amortized cost; EA or MCA names,
-- already matched by the loader): renamed, typed and classified only. `quarantine_reason` names why
-- the row cannot be used; which rows FOCUS carries, and what each counts on each basis, is decided
-- in int_azure__cost_details (see concept_azure_in_focus).
{%- set amounts = [
    ('cost_in_billing_currency', 'cost'),
    ('payg_cost_in_billing_currency', 'payg_cost'),
    ('cost_in_pricing_currency', 'cost_in_pricing_currency'),
    ('exchange_rate_pricing_to_billing', 'pricing_to_billing_rate'),
    ('quantity', 'quantity'),
    ('effective_price', 'effective_price'),
    ('unit_price', 'unit_price'),
    ('payg_price', 'payg_price'),
] %}
with

source as (
    select * from {{ source('azure', 'cost_details') }}
),

charge_types as (
    select * from {{ ref('azure_charge_types') }}
),

currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

typed as (
    select
        'azure' as source_name,
        _export_name as export_name,
        _delivery_id as delivery_id,
        _source_file as source_file,
        _source_row_number as source_row_number,
        _delivery_flavour as delivery_flavour,
        _assembly_id as export_run_id,
        _export_type as export_type,
        nullif(trim(billing_account_id), '') as azure_billing_account_id,
        nullif(trim(billing_profile_id), '') as billing_profile_id,
        -- FOCUS BillingAccountId is the scope an invoice is issued for: the billing profile (MCA);
        -- EA exports repeat the enrollment number there, and older EA exports lack the column.
        coalesce(nullif(trim(billing_profile_id), ''), nullif(trim(billing_account_id), '')) as billing_account_id,
        coalesce(nullif(trim(billing_profile_name), ''), nullif(trim(billing_account_name), ''))
            as billing_account_name,
        coalesce(nullif(trim(billing_profile_id), '') <> nullif(trim(billing_account_id), ''), false) as is_mca,
        {{ parse_day('billing_period_start_date') }} as billing_period_start,
        -- Azure states the period's last day; FOCUS periods end exclusively, the next midnight.
        {{ parse_day('billing_period_end_date') }} + interval 1 day as billing_period_end,
        {{ parse_day('date') }} as charge_day,
        nullif(trim(invoice_id), '') as invoice_id,
        nullif(trim(invoice_section_name), '') as invoice_section_name,
        nullif(trim(subscription_id), '') as subscription_id,
        nullif(trim(subscription_name), '') as subscription_name,
        nullif(trim(resource_group), '') as resource_group,
        nullif(trim(resource_id), '') as resource_id,
        nullif(trim(resource_name), '') as resource_name,
        nullif(trim(resource_location), '') as resource_location,
        nullif(trim(availability_zone), '') as availability_zone,
        nullif(trim(product_name), '') as product_name,
        nullif(trim(product_id), '') as product_id,
        nullif(trim(part_number), '') as part_number,
        nullif(trim(meter_id), '') as meter_id,
        nullif(trim(meter_name), '') as meter_name,
        nullif(trim(meter_category), '') as meter_category,
        nullif(trim(meter_sub_category), '') as meter_sub_category,
        nullif(trim(meter_region), '') as meter_region,
        nullif(trim(service_family), '') as service_family,
        nullif(trim(consumed_service), '') as consumed_service,
        nullif(trim(unit_of_measure), '') as unit_of_measure,
        upper(nullif(trim(billing_currency), '')) as billing_currency,
        upper(nullif(trim(pricing_currency), '')) as pricing_currency,
        nullif(trim(charge_type), '') as charge_type,
        nullif(trim(pricing_model), '') as pricing_model,
        nullif(trim(frequency), '') as frequency,
        nullif(trim(reservation_id), '') as reservation_id,
        nullif(trim(benefit_id), '') as benefit_id,
        coalesce(nullif(trim(benefit_name), ''), nullif(trim(reservation_name), '')) as commitment_name,
        nullif(trim(term), '') as term,
        nullif(trim(publisher_type), '') as publisher_type,
        nullif(trim(publisher_name), '') as publisher_name,
        nullif(trim(cost_center), '') as cost_center,
        nullif(trim(tags), '') as tags_text,
        -- noqa: disable=LT02
        {{ try_to_money_columns(amounts) }}
        {{ first_unparseable_amount(amounts) }} as unparseable_amount_column
        -- noqa: enable=LT02
    from source
),

classified as (
    select
        typed.*,
        charge_types.charge_category as type_charge_category,
        charge_types.charge_class as type_charge_class,
        charge_types.commitment_discount_status as type_commitment_discount_status,
        coalesce(typed.pricing_model in ('Reservation', 'SavingsPlan'), false) as is_commitment_pricing,
        coalesce(
            typed.charge_type in ('Purchase', 'Refund') and typed.pricing_model in ('Reservation', 'SavingsPlan'), false
        ) as is_commitment_purchase,
        -- The commitment: the order in BenefitId (newer exports), else ReservationId. Azure states a
        -- purchase against the order (`.../reservationOrders/<order>/reservations/`) and usage
        -- against the reservation in it (`.../reservations/<id>`): the order path links the two, so
        -- a commitment's purchases, usage and unused rows share one id (D41).
        case
            when typed.benefit_id is not null
                then regexp_replace(typed.benefit_id, '/(reservations|savingsPlans)(/[^/]*)?/?$', '', 'i')
            else typed.reservation_id
        end as commitment_discount_id,
        -- The pricing block in UnitOfMeasure ("100 Hours", "10K", "1 GB/Month"): its number (with
        -- a K or M multiplier) and the unit it counts. Quantity is in single units.
        coalesce(
            try_cast(regexp_extract(typed.unit_of_measure, '^\s*([0-9]+)', 1) as bigint)
            * case upper(regexp_extract(typed.unit_of_measure, '^\s*[0-9]+\s*([KkMm])(\s|$)', 1))
                when 'K' then 1000
                when 'M' then 1000000
                else 1
            end,
            1
        ) as pricing_block_size,
        nullif(trim(regexp_extract(typed.unit_of_measure, '^\s*[0-9]*\s*(?:[KkMm](?:\s+|$))?(.*)$', 1)), '')
            as unit_text,
        -- Tags: a JSON object, or its members without the braces (older exports).
        try_cast(
            case when starts_with(typed.tags_text, '{') then typed.tags_text else '{' || typed.tags_text || '}' end
            as json
        ) as tags_json
    from typed
    left join charge_types
        on typed.charge_type = charge_types.charge_type
),

checked as (
    select
        classified.*,
        case
            when classified.tags_text is null then null
            when coalesce(json_type(classified.tags_json), '') <> 'OBJECT' then null
            -- Read key by key (a key given twice keeps its first value; a cast to MAP would fail the
            -- whole build on it); values are taken as text, and empty ones dropped (D44).
            else nullif(to_json(map_from_entries(list_filter(
                list_transform(
                    list_distinct(json_keys(classified.tags_json)),
                    k -> {
                        'key': k,
                        'value': json_extract_string(classified.tags_json, '$."' || replace(k, '"', '\"') || '"')
                    }
                ),
                e -> nullif(trim(e.value), '') is not null
            )))::varchar, '{}')
        end as tags
    from classified
),

quarantined as (
    select
        checked.*,
        case
            when checked.cost is null then 'unparseable or missing cost (CostInBillingCurrency / Cost)'
            when checked.unparseable_amount_column is not null
                then 'unparseable amount in ' || checked.unparseable_amount_column
            when checked.billing_account_id is null then 'missing BillingAccountId / BillingProfileId'
            when checked.billing_period_start is null or checked.billing_period_end is null
                then 'unparseable or missing billing period dates'
            when checked.billing_period_end <= checked.billing_period_start
                then 'BillingPeriodEndDate before BillingPeriodStartDate'
            when checked.charge_day is null then 'unparseable or missing Date'
            -- A day outside its billing period is a date read in the wrong order (3 August written
            -- 03/08 read as 8 March) or a broken row: never carried into another period.
            when checked.charge_day < checked.billing_period_start or checked.charge_day >= checked.billing_period_end
                then 'Date outside the billing period (is it written day first?)'
            when checked.charge_type is null then 'missing ChargeType'
            when checked.type_charge_category is null then 'unknown charge type ' || checked.charge_type
            when checked.billing_currency is null then 'missing billing currency'
            when currencies.currency_code is null then 'unknown currency code ' || checked.billing_currency
            when
                (checked.is_commitment_pricing or checked.type_commitment_discount_status is not null)
                and checked.commitment_discount_id is null
                then checked.charge_type || ' of a reservation or savings plan without BenefitId or ReservationId'
            when checked.tags_text is not null and coalesce(json_type(checked.tags_json), '') <> 'OBJECT'
                then 'Tags is not a JSON object (with or without braces)'
        end as quarantine_reason
    from checked
    left join currencies
        on checked.billing_currency = currencies.currency_code
),

final as (
    select * exclude (tags_json)
    from quarantined
)

select * from final
