"""Shared fixtures: build warehouses the way a user does (`finops build` in a subprocess, so every
build gets a fresh dbt and DuckDB process) into temporary files."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from finops.settings import REPO_ROOT, SAMPLE_MAPPINGS_DIR
from finops.warehouse import WarehousePaths

SHARED_SAMPLES = REPO_ROOT.parent / "shared" / "sample_exports"


@dataclass
class Build:
    landing: Path
    duckdb_path: Path
    returncode: int
    output: str

    @property
    def work_path(self) -> Path:
        return WarehousePaths(self.duckdb_path).work

    def query(self, sql: str) -> list[tuple]:
        """Query the published warehouse, as a reader does (marts.*, raw.landing_files)."""
        return _query(self.duckdb_path, sql)

    def query_work(self, sql: str) -> list[tuple]:
        """Query the working database the build left (raw.*, staging.*, intermediate.*, and the marts of
        a build that failed and therefore published nothing)."""
        return _query(self.work_path, sql)


def _query(path: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def write_cur2(path: Path, payer: str, cost: str, rows: int = 1) -> None:
    """A CUR 2.0 data file (Data Exports' parquet, snake_case columns, snappy) with `rows` usage rows;
    `cost` is a SQL expression, which may use the row's index `i`."""
    import duckdb

    columns = {
        "identity_line_item_id": f"'cur2-{path.parts[-4]}-' || i", "bill_payer_account_id": f"'{payer}'",
        "bill_billing_period_start_date": "timestamp '2026-08-01'",
        "bill_billing_period_end_date": "timestamp '2026-09-01'", "line_item_usage_account_id": f"'{payer}'",
        "line_item_line_item_type": "'Usage'", "line_item_usage_start_date": "timestamp '2026-08-03 00:00:00'",
        "line_item_usage_end_date": "timestamp '2026-08-03 01:00:00'", "line_item_product_code": "'AmazonEC2'",
        "line_item_usage_amount": "1.0", "line_item_currency_code": "'USD'", "line_item_unblended_cost": cost,
        "pricing_public_on_demand_cost": cost, "pricing_unit": "'Hrs'",
        "line_item_resource_id": "'i-' || md5(i::varchar)",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    select = ", ".join(f"{value} as {name}" for name, value in columns.items())
    con.execute(f"copy (select {select} from range({rows}) as t(i)) to '{path}' (format parquet, compression snappy)")
    con.close()


def run_finops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops.cli", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def build_warehouse(landing: Path, duckdb_path: Path, mappings: Path | None = None,
                    env: dict[str, str] | None = None) -> Build:
    """`finops build` on a landing folder (with the mapping files in `mappings`, else none, and the
    environment variables in `env`); the result keeps dbt's output for failure messages."""
    env = {**({"FINOPS_MAPPINGS_DIR": str(mappings)} if mappings else {}), **(env or {})}
    proc = run_finops("build", "--landing", str(landing), "--duckdb", str(duckdb_path), "--no-docs", env=env)
    return Build(landing, duckdb_path, proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The warehouse built once per test run from generated sample data (3 months)."""
    from finops.sample_data import generate

    root = tmp_path_factory.mktemp("generated")
    landing = root / "landing"
    generate(landing, seed=7, months=3, rows_per_month=6000, progress=False)
    return build_warehouse(landing, root / "warehouse.duckdb", mappings=SAMPLE_MAPPINGS_DIR)
