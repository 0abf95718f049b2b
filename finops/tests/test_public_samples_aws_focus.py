"""The public, real-format samples in ../shared/sample_exports load and reconcile.

These are byte-for-byte copies of what providers deliver (see PROVENANCE.md there): a legacy CUR
in AWS's S3 delivery layout with its manifest, an anonymised CUR CSV, and AWS/Microsoft/Oracle
rows from a native FOCUS 1.0 export. They are copied into a temporary landing folder (never into the
repository; links leaving the landing folder stop the load) and built like a user's own exports.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import SHARED_SAMPLES, Build, build_warehouse
from .validator_helpers import failed_must_rules, needs_validator

pytestmark = pytest.mark.skipif(
    not SHARED_SAMPLES.is_dir(),
    reason=f"public sample exports not found at {SHARED_SAMPLES} (they live beside the repository in shared/)",
)


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("samples")
    landing = root / "landing"
    # koku-local: the CUR exactly as AWS delivers it to S3 (period folder, assembly, manifest).
    shutil.copytree(SHARED_SAMPLES / "aws_cur" / "koku-local", landing / "aws_cur" / "koku-local")
    # The anonymised CUR CSV, placed in the delivery layout it came from (one assembly, no manifest).
    delivery = landing / "aws_cur" / "anonymous-cur" / "20231101-20231201" / "assembly-1"
    delivery.mkdir(parents=True)
    shutil.copyfile(SHARED_SAMPLES / "aws_cur" / "focus_converters_sample-anonymous-aws-export-dataset.csv",
                    delivery / "anonymous-cur-1.csv")
    (landing / "focus" / "focus-sample").mkdir(parents=True)
    shutil.copyfile(SHARED_SAMPLES / "focus" / "FOCUS-Sample-Data_FOCUS-1.0_focus_sample.csv",
                    landing / "focus" / "focus-sample" / "focus_sample.csv")
    return build_warehouse(landing, root / "warehouse.duckdb")


def test_samples_build_with_every_dbt_test_passing(sample_build: Build) -> None:
    assert sample_build.returncode == 0, sample_build.output[-6000:]


def test_every_sample_row_is_loaded(sample_build: Build) -> None:
    loaded = dict(sample_build.query_work("select export_name, sum(rows_loaded) from raw.landing_files group by 1"))
    # data rows in the files (header excluded): 13,380 koku, 1,281 anonymised CUR, 1,000 FOCUS
    assert loaded == {"koku-local": 13380, "anonymous-cur": 1281, "focus-sample": 1000}


def test_samples_reconcile_to_the_cent_per_account_and_period(sample_build: Build) -> None:
    rows = sample_build.query(
        "select source_name, billing_account_id, billing_period_start, raw_billed_cost, focus_billed_cost, "
        "quarantined_billed_cost, is_reconciled from marts.fct_billing_reconciliation"
    )
    assert rows, "the reconciliation is empty"
    assert all(row[-1] for row in rows), rows
    totals = dict(sample_build.query(
        "select source_name, sum(raw_billed_cost) from marts.fct_billing_reconciliation group by 1"
    ))
    assert set(totals) == {"aws_cur", "focus"}
    assert all(total > Decimal(0) for total in totals.values())


def _cur_billed_totals() -> dict[str, Decimal]:
    """Σ UnblendedCost per payer account, straight from the sample files (every row is Usage or Tax)."""
    import csv
    import gzip

    totals: dict[str, Decimal] = {}
    sources = [
        gzip.open(next((SHARED_SAMPLES / "aws_cur" / "koku-local").rglob("*.csv.gz")), "rt", encoding="utf-8"),
        open(SHARED_SAMPLES / "aws_cur" / "focus_converters_sample-anonymous-aws-export-dataset.csv", encoding="utf-8"),
    ]
    for handle in sources:
        with handle:
            for row in csv.DictReader(handle):
                payer = row["bill/PayerAccountId"]
                totals[payer] = totals.get(payer, Decimal(0)) + Decimal(row["lineItem/UnblendedCost"] or "0")
    return totals


def test_cur_samples_total_what_the_files_say(sample_build: Build) -> None:
    """Raw and FOCUS billed totals per payer equal a plain Python sum of the files, to the cent
    (the warehouse keeps 12 decimal places; the files carry up to 17)."""
    expected = _cur_billed_totals()
    actual = {
        account: (raw, focus)
        for account, raw, focus in sample_build.query(
            "select billing_account_id, sum(raw_billed_cost), sum(focus_billed_cost) "
            "from marts.fct_billing_reconciliation where source_name = 'aws_cur' group by 1"
        )
    }
    assert set(actual) == set(expected)
    for account, total in expected.items():
        raw, focus = actual[account]
        assert abs(raw - total) < Decimal("0.000001"), (account, raw, total)
        assert raw.quantize(Decimal("0.01")) == focus.quantize(Decimal("0.01")) == total.quantize(Decimal("0.01"))


@needs_validator
def test_samples_pass_every_focus_validator_must_rule(sample_build: Build, tmp_path: Path) -> None:
    assert sample_build.returncode == 0, sample_build.output[-4000:]
    assert failed_must_rules(sample_build, tmp_path) == {}


def test_native_rows_that_break_a_focus_rule_are_quarantined_naming_it(sample_build: Build) -> None:
    """The FOCUS 1.0 sample's rows a FOCUS 1.2 dataset cannot hold (D18, D46): an AWS credit with a unit
    price of -3, two Oracle adjustments with a ConsumedQuantity, seven AWS usage rows whose ContractedCost
    is not ContractedUnitPrice x PricingQuantity. They are listed, with their amounts, and reconciled."""
    quarantined = sample_build.query(
        "select quarantine_reason, count(*) from marts.quarantine_line_items where source_name = 'focus' "
        "group by 1 order by 1"
    )
    rule = "breaks FOCUS rule {} (macros/focus_row_rules.sql)".format
    assert quarantined == [
        (rule("consumed_quantity_only_on_used_usage"), 2),
        (rule("contracted_cost_is_unit_price_times_quantity"), 7),
        (rule("unit_prices_not_negative"), 1),
    ]
    (published,) = sample_build.query("select count(*) from marts.focus_cost_and_usage where x_source_name = 'focus'")
    assert published == (990,)


def test_native_focus_rows_keep_their_provider(sample_build: Build) -> None:
    providers = {row[0] for row in sample_build.query(
        "select distinct ProviderName from marts.focus_cost_and_usage where x_source_name = 'focus'"
    )}
    assert providers == {"AWS", "Microsoft", "Oracle"}


def test_daily_amortized_costs_equal_aws_amortized_cost_of_the_samples(sample_build: Build) -> None:
    """On real CUR files, Σ EffectiveCost of fct_amortized_costs per account and month equals AWS's own
    amortised cost of the raw rows (computed from the CUR columns the way Cost Explorer does)."""
    amortized = {
        (account, str(period)): cost
        for account, period, cost in sample_build.query(
            "select billing_account_id, cast(billing_period_start as date), raw_amortized_cost "
            "from marts.fct_billing_reconciliation where source_name = 'aws_cur'"
        )
    }
    daily = {
        (account, str(period)): cost
        for account, period, cost in sample_build.query(
            "select billing_account_id, cast(billing_period_start as date), sum(effective_cost) "
            "from marts.fct_amortized_costs where source_name = 'aws_cur' group by 1, 2"
        )
    }
    assert len(amortized) >= 2
    assert daily == amortized
