-- The daily usage cost (effective cost, reporting currency) of each usage optimisation action's
-- scope (optimisation_actions.csv; every action but a commitment purchase), from savings_history_days
-- before the action to the as-of day (int_savings_actions), one row per day: days
-- without cost in the scope are 0, so a scope switched off is seen to stop.
-- The scope is a filter on the export's rows: every filled column of the action must match the row
-- (provider, billing account, sub account, service, region, resource id, and a tag `dimension=value`
-- matched on the row's resolved tags, int_tags_resolved). Usage charges only (ChargeCategory Usage),
-- measured on effective cost: what the scope costs after every discount, so a saving on usage a
-- commitment covers is valued at the commitment's rate, never at on-demand prices (concept_savings_realized).
-- Grain: one row per usage action and UTC charge day.
with

actions as (
    select * from {{ ref('int_savings_actions') }}
    where saving_kind = 'usage'
),

usage_slices as (
    select
        charge_date,
        billing_currency,
        billing_period_start,
        provider_name,
        billing_account_id,
        sub_account_id,
        service_name,
        region_id,
        resource_id,
        tags,
        effective_cost
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage'
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
        usage_slices.charge_date,
        usage_slices.billing_currency,
        usage_slices.billing_period_start,
        sum(usage_slices.effective_cost) as effective_cost
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

rates as (
    select * from {{ ref('int_reporting_currency_rates') }}
),

converted as (
    select
        in_scope.action_id,
        in_scope.charge_date,
        sum({{ convert_money('in_scope.effective_cost', 'rates.exchange_rate') }}) as effective_cost
    from in_scope
    inner join rates
        on
            in_scope.billing_currency = rates.billing_currency
            and cast(in_scope.billing_period_start as date) = rates.billing_month
    group by all
),

days as (
    select
        action_id,
        implemented_on,
        as_of_date,
        reporting_currency,
        cast(unnest(generate_series(
            cast(implemented_on - {{ var('savings_history_days') }} as timestamp),
            cast(as_of_date as timestamp),
            interval 1 day
        )) as date) as charge_date
    from actions
),

final as (
    select
        days.action_id,
        days.charge_date,
        days.implemented_on,
        days.as_of_date,
        days.reporting_currency,
        days.charge_date >= days.implemented_on as is_after_action,
        coalesce(converted.effective_cost, 0) as effective_cost
    from days
    left join converted
        on
            days.action_id = converted.action_id
            and days.charge_date = converted.charge_date
)

select * from final
