-- The daily cost of every series a forecast is made for, in the reporting currency: the whole
-- bill, each provider, billing account, owner (after allocation) and service category. One pass
-- over the allocation's pieces (Σ pieces of a day = the day's cost, so every grain adds up to the
-- bill; int_charges_allocated, the table behind fct_cost_allocated), grouped to a few rows per day
-- before any conversion.
-- Each day's cost is split by kind, because a forecast must not learn from money that does not
-- recur like usage (concept_cost_forecast):
--   * usage: every charge that is not a purchase (usage, unused commitment, tax, credits,
--     adjustments); what the forecasting models learn from;
--   * recurring purchase: a Purchase with ChargeFrequency Recurring (a support plan, a monthly
--     commitment fee); known ahead, carried forward as a known amount;
--   * one-time purchase: every other Purchase (an upfront commitment, a one-off fee); in the
--     actuals, never learned from nor repeated.
-- Tag series (grain `tag`, value `dimension=value`) exist for the tag values a budget or a planned
-- change names (budgets.csv, forecast_adjustments.csv): the direct cost of the daily slices whose
-- Tags resolve to that value (before shared-cost rules, which move cost between owners, not tags).
-- They need not add up to the bill.
-- Grain: one row per series and UTC charge day with cost.
with

-- Not materialised: two places read it (every piece, and the purchase pieces with their frequency),
-- and DuckDB would keep a copy of every piece to serve both; scanning the table again is cheaper (D78).
pieces as not materialized (
    select
        charge_date,
        billing_currency,
        billing_period_start,
        provider_name,
        billing_account_id,
        service_category,
        owner,
        charge_category,
        source_file,
        source_row_number,
        row_kind,
        billed_cost,
        effective_cost
    from {{ ref('int_charges_allocated') }}
),

purchase_frequency as (
    select distinct
        source_file,
        source_row_number,
        row_kind,
        charge_frequency
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Purchase'
),

classified as (
    select
        charge_date,
        billing_currency,
        billing_period_start,
        provider_name,
        billing_account_id,
        service_category,
        owner,
        billed_cost,
        effective_cost,
        'usage' as cost_kind
    from pieces
    where charge_category <> 'Purchase'
    union all
    -- the few purchase pieces alone take their frequency (a join on every piece would cost a scan
    -- of the daily split's keys)
    select
        pieces.charge_date,
        pieces.billing_currency,
        pieces.billing_period_start,
        pieces.provider_name,
        pieces.billing_account_id,
        pieces.service_category,
        pieces.owner,
        pieces.billed_cost,
        pieces.effective_cost,
        case
            when purchase_frequency.charge_frequency = 'Recurring' then 'recurring_purchase'
            else 'one_time_purchase'
        end as cost_kind
    from pieces
    left join purchase_frequency
        on
            pieces.source_file = purchase_frequency.source_file
            and pieces.source_row_number = purchase_frequency.source_row_number
            and pieces.row_kind = purchase_frequency.row_kind
    where pieces.charge_category = 'Purchase'
),

planning_tags as (
    -- the tag values a budget or a planned change names
    select scope_value as tag_scope
    from {{ ref('stg_mappings__budgets') }}
    where scope_type = 'tag'
    union
    select scope_value as tag_scope
    from {{ ref('stg_mappings__forecast_adjustments') }}
    where scope_type = 'tag'
),

tagged_slices as (
    select
        slices.charge_date,
        slices.billing_currency,
        slices.billing_period_start,
        resolved.dimension || '=' || resolved.dimension_value as tag_scope,
        case
            when slices.charge_category <> 'Purchase' then 'usage'
            when slices.charge_frequency = 'Recurring' then 'recurring_purchase'
            else 'one_time_purchase'
        end as cost_kind,
        sum(slices.billed_cost) as billed_cost,
        sum(slices.effective_cost) as effective_cost
    from {{ ref('int_charges_split_by_day') }} as slices
    inner join {{ ref('int_tags_resolved') }} as resolved
        on slices.tags = resolved.tags
    inner join planning_tags
        on resolved.dimension || '=' || resolved.dimension_value = planning_tags.tag_scope
    where resolved.value_status = 'valid'
    group by all
),

daily as (
    select
        charge_date,
        billing_currency,
        billing_period_start,
        provider_name,
        billing_account_id,
        service_category,
        owner,
        cost_kind,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from classified
    group by all
),

to_convert as (
    -- the allocation's days and the planning tag values' days, converted together
    select
        *,
        cast(null as varchar) as tag_scope
    from daily
    union all
    select
        charge_date,
        billing_currency,
        billing_period_start,
        null as provider_name,
        null as billing_account_id,
        null as service_category,
        null as owner,
        cost_kind,
        billed_cost,
        effective_cost,
        tag_scope
    from tagged_slices
),

converted as (
    select
        to_convert.charge_date,
        to_convert.provider_name,
        to_convert.billing_account_id,
        to_convert.service_category,
        to_convert.owner,
        to_convert.tag_scope,
        to_convert.cost_kind,
        rates.reporting_currency,
        {{ convert_money('to_convert.billed_cost', 'rates.exchange_rate') }} as billed_cost,
        {{ convert_money('to_convert.effective_cost', 'rates.exchange_rate') }} as effective_cost
    from to_convert
    {{ join_reporting_rates('to_convert') }}
),

{%- set grains = [
    ('total', "'all'"),
    ('provider', 'provider_name'),
    ('billing_account', "provider_name || ' / ' || billing_account_id"),
    ('owner', 'owner'),
    ('service_category', 'service_category'),
] %}

series as (
    {%- for grain, value in grains %}
        select
            '{{ grain }}' as series_grain,
            {{ value }} as series_value,
            charge_date,
            reporting_currency,
            cost_kind,
            billed_cost,
            effective_cost
        from converted
        where tag_scope is null
        union all
    {%- endfor %}
    select
        'tag' as series_grain,
        tag_scope as series_value,
        charge_date,
        reporting_currency,
        cost_kind,
        billed_cost,
        effective_cost
    from converted
    where tag_scope is not null
),

final as (
    select
        series_grain || ':' || series_value as series_id,
        series_grain,
        series_value,
        charge_date,
        reporting_currency,
        {%- for kind in ['usage', 'recurring_purchase', 'one_time_purchase'] %}
            {%- for basis in ['billed', 'effective'] %}
                sum(case when cost_kind = '{{ kind }}' then {{ basis }}_cost else 0 end)
                    as {{ kind }}_{{ basis }}_cost,
            {%- endfor %}
        {%- endfor %}
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from series
    group by all
)

select * from final
