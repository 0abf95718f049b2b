-- Realised savings per month, in the reporting currency: what each optimisation action
-- (optimisation_actions.csv) saved, and the rate savings of the bill no action claims, in one table
-- whose rows add up without counting any saving twice (concept_savings_realized, DECISIONLOG D70).
--   * usage actions (rightsizing, termination, scheduling, ...): counterfactual = the forecast of the
--     scope's usage cost fitted on the days before the action only (int_savings_counterfactual_daily;
--     covered usage at its contracted cost, so a commitment cannot move it); actual = the scope's
--     cost on the same basis; realised = counterfactual − actual over the month's days from the
--     action to the action's as-of day. The 80 % band adds the days' interval bounds (as if their
--     errors moved together: wide, never too narrow).
--   * commitment purchases: the commitment's own net savings, as fct_commitment_savings counts them,
--     less its fees where the provider does not amortise them into the usage (Google Cloud): counterfactual
--     = the contracted cost of the usage it covered, actual = its used and unused effective cost and
--     such fees; realised = gross commitment savings − unused commitment cost − those fees. Exact, read
--     from the bill.
--   * rate rows (no action): per month, provider and billing account, fct_commitment_savings'
--     negotiated savings, and its net commitment savings less what commitment-purchase actions claim.
-- Every amount is converted with its billing currency's rate for the month of use (the nearest billed
-- month's when that month has none); a usage action's counterfactual and actual with the same rate,
-- so an exchange-rate move is not a saving.
-- savings_status of an action's month: no_baseline (its scope had no cost before the action, or its
-- commitment is not in the month's bill), too_early (a usage action with fewer than savings_min_days
-- measured), verified (a usage saving's 80 % band is above 0; a commitment's saving is above 0),
-- not_realised (a paper saving: not distinguishable from none; a commitment that cost more than it
-- saved). Rate rows are read from the bill: verified (months, providers and accounts without any are
-- left out). An action implemented after its as-of day has no rows yet.
-- Grain: one row per month and saving_id (an action id, or `<kind> / <provider> / <billing account>`).
with

actions as (
    select * from {{ ref('int_savings_actions') }}
),

scope_days as (
    select * from {{ ref('int_savings_scope_days') }}
),

scope_as_of as (
    select
        action_id,
        max(as_of_date) as as_of_date
    from scope_days
    group by all
),

action_as_of as (
    -- a usage action is measured to its own as-of day (its exports' last day of use), a commitment to the
    -- warehouse's
    select
        actions.*,
        coalesce(scope_as_of.as_of_date, actions.as_of_date) as measured_to
    from actions
    left join scope_as_of
        on actions.action_id = scope_as_of.action_id
),

action_month_starts as (
    select
        *,
        unnest(generate_series(
            date_trunc('month', implemented_on),
            date_trunc('month', measured_to),
            interval 1 month
        )) as month_start
    from action_as_of
    -- an action implemented after its as-of day has nothing to measure yet
    where implemented_on <= measured_to
),

action_months as (
    -- every month from the action's to its as-of day's, with the days measured in it
    select
        action_id,
        measured_to,
        cast(month_start as date) as saving_month,
        datediff(
            'day',
            greatest(implemented_on, cast(month_start as date)),
            least(measured_to, last_day(cast(month_start as date)))
        ) + 1 as days_measured
    from action_month_starts
),

usage_slices as (
    select
        scope_days.action_id,
        scope_days.billing_currency,
        cast(date_trunc('month', scope_days.charge_date) as date) as saving_month,
        sum(scope_days.scope_cost) as actual_cost,
        -- a currency the scope was not billed in before the action would have cost nothing in it
        coalesce(sum(counterfactual.forecast), 0) as counterfactual_cost,
        coalesce(sum(counterfactual.lo_80), 0) as counterfactual_lower_80,
        coalesce(sum(counterfactual.hi_80), 0) as counterfactual_upper_80,
        max(counterfactual.model) as counterfactual_model,
        max(counterfactual.fallback_reason) filter (where counterfactual.model is not null) as fallback_reason
    from scope_days
    inner join {{ ref('int_savings_counterfactual_daily') }} as counterfactual
        on
            scope_days.action_id = counterfactual.action_id
            and scope_days.billing_currency = counterfactual.billing_currency
            and scope_days.charge_date = counterfactual.charge_date
    group by all
),

commitment_slices as (
    -- the rows of the commitments commitment-purchase actions bought: their covered and unused usage,
    -- and their fees where the provider bills them with an effective cost of their own instead of
    -- amortising them into the usage (Google Cloud, D42; elsewhere a purchase's effective cost is 0)
    select
        actions.action_id,
        cast(date_trunc('month', slices.charge_date) as date) as saving_month,
        slices.provider_name,
        slices.billing_account_id,
        slices.billing_currency,
        sum(case when slices.commitment_discount_status = 'Used' then slices.contracted_cost else 0 end)
            as counterfactual_cost,
        sum(case when slices.charge_category = 'Usage' then slices.effective_cost else 0 end) as usage_cost,
        sum(case when slices.charge_category = 'Purchase' then slices.effective_cost else 0 end) as fee_cost
    from {{ ref('int_charges_split_by_day') }} as slices
    inner join actions
        on slices.commitment_discount_id = actions.commitment_discount_id
    where
        actions.saving_kind = 'commitment'
        and (
            (slices.charge_category = 'Usage' and slices.commitment_discount_status in ('Used', 'Unused'))
            or slices.charge_category = 'Purchase'
        )
        and slices.charge_date >= actions.implemented_on
        and slices.charge_date <= actions.as_of_date
    group by all
),

rate_savings as (
    select
        charge_month as saving_month,
        provider_name,
        billing_account_id,
        billing_currency,
        sum(negotiated_savings) as negotiated_savings,
        sum(net_commitment_savings) as net_commitment_savings
    from {{ ref('fct_commitment_savings') }}
    group by all
),

needed_month_rates as (
    select
        billing_currency,
        saving_month
    from rate_savings
    union
    select
        billing_currency,
        saving_month
    from commitment_slices
    union
    select
        billing_currency,
        saving_month
    from usage_slices
),

month_rates as (
    -- each billing currency's rate to the reporting currency for a month of use: its billing month's,
    -- else the nearest billed month's (a day of use can fall outside every billing period of a currency)
    select
        needed.billing_currency,
        needed.saving_month,
        any_value(rates.reporting_currency) as reporting_currency,
        {{ nearest_month_rate('rates.exchange_rate', 'rates.billing_month', 'needed.saving_month') }} as exchange_rate
    from needed_month_rates as needed
    inner join {{ ref('int_reporting_currency_rates') }} as rates
        on needed.billing_currency = rates.billing_currency
    group by all
),

usage_months as (
    select
        usage_slices.action_id,
        usage_slices.saving_month,
        -- no counterfactual at all when the scope had no history in any currency (no_baseline)
        case
            when count(usage_slices.counterfactual_model) > 0
                then sum({{ convert_money('usage_slices.counterfactual_cost', 'month_rates.exchange_rate') }})
        end as counterfactual_cost,
        case
            when count(usage_slices.counterfactual_model) > 0
                then sum({{ convert_money('usage_slices.counterfactual_lower_80', 'month_rates.exchange_rate') }})
        end as counterfactual_lower_80,
        case
            when count(usage_slices.counterfactual_model) > 0
                then sum({{ convert_money('usage_slices.counterfactual_upper_80', 'month_rates.exchange_rate') }})
        end as counterfactual_upper_80,
        sum({{ convert_money('usage_slices.actual_cost', 'month_rates.exchange_rate') }}) as actual_cost,
        -- the model and fallback of the currency the scope cost most in before (a label, not a figure)
        arg_max(usage_slices.counterfactual_model, usage_slices.counterfactual_cost) as counterfactual_model,
        arg_max(usage_slices.fallback_reason, usage_slices.counterfactual_cost) as fallback_reason
    from usage_slices
    inner join month_rates
        on
            usage_slices.billing_currency = month_rates.billing_currency
            and usage_slices.saving_month = month_rates.saving_month
    group by all
),

commitment_converted as (
    select
        commitment_slices.action_id,
        commitment_slices.saving_month,
        commitment_slices.provider_name,
        commitment_slices.billing_account_id,
        {{ convert_money('commitment_slices.counterfactual_cost', 'month_rates.exchange_rate') }} as counterfactual_cost,
        {{ convert_money('commitment_slices.usage_cost', 'month_rates.exchange_rate') }} as usage_cost,
        {{ convert_money('commitment_slices.fee_cost', 'month_rates.exchange_rate') }} as fee_cost
    from commitment_slices
    inner join month_rates
        on
            commitment_slices.billing_currency = month_rates.billing_currency
            and commitment_slices.saving_month = month_rates.saving_month
),

commitment_months as (
    select
        action_id,
        saving_month,
        sum(counterfactual_cost) as counterfactual_cost,
        sum(usage_cost + fee_cost) as actual_cost
    from commitment_converted
    group by all
),

claimed as (
    -- what commitment-purchase actions claim of each month's, provider's and account's net commitment
    -- savings (fct_commitment_savings counts usage rows only: the fees are the action's own cost)
    select
        saving_month,
        provider_name,
        billing_account_id,
        sum(counterfactual_cost - usage_cost) as claimed_commitment_savings
    from commitment_converted
    group by all
),

rate_converted as (
    select
        rate_savings.saving_month,
        rate_savings.provider_name,
        rate_savings.billing_account_id,
        month_rates.reporting_currency,
        sum({{ convert_money('rate_savings.negotiated_savings', 'month_rates.exchange_rate') }}) as negotiated_savings,
        sum({{ convert_money('rate_savings.net_commitment_savings', 'month_rates.exchange_rate') }})
            as net_commitment_savings
    from rate_savings
    inner join month_rates
        on
            rate_savings.billing_currency = month_rates.billing_currency
            and rate_savings.saving_month = month_rates.saving_month
    group by all
),

needed_rates as (
    select distinct
        action_months.action_id,
        actions.saving_currency,
        actions.reporting_currency,
        action_months.saving_month
    from action_months
    inner join actions
        on action_months.action_id = actions.action_id
    where actions.saving_currency <> actions.reporting_currency
),

expected_rates as (
    {{- planning_rates(
        'needed_rates', 'action_id', 'saving_currency', 'saving_month',
        "'Optimisation action ' || needed_rates.action_id || ' of optimisation_actions.csv'", 'its expected saving'
    ) }}
),

action_rows as (
    select
        action_months.saving_month,
        actions.action_id as saving_id,
        'action' as saving_source,
        actions.saving_kind,
        actions.action_id,
        actions.action_type,
        actions.description,
        actions.owner,
        actions.implemented_on,
        actions.provider_name,
        actions.billing_account_id,
        actions.reporting_currency,
        action_months.days_measured,
        coalesce(usage_months.counterfactual_cost, commitment_months.counterfactual_cost) as counterfactual_cost,
        coalesce(usage_months.counterfactual_lower_80, commitment_months.counterfactual_cost)
            as counterfactual_lower_80,
        coalesce(usage_months.counterfactual_upper_80, commitment_months.counterfactual_cost)
            as counterfactual_upper_80,
        case
            when actions.saving_kind = 'usage' then coalesce(usage_months.actual_cost, 0)
            else coalesce(commitment_months.actual_cost, 0)
        end as actual_cost,
        {{ prorate_money(
            'coalesce(' ~ convert_money('actions.expected_monthly_saving', 'expected_rates.exchange_rate')
            ~ ', actions.expected_monthly_saving)',
            'action_months.days_measured',
            'day(last_day(action_months.saving_month))'
        ) }} as expected_saving,
        usage_months.counterfactual_model,
        case
            when actions.saving_kind = 'usage' and usage_months.counterfactual_model is null then 'no_history'
            when actions.saving_kind = 'commitment' and commitment_months.action_id is null
                then 'commitment_not_in_bill'
            else usage_months.fallback_reason
        end as fallback_reason,
        action_months.measured_to as as_of_date
    from action_months
    inner join actions
        on action_months.action_id = actions.action_id
    left join usage_months
        on
            action_months.action_id = usage_months.action_id
            and action_months.saving_month = usage_months.saving_month
    left join commitment_months
        on
            action_months.action_id = commitment_months.action_id
            and action_months.saving_month = commitment_months.saving_month
    left join expected_rates
        on
            action_months.action_id = expected_rates.action_id
            and action_months.saving_month = expected_rates.saving_month
),

rate_kinds as (
    select unnest(['negotiated', 'commitment']) as saving_kind
),

rate_rows as (
    select
        rate_converted.saving_month,
        'rate' as saving_source,
        kinds.saving_kind,
        rate_converted.provider_name,
        rate_converted.billing_account_id,
        rate_converted.reporting_currency,
        kinds.saving_kind || ' / ' || rate_converted.provider_name || ' / ' || rate_converted.billing_account_id
            as saving_id,
        case
            when kinds.saving_kind = 'negotiated' then rate_converted.negotiated_savings
            else rate_converted.net_commitment_savings - coalesce(claimed.claimed_commitment_savings, 0)
        end as realised_saving
    from rate_converted
    cross join rate_kinds as kinds
    left join claimed
        on
            rate_converted.saving_month = claimed.saving_month
            and rate_converted.provider_name = claimed.provider_name
            and rate_converted.billing_account_id = claimed.billing_account_id
),

warehouse_as_of as (
    select max(charge_date) as as_of_date
    from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage' and effective_cost <> 0
),

final as (
    select
        saving_month,
        saving_id,
        saving_source,
        saving_kind,
        action_id,
        action_type,
        description,
        owner,
        implemented_on,
        provider_name,
        billing_account_id,
        reporting_currency,
        days_measured,
        counterfactual_cost,
        counterfactual_lower_80,
        counterfactual_upper_80,
        actual_cost,
        counterfactual_cost - actual_cost as realised_saving,
        counterfactual_lower_80 - actual_cost as realised_saving_lower_80,
        counterfactual_upper_80 - actual_cost as realised_saving_upper_80,
        expected_saving,
        {{ exact_ratio('counterfactual_cost - actual_cost', 'expected_saving') }} as realised_share_of_expected,
        case
            when counterfactual_cost is null then 'no_baseline'
            when saving_kind = 'usage' and days_measured < {{ var('savings_min_days') }} then 'too_early'
            when counterfactual_lower_80 - actual_cost > 0 then 'verified'
            else 'not_realised'
        end as savings_status,
        counterfactual_model,
        fallback_reason,
        as_of_date
    from action_rows
    union all
    select
        rate_rows.saving_month,
        rate_rows.saving_id,
        rate_rows.saving_source,
        rate_rows.saving_kind,
        null as action_id,
        null as action_type,
        null as description,
        null as owner,
        null as implemented_on,
        rate_rows.provider_name,
        rate_rows.billing_account_id,
        rate_rows.reporting_currency,
        null as days_measured,
        null as counterfactual_cost,
        null as counterfactual_lower_80,
        null as counterfactual_upper_80,
        null as actual_cost,
        rate_rows.realised_saving,
        rate_rows.realised_saving as realised_saving_lower_80,
        rate_rows.realised_saving as realised_saving_upper_80,
        null as expected_saving,
        null as realised_share_of_expected,
        'verified' as savings_status,
        null as counterfactual_model,
        null as fallback_reason,
        warehouse_as_of.as_of_date
    from rate_rows
    cross join warehouse_as_of
    where rate_rows.realised_saving <> 0
)

select * from final
