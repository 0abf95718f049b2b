"""The delivery ledger: which deliveries the working database holds, whether each changed, and the
parquet partitions and raw views that hold their rows (DECISIONLOG D59; loading.py reads them).

A delivery is one billing period of one export as the landing folder holds it (`files.delivery_of`).
Its fingerprint is the SHA-256 of its files' lineage paths, sizes, modification times (ns),
statuses and assemblies, not of their contents: hashing would read every byte of a year of bills
on every refresh, a full pass the ledger exists to avoid. A file rewritten with the same size and
the same modification time is therefore not seen as changed; `--full-refresh` reads everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .files import LandingFile, delivery_id
from .reading import sql_str

NEW, CHANGED, UNCHANGED, MISSING = "new", "changed", "unchanged", "missing"
LEDGER_COLUMNS = (
    "delivery_id VARCHAR, delivery VARCHAR, source VARCHAR, export_name VARCHAR, fingerprint VARCHAR, "
    "file_count BIGINT, byte_count BIGINT, rows_loaded BIGINT, lines_rejected BIGINT, loaded_at TIMESTAMP, "
    "status VARCHAR, built_fingerprint VARCHAR, generation VARCHAR, partition_tables VARCHAR"
)


@dataclass
class Delivery:
    delivery: str
    source: str
    export: str
    files: list[LandingFile] = field(default_factory=list)

    @property
    def id(self) -> str:
        return delivery_id(self.delivery)

    @property
    def current(self) -> list[LandingFile]:
        return [f for f in self.files if f.status == "current"]

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.source_file):
            stat = f.path.stat()
            digest.update("\0".join((f.source_file, str(stat.st_size), str(stat.st_mtime_ns), f.status,
                                     f.assembly_id or "")).encode("utf-8") + b"\n")
        return digest.hexdigest()

    def byte_count(self) -> int:
        return sum(f.path.stat().st_size for f in self.current)


def group_deliveries(files: list[LandingFile]) -> dict[str, Delivery]:
    """The deliveries the landing folder holds, by delivery id (files not read belong to none)."""
    deliveries: dict[str, Delivery] = {}
    for f in files:
        if not f.delivery:
            continue
        found = deliveries.setdefault(delivery_id(f.delivery), Delivery(f.delivery, f.source, f.export))
        found.files.append(f)
    return deliveries


def partition_path(raw_dir: Path, table: str, delivery: str, generation: str) -> Path:
    """A delivery's partition of one raw table, as written by the load of that generation. A new load
    of the delivery writes a new file beside the old one, so a load that stops part way leaves every
    file the ledger names as it was; files the ledger no longer names are removed after it commits."""
    return raw_dir / table / f"{delivery}-{generation}.parquet"


def partitions(raw_dir: Path, entry: dict) -> list[tuple[str, Path]]:
    """(raw table, partition file) of a ledger entry."""
    tables = [t for t in (entry.get("partition_tables") or "").split(",") if t]
    return [(t, partition_path(raw_dir, t, entry["delivery_id"], entry["generation"])) for t in tables]


def previous_ledger(con) -> dict[str, dict]:  # noqa: ANN001 - duckdb connection
    """The ledger the last finished load left, by delivery id (empty before the first)."""
    exists = con.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                         "and schema_name = 'raw' and table_name = 'deliveries'").fetchone()[0]
    if not exists:
        return {}
    cursor = con.execute("select * from raw.deliveries")
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


def write_partition(con, select_sql: str, target: Path) -> None:  # noqa: ANN001
    """Write one partition (zstd parquet) to a temporary name beside it, flush it, rename it in.
    zstd level 1: as small as the default level on billing text and about 12 % faster to write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con.execute(f"copy ({select_sql}) to {sql_str(str(temporary))} "
                "(format parquet, compression zstd, compression_level 1)")
    fd = os.open(temporary, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, target)


def view_sql(table: str, files: list[Path]) -> str:
    """The raw view over exactly these partition files; with none, the same typed columns and no row."""
    if not files:
        return f"create or replace view raw.{table} as select * from raw.{table}__columns"
    listed = ", ".join(sql_str(str(p)) for p in files)
    return f"create or replace view raw.{table} as select * from read_parquet([{listed}])"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def status_counts(statuses: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in statuses.values():
        counts[status] += 1
    return {s: counts.get(s, 0) for s in (NEW, CHANGED, UNCHANGED, MISSING)}
