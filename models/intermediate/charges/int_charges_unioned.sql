-- The FOCUS rows this warehouse publishes, all providers in one relation (snake_case FOCUS names):
-- every row of int_charges_checked whose source row holds every FOCUS row rule (it is not in
-- int_charges_rule_breaks), with one ServiceCategory per ServiceName across the whole dataset (FOCUS
-- ServiceName-C-005-C, D48, int_service_name_categories); a subcategory of another category becomes
-- `Other (<category>)`.
-- The category is completed here, when the rows are read, because it is one answer taken from every
-- delivery: a new delivery that changes it then rewrites no checked row (D73).
-- The FOCUS dataset, the commitment models and allocation read this; the rows left out are
-- quarantined (D46).
with

rule_breaks as (
    select * from {{ ref('int_charges_rule_breaks') }}
),

-- Every FOCUS row of a source row none of whose FOCUS rows breaks a rule. An anti join, not `not
-- exists`: DuckDB plans the subquery as a join over every checked row (1.0 s per read at 10 M rows,
-- against 0.2 s with 20 source rows to leave out; D74).
checked as (
    select charges.* exclude (broken_focus_rule, built_by_invocation)  -- noqa: RF02
    from {{ ref('int_charges_checked') }} as charges
    anti join rule_breaks
        on
            charges.source_file = rule_breaks.source_file
            and charges.source_row_number = rule_breaks.source_row_number
),

subcategories as (
    select * from {{ ref('focus_service_subcategories') }}
),

service_name_categories as (
    select * from {{ ref('int_service_name_categories') }}
),

final as (
    select
        checked.* exclude (service_category, service_subcategory),
        coalesce(service_name_categories.service_category, checked.service_category) as service_category,
        case
            when service_name_categories.service_category is null or subcategories.service_subcategory is not null
                then checked.service_subcategory
            else 'Other (' || service_name_categories.service_category || ')'
        end as service_subcategory
    from checked
    left join service_name_categories
        on checked.service_name = service_name_categories.service_name
    left join subcategories
        on
            service_name_categories.service_category = subcategories.service_category
            and checked.service_subcategory = subcategories.service_subcategory
)

select * from final
