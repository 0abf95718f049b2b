{%- set rules = focus_row_rules(columns='internal') %}
-- A table: every FOCUS row is checked against every FOCUS row rule once here; the FOCUS dataset,
-- the commitment and allocation models (through int_charges_unioned) and the reconciliation (through
-- int_source_line_items_unioned) all read the result.
-- All providers' FOCUS-conformed rows (snake_case FOCUS names), one union branch per provider,
-- each computed here from its int_<provider>__charges_conformed view (the provider contract,
-- macros/provider_contract.sql; var('providers')), and checked against the FOCUS row rules
-- (macros/focus_row_rules.sql): `broken_focus_rule` names the first rule a row breaks. A source
-- row is usable only when every FOCUS row made from it holds every rule: otherwise all of them
-- carry `quarantine_reason` (D46), int_charges_unioned leaves them out and
-- int_source_line_items_unioned quarantines the source row with that reason, so the row is listed
-- in quarantine_line_items and the bill still reconciles to the cent.
-- Account names are completed here (D45): the user's accounts.csv, else the name the export
-- states, else the id (a row rule reads SubAccountName). ServiceCategory and ServiceSubcategory
-- are kept as the provider states them: int_charges_unioned gives each ServiceName its one category
-- when it is read (D48), so an answer taken from every delivery never rewrites a delivery here and
-- int_service_name_categories counts its votes from this table (D73). No row rule reads them.
{#- Incremental by delivery (D61): the deliveries not yet built. The conform views are filtered by
    those ids as literals, so DuckDB reads only their raw partitions. #}
with

unioned as (
    {{ union_providers(
        'charges_conformed',
        where=('delivery_id in ' ~ sql_in_list(deliveries_not_built())) if incremental_by_delivery() else none
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

-- Source rows one of whose FOCUS rows breaks a rule (an AWS fee row gives a Purchase row and an
-- Unused row; if either breaks a rule, neither is published).
broken_source_rows as (
    select
        source_file,
        source_row_number,
        min(broken_focus_rule) as broken_focus_rule
    from checked
    where broken_focus_rule is not null
    group by 1, 2
),

final as (
    select
        checked.*,
        -- Which dbt invocation wrote the row: the daily split rebuilds the deliveries this one did, and
        -- an incremental build's key tests look at them (D61, D63).
        '{{ this_invocation() }}' as built_by_invocation,
        case
            when broken_source_rows.broken_focus_rule is not null
                then 'breaks FOCUS rule ' || broken_source_rows.broken_focus_rule || ' (macros/focus_row_rules.sql)'
        end as quarantine_reason
    from checked
    left join broken_source_rows
        on
            checked.source_file = broken_source_rows.source_file
            and checked.source_row_number = broken_source_rows.source_row_number
)

select * from final
