-- The FinOps KPIs the marts define, in one tidy monthly table: one row per month, KPI and scope with
-- its value and, where it is a ratio or a mean, the numerator and denominator it comes from, so a BI
-- tool can re-aggregate them and finance can trace each to its mart. Each KPI has one definition, in
-- the doc block the row's `definition` names (concept_finops_kpis):
--   allocated_cost_share      fct_allocation_coverage: allocated ÷ total effective cost (all accounts)
--   unallocated_cost_share    fct_allocation_coverage: unallocated ÷ total effective cost
--   tag_coverage              fct_tag_compliance: tagged ÷ taggable effective cost, per dimension
--   commitment_coverage       fct_commitment_coverage: covered ÷ eligible on-demand-equivalent cost
--   commitment_utilization    fct_commitment_utilization_monthly: used ÷ committed effective cost
--   effective_savings_rate    fct_commitment_savings: (list − effective) ÷ list cost of usage
--   forecast_monthly_error    fct_forecast_accuracy: the whole bill's chosen model, horizon month 0
--   anomaly_count             fct_cost_anomalies: leaf anomalies first seen in the month
--   anomaly_cost_share        fct_cost_anomalies: Σ |impact| of those ÷ the month's usage cost
--   mean_hours_to_resolve     fct_anomaly_triage: mean hours to resolve of leaf anomalies resolved in the month
--   unit_cost_change          fct_unit_costs: (unit cost − the previous month's) ÷ the previous month's,
--                             per owner and driver
--   realised_savings          fct_savings_realized: Σ realised saving of the usage actions whose
--                             saving is verified, and of every commitment and negotiated row (read
--                             from the bill: the bill's rate savings, counted once)
--   savings_realisation_rate  fct_savings_realized: Σ realised ÷ Σ expected saving of the actions'
--                             months that could be judged (verified or not_realised)
-- Scopes: the billing currency (money ratios are not added across currencies), with a dimension,
-- owner and driver where the KPI has one; `reporting:<currency>` for KPIs in the reporting currency.
-- Grain: one row per month, KPI and scope.
with

coverage as (
    select
        billing_period_start as kpi_month,
        billing_currency,
        sum(allocated_effective_cost) as allocated_cost,
        sum(unallocated_effective_cost) as unallocated_cost,
        sum(total_effective_cost) as total_cost
    from {{ ref('fct_allocation_coverage') }}
    where is_all_accounts
    group by all
),

tags as (
    select
        billing_period_start as kpi_month,
        billing_currency || ' / ' || dimension as tag_scope,
        sum(tagged_effective_cost) as tagged_cost,
        sum(taggable_effective_cost) as taggable_cost
    from {{ ref('fct_tag_compliance') }}
    group by all
),

commitment_coverage as (
    select
        billing_currency,
        cast(date_trunc('month', charge_date) as date) as kpi_month,
        sum(covered_on_demand_equivalent_cost) as covered_cost,
        sum(eligible_on_demand_equivalent_cost) as eligible_cost
    from {{ ref('fct_commitment_coverage') }}
    group by all
),

utilization as (
    select
        charge_month as kpi_month,
        billing_currency,
        sum(used_effective_cost) as used_cost,
        sum(committed_effective_cost) as committed_cost
    from {{ ref('fct_commitment_utilization_monthly') }}
    group by all
),

savings as (
    select
        charge_month as kpi_month,
        billing_currency,
        sum(list_cost - effective_cost) as saved_cost,
        sum(list_cost) as list_cost
    from {{ ref('fct_commitment_savings') }}
    group by all
),

forecast_as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('fct_cost_forecast') }}
),

forecast_error as (
    select
        accuracy.monthly_wape,
        cast(date_trunc('month', forecast_as_of.as_of_date) as date) as kpi_month,
        'reporting:' || accuracy.reporting_currency as scope
    from {{ ref('fct_forecast_accuracy') }} as accuracy
    cross join forecast_as_of
    where
        accuracy.series_id = 'total:all'
        and accuracy.cost_basis = 'effective'
        and accuracy.is_selected
        and accuracy.horizon_month = 0
),

usage_by_month as (
    select
        reporting_currency,
        cast(date_trunc('month', charge_date) as date) as kpi_month,
        sum(effective_cost) as usage_cost
    from {{ ref('int_anomaly_series_days') }}
    where series_grain = 'leaf'
    group by all
),

anomalies as (
    select
        reporting_currency,
        cast(date_trunc('month', first_seen) as date) as kpi_month,
        count(*) as anomaly_count,
        sum(abs(impact_cost)) as anomaly_cost
    from {{ ref('fct_cost_anomalies') }}
    where series_grain = 'leaf'
    group by all
),

resolutions as (
    select
        reporting_currency,
        cast(date_trunc('month', resolved_at) as date) as kpi_month,
        sum(hours_to_resolve) as resolution_hours,
        count(*) as resolved_count
    from {{ ref('fct_anomaly_triage') }}
    where resolved_at is not null and series_grain = 'leaf'
    group by all
),

unit_costs as (
    select
        period_start as kpi_month,
        unit_cost_change,
        previous_unit_cost,
        unit_cost_change_ratio,
        billing_currency || ' / ' || owner || ' / ' || driver_name as scope
    from {{ ref('fct_unit_costs') }}
    where period_grain = 'month' and unit_cost_change_ratio is not null
),

realised as (
    select
        saving_month as kpi_month,
        'reporting:' || reporting_currency as scope,
        sum(realised_saving) filter (where saving_kind <> 'usage' or savings_status = 'verified') as verified_saving,
        sum(realised_saving) filter (
            where saving_source = 'action' and savings_status in ('verified', 'not_realised')
        ) as judged_saving,
        sum(expected_saving) filter (
            where saving_source = 'action' and savings_status in ('verified', 'not_realised')
        ) as judged_expected_saving
    from {{ ref('fct_savings_realized') }}
    group by all
),

kpis as (
    {%- set ratios = [
        ('coverage', 'allocated_cost_share', 'billing_currency', 'allocated_cost', 'total_cost'),
        ('coverage', 'unallocated_cost_share', 'billing_currency', 'unallocated_cost', 'total_cost'),
        ('tags', 'tag_coverage', 'tag_scope', 'tagged_cost', 'taggable_cost'),
        ('commitment_coverage', 'commitment_coverage', 'billing_currency', 'covered_cost', 'eligible_cost'),
        ('utilization', 'commitment_utilization', 'billing_currency', 'used_cost', 'committed_cost'),
        ('savings', 'effective_savings_rate', 'billing_currency', 'saved_cost', 'list_cost'),
    ] %}
    {%- for relation, kpi, scope, numerator, denominator in ratios %}
        select
            kpi_month,
            '{{ kpi }}' as kpi,
            {{ scope }} as scope,
            'ratio' as unit,
            {{ exact_ratio(numerator, denominator) }} as kpi_value,
            {{ numerator }} as numerator,
            {{ denominator }} as denominator
        from {{ relation }}
        where {{ denominator }} <> 0
        union all
    {%- endfor %}
    select
        kpi_month,
        'forecast_monthly_error' as kpi,
        scope,
        'ratio' as unit,
        monthly_wape as kpi_value,
        null as numerator,
        null as denominator
    from forecast_error
    where monthly_wape is not null
    union all
    select
        kpi_month,
        'anomaly_count' as kpi,
        'reporting:' || reporting_currency as scope,
        'count' as unit,
        anomaly_count as kpi_value,
        anomaly_count as numerator,
        null as denominator
    from anomalies
    union all
    select
        anomalies.kpi_month,
        'anomaly_cost_share' as kpi,
        'reporting:' || anomalies.reporting_currency as scope,
        'ratio' as unit,
        {{ exact_ratio('anomalies.anomaly_cost', 'usage_by_month.usage_cost') }} as kpi_value,
        anomalies.anomaly_cost as numerator,
        usage_by_month.usage_cost as denominator
    from anomalies
    inner join usage_by_month
        on
            anomalies.kpi_month = usage_by_month.kpi_month
            and anomalies.reporting_currency = usage_by_month.reporting_currency
    where usage_by_month.usage_cost <> 0
    union all
    select
        kpi_month,
        'mean_hours_to_resolve' as kpi,
        'reporting:' || reporting_currency as scope,
        'hours' as unit,
        {{ exact_ratio('resolution_hours', 'resolved_count') }} as kpi_value,
        resolution_hours as numerator,
        resolved_count as denominator
    from resolutions
    union all
    select
        kpi_month,
        'unit_cost_change' as kpi,
        scope,
        'ratio' as unit,
        unit_cost_change_ratio as kpi_value,
        unit_cost_change as numerator,
        previous_unit_cost as denominator
    from unit_costs
    union all
    select
        kpi_month,
        'realised_savings' as kpi,
        scope,
        'money' as unit,
        verified_saving as kpi_value,
        verified_saving as numerator,
        null as denominator
    from realised
    where verified_saving is not null
    union all
    select
        kpi_month,
        'savings_realisation_rate' as kpi,
        scope,
        'ratio' as unit,
        {{ exact_ratio('judged_saving', 'judged_expected_saving') }} as kpi_value,
        judged_saving as numerator,
        judged_expected_saving as denominator
    from realised
    where judged_expected_saving <> 0
),

final as (
    select
        kpi,
        scope,
        unit,
        cast(kpi_month as date) as kpi_month,
        {{ to_money('kpi_value') }} as kpi_value,
        {{ to_money('numerator') }} as numerator,
        {{ to_money('denominator') }} as denominator,
        'kpi_' || kpi as definition
    from kpis
)

select * from final
