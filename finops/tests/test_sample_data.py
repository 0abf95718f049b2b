"""Tests for finops.sample_data: determinism, landing layout, line-item semantics, exact commitment
identities and the `_truth` totals (recomputed independently from the delivered files)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops.landing.discovery import discover
from finops.sample_data import generate
from finops.sample_data.anomalies import ANOMALY_MONTHS
from finops.settings import SAMPLE_HISTORY_MONTHS

SEED = 7
MONTHS = 3
ROWS = 3000
A, B, C = "acme-payer-cur", "globex-payer-cur", "initech-cur2"
PERIODS = ["20260701-20260801", "20260801-20260901", "20260901-20261001"]
LABELS = ["2026-07", "2026-08", "2026-09"]
ALL_TYPES = {
    "Usage", "DiscountedUsage", "RIFee", "Fee", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
    "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee", "Tax", "Credit", "Refund", "EdpDiscount", "BundledDiscount",
}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
D38 = "DECIMAL(38,10)"


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def gen_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate(root, seed=SEED, months=MONTHS, rows_per_month=ROWS, progress=False)
    return root


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _manifest(root: Path, period: str) -> dict:
    return json.loads((root / "aws_cur" / A / period / f"{A}-Manifest.json").read_text())


def _current_a_files(root: Path, period: str) -> list[str]:
    return [str(root / "aws_cur" / key) for key in _manifest(root, period)["reportKeys"]]


def _a_files_all_assemblies(root: Path, period: str) -> dict[str, list[Path]]:
    base = root / "aws_cur" / A / period
    return {d.name: sorted(d.glob("*.csv.gz")) for d in base.iterdir() if d.is_dir()}


def _b_files(root: Path, i: int) -> str:
    return str(root / "aws_cur" / B / B / "year=2026" / f"month={7 + i}" / "*.snappy.parquet")


def _c_files(root: Path, i: int) -> str:
    return str(root / "aws_cur2" / C / "data" / f"BILLING_PERIOD={LABELS[i]}" / "*.snappy.parquet")


# normalised view: lit, arn columns and money as DECIMAL(38,10) (A: exact from CSV text; B/C: DOUBLE in files)
A_COLS = {
    "lit": '"lineItem/LineItemType"', "account": '"lineItem/UsageAccountId"', "resource": '"lineItem/ResourceId"',
    "start": '"lineItem/UsageStartDate"', "ri_arn": '"reservation/ReservationARN"',
    "sp_arn": '"savingsPlan/SavingsPlanARN"',
}
A_MONEY = {
    "unblended": "lineItem/UnblendedCost", "net": "lineItem/NetUnblendedCost",
    "ri_eff": "reservation/EffectiveCost", "ri_amort_fee": "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "ri_unused_amort": "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "ri_unused_rec": "reservation/UnusedRecurringFee", "ri_amort_usage": "reservation/AmortizedUpfrontCostForUsage",
    "ri_rec_usage": "reservation/RecurringFeeForUsage", "sp_eff": "savingsPlan/SavingsPlanEffectiveCost",
    "sp_rate": "savingsPlan/SavingsPlanRate", "sp_tc": "savingsPlan/TotalCommitmentToDate",
    "sp_used": "savingsPlan/UsedCommitment", "sp_up": "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "sp_rec": "savingsPlan/RecurringCommitmentForBillingPeriod",
}
SNAKE_COLS = {
    "lit": "line_item_line_item_type", "account": "line_item_usage_account_id", "resource": "line_item_resource_id",
    "start": "line_item_usage_start_date", "ri_arn": "reservation_reservation_a_r_n",
    "sp_arn": "savings_plan_savings_plan_a_r_n",
}
SNAKE_MONEY = {
    "unblended": "line_item_unblended_cost", "net": None,
    "ri_eff": "reservation_effective_cost",
    "ri_amort_fee": "reservation_amortized_upfront_fee_for_billing_period",
    "ri_unused_amort": "reservation_unused_amortized_upfront_fee_for_billing_period",
    "ri_unused_rec": "reservation_unused_recurring_fee", "ri_amort_usage": "reservation_amortized_upfront_cost_for_usage",
    "ri_rec_usage": "reservation_recurring_fee_for_usage", "sp_eff": "savings_plan_savings_plan_effective_cost",
    "sp_rate": "savings_plan_savings_plan_rate", "sp_tc": "savings_plan_total_commitment_to_date",
    "sp_used": "savings_plan_used_commitment",
    "sp_up": "savings_plan_amortized_upfront_commitment_for_billing_period",
    "sp_rec": "savings_plan_recurring_commitment_for_billing_period",
}


def _view_sql(report: str, files) -> str:
    if report == A:
        sel = [f"{v} AS {k}" for k, v in A_COLS.items()]
        sel += [f'CAST(NULLIF("{v}", \'\') AS {D38}) AS {k}' for k, v in A_MONEY.items()]
        lst = "[" + ", ".join(f"'{f}'" for f in files) + "]"
        return f"SELECT {', '.join(sel)} FROM read_csv({lst}, all_varchar = true, header = true)"
    sel = [f"{v} AS {k}" for k, v in SNAKE_COLS.items()]
    sel += [f"CAST(round({v}, 10) AS {D38}) AS {k}" if v else f"CAST(NULL AS {D38}) AS {k}"
            for k, v in SNAKE_MONEY.items()]
    return f"SELECT {', '.join(sel)} FROM read_parquet('{files}', union_by_name = true)"


def _report_sources(root: Path) -> list[tuple[str, int, str]]:
    out = []
    for i in range(MONTHS):
        out.append((A, i, _view_sql(A, _current_a_files(root, PERIODS[i]))))
        out.append((B, i, _view_sql(B, _b_files(root, i))))
        out.append((C, i, _view_sql(C, _c_files(root, i))))
    return out


# ---------------------------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------------------------


def test_deterministic_same_seed_identical_different_seed_differs(gen_root, tmp_path):
    again = tmp_path / "again"
    generate(again, seed=SEED, months=MONTHS, rows_per_month=ROWS, progress=False)
    first, second = _tree_digest(gen_root), _tree_digest(again)
    assert first == second
    other = tmp_path / "other"
    generate(other, seed=SEED + 1, months=MONTHS, rows_per_month=ROWS, progress=False)
    third = _tree_digest(other)
    assert first != third
    common = set(first) & set(third)
    assert any(first[k] != third[k] for k in common if k.endswith(".parquet"))
    assert (tmp_path / "other" / "_truth" / "expected_totals.csv").read_text() != \
        (gen_root / "_truth" / "expected_totals.csv").read_text()


# ---------------------------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------------------------


def test_legacy_csv_layout_and_manifests(gen_root):
    for i, period in enumerate(PERIODS):
        man = _manifest(gen_root, period)
        assert UUID_RE.match(man["assemblyId"])
        assert man["account"] == "111111111111"
        assert man["compression"] == "GZIP" and man["contentType"] == "text/csv"
        y, m = 2026, 7 + i
        assert man["billingPeriod"] == {"start": f"{y}{m:02d}01T000000.000Z",
                                        "end": f"{y}{m + 1:02d}01T000000.000Z"}
        assert {"category": "lineItem", "name": "UnblendedCost"} in [
            {"category": c["category"], "name": c["name"]} for c in man["columns"]]
        assert man["reportKeys"]
        for key in man["reportKeys"]:
            assert re.fullmatch(rf"{A}/{period}/{man['assemblyId']}/{A}-\d+\.csv\.gz", key)
            assert (gen_root / "aws_cur" / key).is_file()
        with gzip.open(gen_root / "aws_cur" / man["reportKeys"][0], "rt", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert header[:3] == ["identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId"]
        assert [f"{c['category']}/{c['name']}" for c in man["columns"]] == header
        assert "resourceTags/user:Team" in header and "resourceTags/user:team" in header
        assert "lineItem/NetUnblendedCost" in header


def test_stale_redelivery_present_and_different(gen_root, con):
    assemblies = _a_files_all_assemblies(gen_root, PERIODS[1])
    assert len(assemblies) == 2
    current = _manifest(gen_root, PERIODS[1])["assemblyId"]
    assert current in assemblies
    stale = next(a for a in assemblies if a != current)
    assert UUID_RE.match(stale)

    def stats(files):
        lst = "[" + ", ".join(f"'{f}'" for f in files) + "]"
        return con.execute(f'SELECT count(*), sum(CAST("lineItem/UnblendedCost" AS {D38})) '
                           f"FROM read_csv({lst}, all_varchar = true)").fetchone()

    n_cur, cost_cur = stats(assemblies[current])
    n_old, cost_old = stats(assemblies[stale])
    assert 0 < n_old < n_cur * 0.8
    assert cost_old < cost_cur * Decimal("0.8")
    # other months are delivered once
    assert len(_a_files_all_assemblies(gen_root, PERIODS[0])) == 1
    assert len(_a_files_all_assemblies(gen_root, PERIODS[2])) == 1


def test_parquet_layouts(gen_root, con):
    for i in range(MONTHS):
        assert list(Path(_b_files(gen_root, i)).parent.glob("globex-payer-cur-00001.snappy.parquet"))
        assert list(Path(_c_files(gen_root, i)).parent.glob("initech-cur2-00001.snappy.parquet"))
        meta = gen_root / "aws_cur2" / C / "metadata" / f"BILLING_PERIOD={LABELS[i]}" / f"{C}-Manifest.json"
        man = json.loads(meta.read_text())
        assert man["exportName"] == C
        for key in man["dataFiles"]:
            assert (gen_root / "aws_cur2" / key).is_file()
    assert not list((gen_root / "aws_cur" / B).rglob("*Manifest*"))
    for p in ("focus/kestrel-focus10/billing_period=2026-07/kestrel-focus10-2026-07-00001.csv",
              "focus/orbital-focus12/billing_period=2026-09/orbital-focus12-2026-09-00001.parquet"):
        assert (gen_root / p).is_file()


def test_athena_schema_names_types_and_drift(gen_root, con):
    def schema(i):
        return {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_b_files(gen_root, i)}')")
                .fetchall()}

    s0, s1, s2 = schema(0), schema(1), schema(2)
    for col in ("line_item_unblended_cost", "savings_plan_savings_plan_a_r_n", "reservation_reservation_a_r_n",
                "bill_payer_account_id", "pricing_public_on_demand_cost", "product_product_name",
                "product_servicecode", "resource_tags_user_team", "resource_tags_user_owner_team"):
        assert col in s0, col
    assert s0["line_item_unblended_cost"] == "DOUBLE"
    assert s0["line_item_usage_start_date"] == "TIMESTAMP"
    assert s0["line_item_usage_account_id"] == "VARCHAR"
    assert "line_item_net_unblended_cost" not in s0
    # drift: a tag column that appears from month 2, a column missing in month 3
    assert "resource_tags_user_cost_center" not in s0 and "resource_tags_user_cost_center" in s1
    assert "line_item_blended_rate" in s1 and "line_item_blended_rate" not in s2


def test_cur2_schema_maps(gen_root, con):
    s = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_c_files(gen_root, 0)}')")
         .fetchall()}
    for col in ("resource_tags", "product", "cost_category"):
        assert s[col] == "MAP(VARCHAR, VARCHAR)"
    for col in ("bill_payer_account_name", "line_item_usage_account_name", "product_region_code",
                "product_location", "product_servicecode", "product_product_family", "product_instance_type",
                "product_sku"):
        assert col in s, col
    keys = {r[0] for r in con.execute(
        f"SELECT DISTINCT unnest(map_keys(resource_tags)) FROM read_parquet('{_c_files(gen_root, 0)}')").fetchall()}
    assert {"user_Team", "user_team", "user_owner-team", "aws_createdBy"} <= keys
    names = con.execute(f"SELECT DISTINCT bill_payer_account_name FROM read_parquet('{_c_files(gen_root, 0)}')"
                        ).fetchall()
    assert names == [("initech-management",)]


# ---------------------------------------------------------------------------------------------
# content
# ---------------------------------------------------------------------------------------------


def test_every_line_item_type_every_report_and_month(gen_root, con):
    for report, i, sql in _report_sources(gen_root):
        types = {r[0] for r in con.execute(f"SELECT DISTINCT lit FROM ({sql})").fetchall()}
        assert types == ALL_TYPES, (report, i, ALL_TYPES - types)
        ri_fee = con.execute(f"SELECT count(*) FROM ({sql}) WHERE lit = 'Fee' AND ri_arn IS NOT NULL").fetchone()[0]
        plain_fee = con.execute(f"SELECT count(*) FROM ({sql}) WHERE lit = 'Fee' AND ri_arn IS NULL").fetchone()[0]
        assert plain_fee >= 1
        assert ri_fee == (1 if i == 1 else 0)  # the partial-upfront RI starts on the 10th of month 2


def test_ri_identity_exact(gen_root, con):
    for report, i, sql in _report_sources(gen_root):
        rows = con.execute(f"""
            WITH v AS ({sql}),
            du AS (SELECT ri_arn, sum(ri_eff) AS eff, count(*) AS n,
                          bool_and(unblended = 0) AS zero, bool_and(ri_eff = ri_amort_usage + ri_rec_usage) AS split
                   FROM v WHERE lit = 'DiscountedUsage' GROUP BY ri_arn),
            fee AS (SELECT ri_arn, ri_unused_amort, ri_unused_rec, ri_amort_fee, unblended
                    FROM v WHERE lit = 'RIFee')
            SELECT fee.ri_arn, coalesce(du.eff, 0) + fee.ri_unused_amort + fee.ri_unused_rec,
                   fee.ri_amort_fee + fee.unblended, coalesce(du.zero, true), coalesce(du.split, true), du.n
            FROM fee LEFT JOIN du USING (ri_arn)""").fetchall()
        assert len(rows) >= 2, (report, i)
        for arn, lhs, rhs, zero, split, _n in rows:
            if report == A:
                assert lhs == rhs, (report, i, arn)
            else:
                assert abs(lhs - rhs) < Decimal("1e-6"), (report, i, arn)
            assert zero and split
        # discounted usage only for ARNs that have an RIFee row this month, some RIs under-used
        orphan = con.execute(f"""WITH v AS ({sql}) SELECT count(*) FROM v WHERE lit = 'DiscountedUsage'
            AND ri_arn NOT IN (SELECT ri_arn FROM v WHERE lit = 'RIFee')""").fetchone()[0]
        assert orphan == 0
        assert any(r[5] is not None for r in rows)


def test_ri_partially_used_and_fully_used_hours(gen_root, con):
    # RIs: some hours with every reserved unit used, some hours with unused units
    sql = _view_sql(A, _current_a_files(gen_root, PERIODS[0]))
    unused = con.execute(f"SELECT sum(CAST(ri_unused_amort + ri_unused_rec AS DOUBLE)) FROM ({sql}) "
                         "WHERE lit = 'RIFee'").fetchone()[0]
    assert unused > 0
    used_hours = con.execute(f"SELECT count(*) FROM ({sql}) WHERE lit = 'DiscountedUsage'").fetchone()[0]
    assert used_hours > 0


def test_savings_plan_identities_exact(gen_root, con):
    for report, i, sql in _report_sources(gen_root):
        exact = report == A
        # per SP and hour: UsedCommitment = Σ covered SavingsPlanEffectiveCost
        rows = con.execute(f"""
            WITH v AS ({sql}),
            cov AS (SELECT sp_arn, start, sum(sp_eff) AS eff FROM v WHERE lit = 'SavingsPlanCoveredUsage'
                    GROUP BY ALL),
            fee AS (SELECT sp_arn, start, sp_used, sp_tc, sp_up, sp_rec, unblended FROM v
                    WHERE lit = 'SavingsPlanRecurringFee')
            SELECT fee.sp_used, coalesce(cov.eff, 0), fee.sp_tc, fee.sp_up + fee.sp_rec, fee.unblended, fee.sp_rec,
                   cov.sp_arn IS NULL AND cov.eff IS NOT NULL
            FROM fee FULL OUTER JOIN cov USING (sp_arn, start)""").fetchall()
        assert rows
        under, full = 0, 0
        for used, eff, tc, split, unbl, rec, orphan in rows:
            assert used is not None, (report, i, "covered usage without a recurring fee row")
            if exact:
                assert used == eff and tc == split and unbl == rec
            else:
                assert abs(used - eff) < Decimal("1e-6") and abs(tc - split) < Decimal("1e-6")
            assert used <= tc
            under += used < tc
            full += used == tc
        assert under > 0, (report, i)
        # per SP per hour exactly one recurring fee row
        dup = con.execute(f"""SELECT count(*) FROM (SELECT sp_arn, start, count(*) n FROM ({sql})
            WHERE lit = 'SavingsPlanRecurringFee' GROUP BY ALL HAVING n > 1)""").fetchone()[0]
        assert dup == 0
        # negation: exactly one per covered row, same account/resource/hour, = -UnblendedCost
        bad = con.execute(f"""
            WITH v AS ({sql}),
            cov AS (SELECT sp_arn, account, resource, start, unblended FROM v WHERE lit = 'SavingsPlanCoveredUsage'),
            neg AS (SELECT sp_arn, account, resource, start, unblended FROM v WHERE lit = 'SavingsPlanNegation')
            SELECT (SELECT count(*) FROM cov), (SELECT count(*) FROM neg),
                   (SELECT count(*) FROM cov JOIN neg USING (sp_arn, account, resource, start)
                    WHERE neg.unblended = -cov.unblended)""").fetchone()
        assert bad[0] == bad[1] == bad[2] and bad[0] > 0, (report, i, bad)
    # somewhere a plan is fully used in an hour
    sql = _view_sql(A, _current_a_files(gen_root, PERIODS[0]))
    full = con.execute(f"SELECT count(*) FROM ({sql}) WHERE lit = 'SavingsPlanRecurringFee' AND sp_used = sp_tc"
                       ).fetchone()[0]
    assert full > 0


def test_savings_plan_upfront_fee_matches_commitment(gen_root, con):
    for i in range(MONTHS):
        sql = _view_sql(A, _current_a_files(gen_root, PERIODS[i]))
        rows = con.execute(f"""WITH v AS ({sql})
            SELECT u.unblended, (SELECT any_value(sp_up) FROM v WHERE lit = 'SavingsPlanRecurringFee'
                                 AND sp_arn = u.sp_arn) FROM v u WHERE lit = 'SavingsPlanUpfrontFee'""").fetchall()
        assert rows
        for upfront, hourly_up in rows:
            assert upfront == hourly_up * 8760  # 1-year plans bought in the window


def _amortized_sql(sql: str, has_net: bool) -> str:
    billed = "net" if has_net else "unblended"
    return f"""SELECT sum({billed}), sum(CASE lit
            WHEN 'SavingsPlanCoveredUsage' THEN sp_eff
            WHEN 'DiscountedUsage' THEN ri_eff
            WHEN 'SavingsPlanRecurringFee' THEN sp_tc - sp_used
            WHEN 'RIFee' THEN ri_unused_amort + ri_unused_rec
            WHEN 'SavingsPlanNegation' THEN 0
            WHEN 'SavingsPlanUpfrontFee' THEN 0
            WHEN 'Fee' THEN CASE WHEN ri_arn IS NULL THEN unblended ELSE 0 END
            ELSE unblended END), count(*) FROM ({sql})"""


def test_expected_totals_match_current_delivery(gen_root, con):
    with open(gen_root / "_truth" / "expected_totals.csv", encoding="utf-8") as fh:
        truth = [r for r in csv.DictReader(fh) if r["source"] in ("aws_cur", "aws_cur2", "focus")]
    by_key = {(r["report"], r["billing_period_start"]): r for r in truth}
    # three AWS reports and two FOCUS exports per month (Azure and GCP: test_generator_multicloud.py), the
    # long daily-grain FOCUS export's months (history.py) and the labelled anomalies' export (anomalies.py)
    assert len(truth) == 5 * MONTHS + SAMPLE_HISTORY_MONTHS + ANOMALY_MONTHS
    for r in truth:
        assert "e" not in r["billed_cost"].lower() and "e" not in r["amortized_cost"].lower()
    for report, i, sql in _report_sources(gen_root):
        billed, amort, n = con.execute(_amortized_sql(sql, report == A)).fetchone()
        t = by_key[(report, f"{LABELS[i]}-01")]
        assert int(t["row_count"]) == n
        assert t["source"] == ("aws_cur2" if report == C else "aws_cur")
        assert t["currency"] == "USD"
        if report == A:
            assert Decimal(t["billed_cost"]) == billed and Decimal(t["amortized_cost"]) == amort
        else:
            assert abs(Decimal(t["billed_cost"]) - billed) < Decimal("1e-4")
            assert abs(Decimal(t["amortized_cost"]) - amort) < Decimal("1e-4")
        assert Decimal(t["billed_cost"]) != Decimal(t["amortized_cost"])
    # FOCUS exports
    for i, label in enumerate(LABELS):
        f10 = gen_root / f"focus/kestrel-focus10/billing_period={label}/kestrel-focus10-{label}-00001.csv"
        billed, eff, n = con.execute(
            f'SELECT sum(CAST("BilledCost" AS {D38})), sum(CAST("EffectiveCost" AS {D38})), count(*) '
            f"FROM read_csv('{f10}', all_varchar = true)").fetchone()
        t = by_key[("kestrel-focus10", f"{label}-01")]
        assert (Decimal(t["billed_cost"]), Decimal(t["amortized_cost"]), int(t["row_count"])) == (billed, eff, n)
        f12 = gen_root / f"focus/orbital-focus12/billing_period={label}/orbital-focus12-{label}-00001.parquet"
        billed, eff, n = con.execute(f'SELECT sum("BilledCost"), sum("EffectiveCost"), count(*) '
                                     f"FROM read_parquet('{f12}')").fetchone()
        t = by_key[("orbital-focus12", f"{label}-01")]
        assert (Decimal(t["billed_cost"]), Decimal(t["amortized_cost"]), int(t["row_count"])) == (billed, eff, n)
    for export, months in (("nimbus-focus12", SAMPLE_HISTORY_MONTHS), ("lumen-focus12", ANOMALY_MONTHS)):
        daily = [r for r in truth if r["report"] == export]
        assert len(daily) == months
        for t in daily:
            label = t["billing_period_start"][:7]
            path = gen_root / f"focus/{export}/billing_period={label}/{export}-{label}-00001.parquet"
            billed, eff, n = con.execute(f'SELECT sum("BilledCost"), sum("EffectiveCost"), count(*) '
                                         f"FROM read_parquet('{path}')").fetchone()
            assert (Decimal(t["billed_cost"]), Decimal(t["amortized_cost"]), int(t["row_count"])) == (billed, eff, n)


def test_net_unblended_differs_only_where_edp_applies(gen_root, con):
    sql = _view_sql(A, _current_a_files(gen_root, PERIODS[0]))
    rows = dict(con.execute(f"SELECT lit, count(*) FILTER (WHERE net <> unblended) FROM ({sql}) GROUP BY lit"
                            ).fetchall())
    assert rows["Usage"] > 0 and rows["EdpDiscount"] > 0
    assert all(v == 0 for k, v in rows.items() if k not in ("Usage", "EdpDiscount"))
    tot = con.execute(f"SELECT sum(net), sum(unblended) FROM ({sql})").fetchone()
    assert tot[0] == tot[1]  # the discount is either itemised (EdpDiscount) or netted, never both


def test_focus_exports_consistent(gen_root, con):
    f10 = gen_root / "focus/kestrel-focus10/billing_period=2026-07/kestrel-focus10-2026-07-00001.csv"
    with open(f10, encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["AvailabilityZone", "BilledCost", "BillingAccountId"]
    assert "x_" not in "".join(header) and "BillingPeriodStart" in header
    cats = {r[0] for r in con.execute(f"SELECT DISTINCT ChargeCategory FROM read_csv('{f10}')").fetchall()}
    assert {"Usage", "Purchase", "Tax", "Credit"} <= cats
    bad = con.execute(f"""SELECT count(*) FROM read_csv('{f10}', all_varchar = true) WHERE ChargeCategory = 'Purchase'
        AND CommitmentDiscountId IS NOT NULL AND CAST(EffectiveCost AS {D38}) <> 0""").fetchone()[0]
    assert bad == 0
    f12 = gen_root / "focus/orbital-focus12/billing_period=2026-07/orbital-focus12-2026-07-00001.parquet"
    cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{f12}')").fetchall()}
    assert {"InvoiceId", "PricingCurrency", "SubAccountType", "BillingAccountType", "ServiceSubcategory"} <= cols
    assert {r[0] for r in con.execute(f"SELECT DISTINCT ProviderName FROM read_parquet('{f12}')").fetchall()} == \
        {"Orbital Compute"}


def test_messy_tags_present(gen_root):
    seen: dict[str, set[str]] = {}
    for f in _current_a_files(gen_root, PERIODS[0]):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            tag_idx = {h: i for i, h in enumerate(header) if h.startswith("resourceTags/")}
            for row in reader:
                for h, i in tag_idx.items():
                    seen.setdefault(h, set()).add(row[i])
    team = seen["resourceTags/user:Team"]
    assert {"platform", "payments"} <= team
    assert {"platfrom", "Payments ", "données", "équipe-α"} & team
    assert "" in team  # untagged / empty
    assert seen["resourceTags/user:team"] - {""}
    assert seen["resourceTags/user:owner-team"] - {""}
    assert any(v.startswith(" ") for v in seen["resourceTags/user:Environment"])
    assert seen["resourceTags/aws:createdBy"] - {""}
    assert {v for v in seen["resourceTags/user:CostCenter"] if v.lower() != v and v.startswith("CC")}
    assert {v for v in seen["resourceTags/user:CostCenter"] if v.startswith("cc-")}


def test_owner_truth_files(gen_root, con):
    owners = gen_root / "_truth" / "resource_owners.csv"
    assert open(owners, encoding="utf-8").readline().strip() == "resource_id,team,product,environment,cost_centre"
    files = _current_a_files(gen_root, PERIODS[0])
    lst = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    missing = con.execute(f"""SELECT count(*) FROM (SELECT DISTINCT "lineItem/ResourceId" AS rid
        FROM read_csv({lst}, all_varchar = true) WHERE "lineItem/ResourceId" IS NOT NULL) d
        ANTI JOIN read_csv('{owners}', all_varchar = true) o ON o.resource_id = d.rid""").fetchone()[0]
    assert missing == 0
    # clean Team tags agree with the owner truth
    mismatch = con.execute(f"""SELECT count(*) FROM read_csv({lst}, all_varchar = true) d
        JOIN read_csv('{owners}', all_varchar = true) o ON o.resource_id = d."lineItem/ResourceId"
        WHERE d."resourceTags/user:Team" IN ('platform','payments','search','data','ml','web')
          AND d."resourceTags/user:Team" <> o.team""").fetchone()[0]
    assert mismatch == 0
    acc = list(csv.DictReader(open(gen_root / "_truth" / "account_owners.csv", encoding="utf-8")))
    changed = [r for r in acc if r["account_id"] == "345678901234"]
    assert len(changed) == 2
    assert changed[0]["effective_to"] == changed[1]["effective_from"] == "2026-08-15"
    assert {r["account_id"] for r in acc} >= {"111111111111", "222222222222", "333333333333"}


def test_csv_formats(gen_root):
    f = _current_a_files(gen_root, PERIODS[0])[0]
    with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [next(reader) for _ in range(200)]
    for r in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z", r["lineItem/UsageStartDate"])
        assert re.fullmatch(r"-?\d+\.\d{10}", r["lineItem/UnblendedCost"])
        assert r["bill/BillingPeriodStartDate"] == "2026-07-01T00:00:00Z"
        assert r["lineItem/CurrencyCode"] == "USD"
    # closed months carry an invoice id, the open (last) month does not
    assert rows[0]["bill/InvoiceId"]
    last = _current_a_files(gen_root, PERIODS[-1])[0]
    with gzip.open(last, "rt", encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["bill/InvoiceId"] == ""


def test_tiny_size_still_has_every_type(tmp_path, con):
    generate(tmp_path, seed=3, months=1, rows_per_month=500, progress=False)
    root = tmp_path
    man = json.loads((root / "aws_cur" / A / PERIODS[0] / f"{A}-Manifest.json").read_text())
    sql = _view_sql(A, [str(root / "aws_cur" / k) for k in man["reportKeys"]])
    types = {r[0] for r in con.execute(f"SELECT DISTINCT lit FROM ({sql})").fetchall()}
    assert types == ALL_TYPES
    # months == 1: the only month is the re-delivered one
    assert len([d for d in (root / "aws_cur" / A / PERIODS[0]).iterdir() if d.is_dir()]) == 2


def test_generate_and_build_into_a_path_with_an_apostrophe(tmp_path: Path) -> None:
    """Paths are quoted wherever they are spliced into SQL (generator, loader): `o'brien landing`."""
    from .conftest import SAMPLE_MAPPINGS_DIR, build_warehouse, run_finops

    root = tmp_path / "o'brien landing"
    proc = run_finops("generate", "--out", str(root / "landing"), "--seed", "3", "--months", "2",
                      "--rows-per-month", "400")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = build_warehouse(root / "landing", root / "warehouse.duckdb", mappings=SAMPLE_MAPPINGS_DIR)
    assert build.returncode == 0, build.output[-3000:]
    files = build.query_work("select count(*), count(*) filter (where rows_loaded > 0) from raw.landing_files "
                             "where status = 'current'")
    assert files[0][0] > 0 and files[0][0] == files[0][1]
    assert build.query("select bool_and(is_reconciled), count(*) from marts.fct_billing_reconciliation")[0][0] is True


# --------------------------------------------------------------------------------------------
# Azure and Google Cloud exports
# --------------------------------------------------------------------------------------------
# Azure cost details exports and Google Cloud billing extracts of the generator: determinism, the landing
# layout the loader reads, the export semantics the FOCUS mapping relies on, and `_truth` totals recomputed
# with DuckDB from the written files.

RANGES = ["20260701-20260731", "20260801-20260831", "20260901-20260930"]
INVOICE_MONTHS = ["202607", "202608", "202609"]
DEC = "DECIMAL(38,12)"
COMPANIES = {"contoso": ("80012345", "USD", "Cost", "%m/%d/%Y"),
             "fabrikam": ("AB12-CD34-EF5-GH6", "EUR", "costInBillingCurrency", "%Y-%m-%d")}


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for sub in ("azure", "gcp", "_truth") for p in sorted((root / sub).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def root(gen_root: Path) -> Path:
    """The Azure and Google Cloud checks read the same generated landing folder (same seed and size)."""
    return gen_root


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
    assert {f.flavor for f in azure if f.export.endswith("-actual")} == {"azure_actual"}
    assert {f.flavor for f in azure if f.export.endswith("-amortized")} == {"azure_amortized"}
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
