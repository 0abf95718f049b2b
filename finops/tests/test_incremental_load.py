"""The loader reads only new or changed deliveries (DECISIONLOG D59): unchanged ones are neither read nor
rewritten, a changed one is replaced whole, a disappeared one is kept (and dropped by a full refresh),
and a load that stops part way leaves the ledger and the raw views as they were."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from finops.landing.files import LandingError, delivery_id
from finops.landing.loading import load_landing

from .conftest import _query

RAW_VIEWS = ["aws_cur_line_items", "aws_cur2_line_items", "focus_line_items", "azure_cost_details", "gcp_billing_export"]
ACME_AUGUST = "aws_cur/acme-payer-cur/20260801-20260901"
GCP_JULY = "gcp/gcp_billing_export_v1_0F1E2D_3C4B5A_697887/invoice_month=202607"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from finops.sample_data import generate

    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate(landing, seed=11, months=3, rows_per_month=400, progress=False, history_months=0)  # the 33 deliveries of 3 months
    return landing


@pytest.fixture
def landing(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(generated, copy)
    return copy


def _ledger(work: Path) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in _query(
        work, "select delivery, delivery_id, fingerprint, loaded_at, status, rows_loaded from raw.deliveries")}


def _stats(work: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in sorted((work.parent / "raw").glob("*/*.parquet"))}


def _raw_differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        found = {}
        for table in [*RAW_VIEWS, "rejected_lines"]:
            only_a = con.execute(f"select count(*) from (from a.raw.{table} except all from b.raw.{table})").fetchone()[0]
            only_b = con.execute(f"select count(*) from (from b.raw.{table} except all from a.raw.{table})").fetchone()[0]
            if only_a or only_b:
                found[table] = (only_a, only_b)
        return found
    finally:
        con.close()


def _rewrite_gzip_csv(folder: Path, change) -> None:  # noqa: ANN001 - a str -> str function
    for path in sorted(folder.rglob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(change(text))


def _without_last_line(text: str) -> str:
    """The file re-delivered with other amounts: its last line item is gone."""
    lines = text.rstrip("\n").split("\n")
    return "\n".join(lines[:-1]) + "\n"


def test_an_unchanged_landing_is_neither_read_nor_rewritten(landing: Path, tmp_path: Path) -> None:
    work = tmp_path / "w" / "work.duckdb"
    first = load_landing(landing, work, progress=False)
    assert first.deliveries == {"new": 33, "changed": 0, "unchanged": 0, "missing": 0}
    ledger, stats = _ledger(work), _stats(work)
    assert stats, "no partition was written"

    again = load_landing(landing, work, progress=False)
    assert again.deliveries == {"new": 0, "changed": 0, "unchanged": 33, "missing": 0}
    assert again.files_read == 0 and sum(again.rows.values()) == 0
    assert _stats(work) == stats
    assert {d: v[:3] for d, v in _ledger(work).items()} == {d: v[:3] for d, v in ledger.items()}
    # The inventory still counts every file's rows, read now or before.
    (rows,) = _query(work, "select sum(rows_loaded) from raw.landing_files where status = 'current'")[0]
    assert rows == sum(first.rows.values())


def test_a_redelivered_period_replaces_that_delivery_only_and_equals_a_full_load(landing: Path, tmp_path: Path) -> None:
    work = tmp_path / "w" / "work.duckdb"
    load_landing(landing, work, progress=False)
    before, stats = _ledger(work), _stats(work)

    # AWS re-delivers August into a new assembly, with other amounts, and points the manifest at it.
    period = landing / ACME_AUGUST
    manifest = next(period.glob("*Manifest.json"))
    current = manifest.read_text(encoding="utf-8")
    old_assembly = next(p.name for p in period.iterdir() if p.is_dir() and p.name in current)
    shutil.copytree(period / old_assembly, period / "0-new-assembly")
    _rewrite_gzip_csv(period / "0-new-assembly", _without_last_line)
    manifest.write_text(current.replace(old_assembly, "0-new-assembly"), encoding="utf-8")

    result = load_landing(landing, work, progress=False)
    assert result.deliveries == {"new": 0, "changed": 1, "unchanged": 32, "missing": 0}
    after, new_stats = _ledger(work), _stats(work)
    changed = delivery_id(ACME_AUGUST)
    assert after[ACME_AUGUST][3] == "changed" and after[ACME_AUGUST][2] > before[ACME_AUGUST][2]
    for path, stat in stats.items():
        if path.stem.startswith(changed):
            assert path not in new_stats, f"{path} was not replaced"
        else:
            assert new_stats[path] == stat, f"{path} was rewritten"
    assert any(p.stem.startswith(changed) for p in new_stats)

    fresh = tmp_path / "fresh" / "work.duckdb"
    load_landing(landing, fresh, progress=False)
    assert _raw_differences(work, fresh) == {}
    (source_files,) = _query(work, "select count(distinct _source_file) from raw.aws_cur_line_items "
                                   f"where _delivery_id = '{changed}'")[0]
    assert source_files == len(list((period / "0-new-assembly").glob("*.csv.gz")))


def test_a_disappeared_delivery_is_kept_with_a_warning_until_a_full_refresh(landing: Path, tmp_path: Path) -> None:
    work = tmp_path / "w" / "work.duckdb"
    load_landing(landing, work, progress=False)
    gone = delivery_id(GCP_JULY)
    (rows,) = _query(work, f"select count(*) from raw.gcp_billing_export where _delivery_id = '{gone}'")[0]
    assert rows > 0
    shutil.rmtree(landing / GCP_JULY)

    kept = load_landing(landing, work, progress=False)
    assert kept.deliveries == {"new": 0, "changed": 0, "unchanged": 32, "missing": 1}
    warning = next(w for w in kept.warnings if w.startswith(GCP_JULY))
    assert "no longer in the landing folder" in warning and "--full-refresh" in warning
    assert _query(work, f"select count(*) from raw.gcp_billing_export where _delivery_id = '{gone}'")[0][0] == rows
    assert _query(work, f"select status from raw.deliveries where delivery_id = '{gone}'") == [("missing",)]

    dropped = load_landing(landing, work, progress=False, full_refresh=True)
    assert dropped.deliveries == {"new": 32, "changed": 0, "unchanged": 0, "missing": 0}
    assert _query(work, f"select count(*) from raw.gcp_billing_export where _delivery_id = '{gone}'")[0][0] == 0
    assert not list((work.parent / "raw").glob(f"*/{gone}-*.parquet"))


def test_a_load_that_stops_part_way_leaves_the_ledger_and_views_as_they_were(
        landing: Path, generated: Path, tmp_path: Path) -> None:
    work = tmp_path / "w" / "work.duckdb"
    load_landing(landing, work, progress=False)
    ledger = _ledger(work)
    (total,) = _query(work, "select count(*) from raw.aws_cur_line_items")[0]

    # August is re-delivered with other amounts (read and its partition replaced), and a file that
    # sorts after it is damaged, so the load stops after August's partition was renamed in.
    _rewrite_gzip_csv(landing / ACME_AUGUST, _without_last_line)
    damaged = next((landing / "gcp").rglob("*.jsonl.gz"))
    damaged.write_bytes(b"not gzip")
    with pytest.raises(LandingError, match="cannot be loaded"):
        load_landing(landing, work, progress=False)
    assert _ledger(work) == ledger
    assert _query(work, "select count(*) from raw.aws_cur_line_items")[0][0] == total

    # Once the file is fixed, the next load reads August again (its partition no longer matches the
    # ledger's record of it) and equals a fresh load.
    shutil.copy(generated / damaged.relative_to(landing), damaged)
    result = load_landing(landing, work, progress=False)
    assert result.deliveries["changed"] >= 1 and _ledger(work)[ACME_AUGUST][3] == "changed"
    fresh = tmp_path / "fresh" / "work.duckdb"
    load_landing(landing, fresh, progress=False)
    assert _raw_differences(work, fresh) == {}
