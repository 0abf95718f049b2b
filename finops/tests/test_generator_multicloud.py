"""Azure cost details exports and Google Cloud billing extracts of the generator: determinism, the landing
layout the loader reads, the export semantics the FOCUS mapping relies on, and `_truth` totals recomputed
with DuckDB from the written files."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops.sample_data import generate
from finops.landing.discovery import discover

SEED = 7
MONTHS = 3
ROWS = 3000
RANGES = ["20260701-20260731", "20260801-20260831", "20260901-20260930"]
INVOICE_MONTHS = ["202607", "202608", "202609"]
DEC = "DECIMAL(38,12)"
COMPANIES = {"contoso": ("80012345", "USD", "Cost", "%m/%d/%Y"),
             "fabrikam": ("AB12-CD34-EF5-GH6", "EUR", "costInBillingCurrency", "%Y-%m-%d")}


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for sub in ("azure", "gcp", "_truth") for p in sorted((root / sub).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("multicloud")
    generate(out, seed=SEED, months=MONTHS, rows_per_month=ROWS, progress=False)
    return out


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _truth(root: Path, source: str) -> list[dict]:
    with open(root / "_truth" / "expected_totals.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["source"] == source]


def _runs(root: Path, export: str, period: str) -> list[tuple[dict, Path]]:
    """(manifest, run folder) of every run of one export and date range, oldest first."""
    runs = [(json.loads((d / "manifest.json").read_text()), d) for d in (root / "azure" / export / period).iterdir()]
    return sorted(runs, key=lambda r: r[0]["runInfo"]["submittedTime"])


def _azure_rel(run: Path) -> str:
    return f"read_csv('{run}/part_0_*.csv.gz', all_varchar = true, header = true)"


def _gcp_extracts(root: Path, export: str, month: str) -> list[Path]:
    return sorted((root / "gcp" / export / f"invoice_month={month}").iterdir())


def _gcp_rel(path: Path) -> str:
    # one JSON document per line, read as text so that numbers keep their exact decimal digits
    return (f"(SELECT json(line) AS r FROM read_csv('{path}/billing-00000.jsonl.gz', header = false, "
            "columns = {'line': 'VARCHAR'}, delim = '\\x1f', quote = '', escape = ''))")


def test_deterministic(root, tmp_path):
    again = tmp_path / "again"
    generate(again, seed=SEED, months=MONTHS, rows_per_month=ROWS, progress=False)
    assert _digest(root) == _digest(again)


def test_landing_layout_is_what_the_loader_reads(root):
    files, warnings = discover(root)
    assert warnings == []
    azure = [f for f in files if f.source == "azure"]
    gcp = [f for f in files if f.source == "gcp"]
    assert {f.export for f in azure} == {"contoso-actual", "contoso-amortized", "fabrikam-actual", "fabrikam-amortized"}
    assert {f.flavour for f in azure if f.export.endswith("-actual")} == {"azure_actual"}
    assert {f.flavour for f in azure if f.export.endswith("-amortized")} == {"azure_amortized"}
    # the re-exported month: two runs, the earlier one superseded; other months one run
    for export in ("contoso-actual", "contoso-amortized", "fabrikam-actual", "fabrikam-amortized"):
        assert sorted(p.name for p in (root / "azure" / export).iterdir()) == RANGES
        for i, period in enumerate(RANGES):
            runs = _runs(root, export, period)
            assert len(runs) == (2 if i == 1 else 1)
            manifest, run = runs[-1]
            assert manifest["exportConfig"]["exportName"] == export
            assert manifest["exportConfig"]["type"] == ("ActualCost" if export.endswith("actual") else "AmortizedCost")
            assert manifest["runInfo"]["runId"] == run.name
            for blob in manifest["blobs"]:
                assert blob["blobName"].startswith(f"{export}/{period}/{run.name}/part_0_")
                assert (run / Path(blob["blobName"]).name).stat().st_size == blob["byteCount"]
            status = {f.status for f in azure if f.path.parent == run}
            assert status == {"current"}
            if len(runs) == 2:
                assert {f.status for f in azure if f.path.parent == runs[0][1]} == {"superseded"}
    assert len({f.export for f in gcp}) == 2
    for f in gcp:
        month_dir = f.path.parent.parent
        newest = sorted(p.name for p in month_dir.iterdir())[-1]
        assert f.status == ("current" if f.path.parent.name == newest else "superseded")
    assert sum(f.status == "superseded" for f in gcp) == 2


def test_azure_truth_equals_the_current_runs(root, con):
    truth = _truth(root, "azure")
    assert len(truth) == 2 * MONTHS
    for t in truth:
        account, currency, cost_col, _ = COMPANIES[t["report"]]
        assert (t["billing_account_id"], t["currency"]) == (account, currency)
        period = RANGES[int(t["billing_period_start"][5:7]) - 7]
        sums, rows = [], 0
        for kind in ("actual", "amortized"):
            manifest, run = _runs(root, f"{t['report']}-{kind}", period)[-1]
            s, n = con.execute(f'SELECT sum(CAST("{cost_col}" AS {DEC})), count(*) FROM {_azure_rel(run)}').fetchone()
            assert n == sum(b["dataRowCount"] for b in manifest["blobs"])
            sums.append(s)
            rows += n
        assert (Decimal(t["billed_cost"]), Decimal(t["amortized_cost"]), int(t["row_count"])) == (*sums, rows)


def test_azure_export_semantics(root, con):
    for company, (_, _, cost_col, fmt) in COMPANIES.items():
        ea = company == "contoso"
        cols = ("ChargeType", "PricingModel", "Quantity", "EffectivePrice", "Tags", "benefitId", "ReservationId",
                "Date", "Frequency", "PublisherType")
        names = cols if ea else ("chargeType", "pricingModel", "quantity", "effectivePrice", "tags", "benefitId",
                                 "reservationId", "date", "frequency", "publisherType")
        sel = ", ".join(f'"{n}" AS {c}' for n, c in zip(names, cols))
        for i, period in enumerate(RANGES):
            act = f"(SELECT {sel}, CAST(\"{cost_col}\" AS {DEC}) AS cost FROM {_azure_rel(_runs(root, f'{company}-actual', period)[-1][1])})"
            amo = f"(SELECT {sel}, CAST(\"{cost_col}\" AS {DEC}) AS cost FROM {_azure_rel(_runs(root, f'{company}-amortized', period)[-1][1])})"
            a_types = {r[0] for r in con.execute(f"SELECT DISTINCT ChargeType FROM {act}").fetchall()}
            m_types = {r[0] for r in con.execute(f"SELECT DISTINCT ChargeType FROM {amo}").fetchall()}
            assert not a_types & {"UnusedReservation", "UnusedSavingsPlan"}
            assert not m_types & {"Refund"}
            assert {"UnusedReservation", "UnusedSavingsPlan"} <= m_types
            assert ("Tax" in a_types and "RoundingAdjustment" in a_types) == (not ea)
            if i == MONTHS - 1:
                assert "Refund" in a_types
            # cost = effective price * quantity, exactly
            assert con.execute(f"SELECT count(*) FROM {amo} WHERE ChargeType = 'Usage' AND "
                               f"cost <> CAST(EffectivePrice AS {DEC}) * CAST(Quantity AS {DEC})").fetchone()[0] == 0
            # covered usage: 0 in actual, > 0 in amortised; no commitment purchases in amortised
            assert con.execute(f"SELECT count(*) FROM {act} WHERE PricingModel IN ('Reservation', 'SavingsPlan') "
                               "AND ChargeType = 'Usage' AND cost <> 0").fetchone()[0] == 0
            assert con.execute(f"SELECT min(cost) FROM {amo} WHERE PricingModel IN ('Reservation', 'SavingsPlan') "
                               "AND ChargeType = 'Usage'").fetchone()[0] > 0
            assert con.execute(f"SELECT count(*) FROM {amo} WHERE ChargeType = 'Purchase' "
                               "AND PricingModel <> 'OnDemand'").fetchone()[0] == 0
            # non-commitment rows identical in both exports
            other = ("SELECT Date, ChargeType, PricingModel, cost FROM {} WHERE PricingModel NOT IN "
                     "('Reservation', 'SavingsPlan') ORDER BY ALL")
            assert con.execute(other.format(act)).fetchall() == con.execute(other.format(amo)).fetchall()
            assert con.execute(f"SELECT count(*) FROM {act} WHERE PublisherType = 'Marketplace' "
                               "AND ChargeType = 'Purchase'").fetchone()[0] >= 1
            assert con.execute(f"SELECT count(*) FROM {act} WHERE PricingModel = 'Spot'").fetchone()[0] >= 1
            # per commitment and day: covered + unused amortised cost is the same every day
            daily = con.execute(f"""SELECT benefitId, count(DISTINCT total) FROM (
                SELECT benefitId, Date, sum(cost) AS total FROM {amo}
                WHERE PricingModel IN ('Reservation', 'SavingsPlan') GROUP BY ALL) GROUP BY ALL""").fetchall()
            assert daily and all(n == 1 for _, n in daily)
            dates = con.execute(f"SELECT DISTINCT strptime(Date, '{fmt}') FROM {act}").fetchall()
            assert all(d[0].month == 7 + i for d in dates)
            tags = [r[0] for r in con.execute(f"SELECT DISTINCT Tags FROM {act} WHERE Tags IS NOT NULL").fetchall()]
            assert tags and all(t.startswith("{") == (not ea) for t in tags)
            assert any('"owner-team"' in t for t in tags) and any('"Team"' in t for t in tags)


def test_gcp_truth_equals_the_newest_extracts(root, con):
    truth = _truth(root, "gcp")
    assert len(truth) == 2 * MONTHS
    assert {t["currency"] for t in truth} == {"USD", "GBP"}
    for t in truth:
        month = t["billing_period_start"][:7].replace("-", "")
        extracts = _gcp_extracts(root, t["report"], month)
        assert len(extracts) == (2 if month == INVOICE_MONTHS[1] else 1)
        rel = _gcp_rel(extracts[-1])
        cost, credits, n = con.execute(f"""SELECT sum(CAST(r ->> '$.cost' AS {DEC})),
            (SELECT coalesce(sum(CAST(c ->> '$.amount' AS {DEC})), 0) FROM {rel}, unnest(CAST(r -> '$.credits' AS JSON[])) u(c)),
            count(*) FROM {rel}""").fetchone()
        assert t["billed_cost"] == t["amortized_cost"]
        assert (Decimal(t["billed_cost"]), int(t["row_count"])) == (cost + credits, n)
        assert {r[0] for r in con.execute(f"SELECT DISTINCT r ->> '$.invoice.month' FROM {rel}").fetchall()} == {month}
        assert {r[0] for r in con.execute(f"SELECT DISTINCT r ->> '$.billing_account_id' FROM {rel}").fetchall()} == \
            {t["billing_account_id"]}


def test_gcp_content(root, con):
    rel = _gcp_rel(_gcp_extracts(root, "gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9", INVOICE_MONTHS[2])[-1])
    types = {r[0] for r in con.execute(f"SELECT DISTINCT r ->> '$.cost_type' FROM {rel}").fetchall()}
    assert types == {"regular", "tax", "adjustment", "rounding_error"}
    credit_types = {r[0] for r in con.execute(
        f"SELECT DISTINCT c ->> '$.type' FROM {rel}, unnest(CAST(r -> '$.credits' AS JSON[])) u(c)").fetchall()}
    assert credit_types == {"COMMITTED_USAGE_DISCOUNT", "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE",
                            "SUSTAINED_USAGE_DISCOUNT", "FREE_TIER", "PROMOTION", "DISCOUNT"}
    fees = con.execute(f"SELECT DISTINCT r ->> '$.sku.description', r ->> '$.subscription.instance_id' FROM {rel} "
                       "WHERE r ->> '$.subscription.instance_id' IS NOT NULL").fetchall()
    assert {d.split(":")[0] for d, _ in fees} == {"Commitment v1", "Commitment - dollar based v1"}
    cud_ids = {r[0] for r in con.execute(
        f"SELECT DISTINCT c ->> '$.id' FROM {rel}, unnest(CAST(r -> '$.credits' AS JSON[])) u(c) "
        "WHERE c ->> '$.type' LIKE 'COMMITTED%'").fetchall()}
    assert cud_ids == {i for _, i in fees}
    # one adjustment corrects the previous month
    starts = [r[0] for r in con.execute(
        f"SELECT r ->> '$.usage_start_time' FROM {rel} WHERE r ->> '$.cost_type' = 'adjustment'").fetchall()]
    assert any(s.startswith("2026-08") for s in starts) and any(s.startswith("2026-09") for s in starts)
    assert con.execute(f"SELECT count(*) FROM {rel} WHERE r ->> '$.transaction_type' = 'THIRD_PARTY_RESELLER'"
                       ).fetchone()[0] >= 1
    # numbers are JSON numbers (not strings)
    kinds = {r[0] for r in con.execute(f"SELECT DISTINCT json_type(r -> '$.cost') FROM {rel}").fetchall()}
    assert kinds <= {"UBIGINT", "BIGINT", "DOUBLE"}


def test_account_owners_cover_subscriptions_and_projects(root):
    with open(root / "_truth" / "account_owners.csv", encoding="utf-8") as fh:
        owners = {r["account_id"]: r["team"] for r in csv.DictReader(fh)}
    for sub in ("1c4d5e6f-2222-4b3c-9d4e-6f7a8b9c0d12", "4f7a8b9c-5555-4e6f-8a7b-9c0d1e2f3a45"):
        assert sub in owners
    assert owners["umbrella-prod"] == "payments" and owners["hooli-web"] == "web"
