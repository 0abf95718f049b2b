-- The daily usage cost (effective cost, reporting currency) of every series anomalies are looked for in,
-- one row per series and day from the series' first day with cost to the last day with cost anywhere (the
-- as-of day), days without cost as 0 so that a series that stops spending is seen to stop.
-- Series are leaves, so that moves in opposite directions elsewhere cannot cancel an anomaly out:
--   * `leaf`:  provider × billing account × service × region (the export's own rows);
--   * `owner`: each owner after allocation (fct_cost_allocated's pieces), so a team sees its anomalies.
-- Usage charges only (ChargeCategory Usage: usage, covered and unused commitment): buying a commitment,
-- a tax billed at month end, a credit or a one-off adjustment is not an anomaly (concept_cost_anomalies).
-- Grain: one row per series and UTC charge day.
with

slices as (
    select
        charge_date,
        billing_currency,
        billing_period_start,
        provider_name,
        billing_account_id,
        effective_cost,
        coalesce(service_name, '(no service)') as service_name,
        coalesce(region_id, '(no region)') as region_id
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage'
),

pieces as (
    select
        charge_date,
        billing_currency,
        billing_period_start,
        owner,
        effective_cost
    from {{ ref('int_charges_allocated') }}
    where charge_category = 'Usage'
),

grouped as (
    select
        'leaf' as series_grain,
        provider_name || ' / ' || billing_account_id || ' / ' || service_name || ' / ' || region_id as series_value,
        provider_name,
        billing_account_id,
        service_name,
        region_id,
        cast(null as varchar) as owner,
        charge_date,
        billing_currency,
        billing_period_start,
        sum(effective_cost) as effective_cost
    from slices
    group by all
    union all
    select
        'owner' as series_grain,
        owner as series_value,
        null as provider_name,
        null as billing_account_id,
        null as service_name,
        null as region_id,
        owner,
        charge_date,
        billing_currency,
        billing_period_start,
        sum(effective_cost) as effective_cost
    from pieces
    group by all
),

converted as (
    select
        grouped.series_grain,
        grouped.series_value,
        grouped.provider_name,
        grouped.billing_account_id,
        grouped.service_name,
        grouped.region_id,
        grouped.owner,
        grouped.charge_date,
        rates.reporting_currency,
        grouped.series_grain || ':' || grouped.series_value as series_id,
        {{ convert_money('grouped.effective_cost', 'rates.exchange_rate') }} as effective_cost
    from grouped
    {{ join_reporting_rates('grouped') }}
),

daily as (
    -- a series' attributes are the same on every row of it: grouping by them groups by the series
    select
        series_id,
        series_grain,
        series_value,
        provider_name,
        billing_account_id,
        service_name,
        region_id,
        owner,
        reporting_currency,
        charge_date,
        sum(effective_cost) as effective_cost
    from converted
    group by all
),

series as (
    select
        series_id,
        series_grain,
        series_value,
        provider_name,
        billing_account_id,
        service_name,
        region_id,
        owner,
        reporting_currency,
        min(charge_date) filter (where effective_cost <> 0) as first_day
    from daily
    group by all
),

as_of as (
    select max(charge_date) as as_of_date
    from daily
    where effective_cost <> 0
),

final as (
    select
        series.series_id,
        series.series_grain,
        series.series_value,
        series.provider_name,
        series.billing_account_id,
        series.service_name,
        series.region_id,
        series.owner,
        series.reporting_currency,
        cast(day_start.generate_series as date) as charge_date,
        coalesce(daily.effective_cost, 0) as effective_cost
    from series
    cross join as_of
    cross join
        generate_series(
            cast(series.first_day as timestamp), cast(as_of.as_of_date as timestamp), interval 1 day
        ) as day_start
    left join daily
        on
            series.series_id = daily.series_id
            and cast(day_start.generate_series as date) = daily.charge_date
    where series.first_day is not null
)

select * from final
