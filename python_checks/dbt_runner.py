"""Run dbt programmatically on this project (dbt is imported lazily: it is slow to import)."""

from __future__ import annotations

import os
from pathlib import Path

from .settings import REPO_ROOT


class DbtFailed(Exception):
    """dbt reported an error or a failing test; dbt's own log above says which node."""


def run_dbt(args: list[str], duckdb_path: Path) -> object:
    """Invoke `dbt <args>` against the warehouse at `duckdb_path`; raise DbtFailed on failure."""
    os.environ["FINOPS_DUCKDB_PATH"] = str(duckdb_path)
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [*args, "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)]
    )
    _release_duckdb()
    if not result.success:
        reason = f" ({result.exception})" if result.exception else ""
        raise DbtFailed(f"dbt {args[0]} failed{reason}; the log above names the failing model or test.")
    return result.result


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the life of the process.

    Otherwise the file stays locked, and DuckDB refuses this process a second connection with
    another configuration (e.g. the read-only one the summary uses).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV  # noqa: SLF001 - dbt-duckdb offers no public close
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()
