"""The one way the warehouse opens DuckDB: every connection is bound by the same memory limit and
spills to the same folder (DECISIONLOG D60).

| variable             | default                         | meaning                                          |
|----------------------|---------------------------------|--------------------------------------------------|
| FINOPS_MEMORY_LIMIT  | 3.5GB                           | DuckDB `memory_limit` of the loader, dbt and the checks (each process) |
| FINOPS_TEMP_DIR      | warehouse.data/tmp              | DuckDB `temp_directory`: where work larger than the limit spills |
| FINOPS_BATCH_ROWS    | 4000000                         | the loaded rows the largest models write per statement (D82) |

`finops` resolves them once (`configure`) and exports them, so dbt (profiles.yml reads the same
variables) and every child process use the same values; `connect` applies them. A work that does
not fit in the limit spills to the folder instead of failing; DuckDB itself uses about 80 % of the
machine when no limit is set, which on a laptop shared with a browser means swapping.

Every connection also runs DuckDB's allocator (jemalloc) with its background threads, which hand
freed memory back to the system as it goes. Without them memory a query freed could stay with the
process while the next step allocated more: dbt's incremental insert of the allocation, run from
dbt's worker thread through a cursor, took the build's process to 5.1-5.4 GiB under a 3.5 GB limit,
against 3.5 GiB with them (DECISIONLOG D76).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import InputError

# DuckDB's buffer limit; the process around it (Python, dbt's manifest, allocations DuckDB does not
# count) adds 0.5-1 GiB, so the whole build stays under 4.5 GiB (D60).
DEFAULT_MEMORY_LIMIT = "3.5GB"
# A 10 M-row bill (12 M rows loaded over 3 months) is four batches: measured, they spilled 1.1 GB
# against 8.1 GB in one, and took less time (D82).
DEFAULT_BATCH_ROWS = "4000000"
SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)


class SettingError(InputError):
    """An environment variable holds a value the warehouse cannot use (the message says which)."""


def memory_limit() -> str:
    value = os.environ.get("FINOPS_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    if not SIZE.match(value):
        raise SettingError(
            f"FINOPS_MEMORY_LIMIT={value!r}: not a size DuckDB understands, e.g. 4GB or 800MB; set it and run again."
        )
    return value.strip().replace(" ", "")


def batch_rows() -> str:
    """FINOPS_BATCH_ROWS: the models that filter by delivery_batch() write their deliveries in batches
    of at most this many loaded rows, one statement each, so what a statement keeps or spills is
    bounded by the batch, not by the bill (DECISIONLOG D82)."""
    value = (os.environ.get("FINOPS_BATCH_ROWS") or DEFAULT_BATCH_ROWS).strip().replace("_", "")
    if not value.isdigit() or int(value) < 1:
        raise SettingError(
            f"FINOPS_BATCH_ROWS={value!r}: not a whole number of rows, e.g. 4000000; set it and run again."
        )
    return str(int(value))


def temp_directory(data_dir: Path | None = None) -> str:
    """FINOPS_TEMP_DIR, else `<data_dir>/tmp`, else DuckDB's own default beside the database."""
    value = os.environ.get("FINOPS_TEMP_DIR")
    if value:
        return str(Path(value).expanduser().resolve())
    return str(data_dir / "tmp") if data_dir else ""


def configure(data_dir: Path) -> None:
    """Resolve the settings once, for this process and every process it starts (dbt reads them too)."""
    os.environ["FINOPS_MEMORY_LIMIT"] = memory_limit()
    os.environ["FINOPS_TEMP_DIR"] = temp_directory(data_dir)
    os.environ["FINOPS_BATCH_ROWS"] = batch_rows()


def connect(path: Path | str | None = None, read_only: bool = False):  # noqa: ANN201 - duckdb connection
    """A DuckDB connection (in memory without a path) under the memory limit and spill folder."""
    import duckdb

    config = {"memory_limit": memory_limit(), "allocator_background_threads": True}
    spill = temp_directory()
    if spill:
        Path(spill).mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = spill
    return duckdb.connect(str(path) if path is not None else ":memory:", read_only=read_only, config=config)
