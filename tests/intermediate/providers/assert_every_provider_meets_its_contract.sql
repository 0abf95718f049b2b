-- Every provider in var('providers') exposes each contract model with exactly the contract's
-- columns and types (macros/provider_contract.sql): one row per column missing, extra or of another
-- type. The unions select the contract's columns by name, so a missing one already fails the build;
-- this test also catches a column too many (a misspelt name the union would leave out) and a type
-- that differs (a union would coerce it silently).
with

expected as (
    {%- for provider in var('providers') %}
        {%- set outer_loop = loop %}
        {%- for contract in ['charges_conformed', 'source_amounts'] %}
            {%- set relation = ref('int_' ~ provider ~ '__' ~ contract) %}
            {%- set contract_loop = loop %}
            {%- for column, type in provider_contract_columns(contract) %}
                select
                    '{{ relation.database }}' as table_catalog,
                    '{{ relation.schema }}' as table_schema,
                    '{{ relation.identifier }}' as table_name,
                    '{{ column }}' as column_name,
                    '{{ contract_type(type) }}' as contract_type
                {{ "union all" if not (outer_loop.last and contract_loop.last and loop.last) }}
            {%- endfor %}
        {%- endfor %}
    {%- endfor %}
),

contract_models as (
    select distinct
        table_catalog,
        table_schema,
        table_name
    from expected
),

actual as (
    select
        columns_.table_catalog,
        columns_.table_schema,
        columns_.table_name,
        columns_.column_name,
        columns_.data_type
    from information_schema.columns as columns_
    inner join contract_models
        on
            columns_.table_catalog = contract_models.table_catalog
            and columns_.table_schema = contract_models.table_schema
            and columns_.table_name = contract_models.table_name
),

final as (
    select
        coalesce(expected.table_name, actual.table_name) as model_name,
        coalesce(expected.column_name, actual.column_name) as column_name,
        case
            when actual.column_name is null then 'missing (the contract has it as ' || expected.contract_type || ')'
            when expected.column_name is null then 'not in the contract'
            else actual.data_type || ', the contract says ' || expected.contract_type
        end as problem
    from expected
    full outer join actual
        on
            expected.table_catalog = actual.table_catalog
            and expected.table_schema = actual.table_schema
            and expected.table_name = actual.table_name
            and expected.column_name = actual.column_name
    where
        actual.column_name is null
        or expected.column_name is null
        or replace(lower(actual.data_type), ' ', '') <> replace(lower(expected.contract_type), ' ', '')
)

select * from final
