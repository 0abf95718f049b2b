"""FINOPS_MEMORY_LIMIT and FINOPS_TEMP_DIR bind every DuckDB connection of a run, dbt's included
(DECISIONLOG D60); a bad value is one sentence; work larger than the limit spills instead of failing."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from finops.settings import REPO_ROOT, SAMPLE_MAPPINGS_DIR

from .conftest import build_warehouse, run_finops


def test_a_memory_limit_duckdb_cannot_read_is_one_sentence(tmp_path: Path) -> None:
    proc = run_finops("summary", "--duckdb", str(tmp_path / "w.duckdb"), env={"FINOPS_MEMORY_LIMIT": "lots"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: FINOPS_MEMORY_LIMIT='lots': not a size DuckDB understands, e.g. 4GB or 800MB; set it and run again."]


def test_a_batch_size_that_is_not_a_number_of_rows_is_one_sentence(tmp_path: Path) -> None:
    proc = run_finops("summary", "--duckdb", str(tmp_path / "w.duckdb"), env={"FINOPS_BATCH_ROWS": "10M"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: FINOPS_BATCH_ROWS='10M': not a whole number of rows, e.g. 4000000; set it and run again."]


def test_every_connection_goes_through_finops_database() -> None:
    """No module opens DuckDB itself: finops/database.py applies the limit and the spill folder."""
    offenders = []
    for path in sorted((REPO_ROOT / "finops").rglob("*.py")):
        if "tests" in path.parts or path.name == "database.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "duckdb"):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == []


def test_dbt_and_the_warehouse_connections_use_the_same_limit_and_spill_folder(tmp_path: Path) -> None:
    """The limit, the spill folder and the allocator's background threads (D76) alike."""
    spill = tmp_path / "spill"
    env = {**os.environ, "FINOPS_MEMORY_LIMIT": "1536MB", "FINOPS_TEMP_DIR": str(spill),
           "FINOPS_WORK_DUCKDB_PATH": str(tmp_path / "work.duckdb")}
    query = ("select current_setting('memory_limit') as m, current_setting('temp_directory') as t, "
             "current_setting('allocator_background_threads') as a")
    dbt = Path(sys.executable).parent / "dbt"
    shown = subprocess.run(
        [str(dbt), "show", "--inline", query, "--output", "json", "--project-dir", str(REPO_ROOT), "--profiles-dir",
         str(REPO_ROOT), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path), "--quiet"],
        env=env, capture_output=True, text=True, check=False, cwd=REPO_ROOT,
    )
    assert shown.returncode == 0, shown.stdout[-3000:] + shown.stderr[-3000:]
    ours = subprocess.run(
        [sys.executable, "-c", "from finops.database import connect; "
         f"print(connect().execute({query!r}).fetchone())"],
        env=env, capture_output=True, text=True, check=True, cwd=REPO_ROOT,
    ).stdout.strip()
    limit, folder, background = ast.literal_eval(ours)
    assert folder == str(spill) and background is True
    assert f'"m": "{limit}"' in shown.stdout and f'"t": "{folder}"' in shown.stdout, shown.stdout
    assert '"a": true' in shown.stdout, shown.stdout  # DuckDB's default is false
    assert limit != subprocess.run(  # the setting changed something: the default differs
        [sys.executable, "-c", "import duckdb; print(duckdb.connect().execute(\"select current_setting('memory_limit')\")"
         ".fetchone()[0])"], capture_output=True, text=True, check=True).stdout.strip()


def test_work_larger_than_the_limit_spills_to_the_temp_folder_instead_of_failing(tmp_path: Path) -> None:
    """A sort of ~300 MB under a 64 MB limit: finishes through the spill folder, fails without one."""
    work = ("create table t as select x, hash(x) as h, repeat('a', 20) || x::varchar as s "
            "from range(3000000) as r(x) order by h")
    script = ("import sys; from finops.database import connect; con = connect(); con.execute('set threads = 2'); "
              "con.execute('set enable_progress_bar = false'); "  # a slow machine would print the bar to stdout
              "sys.argv[1] == 'off' and con.execute(\"set temp_directory = ''\"); "
              f"con.execute({work!r}); print(con.execute('select count(distinct s) from t').fetchone()[0])")
    env = {**os.environ, "FINOPS_MEMORY_LIMIT": "64MB", "FINOPS_TEMP_DIR": str(tmp_path / "spill")}
    spilled = subprocess.run([sys.executable, "-c", script, "on"], env=env, capture_output=True, text=True,
                             check=False, cwd=REPO_ROOT)
    assert spilled.returncode == 0 and spilled.stdout.strip() == "3000000", spilled.stderr[-2000:]
    no_spill = subprocess.run([sys.executable, "-c", script, "off"], env=env, capture_output=True, text=True,
                              check=False, cwd=REPO_ROOT)
    assert no_spill.returncode != 0 and "Out of Memory" in no_spill.stderr, no_spill.stderr[-2000:]


def test_a_whole_build_under_a_small_memory_limit_completes_and_reconciles(tmp_path: Path) -> None:
    from finops.sample_data import generate

    landing = tmp_path / "landing"
    generate(landing, seed=5, months=2, rows_per_month=3000, progress=False)
    os.environ["FINOPS_MEMORY_LIMIT"] = "250MB"
    try:
        build = build_warehouse(landing, tmp_path / "w.duckdb", mappings=SAMPLE_MAPPINGS_DIR)
    finally:
        del os.environ["FINOPS_MEMORY_LIMIT"]
    assert build.returncode == 0, build.output[-4000:]
    (reconciled,) = build.query("select bool_and(is_reconciled) from marts.fct_billing_reconciliation")[0]
    assert reconciled
