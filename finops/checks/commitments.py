"""Distribution suites for the commitment marts (models/marts/commitments/).

They encode what the metrics mean (models/docs/columns_commitments.md): utilisation and coverage
are shares, savings figures have a sign, a recommendation clears its break-even utilisation. The
money identities (used + unused = committed, net = gross − unused, list − effective explained) are
dbt tests, computed exactly in DuckDB, and are not repeated here.

Each suite reads its mart with SQL that casts the money (DECIMAL) columns an expectation needs to
DOUBLE (ranges and means only) and computes, exactly and in DuckDB, the bands and booleans some
expectations look at.
"""

from __future__ import annotations

import great_expectations as gx

from ..mappings.specs import PAYMENT_OPTIONS
from .builders import always_true, share
from .suite import Suite

E = gx.expectations

UTILIZATION_BANDS = ["0", "(0,0.5)", "[0.5,0.8)", "[0.8,1)", "1"]


def _band(column: str) -> str:
    """SQL: the utilisation band of a DECIMAL share; a value outside [0, 1] gets a label of its own,
    so it fails the band expectation too. NULL stays NULL."""
    return f"""case
            when {column} is null then null
            when {column} = 0 then '0'
            when {column} > 0 and {column} < 0.5 then '(0,0.5)'
            when {column} >= 0.5 and {column} < 0.8 then '[0.5,0.8)'
            when {column} >= 0.8 and {column} < 1 then '[0.8,1)'
            when {column} = 1 then '1'
            else 'outside [0, 1]'
        end"""


def _bands(what: str) -> E.ExpectColumnValuesToBeInSet:
    return E.ExpectColumnValuesToBeInSet(
        column="utilization_band",
        value_set=UTILIZATION_BANDS,
        description=f"every {what} with a utilisation falls in one of the bands {UTILIZATION_BANDS}",
    )


UTILIZATION = Suite(
    name="commitment_utilization",
    table="marts.fct_commitment_utilization",
    description="Daily utilisation per commitment: used ÷ committed on the commitment's own basis.",
    sql=f"""
        select
            commitment_discount_id,
            charge_date,
            utilization_basis,
            cast(utilization as double) as utilization,
            {_band('utilization')} as utilization_band,
            coalesce((utilization is null) = (committed_quantity = 0), false)
                as utilization_null_exactly_when_nothing_committed
        from marts.fct_commitment_utilization
    """,
    expectations=[
        share("utilization", "utilisation is a share: in [0, 1] (NULLs ignored)"),
        always_true(
            "utilization_null_exactly_when_nothing_committed",
            "utilisation is NULL exactly where committed_quantity = 0 (nothing committed that day)",
        ),
        E.ExpectColumnValuesToBeInSet(
            column="utilization_basis",
            value_set=["quantity", "effective cost"],
            description="utilisation is measured on a known basis",
        ),
        _bands("commitment-day"),
    ],
)

UTILIZATION_MONTHLY = Suite(
    name="commitment_utilization_monthly",
    table="marts.fct_commitment_utilization_monthly",
    description="Monthly utilisation per commitment, recomputed from the month's sums.",
    sql=f"""
        select
            commitment_discount_id,
            charge_month,
            days_observed,
            cast(utilization as double) as utilization,
            {_band('utilization')} as utilization_band
        from marts.fct_commitment_utilization_monthly
    """,
    expectations=[
        share("utilization", "monthly utilisation is a share: in [0, 1] (NULLs ignored)"),
        _bands("commitment-month"),
        E.ExpectColumnValuesToBeBetween(
            column="days_observed",
            min_value=1,
            max_value=31,
            description="a commitment-month is observed on 1 to 31 days",
        ),
    ],
)

COVERAGE = Suite(
    name="commitment_coverage",
    table="marts.fct_commitment_coverage",
    description="Share of commitment-eligible usage (on-demand-equivalent cost) a commitment covered.",
    sql="""
        select
            charge_date,
            provider_name,
            billing_account_id,
            service_name,
            region_id,
            cast(eligible_on_demand_equivalent_cost as double) as eligible_on_demand_equivalent_cost,
            cast(coverage as double) as coverage,
            cast(coverage_on_list_cost as double) as coverage_on_list_cost,
            (coverage is null) = (eligible_on_demand_equivalent_cost = 0) as coverage_null_exactly_when_nothing_eligible
        from marts.fct_commitment_coverage
    """,
    expectations=[
        share("coverage", "coverage is a share: in [0, 1] (NULLs ignored)"),
        share("coverage_on_list_cost", "coverage on list cost is a share: in [0, 1] (NULLs ignored)"),
        E.ExpectColumnValuesToBeBetween(
            column="eligible_on_demand_equivalent_cost",
            min_value=0,
            description="eligible on-demand-equivalent cost is not negative (free eligible usage gives 0)",
        ),
        always_true(
            "coverage_null_exactly_when_nothing_eligible",
            "coverage is NULL exactly where the eligible on-demand-equivalent cost is 0",
        ),
    ],
)

SAVINGS = Suite(
    name="commitment_savings",
    table="marts.fct_commitment_savings",
    # net_commitment_savings is negative when unused commitment costs more than the commitments
    # saved (documented in col_net_commitment_savings), so no expectation bounds it.
    description="Monthly savings against list and contracted prices; net commitment savings may be negative.",
    sql="""
        select
            charge_month,
            provider_name,
            billing_account_id,
            sub_account_id,
            service_name,
            cast(negotiated_savings as double) as negotiated_savings,
            cast(unused_commitment_cost as double) as unused_commitment_cost,
            cast(gross_commitment_savings as double) as gross_commitment_savings,
            cast(effective_savings_rate as double) as effective_savings_rate,
            case
                when effective_savings_rate is not null then effective_savings_rate <= 1 or effective_cost < 0
            end as effective_savings_rate_above_1_only_when_effective_cost_negative
        from marts.fct_commitment_savings
    """,
    expectations=[
        E.ExpectColumnValuesToBeBetween(
            column="negotiated_savings",
            min_value=0,
            description="negotiated savings are floored at 0 row by row: >= 0",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="unused_commitment_cost",
            min_value=0,
            description="unused commitment is a cost: >= 0",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="gross_commitment_savings",
            min_value=0,
            description="a commitment's rate is not above the contracted rate: gross savings >= 0",
        ),
        # ESR = (list − effective) ÷ list exceeds 1 exactly when the effective cost is negative:
        # discounts larger than the cost they offset (in the generated data: an AWS free-tier
        # BundledDiscount of the full unblended cost against usage billed after the 3 % EDP discount).
        always_true(
            "effective_savings_rate_above_1_only_when_effective_cost_negative",
            "nothing saves more than its list cost unless its effective cost is negative: "
            "ESR <= 1 where effective_cost >= 0 (ESR is NULL when list cost is 0)",
        ),
    ],
)

RECOMMENDATIONS = Suite(
    name="commitment_recommendations",
    table="marts.fct_commitment_recommendations",
    description="Hourly commitment levels recommended from the look-back window's on-demand usage.",
    sql="""
        select
            provider_name,
            billing_account_id,
            service_name,
            region_id,
            cast(recommended_hourly_commitment as double) as recommended_hourly_commitment,
            cast(discount_rate as double) as discount_rate,
            case
                when recommended_hourly_commitment > 0
                    then coalesce(expected_utilization between break_even_utilization and 1, false)
            end as expected_utilization_between_break_even_and_1
        from marts.fct_commitment_recommendations
    """,
    expectations=[
        E.ExpectColumnValuesToBeBetween(
            column="recommended_hourly_commitment",
            min_value=0,
            description="a recommended commitment is >= 0 (0 = no level saves money)",
        ),
        always_true(
            "expected_utilization_between_break_even_and_1",
            "a recommended commitment (> 0) is expected to be used at least at break-even (1 − d) "
            "and at most fully",
        ),
        share("discount_rate", "the discount rate is a share: in [0, 1] (NULLs ignored)"),
    ],
)

DIM_COMMITMENTS = Suite(
    name="dim_commitments",
    table="marts.dim_commitments",
    description="One row per commitment: its term, payment option and committed quantity.",
    sql="""
        select
            commitment_discount_id,
            payment_option,
            cast(term_hours as double) as term_hours
        from marts.dim_commitments
    """,
    expectations=[
        E.ExpectColumnValuesToNotBeNull(column="commitment_discount_id", description="every commitment has an id"),
        E.ExpectColumnValuesToBeUnique(column="commitment_discount_id", description="one row per commitment"),
        E.ExpectColumnValuesToBeInSet(
            column="payment_option",
            value_set=list(PAYMENT_OPTIONS),
            description="payment option is one of the three (NULL when unknown)",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="term_hours",
            min_value=0,
            strict_min=True,
            description="a known term lasts: term_hours > 0 (NULL when unknown)",
        ),
    ],
)

COMMITMENT_SUITES = [UTILIZATION, UTILIZATION_MONTHLY, COVERAGE, SAVINGS, RECOMMENDATIONS, DIM_COMMITMENTS]
