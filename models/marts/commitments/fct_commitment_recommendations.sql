{%- set discount = var('commitment_discount_rate') -%}
{%- set drop = var('commitment_downside_usage_drop') -%}
{%- set lookback_hours = (var('commitment_lookback_days') | int) * 24 -%}
{%- set term_hours = (var('commitment_term_years') | int) * 8760 -%}
-- What to commit to next: for each provider and billing account (all its eligible usage, as a Compute
-- Savings Plan covers it), and for each service and region in it, with on-demand
-- commitment-eligible usage in the look-back window (the last commitment_lookback_days days of data),
-- the hourly commitment that would have maximised net savings over that window, at a discount of
-- commitment_discount_rate off the on-demand price, for a commitment_term_years term.
-- Method (doc block concept_commitment_recommendations): u_h = on-demand-equivalent cost of
-- uncovered eligible usage in hour h (0 for hours without any). A commitment of L per hour (in
-- on-demand-equivalent cost) costs L × (1 − d) every hour and saves min(u_h, L) of on-demand cost,
-- so over N hours net(L) = Σ_h min(u_h, L) − N × L × (1 − d). net is piecewise linear in L with
-- its breakpoints at the observed u_h, so the best L is one of them (the d-quantile of u_h);
-- every one is evaluated exactly, in one sort per group. Ties go to the smaller commitment.
with

-- Not materialised: two places read it (the window and the eligible usage), and DuckDB would keep a
-- copy of every FOCUS row to serve both; reading the view again is cheaper (D78).
charges as not materialized (
    select * from {{ ref('int_charges_unioned') }}
),

eligibility_rules as (
    select * from {{ ref('int_commitment_eligibility_rules') }}
),

-- The window ends with the account's last hour of usage: monthly fees, tax and purchases dated over
-- a term run past the data and would add hours of no usage.
usage_end_per_account as (
    select
        billing_account_id,
        date_trunc('hour', max(charge_period_end)) as lookback_end
    from charges
    where
        charge_category = 'Usage'
        and charge_period_end - charge_period_start <= interval 1 day
    group by 1
),

window_per_account as (
    select
        billing_account_id,
        lookback_end,
        lookback_end - to_hours({{ lookback_hours }}) as lookback_start
    from usage_end_per_account
),

-- Uncovered, on-demand, commitment-eligible usage in the window.
eligible_on_demand as (
    select
        charges.provider_name,
        charges.billing_account_id,
        charges.billing_currency,
        charges.service_name,
        charges.region_id,
        charges.source_file,
        charges.source_row_number,
        charges.row_kind,
        charges.charge_period_start,
        charges.charge_period_end,
        charges.contracted_cost,
        window_per_account.lookback_start,
        window_per_account.lookback_end
    from charges
    inner join window_per_account
        on charges.billing_account_id = window_per_account.billing_account_id
    where
        -- a meter matching several rules counts once
        exists (
            select 1
            from eligibility_rules
            where
                charges.provider_name = eligibility_rules.provider_name
                and charges.service_name = eligibility_rules.service_name
                and charges.sku_meter like eligibility_rules.sku_meter_pattern
        )
        and charges.charge_category = 'Usage'
        and charges.pricing_category = 'Standard'
        and charges.commitment_discount_status is null
        and charges.charge_period_start >= window_per_account.lookback_start
        and charges.charge_period_start < window_per_account.lookback_end
),

-- Each eligible row is planned for twice: for its service and region (what a Reserved Instance or an
-- EC2 Instance Savings Plan covers) and for all eligible usage of its billing account (what a Compute
-- Savings Plan covers, across services and regions). plan_key names the group. The rows are read
-- once, at the service-and-region grain; the account-wide series is the sum of its services' hours.
on_demand as (
    select
        *,
        concat_ws(
            ' | ', provider_name, billing_account_id, billing_currency, service_name, coalesce(region_id, '(no region)')
        ) as plan_key,
        concat_ws(' | ', provider_name, billing_account_id, billing_currency, '(all eligible usage)')
            as account_plan_key
    from eligible_on_demand
),

service_plans as (
    select distinct
        plan_key,
        account_plan_key,
        provider_name,
        billing_account_id,
        billing_currency,
        'service and region' as recommendation_scope,
        service_name,
        region_id,
        lookback_start,
        lookback_end
    from on_demand
),

plans as (
    select
        plan_key,
        provider_name,
        billing_account_id,
        billing_currency,
        recommendation_scope,
        service_name,
        region_id,
        lookback_start,
        lookback_end
    from service_plans
    union all
    select distinct
        account_plan_key as plan_key,
        provider_name,
        billing_account_id,
        billing_currency,
        'billing account' as recommendation_scope,
        cast(null as varchar) as service_name,
        cast(null as varchar) as region_id,
        lookback_start,
        lookback_end
    from service_plans
),

-- Usage per hour: a row of an hour or less counts in the hour it starts; a longer row (daily
-- usage) is spread over its hours exactly (the last hour takes the remainder).
short_rows as (
    select
        plan_key,
        date_trunc('hour', charge_period_start) as usage_hour,
        contracted_cost
    from on_demand
    where date_diff('second', charge_period_start, charge_period_end) <= 3600
),

long_row_hours as (
    select
        *,
        row_number() over (
            partition by source_file, source_row_number, row_kind order by usage_hour desc
        ) = 1 as takes_remainder,
        {{ prorate_money('contracted_cost', 1, 'hours_total') }} as hour_part
    from (
        select
            *,
            date_diff('hour', date_trunc('hour', charge_period_start), charge_period_end - interval 1 microsecond)
            + 1 as hours_total,
            unnest(generate_series(
                date_trunc('hour', charge_period_start),
                charge_period_end - interval 1 microsecond,
                interval 1 hour
            )) as usage_hour
        from on_demand
        where date_diff('second', charge_period_start, charge_period_end) > 3600
    ) as spread
),

long_rows as (
    select
        plan_key,
        usage_hour,
        {{ remainder_to_last('hour_part', 'contracted_cost', 'source_file, source_row_number, row_kind') }}
            as contracted_cost
    from long_row_hours
),

service_hourly_usage as (
    select
        plan_key,
        usage_hour,
        sum(contracted_cost) as on_demand_cost
    from (
        select * from short_rows
        union all
        select * from long_rows
    ) as hours_of_rows
    group by 1, 2
),

hourly_usage as (
    select * from service_hourly_usage
    union all
    select
        service_plans.account_plan_key as plan_key,
        service_hourly_usage.usage_hour,
        sum(service_hourly_usage.on_demand_cost) as on_demand_cost
    from service_hourly_usage
    inner join service_plans
        on service_hourly_usage.plan_key = service_plans.plan_key
    group by 1, 2
),

-- Every hour of the window, with 0 where there was no on-demand usage (u_h).
series as (
    select
        hours.plan_key,
        coalesce(hourly_usage.on_demand_cost, {{ to_money(0) }}) as on_demand_cost
    from (
        select
            plan_key,
            unnest(generate_series(lookback_start, lookback_end - interval 1 hour, interval 1 hour)) as usage_hour
        from plans
    ) as hours
    left join hourly_usage
        on
            hours.plan_key = hourly_usage.plan_key
            and hours.usage_hour = hourly_usage.usage_hour
),

-- Candidate L = the k-th smallest hourly cost: Σ min(u, L) = Σ of the k − 1 smaller hours + L × (N − k + 1).
candidates as (
    select
        *,
        coalesce(sum(on_demand_cost) over (
            partition by plan_key order by on_demand_cost rows between unbounded preceding and 1 preceding
        ), 0)
        + on_demand_cost * (
            {{ lookback_hours }} + 1 - row_number() over (partition by plan_key order by on_demand_cost)
        ) as covered_cost
    from series
),

evaluated as (
    select
        *,
        covered_cost - {{ to_money('on_demand_cost * ' ~ lookback_hours ~ ' * (1 - ' ~ to_money("'" ~ discount ~ "'") ~ ')') }}
            as net_savings
    from candidates
),

-- The best level, the smaller on ties; no commitment beats one that would lose money.
chosen as (
    select
        plan_key,
        case when net_savings > 0 then on_demand_cost else {{ to_money(0) }} end as recommended_hourly_commitment
    from (
        select
            *,
            row_number() over (partition by plan_key order by net_savings desc, on_demand_cost asc) as savings_rank
        from evaluated
    ) as ranked
    where savings_rank = 1
),

outcomes as (
    select
        chosen.plan_key,
        chosen.recommended_hourly_commitment,
        sum(series.on_demand_cost) as on_demand_cost,
        sum(least(series.on_demand_cost, chosen.recommended_hourly_commitment)) as expected_covered_cost,
        sum(least(
            {{ to_money('series.on_demand_cost * (1 - ' ~ to_money("'" ~ drop ~ "'") ~ ')') }},
            chosen.recommended_hourly_commitment
        )) as downside_covered_cost
    from chosen
    inner join series
        on chosen.plan_key = series.plan_key
    group by 1, 2
),

costed as (
    select
        plans.provider_name,
        plans.billing_account_id,
        plans.billing_currency,
        plans.recommendation_scope,
        plans.service_name,
        plans.region_id,
        plans.lookback_start,
        plans.lookback_end,
        outcomes.on_demand_cost,
        outcomes.recommended_hourly_commitment,
        outcomes.expected_covered_cost,
        outcomes.downside_covered_cost,
        {{ to_money('outcomes.recommended_hourly_commitment * (1 - ' ~ to_money("'" ~ discount ~ "'") ~ ')') }}
            as commitment_cost_per_hour,
        {{ to_money('outcomes.recommended_hourly_commitment * ' ~ lookback_hours) }} as commitment_capacity
    from outcomes
    inner join plans
        on outcomes.plan_key = plans.plan_key
),

final as (
    select
        provider_name,
        billing_account_id,
        billing_currency,
        recommendation_scope,
        service_name,
        region_id,
        lookback_start,
        lookback_end,
        {{ lookback_hours }} as lookback_hours,
        {{ to_money("'" ~ discount ~ "'") }} as discount_rate,
        {{ var('commitment_term_years') | int }} as term_years,
        on_demand_cost,
        recommended_hourly_commitment,
        commitment_cost_per_hour,
        expected_covered_cost,
        commitment_cost_per_hour * {{ lookback_hours }} as expected_commitment_cost,
        expected_covered_cost - commitment_cost_per_hour * {{ lookback_hours }} as expected_net_savings,
        {{ prorate_money('expected_covered_cost - commitment_cost_per_hour * ' ~ lookback_hours,
            term_hours, lookback_hours) }} as expected_net_savings_over_term,
        {{ exact_ratio('expected_covered_cost', 'commitment_capacity') }} as expected_utilization,
        1 - {{ to_money("'" ~ discount ~ "'") }} as break_even_utilization,
        {{ to_money("'" ~ drop ~ "'") }} as downside_usage_drop,
        downside_covered_cost - commitment_cost_per_hour * {{ lookback_hours }} as downside_net_savings,
        {{ exact_ratio('downside_covered_cost', 'commitment_capacity') }} as downside_utilization
    from costed
)

select * from final
