"""Shared fixtures: build warehouses the way a user does (`finops build` in a subprocess, so every
build gets a fresh dbt and DuckDB process) into temporary files."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_SAMPLES = REPO_ROOT.parent / "shared" / "sample_exports"


@dataclass
class Build:
    landing: Path
    duckdb_path: Path
    returncode: int
    output: str

    def query(self, sql: str) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def query_work(self, sql: str) -> list[tuple]:
        """Query the tables a build works with but does not publish (raw.*, staging.*, intermediate.*)."""
        return self.query(sql)


def run_finops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "python_checks.cli", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def build_warehouse(landing: Path, duckdb_path: Path) -> Build:
    """`finops build` on a landing folder; the result keeps dbt's output for failure messages."""
    proc = run_finops("build", "--landing", str(landing), "--duckdb", str(duckdb_path), "--no-docs")
    return Build(landing, duckdb_path, proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The warehouse built once per test run from generated sample data (3 months)."""
    from python_checks.generator import generate

    root = tmp_path_factory.mktemp("generated")
    landing = root / "landing"
    generate(landing, seed=7, months=3, rows_per_month=6000, progress=False)
    return build_warehouse(landing, root / "warehouse.duckdb")
