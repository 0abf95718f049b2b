"""End to end: the commitment marts built from generated exports give the answers the generator
knows (`_truth/commitments.csv`, `_truth/commitment_usage_daily.csv`), and the daily amortised
view keeps every cent of AWS's own amortised cost."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest

from .conftest import Build, build_warehouse
from .test_aws_cur_input import write_cur

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
    from finops.sample_data import config

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


# ---------------------------------------------------------------- Savings Plan fees of more than an hour
# A SavingsPlanRecurringFee row states the commitment of its whole charge period: an hour in most CURs,
# a day or a month in others. dim_commitments must give the commitment per hour whatever the period.

SP_COLUMNS = [
    "identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
    "lineItem/ProductCode", "lineItem/CurrencyCode", "lineItem/UnblendedCost", "savingsPlan/SavingsPlanARN",
    "savingsPlan/TotalCommitmentToDate", "savingsPlan/UsedCommitment",
    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "savingsPlan/RecurringCommitmentForBillingPeriod",
    "savingsPlan/StartTime", "savingsPlan/EndTime", "savingsPlan/PaymentOption",
]
SP_TERM = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")  # 8,760 hours


def _sp_fee(line_id: str, arn: str, start: str, end: str, total: str, used: str, upfront: str, recurring: str,
            payment: str) -> list[str]:
    return [line_id, "999999999999", "2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z", "999999999999",
            "SavingsPlanRecurringFee", start, end, "ComputeSavingsPlans", "USD", recurring,
            f"arn:aws:savingsplans::999999999999:savingsplan/{arn}", total, used, upfront, recurring, *SP_TERM,
            payment]


@pytest.fixture(scope="module")
def long_fee_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("long_savings_plan_fees")
    rows = [
        # 1.50 an hour (0.50 paid upfront, 1.00 recurring) stated once for the whole of 2026-08-03
        _sp_fee("sp-day", "sp-day", "2026-08-03T00:00:00Z", "2026-08-04T00:00:00Z", "36", "30", "12", "24",
                "Partial Upfront"),
        # 2.00 an hour stated once for the whole of August (744 hours)
        _sp_fee("sp-month", "sp-month", "2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z", "1488", "1400", "0", "1488",
                "No Upfront"),
        # 0.75 an hour stated hour by hour, as most CURs do
        _sp_fee("sp-hour-1", "sp-hour", "2026-08-03T00:00:00Z", "2026-08-03T01:00:00Z", "0.75", "0.75", "0", "0.75",
                "No Upfront"),
        _sp_fee("sp-hour-2", "sp-hour", "2026-08-03T01:00:00Z", "2026-08-03T02:00:00Z", "0.75", "0.5", "0", "0.75",
                "No Upfront"),
    ]
    write_cur(root / "landing", rows, SP_COLUMNS)
    return build_warehouse(root / "landing", root / "w.duckdb")


def test_a_savings_plan_fee_of_a_day_or_a_month_commits_its_amount_per_hour(long_fee_build: Build) -> None:
    assert long_fee_build.returncode == 0, long_fee_build.output[-6000:]
    commitments = long_fee_build.query(
        "select split_part(commitment_discount_id, '/', 2), committed_quantity_per_hour, committed_quantity_source, "
        "recurring_amount_per_hour, upfront_amount, amortized_cost_per_hour from marts.dim_commitments order by 1"
    )
    assert commitments == [
        ("sp-day", Decimal("1.5"), "provider export", Decimal("1"), Decimal("4380"), Decimal("1.5")),
        ("sp-hour", Decimal("0.75"), "provider export", Decimal("0.75"), Decimal("0"), Decimal("0.75")),
        ("sp-month", Decimal("2"), "provider export", Decimal("2"), Decimal("0"), Decimal("2")),
    ]
