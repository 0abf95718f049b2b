-- Each KPI of fct_finops_kpis is what its mart says: a ratio is its numerator ÷ denominator exactly
-- (the exact_ratio of the two), and the figures it is built from are the mart's own, checked for the
-- KPIs a mart states as a ratio of its own: allocated share = fct_allocation_coverage's coverage of
-- all accounts, the anomaly count = the leaf anomalies of fct_cost_anomalies first seen that month,
-- and the realised savings = Σ realised saving of fct_savings_realized's verified usage rows and its
-- commitment and negotiated rows of the month.
-- A row here is a KPI that drifted from its definition.
with

kpis as (
    select * from {{ ref('fct_finops_kpis') }}
),

ratio_drift as (
    select
        kpi_month,
        kpi,
        scope,
        'value is not numerator / denominator' as problem
    from kpis
    where
        unit in ('ratio', 'hours')
        and denominator is not null
        and denominator <> 0
        and kpi_value <> {{ exact_ratio('numerator', 'denominator') }}
),

allocation_drift as (
    select
        kpis.kpi_month,
        kpis.kpi,
        kpis.scope,
        'allocated share differs from fct_allocation_coverage' as problem
    from kpis
    inner join {{ ref('fct_allocation_coverage') }} as coverage
        on
            kpis.kpi_month = coverage.billing_period_start
            and kpis.scope = coverage.billing_currency
            and coverage.is_all_accounts
    where kpis.kpi = 'allocated_cost_share' and kpis.kpi_value <> coverage.allocated_effective_cost_coverage
),

anomaly_drift as (
    select
        kpis.kpi_month,
        kpis.kpi,
        kpis.scope,
        'anomaly count differs from fct_cost_anomalies' as problem
    from kpis
    where
        kpis.kpi = 'anomaly_count'
        and kpis.kpi_value <> (
            select count(*)
            from {{ ref('fct_cost_anomalies') }} as anomalies
            where
                anomalies.series_grain = 'leaf'
                and date_trunc('month', anomalies.first_seen) = kpis.kpi_month
        )
),

savings_drift as (
    select
        kpis.kpi_month,
        kpis.kpi,
        kpis.scope,
        'realised savings differ from fct_savings_realized' as problem
    from kpis
    where
        kpis.kpi = 'realised_savings'
        and kpis.kpi_value <> (
            select sum(savings.realised_saving)
            from {{ ref('fct_savings_realized') }} as savings
            where
                (savings.saving_kind <> 'usage' or savings.savings_status = 'verified')
                and savings.saving_month = kpis.kpi_month
                and 'reporting:' || savings.reporting_currency = kpis.scope
        )
)

select * from ratio_drift
union all
select * from allocation_drift
union all
select * from anomaly_drift
union all
select * from savings_drift
