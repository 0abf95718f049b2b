-- Every optimisation action (optimisation_actions.csv) with the warehouse's as-of day (the last day
-- with usage cost anywhere, as the forecasts'), to which a commitment purchase is measured and which a
-- usage action falls back to (int_savings_scope_days measures it to its own exports' last day), and
-- the reporting currency.
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
