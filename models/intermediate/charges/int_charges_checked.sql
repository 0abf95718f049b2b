{%- set rules = focus_row_rules(columns='internal') %}
-- A table: every FOCUS row is checked against every FOCUS row rule once here; the FOCUS dataset,
-- the commitment and allocation models (through int_charges_unioned) and the reconciliation (through
-- int_source_line_items_unioned) all read the result.
-- All providers' FOCUS-conformed rows (snake_case FOCUS names), one union branch per
-- provider, completed where FOCUS asks for one answer across providers, then checked:
--   * account names (D45): the user's accounts.csv, else the name the export states, else the id;
--   * one ServiceCategory per ServiceName across the whole dataset (FOCUS ServiceName-C-005-C,
--     D48): the category the providers' own service maps (our seeds) give the name most often, else the one
--     most of its rows state; a subcategory of another category becomes `Other (<category>)`;
--   * the FOCUS row rules (macros/focus_row_rules.sql): `broken_focus_rule` names the first rule a
--     row breaks. A source row is usable only when every FOCUS row made from it holds every rule:
--     otherwise all of them carry `quarantine_reason` (D46), int_charges_unioned leaves them out and
--     int_source_line_items_unioned quarantines the source row with that reason, so the row is
--     listed in quarantine_line_items and the bill still reconciles to the cent.
-- The providers come from var('providers'), each through its int_<provider>__charges_conformed
-- (the provider contract, macros/provider_contract.sql).
with

unioned as (
    {{ union_providers('charges_conformed') }}
),

accounts as (
    select * from {{ ref('stg_mappings__accounts') }}
),

subcategories as (
    select * from {{ ref('focus_service_subcategories') }}
),

-- The categories each ServiceName is given: by how many rows the providers' own service maps (the
-- seeds of the AWS, Azure and Google Cloud conform) give it, and by how many rows in all (a native
-- export states its own).
service_category_votes as (
    select
        service_name,
        service_category,
        count(*) filter (where source_name <> 'focus') as service_map_row_count,
        count(*) as row_count
    from unioned
    group by 1, 2
),

service_name_categories as (
    select
        service_name,
        service_category
    from service_category_votes
    qualify row_number() over (
        partition by service_name
        order by service_map_row_count desc, row_count desc, service_category asc
    ) = 1
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
