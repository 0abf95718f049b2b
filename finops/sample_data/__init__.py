"""Deterministic, fast generator of synthetic AWS billing exports (+ FOCUS, Azure and Google Cloud exports).

Usage::

    from finops.sample_data import generate
    summary = generate(Path("landing"), seed=42, months=3, rows_per_month=20_000)

See ``aws.py`` for the line-item semantics and ``schema.py`` for the column lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import shutil
import sys
import threading
import time
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
from tqdm import tqdm

from ..database import connect as connect_duckdb
from ..landing.providers import SOURCES
from . import config as C
from .aws import D38, MAX_ROWS_PER_FILE, Month, ReportGenerator, build_months, q, stable_hex, stable_uuid, ts
from .azure import write_azure
from .focus import (
    PROVIDERS,
    build_focus_month,
    commitment_id,
    commitment_term,
    commitment_upfront,
    commitment_usage_sql,
    focus_rel_path,
    write_focus,
)
from .gcp import write_gcp
from .anomalies import PROVIDER as ANOMALY_PROVIDER
from .anomalies import write_anomalies
from .history import HISTORY_MONTHS, write_history
from .history import PROVIDER as HISTORY_PROVIDER
from .schema import (
    CANON,
    CUR2_EXTRA,
    KIND,
    MAP_TYPE,
    athena_columns,
    csv_columns,
    cur2_columns,
    project_csv,
    project_pairs,
)

__all__ = ["generate", "GenerationSummary"]

GZIP_LEVEL = 1
STALE_CUTOFF_DAY = 8  # the stale delivery of the re-delivered month only has usage before this day
STALE_EXCLUDED_TYPES = ("Tax", "Credit", "Refund", "EdpDiscount", "BundledDiscount")
# commitment_usage_daily truth, collected per month (AWS: per report connection; FOCUS: main connection)
COMMITMENT_USAGE_COLUMNS = (
    f"ord INT, commitment_discount_id VARCHAR, day DATE, unit VARCHAR, committed_quantity {D38}, "
    f"used_quantity {D38}, unused_quantity {D38}, used_effective_cost {D38}, unused_effective_cost {D38}"
)


@dataclass
class GenerationSummary:
    out_dir: Path
    seed: int
    months: int
    rows_per_month: int
    start_month: str
    files: list[Path] = field(default_factory=list)
    rows_by_report: dict[str, int] = field(default_factory=dict)  # current deliveries only
    stale_rows: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_by_report.values())


def _fmt(d: Decimal) -> str:
    return format(d, "f")


class _Gzipper:
    """Compress DuckDB's plain CSV output with zlib (deterministic header, mtime 0) off the main thread."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gzip")
        self.futures: list[Future] = []

    @staticmethod
    def _compress(src: Path, dst: Path, header: bytes) -> None:
        comp = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        with open(src, "rb") as fi, open(dst, "wb") as fo:
            fo.write(comp.compress(header))
            while chunk := fi.read(16 << 20):
                fo.write(comp.compress(chunk))
            fo.write(comp.flush())
        src.unlink()

    def submit(self, src: Path, dst: Path, header: bytes) -> None:
        self.futures.append(self.pool.submit(self._compress, src, dst, header))

    def wait(self) -> None:
        for f in self.futures:
            f.result()
        self.pool.shutdown()


class _Writers:
    """Shared pool running the per-file COPY statements (each on its own cursor of the report's database)."""

    def __init__(self, workers: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="copy")

    @staticmethod
    def _run(con, sql: str, setup) -> None:
        cur = con.cursor()
        try:
            if setup is not None:
                setup(cur)
            cur.execute(sql)
        finally:
            cur.close()

    def submit(self, con, sql: str, setup=None) -> Future:
        return self.pool.submit(self._run, con, sql, setup)


WRITERS = max(2, min(os.cpu_count() or 2, 8) + 1)


class _PlainProgress:
    """The generator's progress as plain lines (no carriage returns), readable in CI logs: steps done of
    all, what it is on and the seconds so far, at most every PLAIN_PROGRESS_SECONDS, and once at the end.
    Thread-safe: the reports are written concurrently."""

    PLAIN_PROGRESS_SECONDS = 30.0

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.done, self.postfix = 0, ""
        self.start = self.last = time.monotonic()
        self.lock = threading.Lock()

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.enabled and (force or now - self.last >= self.PLAIN_PROGRESS_SECONDS):
            on = f" ({self.postfix})" if self.postfix else ""
            print(f"generate: {self.done}/{self.total} steps{on}, {now - self.start:.0f} s", flush=True)
            self.last = now

    def update(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            self._show()

    def set_postfix_str(self, text: str) -> None:
        with self.lock:
            self.postfix = text
            self._show()

    def close(self) -> None:
        with self.lock:
            self._show(force=True)


def generate(
    out_dir: Path,
    seed: int,
    months: int,
    rows_per_month: int,
    start_month: str = "2026-07",
    progress: bool = True,
    history_months: int = HISTORY_MONTHS,
) -> GenerationSummary:
    """Write AWS CUR (legacy CSV, legacy parquet, CUR 2.0), FOCUS exports, Azure cost details exports (azure.py),
    Google Cloud billing extracts (gcp.py) and `_truth/` into out_dir.

    history_months: length of the long daily-grain FOCUS export to forecast from (history.py), ending with the
    last month; 0 writes none, nor the export with labelled anomalies (anomalies.py) that comes with it.

    Deterministic: the same arguments give byte-identical files. Existing generated folders
    (aws_cur, aws_cur2, focus, azure, gcp, _truth) under out_dir are replaced."""
    t0 = time.time()
    out_dir = Path(out_dir)
    if months < 1 or rows_per_month < 1:
        raise ValueError("months and rows_per_month must be >= 1")
    for sub in (*SOURCES, "_truth"):
        if (out_dir / sub).exists():
            shutil.rmtree(out_dir / sub)
    out_dir.mkdir(parents=True, exist_ok=True)
    month_list = build_months(start_month, months)
    redelivered = min(1, months - 1)
    summary = GenerationSummary(out_dir, seed, months, rows_per_month, start_month)

    tmpdir = out_dir / "_truth" / ".tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)

    def connect() -> duckdb.DuckDBPyConnection:
        c = connect_duckdb()
        # one thread per connection: a single COPY from range() runs on one thread anyway; the cores are
        # kept busy by writing several files at once (see _Writers)
        c.execute("SET threads = 1")
        c.execute("SET preserve_insertion_order = true")
        c.execute(f"SET temp_directory = {q(str(tmpdir))}")
        return c

    con = connect()
    # one DuckDB connection per report: the reports are generated concurrently (DuckDB's CSV / parquet
    # writers are largely single-threaded per file); each file's content is independent of scheduling.
    gens = [ReportGenerator(connect(), spec, seed, month_list, rows_per_month) for spec in C.REPORTS]
    n_steps = 0
    for g in gens:
        for m in month_list:
            n_files = max(1, math.ceil(g.n_bulk / MAX_ROWS_PER_FILE))
            n_steps += 1 + n_files * (2 if (g.spec.key == "A" and m.idx == redelivered) else 1)
    n_steps += len(PROVIDERS) * months + 3 + (1 if history_months else 0)
    # A bar on a terminal; elsewhere (a CI log, the bench's output) plain lines, at most every 30 s.
    bar = (tqdm(total=n_steps, desc="generate", unit="step", disable=not progress) if sys.stdout.isatty()
           else _PlainProgress(n_steps, enabled=progress))
    gz = _Gzipper()
    writers = _Writers(WRITERS)
    lock = threading.Lock()
    totals: dict[tuple, tuple] = {}
    summary.rows_by_report = {g.spec.name: 0 for g in gens}

    def run_report(g: ReportGenerator) -> None:
        for m in month_list:
            g.bulk_agg(m)
            g.build_small(m)
            billed, amortized, n = g.truth_totals()
            g.collect_commitment_usage(m)
            with lock:
                totals[(g.spec.index, m.idx)] = (g.spec.source, g.spec.name, g.spec.payer, f"{m.start:%Y-%m-%d}",
                                                 "USD", billed, amortized, n)
                summary.rows_by_report[g.spec.name] = summary.rows_by_report.get(g.spec.name, 0) + n
                bar.update(1)
            if g.spec.flavor == "csv":
                _write_legacy_csv(g.con, g, m, out_dir, seed, m.idx == redelivered, gz, writers, bar, summary, lock)
            else:
                _write_parquet(g.con, g, m, out_dir, seed, writers, bar, summary, lock)

    try:
        with ThreadPoolExecutor(max_workers=len(gens), thread_name_prefix="report") as pool:
            for fut in [pool.submit(run_report, g) for g in gens]:
                fut.result()
        con.execute(f"CREATE OR REPLACE TEMP TABLE commitment_usage ({COMMITMENT_USAGE_COLUMNS})")
        for i, p in enumerate(PROVIDERS):
            for m in month_list:
                bar.set_postfix_str(f"{p.export} {m.label}")
                build_focus_month(con, p, seed, m, month_list[0])
                con.execute(f"INSERT INTO commitment_usage BY NAME SELECT {100 + i} AS ord, * "
                            f"FROM ({commitment_usage_sql(p, m, month_list[0])})")
                path = out_dir / focus_rel_path(p, m)
                write_focus(con, p, path)
                summary.files.append(path)
                row = con.execute('SELECT CAST(sum("BilledCost") AS DECIMAL(38,10)), '
                                  'CAST(sum("EffectiveCost") AS DECIMAL(38,10)), count(*) FROM focus_rows').fetchone()
                totals[(100 + i, m.idx)] = ("focus", p.export, p.billing_account, f"{m.start:%Y-%m-%d}", "USD",
                                            row[0], row[1], int(row[2]))
                bar.update(1)
        if history_months:
            bar.set_postfix_str("history")
            files, history_totals, n_history = write_history(con, out_dir, seed, month_list[-1], history_months)
            summary.files.extend(files)
            summary.rows_by_report[HISTORY_PROVIDER.export] = n_history
            totals.update({(200, i): t for i, t in enumerate(history_totals)})
            files, anomaly_totals, n_anomaly = write_anomalies(con, out_dir, seed, month_list[-1])
            summary.files.extend(files)
            summary.rows_by_report[ANOMALY_PROVIDER.export] = n_anomaly
            totals.update({(300, i): t for i, t in enumerate(anomaly_totals)})
            bar.update(1)
        # Azure cost details exports and Google Cloud billing extracts (azure.py, gcp.py), each on its own
        # connection (they replace their temp tables per account and month)
        owners: list[tuple[str, str]] = []
        for label, writer in (("azure", write_azure), ("gcp", write_gcp)):
            bar.set_postfix_str(label)
            wcon = connect()
            try:
                res = writer(wcon, out_dir, seed, month_list, rows_per_month, redelivered, tmpdir)
            finally:
                wcon.close()
            summary.files.extend(res.files)
            summary.rows_by_report.update(res.rows_by_report)
            summary.stale_rows += res.stale_rows
            totals.update(dict(res.totals))
            owners.extend(res.owners)
            bar.update(1)
        bar.set_postfix_str("truth")
        _write_truth(con, gens, month_list, out_dir, [totals[k] for k in sorted(totals)], summary, owners)
        _write_commitment_truth(con, gens, month_list, out_dir, tmpdir, summary)
        bar.update(1)
        gz.wait()
    finally:
        writers.pool.shutdown()
        bar.close()
        con.close()
        for g in gens:
            g.con.close()
        shutil.rmtree(tmpdir, ignore_errors=True)
    summary.files.sort()
    summary.seconds = time.time() - t0
    return summary


# ---------------------------------------------------------------------------------------------
# Report A: legacy CUR CSV (gzip) + manifest, with a stale re-delivery of one month
# ---------------------------------------------------------------------------------------------


def _file_queries(g: ReportGenerator, m: Month, projection: str, cutoff=None, stale=False) -> list[str]:
    n_files = max(1, math.ceil(g.n_bulk / MAX_ROWS_PER_FILE))
    per = math.ceil(g.n_bulk / n_files)
    out = []
    for k in range(n_files):
        parts = g.bulk_slices(m, k * per, min(g.n_bulk, (k + 1) * per), cutoff)
        if k == n_files - 1:
            if stale:
                excluded = ", ".join(f"'{t}'" for t in STALE_EXCLUDED_TYPES)
                parts.append(f"SELECT * FROM small_sorted WHERE usage_start < TIMESTAMP '{cutoff:%Y-%m-%d %H:%M:%S}' "
                             f"AND line_item_type NOT IN ({excluded})")
            elif g.spec.flavor == "cur2":
                parts.append("SELECT *, " + ", ".join(f"CAST(NULL AS {MAP_TYPE}) AS {c}" for c in CUR2_EXTRA)
                             + " FROM small_sorted")
            else:
                parts.append("SELECT * FROM small_sorted")
        inner = " UNION ALL ".join(parts)
        if stale:  # delivered before the invoice was issued
            inner = f"SELECT * REPLACE (CAST(NULL AS VARCHAR) AS invoice_id) FROM ({inner})"
        out.append(f"SELECT {projection} FROM ({inner})")
    return out


def _legacy_manifest(g: ReportGenerator, m: Month, seed: int, assembly: str, keys: list[str]) -> dict:
    cols = []
    types = {"s": "String", "d": "OptionalBigDecimal", "t": "DateTime", "x": "String"}
    for col, legacy in zip([c for c, _, _ in CANON if g.spec.has_net or c != "net_unblended_cost"],
                           csv_columns(g.spec.has_net)):
        category, name = legacy.split("/", 1)
        kind = KIND[col]
        cols.append({"category": category, "name": name,
                     "type": "OptionalBigDecimal" if col in ("blended_rate", "blended_cost") else types[kind]})
    return {
        "assemblyId": assembly,
        "account": g.spec.payer,
        "columns": cols,
        "charset": "UTF-8",
        "compression": "GZIP",
        "contentType": "text/csv",
        "reportId": stable_hex(seed, g.spec.name, "reportId")[:64],
        "reportName": g.spec.name,
        "billingPeriod": {"start": f"{m.start:%Y%m%d}T000000.000Z", "end": f"{m.end:%Y%m%d}T000000.000Z"},
        "bucket": f"{g.spec.company}-billing-reports",
        "reportKeys": keys,
        "additionalArtifactKeys": [],
    }


def _write_legacy_csv(con, g: ReportGenerator, m: Month, out_dir: Path, seed: int, redeliver: bool,
                      gz: _Gzipper, writers: _Writers, bar, summary: GenerationSummary,
                      lock: threading.Lock) -> None:
    name = g.spec.name
    period_dir = out_dir / "aws_cur" / name / m.folder
    projection = project_csv(g.spec.has_net)
    header = (",".join(csv_columns(g.spec.has_net)) + "\n").encode()
    deliveries = []
    if redeliver:
        cutoff = m.start + dt.timedelta(days=STALE_CUTOFF_DAY - 1)
        deliveries.append(("stale", stable_uuid(seed, name, m.label, "assembly", 0), cutoff))
    deliveries.append(("current", stable_uuid(seed, name, m.label, "assembly", 1), None))
    for kind, assembly, cutoff in deliveries:
        adir = period_dir / assembly
        adir.mkdir(parents=True, exist_ok=True)
        keys, futures = [], []
        for k, sql in enumerate(_file_queries(g, m, projection, cutoff, stale=kind == "stale"), start=1):
            fname = f"{name}-{k}.csv.gz"
            tmp = adir / f".{name}-{k}.csv.tmp"
            # header written by us: DuckDB would de-duplicate `user:Team` / `user:team` case-insensitively
            fut = writers.submit(con, f"COPY ({sql}) TO {q(str(tmp))} (FORMAT csv, HEADER false, DELIMITER ',')")
            futures.append((fut, tmp, adir / fname, f"{name} {m.label} {kind} {fname}"))
            keys.append(f"{name}/{m.folder}/{assembly}/{fname}")
        for fut, tmp, dst, label in futures:
            fut.result()
            gz.submit(tmp, dst, header)
            with lock:
                summary.files.append(dst)
                bar.set_postfix_str(label)
                bar.update(1)
        if kind == "stale":
            stale_sql = " UNION ALL ".join(_file_queries(g, m, "1 AS one", cutoff, stale=True))
            n_stale = con.execute(f"SELECT count(*) FROM ({stale_sql})").fetchone()[0]
            with lock:
                summary.stale_rows += n_stale
        else:
            manifest = period_dir / f"{name}-Manifest.json"
            manifest.write_text(json.dumps(_legacy_manifest(g, m, seed, assembly, keys), indent=2) + "\n")
            with lock:
                summary.files.append(manifest)


# ---------------------------------------------------------------------------------------------
# Reports B (legacy CUR parquet, Athena layout) and C (CUR 2.0 parquet + metadata manifest)
# ---------------------------------------------------------------------------------------------


def _write_parquet(con, g: ReportGenerator, m: Month, out_dir: Path, seed: int, writers: _Writers, bar,
                   summary: GenerationSummary, lock: threading.Lock) -> None:
    name = g.spec.name
    if g.spec.flavor == "athena":
        pairs = athena_columns(m.idx, len(g.months))
        ddir = out_dir / "aws_cur" / name / name / f"year={m.start.year}" / f"month={m.start.month}"
    else:
        pairs = cur2_columns({a[0]: a[1] for a in g.spec.accounts})
        ddir = out_dir / "aws_cur2" / name / "data" / f"BILLING_PERIOD={m.label}"
    ddir.mkdir(parents=True, exist_ok=True)
    keys, futures = [], []
    for k, sql in enumerate(_file_queries(g, m, project_pairs(pairs)), start=1):
        fname = f"{name}-{k:05d}.snappy.parquet"
        futures.append(writers.submit(con, f"COPY ({sql}) TO {q(str(ddir / fname))} (FORMAT parquet, COMPRESSION snappy)",
                                      g.session_setup))
        keys.append(fname)
    for fname, fut in zip(keys, futures):
        fut.result()
        with lock:
            summary.files.append(ddir / fname)
            bar.set_postfix_str(f"{name} {m.label} {fname}")
            bar.update(1)
    if g.spec.flavor == "cur2":
        mdir = out_dir / "aws_cur2" / name / "metadata" / f"BILLING_PERIOD={m.label}"
        mdir.mkdir(parents=True, exist_ok=True)
        schema = con.execute(f"DESCRIBE SELECT * FROM {q(str(ddir / keys[0]))}").fetchall()
        manifest = {
            "executionId": stable_uuid(seed, name, m.label, "execution"),
            "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{g.spec.payer}:export/{name}-"
                         f"{stable_hex(seed, name, 'export')[:8]}",
            "exportName": name,
            "billingPeriod": {"start": f"{m.start:%Y-%m-%dT%H:%M:%S.000Z}", "end": f"{m.end:%Y-%m-%dT%H:%M:%S.000Z}"},
            "exportTime": f"{(m.end + dt.timedelta(days=2)) if not m.is_open else m.end:%Y-%m-%dT06:00:00.000Z}",
            "dataFiles": [f"{name}/data/BILLING_PERIOD={m.label}/{k}" for k in keys],
            "columns": [{"name": c[0], "type": c[1]} for c in schema],
            "compression": "SNAPPY",
            "format": "PARQUET",
        }
        path = mdir / f"{name}-Manifest.json"
        path.write_text(json.dumps(manifest, indent=2) + "\n")
        with lock:
            summary.files.append(path)


# ---------------------------------------------------------------------------------------------
# _truth
# ---------------------------------------------------------------------------------------------


def _write_truth(con, gens: list[ReportGenerator], months: list[Month], out_dir: Path, totals: list[tuple],
                 summary: GenerationSummary, extra_owners: list[tuple[str, str]]) -> None:
    tdir = out_dir / "_truth"
    tdir.mkdir(parents=True, exist_ok=True)
    with open(tdir / "expected_totals.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source", "report", "billing_account_id", "billing_period_start", "currency", "billed_cost",
                    "amortized_cost", "row_count"])
        for src, rep, acct, start, cur, billed, amort, n in totals:
            w.writerow([src, rep, acct, start, cur, _fmt(billed), _fmt(amort), n])
    owners = " UNION ALL ".join(f"({g.owners_sql()})" for g in gens)
    con.execute(f"COPY (SELECT * FROM ({owners}) ORDER BY resource_id) TO {q(str(tdir / 'resource_owners.csv'))} "
                "(HEADER, DELIMITER ',')")
    change = months[len(months) // 2].start + dt.timedelta(days=14)
    with open(tdir / "account_owners.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["account_id", "team", "effective_from", "effective_to"])
        for spec in C.REPORTS:
            for acct, _, _ in spec.accounts:
                team = C.ACCOUNT_TEAMS[acct]
                if acct == C.OWNER_CHANGE_ACCOUNT:
                    w.writerow([acct, team, C.ACCOUNT_OWNERS_SINCE, f"{change:%Y-%m-%d}"])
                    w.writerow([acct, C.OWNER_CHANGE_NEW_TEAM, f"{change:%Y-%m-%d}", ""])
                else:
                    w.writerow([acct, team, C.ACCOUNT_OWNERS_SINCE, ""])
        for acct, team in extra_owners:  # Azure subscriptions and Google Cloud projects
            w.writerow([acct, team, C.ACCOUNT_OWNERS_SINCE, ""])
    for f in ("expected_totals.csv", "resource_owners.csv", "account_owners.csv"):
        summary.files.append(tdir / f)


def _write_commitment_truth(con, gens: list[ReportGenerator], months: list[Month], out_dir: Path, tmpdir: Path,
                            summary: GenerationSummary) -> None:
    """commitments.csv: one row per commitment of any report / export in the window; commitment_usage_daily.csv:
    one row per commitment and UTC day with a commitment inside the window. AWS figures describe the current
    delivery of each month (the full month of the re-delivered one), as expected_totals.csv does."""
    tdir = out_dir / "_truth"

    def dec(v: Decimal | None) -> str:
        return "NULL" if v is None else f"CAST('{format(v, 'f')}' AS {D38})"

    rows = []
    for g in gens:
        for seq, cm in enumerate(g.emitted_commitments()):
            rows.append((g.spec.index, seq, g.spec.source, g.spec.name, g.spec.payer, cm.arn, cm.kind, cm.payment,
                         cm.start, cm.end, str(cm.units) if cm.kind == "RI" else "NULL",
                         dec(cm.c if cm.kind == "SP" else None), dec(cm.upfront_total)))
        part = tmpdir / f"commitment_usage_{g.spec.index}.parquet"
        g.con.execute(f"COPY commitment_usage TO {q(str(part))} (FORMAT parquet)")
        con.execute(f"INSERT INTO commitment_usage BY NAME SELECT {g.spec.index} AS ord, * FROM read_parquet({q(str(part))})")
    start, end = commitment_term(months[0])
    for i, p in enumerate(PROVIDERS):
        rows.append((100 + i, 0, "focus", p.export, p.billing_account, commitment_id(p), "FOCUS", "All Upfront",
                     start, end, "NULL", "NULL", dec(commitment_upfront(p))))
    con.execute("CREATE OR REPLACE TEMP TABLE truth_commitments (ord INT, seq INT, source VARCHAR, report VARCHAR, "
                "billing_account_id VARCHAR, commitment_discount_id VARCHAR, commitment_kind VARCHAR, "
                "payment_option VARCHAR, term_start TIMESTAMP, term_end TIMESTAMP, units INT, "
                f"hourly_commitment {D38}, upfront_total {D38})")
    con.execute("INSERT INTO truth_commitments VALUES " + ", ".join(
        f"({o}, {sq}, {q(src)}, {q(rpt)}, {q(acct)}, {q(cid)}, {q(kind)}, {q(pay)}, {ts(t0)}, {ts(t1)}, {u}, {c}, {up})"
        for o, sq, src, rpt, acct, cid, kind, pay, t0, t1, u, c, up in rows))
    orphans = con.execute("SELECT count(*) FROM commitment_usage ANTI JOIN truth_commitments "
                          "USING (ord, commitment_discount_id)").fetchone()[0]
    if orphans:
        raise RuntimeError(f"{orphans} commitment_usage_daily rows of a commitment missing from commitments.csv")
    fmt = "'%Y-%m-%d %H:%M:%S'"
    con.execute(f"""COPY (SELECT source, report, billing_account_id, commitment_discount_id, commitment_kind,
                                 payment_option, strftime(term_start, {fmt}) AS term_start,
                                 strftime(term_end, {fmt}) AS term_end, units, hourly_commitment, upfront_total
                          FROM truth_commitments ORDER BY ord, seq)
                    TO {q(str(tdir / 'commitments.csv'))} (HEADER, DELIMITER ',')""")
    con.execute(f"""COPY (SELECT c.source, c.report, u.commitment_discount_id, strftime(u.day, '%Y-%m-%d') AS day,
                                 u.unit, u.committed_quantity, u.used_quantity, u.unused_quantity,
                                 u.used_effective_cost, u.unused_effective_cost
                          FROM commitment_usage u JOIN truth_commitments c USING (ord, commitment_discount_id)
                          ORDER BY u.ord, c.seq, u.day)
                    TO {q(str(tdir / 'commitment_usage_daily.csv'))} (HEADER, DELIMITER ',')""")
    for f in ("commitments.csv", "commitment_usage_daily.csv"):
        summary.files.append(tdir / f)
