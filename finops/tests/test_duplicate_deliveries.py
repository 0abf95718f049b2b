"""A bill landed twice never gives a doubled "reconciled" bill: the build stops, and each bad-input
test (tag `input_check`) says in one sentence (its `meta.stop`, formatted with each failing row)
which bill, which export folders and what to do.

Two builds from hand-written exports:

* `duplicates_build`: one bill of each source landed twice (a native FOCUS export under two export
  folders, two CUR 2.0 exports of one payer, a CUR 2.0 export and a legacy CUR of one payer, two
  Azure actual-cost exports of one billing profile, a Google Cloud month in two exports), plus two
  FOCUS exports of one billing account scoped to different sub accounts, which is not a duplicate;
* `negation_build`: a legacy CUR whose Savings Plan negation does not cancel its covered usage.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, Build, build_warehouse, write_cur2
from .test_aws_cur_input import COLUMNS as CUR_COLUMNS
from .test_aws_cur_input import PERIOD, usage_row, write_cur
from .test_azure_input import az_pair, write_az, write_az_pair
from .test_gcp_input import gcp_good_rows, write_jsonl

FOCUS_HEADER = [
    "BillingAccountId", "BillingAccountName", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
    "ChargePeriodEnd", "ChargeCategory", "BilledCost", "EffectiveCost", "BillingCurrency", "ProviderName",
    "PublisherName", "InvoiceIssuerName", "ServiceName", "ServiceCategory", "SubAccountId", "SubAccountName",
]


def focus_row(account: str, sub_account: str, cost: str) -> list[str]:
    return [account, f"Account {account}", "2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z", "2026-08-03T00:00:00Z",
            "2026-08-04T00:00:00Z", "Usage", cost, cost, "USD", "Kestrel Cloud", "Kestrel Cloud", "Kestrel Cloud",
            "Compute", "Compute", sub_account, f"Project {sub_account}"]


def write_focus(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FOCUS_HEADER)
        writer.writerows(rows)


@dataclass
class StopCheck:
    """A bad-input dbt test as the build just run compiled it: its tags, its meta.stop template and SQL."""

    tags: list[str]
    template: str | None
    sql: str


def compiled_checks(names: tuple[str, ...]) -> dict[str, StopCheck]:
    """Read from target/ right after a build (the next build rewrites it); a test missing from the
    project is missing here."""
    manifest = json.loads((REPO_ROOT / "target" / "manifest.json").read_text())
    checks = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node["name"] in names:
            compiled = REPO_ROOT / "target" / "compiled" / "finops_warehouse" / node["original_file_path"]
            checks[node["name"]] = StopCheck(node["tags"], node["config"]["meta"].get("stop"), compiled.read_text())
    return checks


def stop_sentences(build: Build, check: StopCheck) -> list[str]:
    """The sentences a failing `input_check` test gives: its meta.stop template formatted with each
    row the test returns on the build's warehouse."""
    assert "input_check" in check.tags and check.template, check
    rows = build.query_work(f"select cast(to_json(t) as varchar) from (\n{check.sql}\n) as t")
    return sorted(check.template.format(**json.loads(row)) for row, in rows)


FOCUS_DOUBLED, FOCUS_SCOPED = "KC-1001", "KC-2002"
PAYER_CUR2_TWICE, PAYER_CUR2_AND_CUR = "111111111111", "222222222222"
AZURE_PROFILE = "1000001"
GCP_ACCOUNT = "01A2B3-C4D5E6-000001"


@pytest.fixture(scope="module")
def duplicates_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, dict[str, StopCheck]]:
    root = tmp_path_factory.mktemp("duplicates")
    landing = root / "landing"
    # A native FOCUS bill copied under a second export folder.
    for export in ("kestrel-a", "kestrel-b"):
        write_focus(landing / "focus" / export / "2026-08" / "part-0.csv",
                    [focus_row(FOCUS_DOUBLED, "proj-1", "10.00"), focus_row(FOCUS_DOUBLED, "proj-2", "2.50")])
    # One billing account exported per sub account (as Azure subscription-scoped FOCUS exports are): no overlap.
    for project, cost in (("proj-1", "4"), ("proj-2", "5")):
        write_focus(landing / "focus" / f"scoped-{project}" / "2026-08" / "part-0.csv",
                    [focus_row(FOCUS_SCOPED, project, cost)])
    # Two CUR 2.0 exports of one payer; a CUR 2.0 export and a legacy CUR of another.
    for export in ("initech-hourly", "initech-daily"):
        write_cur2(landing / "aws_cur2" / export / "data" / "BILLING_PERIOD=2026-08" / f"{export}-00001.snappy.parquet",
                   PAYER_CUR2_TWICE, "3.25")
    write_cur2(landing / "aws_cur2" / "globex-cur2" / "data" / "BILLING_PERIOD=2026-08" /
               "globex-cur2-00001.snappy.parquet", PAYER_CUR2_AND_CUR, "7.5")
    write_cur(landing, [[PAYER_CUR2_AND_CUR if v == "999999999999" else v for v in usage_row("legacy-1", "7.5")]])
    # Azure: the actual-cost export of one billing profile landed under two names (the amortised one once).
    actual, amortized = az_pair(AZURE_PROFILE, "2026-08")
    write_az_pair(landing, "contoso", "2026-08", actual, amortized)
    write_az(landing / "azure" / "contoso-actual-copy" / "20260801-20260831" / "run-1" / "part_0_0001.csv", actual)
    # Google Cloud: the standard and the detailed export of one billing account.
    for export in ("billing-standard", "billing-detailed"):
        write_jsonl(landing / "gcp" / export / "invoice_month=202608" / "20260903T0600Z" / "billing-00000.jsonl",
                    gcp_good_rows(GCP_ACCOUNT, "2026-08"))
    build = build_warehouse(landing, root / "w.duckdb")
    return build, compiled_checks((
        "assert_each_focus_bill_comes_from_one_export",
        "assert_each_aws_bill_comes_from_one_export",
        "assert_each_azure_bill_comes_from_one_export_of_each_type",
        "assert_each_gcp_invoice_month_comes_from_one_export",
    ))


def test_a_bill_landed_twice_stops_the_build(duplicates_build) -> None:  # noqa: ANN001
    build, _ = duplicates_build
    assert build.returncode != 0, build.output[-3000:]
    assert "Traceback" not in build.output


def test_focus_bill_under_two_export_folders_is_one_sentence_naming_both(duplicates_build) -> None:  # noqa: ANN001
    build, checks = duplicates_build
    assert stop_sentences(build, checks["assert_each_focus_bill_comes_from_one_export"]) == [
        f"The FOCUS bill of billing account {FOCUS_DOUBLED} (Kestrel Cloud) for 2026-08 is landed twice, in "
        "focus/kestrel-a, focus/kestrel-b; keep one export folder per bill (delete or move the other) and run again."
    ]  # the sub-account-scoped exports of FOCUS_SCOPED are not named


def test_cur2_twice_and_cur2_beside_legacy_cur_are_one_sentence_each(duplicates_build) -> None:  # noqa: ANN001
    build, checks = duplicates_build
    what = ("keep one export per payer and period (one CUR report, in one format, or one CUR 2.0 export: delete or "
            "move the other) and run again.")
    assert stop_sentences(build, checks["assert_each_aws_bill_comes_from_one_export"]) == [
        f"The AWS bill of payer account {PAYER_CUR2_TWICE} for 2026-08 is landed twice, in "
        f"aws_cur2/initech-daily, aws_cur2/initech-hourly; {what}",
        f"The AWS bill of payer account {PAYER_CUR2_AND_CUR} for 2026-08 is landed twice, in "
        f"aws_cur/rep (CSV), aws_cur2/globex-cur2; {what}",
    ]


def test_azure_and_gcp_duplicates_are_one_sentence_each(duplicates_build) -> None:  # noqa: ANN001
    build, checks = duplicates_build
    assert stop_sentences(build, checks["assert_each_azure_bill_comes_from_one_export_of_each_type"]) == [
        f"The Azure actual cost of billing profile {AZURE_PROFILE} for 2026-08 is landed twice, in "
        "azure/contoso-actual, azure/contoso-actual-copy; keep one actual-cost export per scope (delete or move "
        "the other export folder) and run again."
    ]
    assert stop_sentences(build, checks["assert_each_gcp_invoice_month_comes_from_one_export"]) == [
        f"The Google Cloud invoice month 2026-08 of billing account {GCP_ACCOUNT} is landed twice, in "
        "gcp/billing-detailed/invoice_month=202608, gcp/billing-standard/invoice_month=202608; keep one export "
        "(standard or detailed) and one folder per invoice month (delete or move the other) and run again."
    ]


SP_COLUMNS = [*CUR_COLUMNS, "savingsPlan/SavingsPlanARN", "savingsPlan/SavingsPlanEffectiveCost"]
SP_ARN = "arn:aws:savingsplans::999999999999:savingsplan/sp-0001"


@pytest.fixture(scope="module")
def negation_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, dict[str, StopCheck]]:
    root = tmp_path_factory.mktemp("negation")
    rows = [
        [*usage_row("od-1", "1.00"), "", ""],
        [*usage_row("covered-1", "10.00", line_type="SavingsPlanCoveredUsage"), SP_ARN, "7.00"],
        [*usage_row("negation-1", "-8.00", line_type="SavingsPlanNegation"), SP_ARN, ""],  # cancels 8 of 10
    ]
    write_cur(root / "landing", rows, SP_COLUMNS)
    build = build_warehouse(root / "landing", root / "w.duckdb")
    return build, compiled_checks(("assert_savings_plan_negations_cancel_covered_usage",))


def test_savings_plan_negation_that_does_not_cancel_is_one_sentence(negation_build) -> None:  # noqa: ANN001
    build, checks = negation_build
    assert build.returncode != 0, build.output[-3000:]
    assert stop_sentences(build, checks["assert_savings_plan_negations_cancel_covered_usage"]) == [
        f"The Savings Plan negations of payer account 999999999999 for {PERIOD[0][:7]} do not cancel its covered "
        "usage (2 USD left over), in aws_cur/rep/20260801-20260901/asm-1/rep-1.csv.gz; the delivery is incomplete "
        "or altered, so copy the complete delivery of that period from S3 again (every file of its assembly) and "
        "run again."
    ]
