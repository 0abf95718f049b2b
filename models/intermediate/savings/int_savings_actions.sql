-- Every optimisation action (optimisation_actions.csv) with the day its savings are measured to: the
-- as-of day, the last day with usage cost anywhere in the warehouse (as the forecasts'), and the
-- reporting currency they are measured in. Read by the scope days and fct_savings_realized, so both
-- measure to the same day.
-- Grain: one row per action.
with

actions as (
    select * from {{ ref('stg_mappings__optimisation_actions') }}
),

as_of as (
    select max(charge_date) as as_of_date
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage' and effective_cost <> 0
),

reporting as (
    select min(reporting_currency) as reporting_currency
    from {{ ref('int_reporting_currency_rates') }}
),

final as (
    select
        actions.*,
        as_of.as_of_date,
        reporting.reporting_currency
    from actions
    cross join as_of
    cross join reporting
)

select * from final
