-- The daily usage cost of each usage optimisation action's scope (optimisation_actions.csv; every
-- action but a commitment purchase), in each billing currency the scope is billed in, from
-- savings_history_days before the action to the action's as-of day, one row per day: days without
-- cost in the scope are 0, so a scope switched off is seen to stop.
-- The scope is a filter on the export's rows: every filled column of the action must match the row
-- (provider, billing account, sub account, service, region, resource id, and a tag `dimension=value`
-- matched on the row's resolved tags, int_tags_resolved). Usage charges only (ChargeCategory Usage)
-- without the unused-commitment rows (they belong to the commitment, in the rate rows), measured at a
-- rate that a commitment cannot move (concept_savings_realized, DECISIONLOG D70): usage a commitment
-- covered at its contracted cost, other usage at its effective cost. A commitment bought after the
-- action therefore does not lower the scope's cost (its saving is the commitment's, counted once), and
-- usage an action removes from under a commitment is worth what the commitment loses by it.
-- Billing currency, not converted: the counterfactual is fitted in the currency the scope is billed
-- in, and fct_savings_realized converts it and the actual at the same month's rate, so an exchange
-- rate move is not a saving.
-- The action's as-of day is the earliest last day of use delivered by the billing accounts' exports
-- that bill its scope (an export that lags does not read as a scope that stopped spending); an export
-- more than savings_export_lag_days behind the warehouse's as-of day has ended and is not waited for;
-- the warehouse's as-of day when none is left.
-- Grain: one row per usage action, billing currency and UTC charge day.
with

actions as (
    select * from {{ ref('int_savings_actions') }}
    where saving_kind = 'usage'
),

usage_slices as (
    select
        charge_date,
        billing_currency,
        provider_name,
        billing_account_id,
        sub_account_id,
        service_name,
        region_id,
        resource_id,
        tags,
        effective_cost,
        case when commitment_discount_status = 'Used' then contracted_cost else effective_cost end as scope_cost
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage' and commitment_discount_status is distinct from 'Unused'
),

export_as_of as (
    -- the last day of use each billing account's export has delivered (usage rows, whatever their
    -- cost; a monthly fee's slices reach its month end and say nothing about delivery)
    select
        provider_name,
        billing_account_id,
        max(charge_date) as as_of_date
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage'
    group by all
),

action_tags as (
    -- the Tags texts that resolve to an action's tag filter
    select distinct
        actions.action_id,
        tags_resolved.tags
    from actions
    inner join {{ ref('int_tags_resolved') }} as tags_resolved
        on actions.tag_filter = tags_resolved.dimension || '=' || tags_resolved.dimension_value
    where tags_resolved.value_status = 'valid'
),

in_scope as (
    select
        actions.action_id,
        usage_slices.provider_name,
        usage_slices.billing_account_id,
        usage_slices.billing_currency,
        usage_slices.charge_date,
        sum(usage_slices.scope_cost) as scope_cost
    from usage_slices
    inner join actions
        on
            usage_slices.charge_date >= actions.implemented_on - {{ var('savings_history_days') }}
            and (actions.provider_name is null or usage_slices.provider_name = actions.provider_name)
            and (actions.billing_account_id is null or usage_slices.billing_account_id = actions.billing_account_id)
            and (actions.sub_account_id is null or usage_slices.sub_account_id = actions.sub_account_id)
            and (actions.service_name is null or usage_slices.service_name = actions.service_name)
            and (actions.region_id is null or usage_slices.region_id = actions.region_id)
            and (actions.resource_id is null or usage_slices.resource_id = actions.resource_id)
    left join action_tags
        on
            actions.action_id = action_tags.action_id
            and usage_slices.tags = action_tags.tags
    where actions.tag_filter is null or action_tags.tags is not null
    group by all
),

scope_accounts as (
    select distinct
        action_id,
        provider_name,
        billing_account_id
    from in_scope
),

action_as_of as (
    -- the earliest last day among the exports that bill the scope and still deliver: an export more
    -- than savings_export_lag_days behind the warehouse's as-of day has ended (an account closed, a
    -- provider left), a nearer one lags
    select
        actions.action_id,
        min(export_as_of.as_of_date) as as_of_date
    from actions
    inner join scope_accounts
        on actions.action_id = scope_accounts.action_id
    inner join export_as_of
        on
            scope_accounts.provider_name = export_as_of.provider_name
            and scope_accounts.billing_account_id = export_as_of.billing_account_id
    where export_as_of.as_of_date >= actions.as_of_date - {{ var('savings_export_lag_days') }}
    group by all
),

billed as (
    select distinct
        action_id,
        billing_currency
    from in_scope
),

scope_currencies as (
    -- the currencies each scope is billed in; a scope without cost gets the reporting currency
    select
        actions.action_id,
        actions.implemented_on,
        coalesce(action_as_of.as_of_date, actions.as_of_date) as as_of_date,
        coalesce(billed.billing_currency, actions.reporting_currency) as billing_currency
    from actions
    left join action_as_of
        on actions.action_id = action_as_of.action_id
    left join billed
        on actions.action_id = billed.action_id
),

days as (
    select
        action_id,
        billing_currency,
        implemented_on,
        as_of_date,
        cast(unnest(generate_series(
            cast(implemented_on - {{ var('savings_history_days') }} as timestamp),
            cast(as_of_date as timestamp),
            interval 1 day
        )) as date) as charge_date
    from scope_currencies
),

daily as (
    select
        action_id,
        billing_currency,
        charge_date,
        sum(scope_cost) as scope_cost
    from in_scope
    group by all
),

final as (
    select
        days.action_id,
        days.billing_currency,
        days.charge_date,
        days.implemented_on,
        days.as_of_date,
        days.action_id || ' / ' || days.billing_currency as series_id,
        days.charge_date >= days.implemented_on as is_after_action,
        coalesce(daily.scope_cost, 0) as scope_cost
    from days
    left join daily
        on
            days.action_id = daily.action_id
            and days.billing_currency = daily.billing_currency
            and days.charge_date = daily.charge_date
)

select * from final
