"""Where a warehouse lives on disk, the lock that makes one run at a time, and how a run publishes.

A warehouse is one file that readers open and a folder beside it that runs work in:

    warehouse.duckdb                 what BI tools and people open (read-only): the last published
                                     snapshot's catalog, views over its parquet files
    warehouse.data/
      run.lock                       held by the run that is loading or building (one at a time)
      work.duckdb                    the working database: raw, staging, intermediate and marts as
                                     the current (or last, possibly failed) run left them
      snapshots/<id>/                one published snapshot: marts/*.parquet, raw/landing_files.parquet
                                     and catalog.duckdb (warehouse.duckdb is a hard link to the newest);
                                     a relation with a delivery column is a folder per delivery
                                     (marts/focus_cost_and_usage/file_key=<...>/*.parquet), shared by
                                     hard link with the previous snapshot where its rows did not change

Publishing is all or nothing (DECISIONLOG D53): a run builds in `work.duckdb`, checks it, writes
the public tables to a new snapshot folder and only then swaps `warehouse.duckdb` to the new
catalog with one rename. A run that fails or is interrupted at any point (SIGKILL included) leaves
the previous snapshot published and whole. Readers never block a run: a reader that holds
`warehouse.duckdb` open keeps the snapshot it opened (the rename gives the path a new file; the
old file and its parquet stay until no process holds them), and a new connection sees the newest.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .database import connect

# What a snapshot publishes besides every relation of the `marts` schema: the landing inventory,
# so readers can see which files a number came from.
PUBLISHED_EXTRA = ("raw.landing_files",)
PUBLICATION_TABLE = "raw.publication"
# A published relation with one of these columns is written one folder per delivery (D71).
DELIVERY_COLUMNS = ("delivery_id", "x_source_delivery_id")
# zstd level 1: as small as the default level here, about 14 % faster to write.
PARQUET_OPTIONS = "format parquet, compression zstd, compression_level 1"


class WarehouseBusy(Exception):
    """Another run holds the warehouse (the message is one sentence saying which and what to do)."""


@dataclass(frozen=True)
class WarehousePaths:
    published: Path  # FINOPS_DUCKDB_PATH

    @property
    def data_dir(self) -> Path:
        return self.published.with_name(self.published.stem + ".data")

    @property
    def work(self) -> Path:
        return self.data_dir / "work.duckdb"

    @property
    def lock(self) -> Path:
        return self.data_dir / "run.lock"

    @property
    def snapshots(self) -> Path:
        return self.data_dir / "snapshots"


def _describe_holder(lock_path: Path) -> str:
    try:
        holder = json.loads(lock_path.read_text(encoding="utf-8"))
        return f"`finops {holder['command']}` (pid {holder['pid']}, started {holder['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another finops run"


@contextmanager
def run_lock(paths: WarehousePaths, command: str) -> Iterator[None]:
    """Hold the warehouse's run lock for the whole run; raise WarehouseBusy at once if another run has it.

    An flock on `run.lock`: the kernel releases it when the holder exits, however it exits, so a
    killed run never leaves a stale lock behind.
    """
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(paths.lock, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"{_describe_holder(paths.lock)} is refreshing the warehouse {paths.published}; wait for it to "
                "finish and run again, or set FINOPS_DUCKDB_PATH to another warehouse."
            ) from None
        started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"command": command, "pid": os.getpid(), "started": started}))
        handle.flush()
        yield
    finally:
        handle.close()  # releases the flock


def _in_use(path: Path) -> bool:
    """Whether another process has this DuckDB file open (DuckDB holds a POSIX lock on open files)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases our probe lock
    return False


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def published_relations(con) -> list[tuple[str, str]]:  # noqa: ANN001 - duckdb connection
    """(schema, name) of every relation a snapshot publishes, from the working database."""
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'marts' union all "
        "select schema_name, view_name from duckdb_views() where database_name = current_database() "
        "and schema_name = 'marts' and not internal order by 1, 2"
    ).fetchall()
    return [*rows, *(tuple(name.split(".")) for name in PUBLISHED_EXTRA)]


def publish(paths: WarehousePaths, publication: dict[str, str], reuse: bool = True) -> Path:
    """Write the working database's public tables to a new snapshot and make it the published one.

    Returns the new snapshot's catalog. `publication` (landing folder, mapping files, ...) is kept
    in `raw.publication` so a reader can tell what the warehouse was built from. A relation with a
    delivery column is written one folder per delivery (`_write_by_delivery`), and a folder the
    published snapshot already holds with the same rows is hard-linked instead of written again
    (unless `reuse` is false: a full refresh writes every file).
    """

    snapshot_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)
    # Until the rename at the end, nothing refers to this folder: a run that stops earlier leaves an
    # orphan that the next run deletes.
    folder = paths.snapshots / snapshot_id
    folder.mkdir(parents=True)
    catalog_path = folder / "catalog.duckdb"
    previous = current_snapshot(paths) if reuse else None

    work = connect(paths.work, read_only=True)
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    locations: dict[tuple[str, str], Path] = {}
    try:
        for schema, name in published_relations(work):
            (folder / schema).mkdir(exist_ok=True)
            cols = [(c, t) for c, t, *_ in work.execute(f"describe {schema}.{name}").fetchall()]
            columns[(schema, name)] = cols
            delivery_column = next((c for c, _ in cols if c in DELIVERY_COLUMNS), None)
            if delivery_column is not None:
                locations[(schema, name)] = _write_by_delivery(
                    work, schema, name, delivery_column, folder, previous)
                continue
            target = folder / schema / f"{name}.parquet"
            work.execute(f"copy (select * from {schema}.{name}) to {_sql_str(str(target))} ({PARQUET_OPTIONS})")
            _fsync(target)
            locations[(schema, name)] = target
    finally:
        work.close()

    # Each view casts every column back to its type in the working database, so a reader sees the
    # contracted types whatever parquet can store.
    catalog = connect(catalog_path)
    try:
        for schema in sorted({s for s, _ in columns}):
            catalog.execute(f"create schema if not exists {schema}")
        for (schema, name), cols in columns.items():
            location = _sql_str(str(locations[(schema, name)]))
            select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in cols)
            catalog.execute(f"create view {schema}.{name} as select {select} "
                            f"from read_parquet({location}, hive_partitioning = false)")
        catalog.execute(
            f"create table {PUBLICATION_TABLE} as select * from (values "
            + ", ".join(f"({_sql_str(k)}, {_sql_str(v)})" for k, v in publication.items())
            + ") as t(setting, value)"
        )
        catalog.execute(f"insert into {PUBLICATION_TABLE} values ('snapshot', {_sql_str(snapshot_id)})")
        catalog.execute("checkpoint")
    finally:
        catalog.close()
    _fsync(catalog_path)
    _fsync(folder)
    # Readers must not write to a published catalog (a WAL beside it would be replayed onto the
    # next one): the file is read-only for everyone but root.
    os.chmod(catalog_path, 0o444)
    staged = paths.data_dir / f".publishing-{snapshot_id}"
    os.link(catalog_path, staged)
    stale_wal = paths.published.with_name(paths.published.name + ".wal")
    if stale_wal.exists() and not _in_use(paths.published):
        stale_wal.unlink()  # left by a writer of an older warehouse file; never ours to replay
    os.replace(staged, paths.published)  # the one step that publishes
    _fsync(paths.published.parent)
    return catalog_path


def _write_by_delivery(work, schema: str, name: str, delivery_column: str, folder: Path,  # noqa: ANN001
                       previous: Path | None) -> Path:
    """Write a relation with a delivery column as one parquet folder per delivery; return their glob.

    Each delivery's folder is named by the delivery and its rows: `file_key=<md5 of the delivery
    id>-<rows>-<sum of the rows' hashes>` (one pass over the relation; the sum does not depend on
    row order). A folder of that name in the published snapshot holds the same rows, so its files
    are hard-linked, not written; the other deliveries are written by one partitioned COPY. A
    refresh that rebuilt a few deliveries writes only theirs (DECISIONLOG D71).
    """
    target_dir = folder / schema / name
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    previous_dir = previous / schema / name if previous is not None else None
    work.execute(
        f"create or replace temp table publication_keys as select delivery, "
        f"md5(coalesce(delivery, '')) || '-' || row_count || '-' || digest as file_key from ("
        f"select {delivery_column} as delivery, count(*) as row_count, sum(hash(r)) as digest "
        f"from {schema}.{name} as r group by 1)"
    )
    keys = [key for (key,) in work.execute("select file_key from publication_keys order by 1").fetchall()]
    reused = {key for key in keys if previous_dir is not None and (previous_dir / f"file_key={key}").is_dir()}
    new = [key for key in keys if key not in reused]
    if new:
        work.execute(
            f"copy (select r.*, keys.file_key from {schema}.{name} as r inner join publication_keys as keys "
            f"on r.{delivery_column} is not distinct from keys.delivery where keys.file_key in "
            f"({', '.join(_sql_str(k) for k in new)})) to {_sql_str(str(target_dir))} "
            f"({PARQUET_OPTIONS}, partition_by (file_key))"
        )
    elif not keys:  # no rows: one empty file keeps the relation's columns
        (target_dir / "file_key=none").mkdir(parents=True)
        empty = target_dir / "file_key=none" / "data_0.parquet"
        work.execute(f"copy (select * from {schema}.{name} limit 0) to {_sql_str(str(empty))} ({PARQUET_OPTIONS})")
    target_dir.mkdir(exist_ok=True)
    for key in sorted(reused):
        (target_dir / f"file_key={key}").mkdir()
        for file in (previous_dir / f"file_key={key}").iterdir():
            os.link(file, target_dir / f"file_key={key}" / file.name)
    for written in target_dir.glob("*/*.parquet"):
        _fsync(written)
    for key_dir in target_dir.iterdir():
        _fsync(key_dir)
    _fsync(target_dir)
    work.execute("drop table publication_keys")
    return target_dir / "*" / "*.parquet"


def current_snapshot(paths: WarehousePaths) -> Path | None:
    """The snapshot folder whose catalog is the published warehouse, if any."""
    try:
        published = paths.published.stat()
    except FileNotFoundError:
        return None
    for catalog in paths.snapshots.glob("*/catalog.duckdb"):
        stat = catalog.stat()
        if (stat.st_ino, stat.st_dev) == (published.st_ino, published.st_dev):
            return catalog.parent
    return None


def remove_old_snapshots(paths: WarehousePaths) -> list[str]:
    """Delete snapshots that are neither published nor open in a reader (unfinished ones included).

    Called with the run lock held. Returns the names of the snapshots kept for readers.
    """
    if not paths.snapshots.is_dir():
        return []
    current = current_snapshot(paths)
    kept = []
    for folder in sorted(paths.snapshots.iterdir()):
        if folder == current:
            continue
        if not folder.is_dir():
            folder.unlink(missing_ok=True)
        elif (folder / "catalog.duckdb").is_file() and _in_use(folder / "catalog.duckdb"):
            kept.append(folder.name)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for staged in paths.data_dir.glob(".publishing-*"):
        staged.unlink(missing_ok=True)
    return kept
