"""A run publishes all or nothing, one run at a time, and readers never block it (issue 11, items 3-5, 7).

Each test builds a tiny hand-written CUR (one payer, August 2026) with `finops build` in a child
process, as a user does, and checks what a reader of the published warehouse sees afterwards.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops import warehouse
from finops.settings import SAMPLE_MAPPINGS_DIR, load_settings
from finops.warehouse import WarehousePaths, remove_old_snapshots, run_lock

from .conftest import REPO_ROOT, run_finops
from .test_aws_cur_input import usage_row, write_cur

CHECK_TABLES = ("marts.focus_cost_and_usage", "marts.fct_billing_reconciliation", "marts.fct_showback_monthly",
                "marts.fct_cost_allocated", "raw.landing_files")


def land(landing: Path, *costs: str, currency: str = "USD") -> None:
    write_cur(landing, [usage_row(f"line-{i}", cost, currency=currency) for i, cost in enumerate(costs)])


def build(landing: Path, database: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_finops("build", "--landing", str(landing), "--duckdb", str(database), "--no-docs", *extra)


def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def published(database: Path) -> dict[str, object]:
    """What a reader of the published warehouse sees: its snapshot, every public table's row count,
    and the bill (which must reconcile whenever anything is published)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        state: dict[str, object] = {
            "snapshot": con.execute("select value from raw.publication where setting = 'snapshot'").fetchone()[0],
            "billed": con.execute("select sum(BilledCost) from marts.focus_cost_and_usage").fetchone()[0],
            "reconciled": con.execute("select bool_and(is_reconciled) from marts.fct_billing_reconciliation")
            .fetchone()[0],
            "showback": con.execute("select sum(total_billed_cost) from marts.fct_showback_monthly").fetchone()[0],
        }
        for table in CHECK_TABLES:
            state[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()
    return state


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, object]]:
    """A warehouse published from a 12.50 USD bill. Tests that use it may fail runs on it but must
    leave its published state as it is."""
    root = tmp_path_factory.mktemp("published")
    land(root / "landing", "10.00", "2.50")
    proc = build(root / "landing", root / "w.duckdb")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    state = published(root / "w.duckdb")
    assert state["billed"] == Decimal("12.5") and state["reconciled"] is True
    return root / "landing", root / "w.duckdb", state


def test_a_build_stopped_by_bad_input_after_the_load_publishes_nothing(tmp_path: Path, first_build) -> None:  # noqa: ANN001
    """The raw layer takes the new load, then dbt stops (a CAD bill without a rate): readers still see
    the previous bill whole, the reconciliation and the showback of the same run."""
    _, database, before = first_build
    state = published(database)
    changed = tmp_path / "changed"
    write_cur(changed, [usage_row("cad", "99.00", currency="CAD"), usage_row("usd", "1.00")])
    proc = build(changed, database)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr
    assert errors(proc) == [
        "error: The bills are in CAD, USD and no exchange_rates.csv (FINOPS_MAPPINGS_DIR) gives rates: add monthly "
        "rates from each billing currency to one reporting currency and run again."]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert published(database) == state
    assert {k: v for k, v in state.items() if k != "snapshot"} == {k: v for k, v in before.items() if k != "snapshot"}
    # the working database holds the failed run's load, for inspection
    work = duckdb.connect(str(WarehousePaths(database).work), read_only=True)
    assert work.execute("select count(*) from raw.aws_cur_line_items where line_item_currency_code = 'CAD'").fetchone()[0] == 1
    work.close()


def test_a_reader_holding_the_warehouse_open_neither_blocks_a_refresh_nor_sees_it_half_done(tmp_path: Path) -> None:
    land(tmp_path / "landing", "10.00", "2.50")
    database = tmp_path / "w.duckdb"
    assert build(tmp_path / "landing", database).returncode == 0
    reader = duckdb.connect(str(database), read_only=True)  # a dashboard connected all day
    before = reader.execute("select sum(BilledCost), count(*) from marts.focus_cost_and_usage").fetchone()
    old_snapshot = reader.execute("select value from raw.publication where setting = 'snapshot'").fetchone()[0]

    land(tmp_path / "landing", "10.00", "2.50", "7.25")
    proc = build(tmp_path / "landing", database)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    # the open connection keeps the snapshot it opened, whole: every table still reads
    assert reader.execute("select sum(BilledCost), count(*) from marts.focus_cost_and_usage").fetchone() == before
    assert reader.execute("select sum(focus_billed_cost) from marts.fct_billing_reconciliation").fetchone()[0] == before[0]
    assert reader.execute("select count(*) from marts.fct_cost_allocated").fetchone()[0] > 0
    # a new connection sees the new bill (from another process: DuckDB hands this process's open
    # database instance out again for the same path while the reader keeps it open)
    new_reader = subprocess.run([sys.executable, "-c", "import duckdb; print(duckdb.connect(" + repr(str(database))
                                 + ", read_only=True).execute('select sum(BilledCost) from marts.focus_cost_and_usage')"
                                 ".fetchone()[0])"], capture_output=True, text=True, check=True)
    assert Decimal(new_reader.stdout) == Decimal("19.75")
    # the old snapshot stays on disk while the reader has it, and goes once it has closed
    paths = WarehousePaths(database)
    assert (paths.snapshots / old_snapshot).is_dir()
    # (what every run does first, from another process: a POSIX lock never conflicts within one)
    clean_up = [sys.executable, "-c", "from finops.warehouse import WarehousePaths, remove_old_snapshots; "
                f"print(remove_old_snapshots(WarehousePaths(__import__('pathlib').Path({str(database)!r}))))"]
    assert subprocess.run(clean_up, cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip() == str(
        [old_snapshot])
    reader.close()
    assert subprocess.run(clean_up, cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip() == "[]"
    assert not (paths.snapshots / old_snapshot).exists()
    assert len(list(paths.snapshots.iterdir())) == 1


def test_a_second_run_is_told_in_one_sentence_while_the_first_holds_the_warehouse(tmp_path: Path) -> None:
    land(tmp_path / "landing", "1.00")
    database = tmp_path / "w.duckdb"
    paths = WarehousePaths(database)
    with run_lock(paths, "build"):
        for command in ("build", "load"):
            proc = run_finops(command, "--landing", str(tmp_path / "landing"), "--duckdb", str(database))
            assert proc.returncode == 3, proc.stdout + proc.stderr
            [line] = errors(proc)
            assert line.startswith(f"error: `finops build` (pid {os.getpid()}, started ")
            assert line.endswith(f"is refreshing the warehouse {database}; wait for it to finish and run again, or set "
                                 "FINOPS_DUCKDB_PATH to another warehouse.")
    assert not database.exists()  # nothing was published by the refused runs
    with run_lock(paths, "build"):  # the lock is free again once its holder is done
        pass


def test_two_builds_started_together_do_not_interleave(tmp_path: Path) -> None:
    """The second build is refused while the first one loads and builds; the first publishes what it
    loaded, and its summary describes that bill."""
    land(tmp_path / "first", "10.00")
    land(tmp_path / "second", "99.00")
    database = tmp_path / "w.duckdb"
    first = _start_build(tmp_path / "first", database)
    _wait_for(first, "loaded ")
    second = build(tmp_path / "second", database)
    out, err = first.communicate(timeout=600)
    assert second.returncode == 3, second.stdout[-2000:] + second.stderr
    assert first.returncode == 0, out[-3000:] + err
    assert published(database)["billed"] == Decimal("10")
    assert any(line.startswith("aws_cur") and "10.00" in line and line.endswith("yes") for line in out.splitlines())


def _start_build(landing: Path, database: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "finops.cli", "build", "--landing", str(landing), "--duckdb", str(database),
         "--no-docs"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for(proc: subprocess.Popen[str], marker: str, timeout: float = 600) -> list[str]:
    """Read the child's output until a line contains `marker` (the phase the test waits for)."""
    seen = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"the build ended before {marker!r}: {''.join(seen)[-3000:]}")
        seen.append(line)
        if marker in line:
            return seen
    pytest.fail(f"no {marker!r} within {timeout} s")


# Where a run is stopped, told by its output: after the load, while dbt builds, after dbt and the
# checks (publishing: a kill there may land before or after the one rename that publishes).
STOPS = [
    ("loaded ", signal.SIGKILL), (" START ", signal.SIGKILL), ("passed unit_costs", signal.SIGKILL),
    ("loaded ", signal.SIGINT), (" START ", signal.SIGTERM),
]


def test_a_run_killed_at_any_point_leaves_the_previous_warehouse_whole(tmp_path: Path) -> None:
    land(tmp_path / "landing", "10.00", "2.50")
    database = tmp_path / "w.duckdb"
    assert build(tmp_path / "landing", database).returncode == 0
    before = published(database)
    land(tmp_path / "landing", "10.00", "2.50", "7.25")
    for marker, how in STOPS:
        child = _start_build(tmp_path / "landing", database)
        _wait_for(child, marker)
        child.send_signal(how)
        out, err = child.communicate(timeout=600)
        after = published(database)
        if after != before:
            # only a kill while publishing may have published, and then the new bill, whole
            assert marker == "passed unit_costs" and child.returncode in (0, -signal.SIGKILL), (marker, out[-2000:], err)
            assert after["billed"] == Decimal("19.75") and after["reconciled"] is True
            before = after
            land(tmp_path / "landing", "10.00", "2.50")  # so that later stops would show a change
            continue
        if how is signal.SIGKILL:
            assert child.returncode == -signal.SIGKILL, (marker, out[-2000:], err)
        else:
            expected = 143 if how is signal.SIGTERM else 130
            assert child.returncode == expected, (marker, out[-2000:], err)
            assert errors(subprocess.CompletedProcess([], child.returncode, out, err)) == [
                f"error: {'terminated' if how is signal.SIGTERM else 'interrupted'}: nothing was published, so the "
                "warehouse keeps its previous state; run again to refresh it."]
            assert "Traceback" not in err
    # the next run is not hindered by what the stopped ones left behind
    land(tmp_path / "landing", "10.00", "2.50", "7.25", "0.25")
    proc = build(tmp_path / "landing", database)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert published(database)["billed"] == Decimal("20")
    assert len(list(WarehousePaths(database).snapshots.iterdir())) == 1


def test_publication_is_one_rename(tmp_path: Path, first_build, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """A failure at the last step of publishing (the rename) leaves the old snapshot published; the
    orphaned new snapshot is removed by the next run."""
    _, database, before = first_build
    paths = WarehousePaths(database)

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(warehouse.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        warehouse.publish(paths, {"landing_dir": "x", "mapping_files": "none", "published_at": "now"})
    monkeypatch.undo()
    assert published(database)["snapshot"] == before["snapshot"]
    assert len(list(paths.snapshots.iterdir())) == 2
    assert remove_old_snapshots(paths) == []
    assert [p.name for p in paths.snapshots.iterdir()] == [before["snapshot"]]


def test_an_internal_fault_is_one_sentence_and_exit_1_with_the_traceback_on_request(
        tmp_path: Path, first_build, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    from finops import cli

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("finops.summary.print_summary", broken)
    _, database, _ = first_build
    assert cli.main(["summary", "--duckdb", str(database)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: internal fault (ZeroDivisionError: division by zero); nothing was published. This is a fault in the "
        "warehouse, not in your input: run again with --debug for the traceback and report it."]
    assert cli.main(["--debug", "summary", "--duckdb", str(database)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_a_landing_folder_of_your_own_starts_with_no_mapping_files(tmp_path: Path, first_build,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("FINOPS_MAPPINGS_DIR", raising=False)
    monkeypatch.delenv("FINOPS_LANDING_DIR", raising=False)
    assert load_settings().mappings_dir == SAMPLE_MAPPINGS_DIR  # the generated sample keeps its samples
    assert load_settings(str(tmp_path)).mappings_dir is None
    monkeypatch.setenv("FINOPS_MAPPINGS_DIR", str(tmp_path))
    assert load_settings(str(tmp_path)).mappings_dir == tmp_path

    landing, database, _ = first_build
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute("select value from raw.publication where setting = 'mapping_files'").fetchone() == (
        "none (FINOPS_MAPPINGS_DIR is not set)",)
    # nothing of the samples' (owners, rules, commitments) reached the bill
    assert con.execute("select distinct owner from marts.fct_cost_allocated").fetchall() == [("unallocated",)]
    con.close()
    proc = run_finops("summary", "--duckdb", str(database))
    assert "Mapping files: none (FINOPS_MAPPINGS_DIR is not set)" in proc.stdout


def test_commands_that_read_the_warehouse_say_when_none_is_published(tmp_path: Path) -> None:
    for command in ("summary", "validate", "expect"):
        proc = run_finops(command, "--duckdb", str(tmp_path / "none.duckdb"))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert errors(proc) == [f"error: {tmp_path / 'none.duckdb'}: no warehouse has been published here yet; build "
                                "it first (make run, or finops build)."]


def test_the_working_database_open_in_a_shell_is_told_not_a_traceback(tmp_path: Path, first_build) -> None:  # noqa: ANN001
    landing, database, _ = first_build
    work = WarehousePaths(database).work
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(work)!r}); "
                               "print('open', flush=True); time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        proc = build(landing, database)
        assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr
        assert errors(proc) == [f"error: {work}: the working database is open in another program (a DuckDB shell or "
                                "a notebook?); close it and run again (BI tools should open the published warehouse "
                                "instead)."]
    finally:
        holder.kill()
        holder.wait()


def test_a_relation_with_a_delivery_column_is_published_one_folder_per_delivery(tmp_path: Path) -> None:
    """D71 on a hand-made working database: folders named by delivery and rows; a second publication
    hard-links the folders whose rows did not change and writes the changed one; a relation without
    rows still has its columns; a row without a delivery is published too."""
    import duckdb

    work = tmp_path / "work.duckdb"
    con = duckdb.connect(str(work))
    con.execute("create schema marts")
    con.execute("create table marts.lines as select * from (values ('d1', 1.50), ('d1', 2.25), ('d2', 4.00), "
                "(null, 0.10)) as t(x_source_delivery_id, cost)")
    con.execute("create table marts.empty (delivery_id varchar, cost decimal(18, 2))")
    con.close()

    def write(folder: Path, previous: Path | None) -> dict[str, tuple[int, ...]]:
        con = duckdb.connect(str(work), read_only=True)
        try:
            for name, column in (("lines", "x_source_delivery_id"), ("empty", "delivery_id")):
                glob = warehouse._write_by_delivery(con, "marts", name, column, folder, previous)
                assert glob == folder / "marts" / name / "*" / "*.parquet"
        finally:
            con.close()
        return {d.name: tuple(f.stat().st_ino for f in sorted(d.glob("*.parquet")))
                for d in (folder / "marts" / "lines").iterdir()}

    def read(folder: Path, name: str) -> list[tuple]:
        return duckdb.sql(f"select * from read_parquet('{folder}/marts/{name}/*/*.parquet', hive_partitioning = false) "
                          "order by all").fetchall()

    first = write(tmp_path / "s1", None)
    assert len(first) == 3  # d1, d2 and the rows without a delivery
    assert read(tmp_path / "s1", "lines") == [("d1", Decimal("1.50")), ("d1", Decimal("2.25")), ("d2", Decimal("4.00")),
                                              (None, Decimal("0.10"))]
    assert read(tmp_path / "s1", "empty") == []
    empty = f"read_parquet('{tmp_path}/s1/marts/empty/*/*.parquet', hive_partitioning = false)"
    assert [c for c, *_ in duckdb.sql(f"describe select * from {empty}").fetchall()] == ["delivery_id", "cost"]

    con = duckdb.connect(str(work))
    con.execute("update marts.lines set cost = 4.01 where x_source_delivery_id = 'd2'")
    con.close()
    second = write(tmp_path / "s2", tmp_path / "s1")
    d2 = {name for name in first if name.startswith(f"file_key={hashlib.md5(b'd2').hexdigest()}-")}
    assert {k: v for k, v in second.items() if k in first} == {k: v for k, v in first.items() if k not in d2}
    assert len(second) == 3 and not d2 & set(second)
    assert (None, Decimal("0.10")) in read(tmp_path / "s2", "lines")
    assert ("d2", Decimal("4.01")) in read(tmp_path / "s2", "lines")
