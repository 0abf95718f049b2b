{#- Every amount and quantity read from the export besides `cost`: (raw column, staged name). -#}
{%- set amounts = [
    ('usage_amount', 'usage_quantity'),
    ('usage_amount_in_pricing_units', 'usage_amount_in_pricing_units'),
    ('cost_at_list', 'cost_at_list'),
    ('price_effective_price', 'price_effective_price'),
    ('price_pricing_unit_quantity', 'price_pricing_unit_quantity'),
    ('currency_conversion_rate', 'currency_conversion_rate'),
] -%}
{#- Google's credit types, each summed into its own column (credits_<type, lower case>). -#}
{%- set credit_types = [
    'COMMITTED_USAGE_DISCOUNT',
    'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE',
    'SUSTAINED_USAGE_DISCOUNT',
    'FREE_TIER',
    'PROMOTION',
    'DISCOUNT',
    'SUBSCRIPTION_BENEFIT',
    'RESELLER_MARGIN',
] -%}
{%- set credit_struct =
    '[{"name": "VARCHAR", "amount": "VARCHAR", "full_name": "VARCHAR", "id": "VARCHAR", "type": "VARCHAR"}]' -%}
{%- set label_struct = '[{"key": "VARCHAR", "value": "VARCHAR"}]' -%}
-- A table, not a view: parsing the credits and label arrays from JSON is the costliest staging step
-- per row, and the conform, the reconciliation, the quarantine and their tests all read it (D23).
-- One row per Google Cloud billing export row (standard or detailed export), typed. Nothing is
-- dropped: a row that cannot be used keeps its values and gets a `quarantine_reason`.
--   * `cost` excludes credits; `credits` is a JSON array of {name, amount, full_name, id, type}
--     whose amounts are negative. Google's billed amount is cost + Σ credits.amount
--     (`gcp_billed_cost`); the credits are also summed per type.
--   * `invoice.month` (YYYYMM) is the billing period: its first day to the next month's, UTC.
--   * labels, project labels and system labels are JSON arrays of {key, value}; they are unpacked
--     here and flattened into FOCUS Tags in int_gcp__charges_conformed.
with

source as (
    select * from {{ source('gcp', 'billing_export') }}
    where {{ delivery_to_rebuild('_delivery_id') }}
),

currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

typed as (
    select
        'gcp' as source_name,
        _export_name as export_name,
        _delivery_id as delivery_id,
        _source_file as source_file,
        _source_row_number as source_row_number,
        _delivery_flavour as delivery_flavour,
        _assembly_id as assembly_id,
        nullif(trim(billing_account_id), '') as billing_account_id,
        nullif(trim(service_id), '') as service_id,
        nullif(trim(service_description), '') as service_description,
        nullif(trim(sku_id), '') as sku_id,
        nullif(trim(sku_description), '') as sku_description,
        {{ parse_utc_timestamp('usage_start_time') }} as usage_start_time,
        {{ parse_utc_timestamp('usage_end_time') }} as usage_end_time,
        {{ parse_utc_timestamp('export_time') }} as export_time,
        nullif(trim(project_id), '') as project_id,
        nullif(trim(project_number), '') as project_number,
        nullif(trim(project_name), '') as project_name,
        nullif(trim(location_location), '') as location_location,
        nullif(trim(location_country), '') as location_country,
        nullif(trim(location_region), '') as location_region,
        nullif(trim(location_zone), '') as location_zone,
        nullif(trim(resource_name), '') as resource_name,
        nullif(trim(resource_global_name), '') as resource_global_name,
        upper(nullif(trim(currency), '')) as billing_currency,
        nullif(trim(usage_unit), '') as usage_unit,
        nullif(trim(usage_pricing_unit), '') as usage_pricing_unit,
        nullif(trim(price_unit), '') as price_unit,
        nullif(trim(invoice_month), '') as invoice_month,
        lower(nullif(trim(cost_type), '')) as cost_type,
        nullif(trim(adjustment_info_id), '') as adjustment_info_id,
        nullif(trim(adjustment_info_description), '') as adjustment_info_description,
        nullif(trim(adjustment_info_mode), '') as adjustment_info_mode,
        nullif(trim(adjustment_info_type), '') as adjustment_info_type,
        upper(nullif(trim(transaction_type), '')) as transaction_type,
        nullif(trim(seller_name), '') as seller_name,
        nullif(trim(subscription_instance_id), '') as subscription_instance_id,
        -- The billing period: invoice.month as YYYYMM (a month Google invoices in, UTC).
        case
            when regexp_full_match(trim(invoice_month), '[0-9]{4}(0[1-9]|1[0-2])')
                then cast(strptime(trim(invoice_month), '%Y%m') as timestamp)
        end as billing_period_start,
        {{ try_to_money('cost') }} as gcp_cost,
        -- noqa: disable=LT02
        {{ try_to_money_columns(amounts) }}
        {{ first_unparseable_amount(amounts) }} as unparseable_amount_column,
        -- noqa: enable=LT02
        nullif(trim(credits), '') as credits_json,
        nullif(trim(labels), '') as labels_json,
        nullif(trim(project_labels), '') as project_labels_json,
        nullif(trim(system_labels), '') as system_labels_json,
        -- JSON text that is valid and an array (or absent / JSON null) can be unpacked.
        -- noqa: disable=LT02
        {%- for column in ['credits', 'labels', 'project_labels', 'system_labels'] %}
        case
            when nullif(trim({{ column }}), '') is null then true
            when not json_valid({{ column }}) then false
            else json_type({{ column }}) in ('ARRAY', 'NULL')
        end as has_readable_{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from source
),

unpacked as (
    select
        typed.*,
        typed.billing_period_start + interval 1 month as billing_period_end,
        case
            when typed.has_readable_credits and json_type(typed.credits_json) = 'ARRAY'
                then from_json(typed.credits_json, '{{ credit_struct }}')
        end as credit_list,
        case
            when typed.has_readable_labels and json_type(typed.labels_json) = 'ARRAY'
                then from_json(typed.labels_json, '{{ label_struct }}')
        end as labels,
        case
            when typed.has_readable_project_labels and json_type(typed.project_labels_json) = 'ARRAY'
                then from_json(typed.project_labels_json, '{{ label_struct }}')
        end as project_labels,
        case
            when typed.has_readable_system_labels and json_type(typed.system_labels_json) = 'ARRAY'
                then from_json(typed.system_labels_json, '{{ label_struct }}')
        end as system_labels
    from typed
),

credits as (
    select
        unpacked.*,
        -- A credit whose amount is missing or does not parse makes the row's billed amount unknown.
        coalesce(
            len(list_filter(unpacked.credit_list, c -> {{ try_to_money('c.amount') }} is null)) > 0, false
        ) as has_unparseable_credit,
        coalesce(
            list_sum(list_transform(unpacked.credit_list, c -> {{ try_to_money('c.amount') }})), {{ to_money(0) }}
        ) as credits_total,
        {%- for credit_type in credit_types %}
            coalesce(list_sum(list_transform(
                list_filter(unpacked.credit_list, c -> upper(trim(c.type)) = '{{ credit_type }}'),
                c -> {{ try_to_money('c.amount') }}
            )), {{ to_money(0) }}) as credits_{{ credit_type | lower }},
        {%- endfor %}
        -- Credits of a type Google may add later: kept in the total, summed here.
        coalesce(list_sum(list_transform(
            list_filter(
                unpacked.credit_list,
                c -> coalesce(upper(trim(c.type)), '') not in (
                    '{{ credit_types | join("', '") }}'
                )
            ),
            c -> {{ try_to_money('c.amount') }}
        )), {{ to_money(0) }}) as credits_other,
        -- The commitment a committed use discount credit comes from (its id, else its name).
        list_transform(
            list_filter(unpacked.credit_list, c -> upper(trim(c.type)) = 'COMMITTED_USAGE_DISCOUNT'),
            c -> coalesce(nullif(trim(c.id), ''), nullif(trim(c.name), ''))
        )[1] as resource_cud_credit_id,
        list_transform(
            list_filter(unpacked.credit_list, c -> upper(trim(c.type)) = 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE'),
            c -> coalesce(nullif(trim(c.id), ''), nullif(trim(c.name), ''))
        )[1] as spend_cud_credit_id
    from unpacked
),

checked as (
    select
        credits.*,
        -- Google's own billed amount: cost plus its (negative) credits.
        case
            when credits.has_readable_credits and not credits.has_unparseable_credit
                then credits.gcp_cost + credits.credits_total
        end as gcp_billed_cost,
        -- The first reason a row cannot be used; NULL for a good row.
        case
            when credits.gcp_cost is null then 'unparseable or missing cost'
            when not credits.has_readable_credits then 'malformed credits JSON'
            when credits.has_unparseable_credit then 'unparseable credit amount'
            when credits.unparseable_amount_column is not null
                then 'unparseable amount in ' || credits.unparseable_amount_column
            when credits.billing_account_id is null then 'missing billing_account_id'
            when credits.billing_period_start is null then 'unparseable or missing invoice.month'
            when credits.usage_start_time is null or credits.usage_end_time is null
                then 'unparseable or missing usage dates'
            when credits.usage_end_time < credits.usage_start_time then 'usage end before usage start'
            when credits.billing_currency is null then 'missing currency'
            when currencies.currency_code is null then 'unknown currency code ' || credits.billing_currency
            when credits.cost_type is null then 'missing cost_type'
            when credits.cost_type not in ('regular', 'tax', 'adjustment', 'rounding_error')
                then 'unknown cost_type ' || credits.cost_type
            when not (
                credits.has_readable_labels and credits.has_readable_project_labels
                and credits.has_readable_system_labels
            ) then 'malformed labels JSON'
        end as quarantine_reason
    from credits
    left join currencies
        on credits.billing_currency = currencies.currency_code
),

final as (
    select
        * exclude (
            has_readable_credits, has_readable_labels, has_readable_project_labels,
            has_readable_system_labels, labels_json, project_labels_json, system_labels_json, credit_list
        )
    from checked
)

select * from final
