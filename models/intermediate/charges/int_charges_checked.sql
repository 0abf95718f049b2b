{%- set rules = focus_row_rules(columns='internal') %}
-- A table: every FOCUS row is checked against every FOCUS row rule once here; the FOCUS dataset,
-- the commitment and allocation models (through int_charges_unioned) and the reconciliation (through
-- int_source_line_items_unioned) all read the result.
-- All providers' FOCUS-conformed rows (snake_case FOCUS names), one union branch per
-- provider, completed where FOCUS asks for one answer across providers, then checked:
--   * account names (D45): the user's accounts.csv, else the name the export states, else the id;
--   * one ServiceCategory per ServiceName across the whole dataset (FOCUS ServiceName-C-005-C,
--     D48, int_service_name_categories); a subcategory of another category becomes
--     `Other (<category>)`;
--   * the FOCUS row rules (macros/focus_row_rules.sql): `broken_focus_rule` names the first rule a
--     row breaks. A source row is usable only when every FOCUS row made from it holds every rule:
--     otherwise all of them carry `quarantine_reason` (D46), int_charges_unioned leaves them out and
--     int_source_line_items_unioned quarantines the source row with that reason, so the row is
--     listed in quarantine_line_items and the bill still reconciles to the cent.
-- The providers come from var('providers'), each through its int_<provider>__charges_conformed
-- (the provider contract, macros/provider_contract.sql).
{#- Incremental by delivery (D61): the deliveries not yet built, and those holding a ServiceName
    whose one category (int_service_name_categories, counted over every delivery) is no longer the
    one their rows hold. Both are looked up when the model runs and inlined as literals. -#}
{%- set rebuilt = [] %}
{%- if incremental_by_delivery() and execute %}
    {%- set recategorized = delivery_ids(
        "select distinct existing.delivery_id from " ~ this ~ " as existing inner join "
        ~ ref('int_service_name_categories') ~ " as categories on existing.service_name = categories.service_name "
        ~ "where existing.service_category is distinct from categories.service_category"
    ) %}
    {%- set rebuilt = (deliveries_not_built() + recategorized) | unique | sort %}
{%- endif %}
with

unioned as (
    {{ union_providers(
        'charges_conformed',
        where=('delivery_id in ' ~ sql_in_list(rebuilt)) if incremental_by_delivery() else none
    ) }}
),

accounts as (
    select * from {{ ref('stg_mappings__accounts') }}
),

subcategories as (
    select * from {{ ref('focus_service_subcategories') }}
),

service_name_categories as (
    select * from {{ ref('int_service_name_categories') }}
),

completed as (
    select
        unioned.* exclude (billing_account_name, sub_account_name, service_category, service_subcategory),
        coalesce(billing_accounts.account_name, unioned.billing_account_name, unioned.billing_account_id)
            as billing_account_name,
        case
            when unioned.sub_account_id is not null
                then coalesce(sub_accounts.account_name, unioned.sub_account_name, unioned.sub_account_id)
        end as sub_account_name,
        coalesce(service_name_categories.service_category, unioned.service_category) as service_category,
        case
            when service_name_categories.service_category is null or subcategories.service_subcategory is not null
                then unioned.service_subcategory
            else 'Other (' || service_name_categories.service_category || ')'
        end as service_subcategory
    from unioned
    left join service_name_categories
        on unioned.service_name = service_name_categories.service_name
    left join accounts as billing_accounts
        on unioned.billing_account_id = billing_accounts.account_id
    left join accounts as sub_accounts
        on unioned.sub_account_id = sub_accounts.account_id
    left join subcategories
        on
            service_name_categories.service_category = subcategories.service_category
            and unioned.service_subcategory = subcategories.service_subcategory
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
    from completed
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
        -- Which dbt invocation wrote the row: focus_cost_and_usage rebuilds the deliveries this one did.
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
