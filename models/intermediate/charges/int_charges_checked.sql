{%- set rules = focus_row_rules(columns='internal') %}
-- A table: every FOCUS row is checked against every FOCUS row rule once here; the FOCUS dataset,
-- the commitment and allocation models (through int_charges_unioned) and the reconciliation (through
-- int_source_line_items_unioned) all read the result.
-- All providers' FOCUS-conformed rows (snake_case FOCUS names), one union branch per provider,
-- each computed here from its int_<provider>__charges_conformed view (the provider contract,
-- macros/provider_contract.sql; var('providers')), and checked against the FOCUS row rules
-- (macros/focus_row_rules.sql): `broken_focus_rule` names the first rule a row breaks. A source
-- row is usable only when every FOCUS row made from it holds every rule: int_charges_rule_breaks
-- lists the source rows that do not, with their reason (D46), int_charges_unioned leaves all their
-- FOCUS rows out and int_source_line_items_unioned quarantines them with that reason, so the row is
-- listed in quarantine_line_items and the bill still reconciles to the cent. That is read, not
-- stored here: joined to this query's own rows, it made DuckDB keep a second copy of every checked
-- row (43 s of 120 s at 10 M rows, D74).
-- Account names are completed here (D45): the user's accounts.csv, else the name the export
-- states, else the id (a row rule reads SubAccountName). ServiceCategory and ServiceSubcategory
-- are kept as the provider states them: int_charges_unioned gives each ServiceName its one category
-- when it is read (D48), so an answer taken from every delivery never rewrites a delivery here and
-- int_service_name_categories counts its votes from this table (D73). No row rule reads them.
{#- Incremental by delivery (D61): the deliveries not yet built, every delivery in a full refresh,
    written in batches when they are many rows (D82). The conform views are filtered by those ids
    as literals, so DuckDB reads only their raw partitions. #}
with

unioned as (
    {{ union_providers(
        'charges_conformed',
        where=delivery_batch(deliveries_not_built() if incremental_by_delivery() else none)
    ) }}
),

accounts as (
    select * from {{ ref('stg_mappings__accounts') }}
),

named as (
    select
        unioned.* exclude (billing_account_name, sub_account_name),
        coalesce(billing_accounts.account_name, unioned.billing_account_name, unioned.billing_account_id)
            as billing_account_name,
        case
            when unioned.sub_account_id is not null
                then coalesce(sub_accounts.account_name, unioned.sub_account_name, unioned.sub_account_id)
        end as sub_account_name
    from unioned
    left join accounts as billing_accounts
        on unioned.billing_account_id = billing_accounts.account_id
    left join accounts as sub_accounts
        on unioned.sub_account_id = sub_accounts.account_id
),

checked as (
    select
        *,
        -- noqa: disable=LT02
        case
            {%- for name, expression in rules.items() %}
            when not coalesce(({{ expression }}), false) then '{{ name }}'
            {%- endfor %}
        end as broken_focus_rule
        -- noqa: enable=LT02
    from named
),

final as (
    select
        *,
        -- Which dbt invocation wrote the row: the daily split rebuilds the deliveries this one did, and
        -- an incremental build's key tests look at them (D61, D63).
        '{{ this_invocation() }}' as built_by_invocation
    from checked
)

select * from final
