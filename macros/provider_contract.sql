{#- The provider contract (DECISIONLOG D57). Every provider in var('providers') has, in
    models/intermediate/providers/<provider>/, one model per contract below, named
    int_<provider>__<contract>, with exactly these columns and types:

      charges_conformed  its FOCUS rows (snake_case FOCUS names, then lineage): what the FOCUS
                         dataset, the commitment models and allocation read, after
                         int_charges_checked checks the row rules.
      source_amounts     one row per raw row of its exports, with what the row adds to the bill on
                         each basis and what it gives FOCUS: the raw side of the reconciliation and
                         the quarantine (int_source_line_items_unioned).

    provider_contract_columns(contract)  [(column, type)] in the order the unions select them;
                                          type is one of text, integer, timestamp, money, boolean.
    contract_type(type)                   the SQL type of one of those names on this adapter.
    union_providers(contract, columns, where)
                                          `select <contract columns> from int_<p>__<contract>
                                          [where <where>]` for every provider, joined by `union
                                          all` (columns: a subset, by name, when not all are read). A provider
                                          lacking a column fails the build here; one with a
                                          column too many fails the test
                                          assert_every_provider_meets_its_contract. -#}
{% macro provider_contract_columns(contract) -%}
    {%- set contracts = {
        'charges_conformed': [
            ('provider_name', 'text'), ('source_name', 'text'), ('export_name', 'text'),
            ('delivery_id', 'text'), ('source_file', 'text'), ('source_row_number', 'integer'),
            ('billing_account_id', 'text'), ('billing_account_name', 'text'), ('billing_account_type', 'text'),
            ('sub_account_id', 'text'), ('sub_account_name', 'text'), ('sub_account_type', 'text'),
            ('billing_currency', 'text'), ('billing_period_start', 'timestamp'), ('billing_period_end', 'timestamp'),
            ('invoice_id', 'text'), ('charge_category', 'text'), ('charge_class', 'text'),
            ('charge_description', 'text'), ('charge_frequency', 'text'), ('pricing_category', 'text'),
            ('billed_cost', 'money'), ('effective_cost', 'money'), ('list_unit_price', 'money'),
            ('contracted_unit_price', 'money'), ('pricing_quantity', 'money'), ('pricing_unit', 'text'),
            ('consumed_quantity', 'money'), ('consumed_unit', 'text'),
            ('commitment_discount_id', 'text'), ('commitment_discount_category', 'text'),
            ('commitment_discount_type', 'text'), ('commitment_discount_status', 'text'),
            ('commitment_discount_quantity', 'money'), ('commitment_discount_unit', 'text'),
            ('availability_zone', 'text'), ('resource_id', 'text'), ('resource_name', 'text'),
            ('resource_type', 'text'), ('sku_id', 'text'), ('sku_meter', 'text'), ('sku_price_id', 'text'),
            ('tags', 'text'), ('commitment_discount_name', 'text'), ('capacity_reservation_id', 'text'),
            ('capacity_reservation_status', 'text'), ('sku_price_details', 'text'),
            ('pricing_currency_contracted_unit_price', 'money'), ('pricing_currency_list_unit_price', 'money'),
            ('invoice_issuer_name', 'text'), ('publisher_name', 'text'), ('list_cost', 'money'),
            ('contracted_cost', 'money'), ('service_category', 'text'), ('service_subcategory', 'text'),
            ('service_name', 'text'), ('charge_period_start', 'timestamp'), ('charge_period_end', 'timestamp'),
            ('region_id', 'text'), ('region_name', 'text'), ('pricing_currency', 'text'),
            ('pricing_currency_effective_cost', 'money'), ('invoicing_entity', 'text'),
            ('source_line_item_id', 'text'), ('source_line_item_type', 'text'), ('row_kind', 'text'),
        ],
        'source_amounts': [
            ('source_name', 'text'), ('export_name', 'text'), ('delivery_id', 'text'), ('source_file', 'text'),
            ('source_row_number', 'integer'), ('source_line_item_id', 'text'), ('source_line_item_type', 'text'),
            ('billing_account_id', 'text'), ('billing_period_start', 'timestamp'), ('billing_currency', 'text'),
            ('billed_basis_cost', 'money'), ('amortized_basis_cost', 'money'),
            ('provider_billed_cost', 'money'), ('provider_amortized_cost', 'money'),
            ('is_netted_savings_plan_row', 'boolean'), ('is_amount_unknown', 'boolean'),
            ('quarantine_reason', 'text'),
        ],
    } -%}
    {%- if contract not in contracts -%}
        {{ exceptions.raise_compiler_error("unknown provider contract '" ~ contract ~ "': one of " ~ contracts.keys() | list | join(', ')) }}
    {%- endif -%}
    {{ return(contracts[contract]) }}
{%- endmacro %}

{% macro contract_type(type) -%}
    {%- if type == 'money' -%}{{ money_type() }}
    {%- elif type == 'text' -%}varchar
    {%- elif type == 'integer' -%}bigint
    {%- elif type == 'timestamp' -%}timestamp
    {%- elif type == 'boolean' -%}boolean
    {%- else -%}{{ exceptions.raise_compiler_error("unknown contract type " ~ type) }}
    {%- endif -%}
{%- endmacro %}

{% macro union_providers(contract, columns=none, where=none) -%}
    {%- set names = columns or provider_contract_columns(contract) | map(attribute=0) | list %}
    {%- for provider in var('providers') %}
    select
        {%- for column in names %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_' ~ provider ~ '__' ~ contract) }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
