"""Run dbt programmatically on this project, and turn what failed into sentences for the user.

dbt is imported lazily: it is slow to import. A failed `dbt build` is classified node by node:
- a test tagged `input_check` with `meta.stop` found bad input: each of its failing rows becomes
  one sentence (`meta.stop` formatted with the row's columns), e.g. the same bill landed twice;
- a model that stopped through the macro `input_error()` (DuckDB `error()`) named bad input in
  its message, e.g. a missing exchange rate;
- anything else is the warehouse's own fault (a model that does not build, a rule test that
  fails on rows the warehouse derived): reported as such, never blamed on the input.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .database import connect
from .settings import REPO_ROOT

INPUT_ERROR_MARKER = re.compile(r"\[finops input\] (.+?)(?:\n|$)")
MAX_SENTENCES_PER_CHECK = 10


class DbtFailed(Exception):
    """dbt did not finish cleanly: what the input got wrong, and what failed on the warehouse's side."""

    def __init__(self, command: str) -> None:
        super().__init__(command)
        self.command = command
        self.input_problems: list[str] = []
        self.internal_problems: list[str] = []

    def __str__(self) -> str:
        return "; ".join(self.input_problems or self.internal_problems) or f"dbt {self.command} failed"


def run_dbt(args: list[str], work_path: Path) -> object:
    """Invoke `dbt <args>` against the working database; raise DbtFailed (classified) on failure."""
    os.environ["FINOPS_WORK_DUCKDB_PATH"] = str(work_path)
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [*args, "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)]
    )
    _release_duckdb()
    if isinstance(result.exception, KeyboardInterrupt):
        raise result.exception
    if result.success:
        return result.result
    failed = DbtFailed(args[0])
    if result.exception is not None:
        failed.internal_problems.append(f"dbt {args[0]} stopped: {_first_line(str(result.exception))}")
    for node_result in getattr(result.result, "results", None) or []:
        _classify(node_result, work_path, failed)
    if not failed.input_problems and not failed.internal_problems:
        failed.internal_problems.append(f"dbt {args[0]} failed without naming a node")
    raise failed


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.strip().splitlines() if line.strip()), text.strip())


def _classify(node_result, work_path: Path, failed: DbtFailed) -> None:  # noqa: ANN001 - dbt RunResult
    status = str(getattr(node_result.status, "value", node_result.status))
    if status not in ("error", "fail"):
        return
    node = node_result.node
    message = node_result.message or ""
    marked = INPUT_ERROR_MARKER.findall(message)
    if marked:
        failed.input_problems.extend(dict.fromkeys(m.strip() for m in marked))
        return
    meta = dict(getattr(node.config, "meta", None) or {}) | dict(getattr(node, "meta", None) or {})
    stop = meta.get("stop")
    if node.resource_type == "test" and status == "fail" and stop:
        sentences = _stop_sentences(stop, node.compiled_code, work_path)
        if sentences:
            failed.input_problems.extend(s for s in sentences if s not in failed.input_problems)
            return
    what = f"{node.resource_type} {node.name}"
    if status == "fail":
        failed.internal_problems.append(f"{what} found {node_result.failures} row(s) that break it")
    else:
        failed.internal_problems.append(f"{what} did not build ({_first_line(message)})")


def _stop_sentences(template: str, compiled_sql: str | None, work_path: Path) -> list[str]:
    """One sentence per failing row of an input check (its own query, re-run on the working database)."""
    if not compiled_sql:
        return []
    con = connect(work_path, read_only=True)
    try:
        cursor = con.execute(f"select * from ({compiled_sql}) as failing limit {MAX_SENTENCES_PER_CHECK}")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()
    sentences = []
    for row in rows:
        try:
            sentence = template.format_map({k: "" if v is None else v for k, v in row.items()})
        except (KeyError, IndexError, ValueError):
            return []  # a template that does not fit its query: report the test as it is
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the life of the process.

    Otherwise the file stays locked, and DuckDB refuses this process a second connection with
    another configuration (e.g. the read-only one the checks use).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV  # noqa: SLF001 - dbt-duckdb offers no public close
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()
