"""Google Cloud bad input: a clear error naming the file, or the rows quarantined with their reason
and the totals still reconciled (the house rule of test_aws_cur_input.py). Small hand-written
exports, one warehouse build, `gcp_build`: one billing account per defect, plus a month extracted twice.
"""


from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import Build, build_warehouse
from .test_azure_input import quarantine, rec_row, reconciliation

# --------------------------------------------------------------------------------------------
# Google Cloud: billing export rows as JSON lines, in the export table's nested shape
# --------------------------------------------------------------------------------------------


def gcp_row(account: str, month: str, cost: float | str | None, credits: list | dict | None = None, *,
            cost_type: str = "regular", currency: str = "USD", sku: str = "N2 Instance Core running in Americas",
            project: str = "proj-app", day: int = 3) -> dict:
    year, mon = month.split("-")
    row = {
        "billing_account_id": account,
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "sku": {"id": "2D2A-A1BC-7E0F", "description": sku},
        "usage_start_time": f"{year}-{mon}-{day:02d}T00:00:00Z",
        "usage_end_time": f"{year}-{mon}-{day:02d}T01:00:00Z",
        "project": {"id": project, "name": project, "labels": [{"key": "team", "value": "platform"}]},
        "labels": [{"key": "env", "value": "prod"}],
        "system_labels": [{"key": "compute.googleapis.com/machine_spec", "value": "n2-standard-2"}],
        "location": {"location": "us-central1", "country": "US", "region": "us-central1", "zone": "us-central1-a"},
        "cost": cost,
        "currency": currency,
        "usage": {"amount": 7200, "unit": "seconds", "amount_in_pricing_units": 2, "pricing_unit": "hour"},
        "credits": credits if credits is not None else [],
        "invoice": {"month": f"{year}{mon}"},
        "cost_type": cost_type,
    }
    if cost is None:
        del row["cost"]
    return row


def sud(amount: float | str) -> dict:
    return {"name": "Sustained Usage Discount", "amount": amount, "type": "SUSTAINED_USAGE_DISCOUNT",
            "id": "", "full_name": ""}


def gcp_good_rows(account: str, month: str) -> list[dict]:
    return [
        gcp_row(account, month, 1.25, [sud(-0.125)]),
        gcp_row(account, month, 3.5, [sud(-0.5), {"name": "Free trial", "amount": -1.0, "type": "FREE_TIER",
                                                  "id": "ft-1", "full_name": "Free tier"}], day=4),
        gcp_row(account, month, 0.07, cost_type="tax", sku="Tax"),
        gcp_row(account, month, -0.01, cost_type="rounding_error", sku="Rounding"),
    ]


def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    return path


def gcp_billed(rows: list[dict]) -> Decimal:
    """Σ cost + Σ credits, from the rows as written (the JSON numbers' own text)."""
    return sum((Decimal(str(r["cost"])) + sum((Decimal(str(c["amount"])) for c in r["credits"]), Decimal(0))
                for r in rows), Decimal(0))


G_GOOD, G_BADLINE, G_NOCOST, G_BADCREDIT, G_CREDITSHAPE, G_COSTTYPE, G_CURRENCY, G_REEXTRACT = (
    f"01A2B3-C4D5E6-00000{i}" for i in range(1, 9))
GCP_DEFECTS = {  # account -> (bad row, reason, its billed amount as quarantined)
    G_NOCOST: (gcp_row(G_NOCOST, "2026-08", None, [sud(-0.1)]), "unparseable or missing cost", None),
    G_BADCREDIT: (gcp_row(G_BADCREDIT, "2026-08", 2.0, [sud("minus one")]), "unparseable credit amount", None),
    G_CREDITSHAPE: (gcp_row(G_CREDITSHAPE, "2026-08", 2.0, sud(-1.0)), "malformed credits JSON", None),
    G_COSTTYPE: (gcp_row(G_COSTTYPE, "2026-08", 2.0, [sud(-0.25)], cost_type="mystery"), "unknown cost_type mystery",
                 Decimal("1.75")),
    G_CURRENCY: (gcp_row(G_CURRENCY, "2026-08", 2.0, [sud(-0.25)], currency="XXQ"), "unknown currency code XXQ",
                 Decimal("1.75")),
}
GCP_FILE = "gcp/billing/invoice_month=202608/20260903T0600Z/billing-00000.jsonl"


@pytest.fixture(scope="module")
def gcp_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    landing = tmp_path_factory.mktemp("gcp") / "landing"
    good: dict[str, list[dict]] = {}
    lines: list[dict | str] = []
    for account in (G_GOOD, G_BADLINE, *GCP_DEFECTS):
        good[account] = gcp_good_rows(account, "2026-08")
        lines.extend(good[account])
        if account in GCP_DEFECTS:
            lines.append(GCP_DEFECTS[account][0])
    lines.insert(6, '{"billing_account_id": "' + G_BADLINE + '", "cost": 1.0,')  # cut off mid-line: not JSON
    write_jsonl(landing / GCP_FILE, lines)
    # September of G_REEXTRACT extracted twice: the extract whose name sorts last counts, whatever
    # the file times say.
    month_dir = landing / "gcp" / "billing" / "invoice_month=202609"
    good[G_REEXTRACT] = gcp_good_rows(G_REEXTRACT, "2026-09")
    old = write_jsonl(month_dir / "20261002T0600Z" / "billing-00000.jsonl",
                      good[G_REEXTRACT][:2] + [gcp_row(G_REEXTRACT, "2026-09", 99.0)])
    new = write_jsonl(month_dir / "20261005T0600Z" / "billing-00000.jsonl", good[G_REEXTRACT])
    os.utime(old, (2_000_000_000, 2_000_000_000))
    os.utime(new, (1_900_000_000, 1_900_000_000))
    return landing, good


@pytest.fixture(scope="module")
def gcp_build(gcp_landing, tmp_path_factory: pytest.TempPathFactory) -> Build:  # noqa: ANN001
    landing, _ = gcp_landing
    return build_warehouse(landing, tmp_path_factory.mktemp("gcp-wh") / "w.duckdb")


def test_gcp_build_passes_every_dbt_test(gcp_build: Build) -> None:
    assert gcp_build.returncode == 0, gcp_build.output[-3000:]


def test_gcp_focus_billed_cost_is_cost_plus_credits_per_account_and_month(gcp_build: Build, gcp_landing) -> None:  # noqa: ANN001
    _, good = gcp_landing
    focus = dict(((a, m), (b, e)) for a, m, b, e in gcp_build.query(
        "select BillingAccountId, strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost), sum(EffectiveCost) "
        "from marts.focus_cost_and_usage where x_source_name = 'gcp' group by 1, 2"
    ))
    for account, rows in good.items():
        month = "2026-09" if account == G_REEXTRACT else "2026-08"
        assert focus[(account, month)] == (gcp_billed(rows), gcp_billed(rows)), account
    # by hand, once: 1.25 - 0.125 + 3.5 - 0.5 - 1 + 0.07 - 0.01
    assert focus[(G_GOOD, "2026-08")] == (Decimal("3.185"), Decimal("3.185"))
    rec = reconciliation(gcp_build, "gcp")
    assert rec[(G_GOOD, "2026-08", "USD")] == (
        Decimal("3.185"), Decimal("3.185"), Decimal("3.185"), Decimal("3.185"), 0, 0, 0, 0, 0, True)


def test_gcp_line_that_is_not_json_is_quarantined_and_the_rest_loads(gcp_build: Build, gcp_landing) -> None:  # noqa: ANN001
    _, good = gcp_landing
    rejected = gcp_build.query(
        "select source_file, source_line_number, quarantine_reason, raw_line, billing_account_id "
        "from marts.quarantine_line_items where source_name = 'gcp' and raw_line is not null"
    )
    # what is left of the line names its billing account, whose only bill in the file is August's in USD
    assert rejected == [(GCP_FILE, 7, "unreadable JSON line: the line is not valid JSON",
                         '{"billing_account_id": "' + G_BADLINE + '", "cost": 1.0,', G_BADLINE)]
    assert gcp_build.query_work("select rows_loaded, lines_rejected from raw.landing_files "
                                f"where file_path = '{GCP_FILE}'") == [(33, 1)]
    rec = reconciliation(gcp_build, "gcp")
    billed = gcp_billed(good[G_BADLINE])
    # the line's amount is unknown: the known amounts add up, but the bill is not called reconciled
    assert rec[(G_BADLINE, "2026-08", "USD")] == (billed, billed, billed, billed, 1, 0, 0, 0, 0, False)
    assert gcp_build.query("select unknown_amount_line_count, reconciliation_status from marts.fct_billing_reconciliation "
                           f"where billing_account_id = '{G_BADLINE}'") == [(1, "incomplete")]
    assert (None, None, None) not in rec


@pytest.mark.parametrize("account", list(GCP_DEFECTS))
def test_gcp_bad_row_is_quarantined_with_its_reason_and_totals_reconcile(
    gcp_build: Build, gcp_landing, account: str,  # noqa: ANN001
) -> None:
    _, good = gcp_landing
    row, reason, amount = GCP_DEFECTS[account]
    assert [r[3:] for r in quarantine(gcp_build, "gcp") if r[0] == account] == [(reason, amount, amount)]
    rec = reconciliation(gcp_build, "gcp")
    billed = gcp_billed(good[account])
    if row["currency"] == "USD":
        # a row whose amount is unknown (cost or credit unreadable) leaves its bill incomplete, never
        # reconciled: the known amounts add up, but the bill may lack that row's money
        q = amount or 0
        assert rec[(account, "2026-08", "USD")] == (
            billed + q, billed + q, billed, billed, 1, q, q, 0, 0, amount is not None)
    else:  # its own currency group, wholly quarantined; the USD bill reconciles on its own
        assert rec[(account, "2026-08", row["currency"])] == (amount, amount, 0, 0, 1, amount, amount, 0, 0, True)
        assert rec[(account, "2026-08", "USD")] == (billed, billed, billed, billed, 0, 0, 0, 0, 0, True)


def test_gcp_month_extracted_twice_counts_the_extract_that_sorts_last(gcp_build: Build, gcp_landing) -> None:  # noqa: ANN001
    _, good = gcp_landing
    files = gcp_build.query(
        "select file_path, status, reason, rows_loaded from raw.landing_files "
        "where file_path like '%invoice_month=202609%' order by 1")
    assert files == [
        ("gcp/billing/invoice_month=202609/20261002T0600Z/billing-00000.jsonl", "superseded",
         "replaced by the newer extract 20261005T0600Z of invoice_month=202609", 0),
        ("gcp/billing/invoice_month=202609/20261005T0600Z/billing-00000.jsonl", "current", "", 4),
    ]
    billed = gcp_billed(good[G_REEXTRACT])
    assert rec_row(gcp_build, G_REEXTRACT, "2026-09", source="gcp") == (
        billed, billed, billed, billed, 0, 0, 0, 0, 0, True)


def test_gcp_file_directly_under_gcp_stops_the_load_naming_it(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "landing" / "gcp" / "billing-00000.jsonl", gcp_good_rows(G_GOOD, "2026-08"))
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    assert (
        "error: gcp/billing-00000.jsonl: billing export files go in one subfolder per export (gcp/<export>/); "
        "move it there."
    ) in build.output.splitlines()
