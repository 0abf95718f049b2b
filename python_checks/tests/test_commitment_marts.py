"""End to end: the commitment marts built from generated exports give the answers the generator
knows (`_truth/commitments.csv`, `_truth/commitment_usage_daily.csv`), and the daily amortised
view keeps every cent of AWS's own amortised cost."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from .conftest import Build

# The generator's commitment truth and always-on baselines describe AWS and the native FOCUS exports;
# Azure and Google Cloud are checked in test_multicloud_warehouse.py.
AWS_AND_FOCUS = "provider_name not in ('Microsoft', 'Google Cloud')"


def _truth(build: Build, name: str) -> list[dict[str, str]]:
    with open(build.landing / "_truth" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_commitment_with_its_terms(generated_build: Build) -> None:
    """Term, payment option and upfront amount of every commitment, AWS and native FOCUS alike. The
    FOCUS exports do not state a term: it comes from the sample commitments.csv (term_months 12).
    (The generator's commitment truth covers AWS and the FOCUS exports; Azure commitments are checked
    day by day in test_multicloud_warehouse.py.)"""
    expected = {
        row["commitment_discount_id"]: (
            dt.datetime.fromisoformat(row["term_start"]), dt.datetime.fromisoformat(row["term_end"]),
            row["payment_option"], Decimal(row["upfront_total"]), row["billing_account_id"],
        )
        for row in _truth(generated_build, "commitments.csv")
    }
    actual = {
        row[0]: tuple(row[1:])
        for row in generated_build.query(
            "select commitment_discount_id, term_start, term_end, payment_option, upfront_amount, billing_account_id "
            f"from marts.dim_commitments where {AWS_AND_FOCUS}"
        )
    }
    assert actual == expected
    sources = dict(generated_build.query(
        "select commitment_discount_type, string_agg(distinct term_source, ',') from marts.dim_commitments "
        f"where {AWS_AND_FOCUS} group by 1"
    ))
    assert sources == {"Reserved Instance": "provider export", "Savings Plan": "provider export",
                       "Committed Spend": "first one-time purchase (start), mapping file term_months (end)"}


def test_daily_utilization_matches_the_generators_truth(generated_build: Build) -> None:
    """Committed, used and unused per commitment and day, on the commitment's own basis (hours for
    Reserved Instances, dollars for Savings Plans and spend commitments) and in effective cost.
    AWS states a Reserved Instance's unused hours once a month: they must land on the idle days."""
    expected = {
        (row["commitment_discount_id"], row["day"]): tuple(
            Decimal(row[k]) for k in ("committed_quantity", "used_quantity", "unused_quantity",
                                      "used_effective_cost", "unused_effective_cost")
        )
        for row in _truth(generated_build, "commitment_usage_daily.csv")
    }
    actual = {
        (row[0], str(row[1])): tuple(row[2:])
        for row in generated_build.query(
            "select commitment_discount_id, charge_date, committed_quantity, used_quantity, unused_quantity, "
            "used_effective_cost, unused_effective_cost from marts.fct_commitment_utilization "
            "where commitment_discount_id in "
            f"(select commitment_discount_id from marts.dim_commitments where {AWS_AND_FOCUS})"
        )
    }
    assert len(expected) > 1000
    assert actual.keys() == expected.keys()
    wrong = {key: (actual[key], expected[key]) for key in expected if actual[key] != expected[key]}
    assert not wrong, list(wrong.items())[:5]
    bands = dict(generated_build.query(
        "select commitment_discount_type, count(distinct utilization) from marts.fct_commitment_utilization group by 1"
    ))
    assert all(n > 2 for n in bands.values()), bands  # partly used commitments, not only 0 % and 100 %


def test_daily_amortized_costs_keep_aws_amortized_cost_per_account_and_month(generated_build: Build) -> None:
    """Σ effective cost of fct_amortized_costs per payer and billing period = AWS's own amortised
    cost (Cost Explorer's definition, computed by the generator), to the last decimal."""
    expected = {
        (row["billing_account_id"], row["billing_period_start"]): (Decimal(row["billed_cost"]),
                                                                   Decimal(row["amortized_cost"]))
        for row in _truth(generated_build, "expected_totals.csv")
        if row["source"] in ("aws_cur", "aws_cur2")
    }
    actual = {
        (account, str(period)): (billed, effective)
        for account, period, billed, effective in generated_build.query(
            "select billing_account_id, cast(billing_period_start as date), sum(billed_cost), sum(effective_cost) "
            "from marts.fct_amortized_costs where provider_name = 'AWS' group by 1, 2"
        )
    }
    assert actual == expected


def test_coverage_and_savings_see_the_covered_usage(generated_build: Build) -> None:
    """Every dollar of covered usage appears as covered in coverage, at its on-demand equivalent,
    and commitments save money on it: gross commitment savings > 0 for each provider."""
    covered = dict(generated_build.query(
        "select \"ProviderName\", sum(\"ContractedCost\") from marts.focus_cost_and_usage "
        "where \"CommitmentDiscountStatus\" = 'Used' group by 1"
    ))
    in_coverage = dict(generated_build.query(
        "select provider_name, sum(covered_on_demand_equivalent_cost) from marts.fct_commitment_coverage group by 1 "
        "having sum(covered_on_demand_equivalent_cost) > 0"
    ))
    assert in_coverage == covered
    savings = dict(generated_build.query(
        "select provider_name, sum(gross_commitment_savings) from marts.fct_commitment_savings group by 1"
    ))
    assert all(savings[p] > 0 for p in covered), savings


def test_always_on_on_demand_usage_gets_a_commitment_recommendation(generated_build: Build) -> None:
    """Each generated report runs a few instances on demand every hour (config.BASELINE_ONDEMAND):
    exactly those payer, service and region groups get a commitment recommended, with expected
    utilisation above break-even and positive savings; sporadic on-demand usage elsewhere does not
    pay for a commitment."""
    from python_checks.generator import config

    recommended = {
        (account, service, region): (level, utilization, break_even, savings)
        for account, service, region, level, utilization, break_even, savings in generated_build.query(
            "select billing_account_id, service_name, region_id, recommended_hourly_commitment, expected_utilization, "
            "break_even_utilization, expected_net_savings from marts.fct_commitment_recommendations "
            f"where recommended_hourly_commitment > 0 and recommendation_scope = 'service and region' and {AWS_AND_FOCUS}"
        )
    }
    expected = {(spec.payer, "Amazon Elastic Compute Cloud", config.BASELINE_ONDEMAND[spec.key].region)
                for spec in config.REPORTS}
    assert set(recommended) == expected, recommended
    for key in expected:
        level, utilization, break_even, savings = recommended[key]
        assert utilization >= break_even and savings > 0, (key, recommended[key])


def test_an_account_wide_plan_commits_at_least_what_each_service_would(generated_build: Build) -> None:
    """The account-wide plan (a Compute Savings Plan) sees the sum of its services' hourly usage, so the
    level it recommends is at least each service-and-region plan's level (the optimum is a quantile of
    the hourly series, and the sum is never below a part)."""
    rows = generated_build.query(
        "select a.billing_account_id, a.recommended_hourly_commitment, max(s.recommended_hourly_commitment) "
        "from marts.fct_commitment_recommendations a join marts.fct_commitment_recommendations s "
        "on a.provider_name = s.provider_name and a.billing_account_id = s.billing_account_id "
        "and a.billing_currency = s.billing_currency "
        "where a.recommendation_scope = 'billing account' and s.recommendation_scope = 'service and region' "
        "group by 1, 2"
    )
    assert len(rows) >= 3, rows
    assert all(account_level >= service_level for _, account_level, service_level in rows), rows
