"""Distribution suites for the anomaly marts (models/marts/anomalies/) and the KPI table (models/marts/kpis/).

Beyond the identities the dbt tests hold (impact = actual − expected, contribution = cost − baseline),
they encode what an anomaly means: a spike cost more than expected and a drop less, by at least the
impact floors the vars set; an anomaly lies within the data (never after the as-of day); a root cause is
one level below its series and its first-ranked value moved the way the anomaly did.
"""

from __future__ import annotations

import great_expectations as gx

from ..settings import dbt_vars
from .builders import always_true, not_null
from .suite import Suite

E = gx.expectations

MIN_IMPACT = float(dbt_vars()["anomaly_min_impact_cost"])

COST_ANOMALIES = Suite(
    name="cost_anomalies",
    table="marts.fct_cost_anomalies",
    description="Cost anomalies: direction, impact floors, days within the data.",
    sql=f"""
        select
            anomaly_id,
            series_grain,
            direction,
            abs(impact_cost) >= {MIN_IMPACT} * anomalous_days as impact_reaches_the_floor_each_day,
            last_seen <= as_of_date as within_the_data,
            is_ongoing = (last_seen = as_of_date) as ongoing_means_on_the_as_of_day,
            case when series_grain = 'leaf' then provider_name is not null and service_name is not null
                 else owner is not null end as series_is_named
        from marts.fct_cost_anomalies
    """,
    expectations=[
        not_null("anomaly_id", "every anomaly has an id"),
        E.ExpectColumnValuesToBeUnique(column="anomaly_id", description="anomaly ids are unique"),
        E.ExpectColumnValuesToBeInSet(column="series_grain", value_set=["leaf", "owner"],
                                      description="anomalies are found on leaf and owner series"),
        E.ExpectColumnValuesToBeInSet(column="direction", value_set=["spike", "drop"],
                                      description="an anomaly is a spike or a drop"),
        always_true("impact_reaches_the_floor_each_day",
                    f"each anomalous day moved by at least anomaly_min_impact_cost ({MIN_IMPACT:g})"),
        always_true("within_the_data", "an anomaly ends by the as-of day"),
        always_true("ongoing_means_on_the_as_of_day", "an ongoing anomaly is one still flagged on the as-of day"),
        always_true("series_is_named", "a leaf anomaly names its provider and service, an owner anomaly its owner"),
    ],
)

ANOMALY_ROOT_CAUSES = Suite(
    name="anomaly_root_causes",
    table="marts.fct_cost_anomaly_root_causes",
    description="Root causes one level below each anomaly's series, ranked.",
    sql="""
        select
            c.cause_dimension,
            c.cause_rank,
            case a.series_grain
                when 'leaf' then c.cause_dimension in ('sub_account', 'usage_type', 'resource')
                else c.cause_dimension in ('service', 'billing_account', 'resource')
            end as one_level_below_its_series,
            case when c.cause_rank = 1 and c.contribution_cost <> 0
                 then (c.contribution_cost > 0) = (a.direction = 'spike')
                      or not exists (select 1 from marts.fct_cost_anomaly_root_causes as o
                                     where o.anomaly_id = c.anomaly_id and o.cause_dimension = c.cause_dimension
                                       and (o.contribution_cost > 0) = (a.direction = 'spike'))
            end as first_cause_moved_with_the_anomaly
        from marts.fct_cost_anomaly_root_causes as c
        inner join marts.fct_cost_anomalies as a on c.anomaly_id = a.anomaly_id
    """,
    distinct_rows=True,
    expectations=[
        E.ExpectColumnValuesToBeBetween(column="cause_rank", min_value=1, max_value=5,
                                        description="the five largest causes per dimension are kept"),
        always_true("one_level_below_its_series", "a cause is one level below its anomaly's series"),
        always_true("first_cause_moved_with_the_anomaly",
                    "the first-ranked cause moved the way the anomaly did, when any value did"),
    ],
)

ANOMALY_TRIAGE = Suite(
    name="anomaly_triage",
    table="marts.fct_anomaly_triage",
    description="Anomaly triage: statuses, owners and the times between detection, review and resolution.",
    sql="""
        select
            triage_status,
            case when triage_status <> 'open' then reviewed_by is not null and reviewed_at is not null end
                as feedback_is_signed,
            case when resolved_at is not null then triage_status = 'resolved' and not is_open end
                as resolved_means_closed,
            triage_owner is not null as has_an_owner,
            case when hours_to_resolve is not null then triage_status in ('resolved', 'expected', 'planned',
                'false_positive') end as resolution_time_only_once_closed
        from marts.fct_anomaly_triage
    """,
    distinct_rows=True,
    expectations=[
        E.ExpectColumnValuesToBeInSet(
            column="triage_status",
            value_set=["open", "acknowledged", "expected", "planned", "resolved", "false_positive"],
            description="a status is open or one of anomaly_feedback.csv's words"),
        always_true("feedback_is_signed", "every status but open says who gave it and when"),
        always_true("resolved_means_closed", "a resolution time belongs to an anomaly whose latest status is resolved"),
        always_true("has_an_owner", "every anomaly has an owner to chase"),
        always_true("resolution_time_only_once_closed", "a time to resolve belongs to a closed anomaly"),
    ],
)

FINOPS_KPIS = Suite(
    name="finops_kpis",
    table="marts.fct_finops_kpis",
    description="The monthly KPI table: units, shares, and numerators beside ratios.",
    sql="""
        select
            kpi,
            unit,
            kpi_value,
            -- (anomaly_cost_share is not bounded: Σ |impact| of spikes and drops may exceed the usage)
            case when kpi in ('allocated_cost_share', 'unallocated_cost_share', 'tag_coverage',
                              'commitment_coverage', 'commitment_utilization')
                 then kpi_value between 0 and 1 end as share_is_a_share,
            case when unit = 'count' then kpi_value = round(kpi_value) and kpi_value > 0 end as count_is_whole,
            case when unit in ('ratio', 'hours') and kpi not in ('forecast_monthly_error')
                 then numerator is not null and denominator is not null end as ratio_has_its_parts
        from marts.fct_finops_kpis
    """,
    expectations=[
        E.ExpectColumnValuesToBeInSet(column="unit", value_set=["ratio", "count", "hours", "money"],
                                      description="a KPI is a ratio, a count, hours or money"),
        not_null("kpi_value", "every KPI row has a value"),
        always_true("share_is_a_share", "a share KPI lies between 0 and 1"),
        always_true("count_is_whole", "a count is a positive whole number"),
        always_true("ratio_has_its_parts", "a ratio or mean carries its numerator and denominator"),
    ],
)

ANOMALY_SUITES = [COST_ANOMALIES, ANOMALY_ROOT_CAUSES, ANOMALY_TRIAGE, FINOPS_KPIS]
