-- Optimisation actions whose scope matches no usage cost at all in the warehouse (a mistyped account,
-- service or resource id, or a tag value nothing carries), or whose commitment is not in the bill: their
-- savings cannot be measured (fct_savings_realized says no_baseline). A warning, not an error: the other
-- actions stand; fix the row in optimisation_actions.csv.
{{ config(severity='warn') }}

select
    actions.action_id,
    actions.action_type
from {{ ref('int_savings_actions') }} as actions
where
    (
        actions.saving_kind = 'usage'
        and not exists (
            select 1
            from {{ ref('int_savings_scope_days') }} as scope_days
            where scope_days.action_id = actions.action_id and scope_days.scope_cost <> 0
        )
    )
    or (
        actions.saving_kind = 'commitment'
        and not exists (
            select 1
            from {{ ref('int_charges_split_by_day') }} as slices
            where slices.commitment_discount_id = actions.commitment_discount_id
        )
    )
