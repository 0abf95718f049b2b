"""Load the landing folder into the working database, reading only the deliveries that changed.

The unit of change is a **delivery**: one billing period of one export as the landing folder holds
it (`files.delivery_of`; DECISIONLOG D59). The loader keeps a ledger of them, `raw.deliveries`, with
a fingerprint of each one's files (lineage path, size, modification time, status, assembly); a
delivery whose fingerprint and stored partition are unchanged is not read again. A new or changed
one is read whole and replaces its partition whole. Its rows are stored engine-neutrally, as one
typed parquet file per delivery and raw table, named by the load that wrote it (its generation):

    warehouse.data/raw/<raw table>/<delivery_id>-<generation>.parquet
    warehouse.data/raw/{deliveries,landing_files,rejected_lines}.parquet   (mirrors of the tables)

In the working database the raw relations are views over exactly the ledger's partition files (never
a glob: a stray file is not read): one per source (`raw.aws_cur_line_items`, `raw.aws_cur2_line_items`,
`raw.focus_line_items`, `raw.azure_cost_details`, `raw.gcp_billing_export`), all VARCHAR, plus meta
columns (`_delivery_id`, `_source_file`, `_source_row_number`, ...). Beside them, tables:
- `raw.deliveries`: the ledger (status of this load: new, changed, unchanged or missing;
  `built_fingerprint` is what the last finished dbt build was made from, finops/build_state.py).
- `raw.rejected_lines`: every line the reader rejected (CSV lines that cannot be split into the
  header's fields, broken quoting, lines longer than the reader's limit; JSON lines that are not a
  JSON object), with a reason that is never empty. A line whose fields can still be located is
  recovered into the raw rows and the repair is recorded (`repair`, `row_number`); the others
  surface in `quarantine_line_items`, and their billing period is reported incomplete
  (`line_recovery.py` says which lines are recovered and how).
- `raw.landing_files`: every file found, whether it counted (`current`), was `superseded` by a
  newer delivery or was `not read` (with the reason), how many rows it gave, its delivery, and the
  link it was found through when its lineage path is a link's target.

A delivery whose files are no longer in the landing folder is kept (`missing`, with a warning):
a closed month finance has reported does not disappear because a bucket was tidied.
`full_refresh=True` drops the ledger and every partition and reads everything present.

Failure safety: a changed delivery's new partition is a new file beside the old one; the ledger, the
views (which name the ledger's files) and the small tables are replaced in one transaction at the
end, and only then are the files the ledger no longer names removed. A load that stops part way (a
file that cannot be read stops it with a sentence naming the file) leaves the ledger and every file
it names as they were; the next load reads the changed deliveries again. A CSV or JSON-lines file is
read once into a scratch table and written from it; a parquet file is read once, by the COPY that
writes its delivery's partition (D77). Python touches only the rare rejected lines.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..database import DEFAULT_MEMORY_LIMIT, SettingError, connect
from ..errors import InputError
from . import deliveries as ledger_module
from .discovery import discover
from .files import NOT_READ, LandingError, LandingFile, delivery_id
from .line_recovery import (
    MAX_LINE_BYTES,
    MIXED_ENDINGS_NOTE,
    RejectedLine,
    mixes_line_endings,
    normalized_copy,
    reason,
    repair,
    short_positions,
    write_rows,
)
from .providers import PROVIDERS
from .reading import CsvSpec, loading_table, sql_str

META_COLUMNS = [
    ("_delivery_id", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_row_number", "BIGINT"),
    ("_export_name", "VARCHAR"),
    ("_delivery_flavour", "VARCHAR"),
    ("_assembly_id", "VARCHAR"),
]


@dataclass
class LoadResult:
    files: list[LandingFile]  # the data files found, current or superseded
    warnings: list[str]
    not_read: list[LandingFile] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    rejected_lines: int = 0  # lines that stay unreadable (quarantined; their amount is unknown)
    recovered_lines: int = 0  # rejected lines read after a recorded repair
    deliveries: dict[str, int] = field(default_factory=dict)  # new / changed / unchanged / missing -> count
    files_read: int = 0


class Loader:
    """Reads each file into its provider's raw table (the provider modules call back into it)."""

    def __init__(self, con, landing: Path, scratch: Path) -> None:  # noqa: ANN001 - duckdb connection
        self.con = con
        self.landing = landing
        self.scratch = scratch  # normalised copies and recovered rows, removed after the load
        self.rejected = 0
        self.recovered = 0
        self.warnings: list[str] = []
        # The files of the delivery being read, one part each, by raw table; the delivery's partition
        # is written from them in one COPY (write_delivery). A CSV or JSON-lines file is read once into
        # a scratch table (its rows are numbered and its rejected lines known only once it is read); a
        # parquet file, which numbers its own rows and rejects none, is a view over the file, so its
        # rows go from the file into the partition in that COPY without a copy in between.
        self.parts: dict[str, list[str]] = {}
        self.part_objects: list[str] = []  # what drop_parts drops ("view x", "table y"), in that order
        self.part_count = 0
        self.file_views: list[tuple[str, LandingFile]] = []  # the parts read from their file in the COPY

    def stage(self, table: str, query: str) -> int:
        """Keep a file's rows (a query giving some of the raw table's columns) for its delivery's
        partition; returns how many rows."""
        self.part_count += 1
        name = f"_part_{self.part_count}"
        self.con.execute(f"create temp table {name} as {query}")
        self.parts.setdefault(table, []).append(name)
        self.part_objects.append(f"table {name}")
        return self.con.execute(f"select count(*) from {name}").fetchone()[0]

    def stage_file_view(self, table: str, query: str, f: LandingFile) -> int:
        """Keep a parquet file's rows (a query over the file) for its delivery's partition as a view:
        the partition's COPY reads them from the file. Counting them reads the file's row counts
        only; a damaged page is found by the COPY (write_delivery names the file)."""
        self.part_count += 1
        name = f"_part_{self.part_count}"
        self.con.execute(f"create temp view {name} as {query}")
        self.parts.setdefault(table, []).append(name)
        self.part_objects.append(f"view {name}")
        self.file_views.append((name, f))
        return self.con.execute(f"select count(*) from {name}").fetchone()[0]

    def stage_file_rows(self, table: str) -> int:
        """Keep `_file_rows` (a CSV file read in file order) as a part, numbered by its rowids: DuckDB
        keeps a file's row order in it, so the rowids count the rows in file order (a window function
        over the whole file would be slower, single-threaded; the first rowid is subtracted, whatever
        DuckDB numbers from)."""
        self.part_count += 1
        name = f"_part_{self.part_count}"
        self.con.execute(f"alter table _file_rows rename to {name}_rows")
        self.con.execute(f"create temp view {name} as select *, rowid - (select min(rowid) from {name}_rows) + 1 "
                         f"as _source_row_number from {name}_rows")
        self.parts.setdefault(table, []).append(name)
        self.part_objects += [f"view {name}", f"table {name}_rows"]
        return self.con.execute(f"select count(*) from {name}_rows").fetchone()[0]

    def write_delivery(self, raw_dir: Path, delivery: str, generation: str) -> list[str]:
        """Write the delivery's partition of each raw table it has rows for, from its files' parts,
        with every column of the raw table (the empty loading table names them, typed); the raw
        tables written."""
        written = []
        for table, parts in sorted(self.parts.items()):
            union = " union all by name ".join(
                [f"select * from {loading_table(table)}", *(f"select * from {p}" for p in parts)])
            target = ledger_module.partition_path(raw_dir, table, delivery, generation)
            try:
                ledger_module.write_partition(self.con, f"select * from ({union})", target)
            except Exception:  # duckdb raises several error classes for unreadable input
                self._raise_for_unreadable_file(parts)
                raise
            written.append(table)
        self.drop_parts()
        return written

    def _raise_for_unreadable_file(self, parts: list[str]) -> None:
        """After a partition's COPY failed: read each of its parts that is a view over a file whole,
        so that a file that cannot be read is named in one sentence, as when it is read on its own."""
        for name, f in self.file_views:
            if name in parts:
                try:
                    self.con.execute(f"create or replace temp table _file_probe as select * from {name}")
                except Exception as exc:  # duckdb raises several error classes for unreadable input
                    raise self.unreadable(f, exc) from None
                self.con.execute("drop table _file_probe")

    def drop_parts(self) -> None:
        for kind_and_name in self.part_objects:
            self.con.execute(f"drop {kind_and_name}")
        self.parts, self.part_objects, self.file_views = {}, [], []

    def rel(self, f: LandingFile) -> str:
        """The file's lineage path (relative to the landing folder, links resolved)."""
        return f.source_file or str(f.path.relative_to(self.landing))

    def create_tables(self) -> None:
        meta = ", ".join(f"{n} {t}" for n, t in META_COLUMNS)
        self.con.execute("create schema if not exists raw")
        for provider in PROVIDERS.values():
            self.con.execute(f"create or replace table {loading_table(provider.RAW_TABLE)} "
                             f"({provider.raw_columns()}, {meta})")
        self.con.execute(
            f"create or replace table {loading_table('rejected_lines')} (source VARCHAR, _delivery_id VARCHAR, "
            "_export_name VARCHAR, "
            "_source_file VARCHAR, line_number BIGINT, error_type VARCHAR, error_message VARCHAR, "
            "csv_line VARCHAR, line_count BIGINT, repair VARCHAR, row_number BIGINT)"
        )
        self.con.execute(
            f"create or replace table {loading_table('landing_files')} (source VARCHAR, export_name VARCHAR, "
            "file_path VARCHAR, delivery_flavour VARCHAR, status VARCHAR, assembly_id VARCHAR, reason VARCHAR, "
            "rows_loaded BIGINT, lines_rejected BIGINT, link_path VARCHAR, lines_recovered BIGINT, delivery_id VARCHAR)"
        )

    # -- reading one file -------------------------------------------------------------------
    def csv_relation(self, path: Path, spec: CsvSpec, keep_rejects: bool = True) -> str:
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(spec.header)))
        nulls = ", ".join(sql_str(s) for s in spec.null_strings)
        rejects = ("store_rejects = true, rejects_table = 'reject_errors', rejects_scan = 'reject_scans'"
                   if keep_rejects else "ignore_errors = true")
        return (
            f"read_csv({sql_str(str(path))}, header = true, auto_detect = false, columns = {{{columns}}}, "
            f"delim = ',', quote = '\"', escape = '\"', nullstr = [{nulls}], max_line_size = {MAX_LINE_BYTES}, "
            f"buffer_size = {MAX_LINE_BYTES}, {rejects})"
        )

    def parquet_columns(self, f: LandingFile) -> dict[str, str]:
        rows = self.con.execute(f"describe select * from read_parquet({sql_str(str(f.path))})").fetchall()
        return {name: ctype for name, ctype, *_ in rows}

    def read_into_file_rows(self, f: LandingFile, select: str, relation_of: Callable[[Path], str]) -> tuple[Path, str]:
        """One DuckDB pass of the file into the scratch table `_file_rows`. A file that mixes CRLF and LF
        line endings is read again from a normalised copy: DuckDB's strict CSV parser either stops at the
        first line whose ending differs, or rejects lines (and loses some without a trace), so a file is
        checked for mixed endings whenever its read fails or rejects a line. Returns the path read and a
        note for `raw.landing_files`."""
        error: Exception | None = None
        try:
            self.con.execute(f"create or replace temp table _file_rows as select {select} from {relation_of(f.path)}")
        except Exception as exc:  # duckdb raises several error classes for unreadable input
            error = exc
        if error is None:
            if not self._has_rejects() or not mixes_line_endings(f.path):
                return f.path, ""
        elif not mixes_line_endings(f.path):
            raise error
        self.rejected_lines()  # whatever the first pass left behind
        copy = normalized_copy(f.path, Path(tempfile.mkdtemp(dir=self.scratch)))
        self.con.execute(f"create or replace temp table _file_rows as select {select} from {relation_of(copy)}")
        return copy, MIXED_ENDINGS_NOTE

    def _has_rejects(self) -> bool:
        """Whether the last read rejected a line (DuckDB creates its reject tables with the first read
        that stores rejects: before it, nothing was rejected)."""
        exists = self.con.execute("select count(*) from duckdb_tables() where temporary "
                                  "and table_name = 'reject_errors'").fetchone()[0]
        return bool(exists and self.con.execute("select count(*) from reject_errors").fetchone()[0])

    def rejected_lines(self) -> list[RejectedLine]:
        """The lines the last read rejected, one per line (DuckDB reports a line once per problem, e.g.
        once per missing column), with a reason; the reject tables are emptied for the next file."""
        if not self._has_rejects():
            return []
        rows = self.con.execute(
            "select line, cast(arg_min(error_type, coalesce(column_idx, -1)) as varchar), "
            "arg_min(error_message, coalesce(column_idx, -1)), any_value(csv_line) "
            "from reject_errors group by line order by line"
        ).fetchall()
        # DuckDB keeps appending to these tables for the life of the connection.
        self.con.execute("delete from reject_errors")
        self.con.execute("delete from reject_scans")
        # DuckDB's csv_line may begin with the previous line's LF (CRLF files): line ends are trimmed.
        return [RejectedLine(number, kind, reason(kind, message), (text or "").strip("\r\n"))
                for number, kind, message, text in rows]

    def _recover(self, lines: list[RejectedLine], path: Path, spec: CsvSpec, select: str) -> int:
        """Read the rejected lines whose fields can be located into `_file_rows` after the file's other
        rows (lines.repair says which), numbering them on from there; returns how many."""
        positions = sorted(short_positions(lines, len(spec.header)))
        filled: set[int] = set()
        if positions:
            # Which of the positions some readable row of the file fills (a second pass, only here).
            counts = self.con.execute(
                f"select {', '.join(f'count(c{i})' for i in positions)} "
                f"from {self.csv_relation(path, spec, keep_rejects=False)}"
            ).fetchone()
            filled = {i for i, n in zip(positions, counts) if n}
        rows = [(line, fields) for line in lines if (fields := repair(line, spec.header, filled)) is not None]
        if not rows:
            return 0
        first = self.con.execute("select count(*) from _file_rows").fetchone()[0]
        recovered = Path(tempfile.mkdtemp(dir=self.scratch)) / "recovered.csv"
        write_rows(recovered, len(spec.header), [fields for _, fields in rows])
        self.con.execute(f"insert into _file_rows select {select} from {self.csv_relation(recovered, spec)}")
        if self.rejected_lines():
            raise RuntimeError("recovered rows were rejected again")  # a bug of ours, not bad input
        for number, (line, _) in enumerate(rows, start=first + 1):
            line.row_number = number
        return len(rows)

    def _store_lines(self, f: LandingFile, lines: list[RejectedLine]) -> None:
        if not lines:
            return
        import pyarrow as pa

        columns = {
            "source": [f.source] * len(lines), "_delivery_id": [delivery_id(f.delivery)] * len(lines),
            "_export_name": [f.export] * len(lines),
            "_source_file": [self.rel(f)] * len(lines), "line_number": [line.line_number for line in lines],
            "error_type": [line.error_type for line in lines], "error_message": [line.error_message for line in lines],
            "csv_line": [line.text for line in lines], "line_count": [line.line_count for line in lines],
            "repair": [line.repair for line in lines], "row_number": [line.row_number for line in lines],
        }
        self.con.register("_rejected_batch", pa.table(columns))
        self.con.execute(f"insert into {loading_table('rejected_lines')} by name select * from _rejected_batch")
        self.con.unregister("_rejected_batch")
        kept = [line for line in lines if line.repair is None]
        repaired = [line for line in lines if line.repair is not None]
        self.rejected += len(kept)
        self.recovered += len(repaired)
        if repaired:
            self.warnings.append(
                f"{self.rel(f)}: {len(repaired)} line(s) the CSV reader rejected were read after a repair (line "
                f"{repaired[0].line_number}: {repaired[0].repair}); see raw.rejected_lines."
            )
        if kept:
            numbers = ", ".join(str(line.line_number) for line in kept[:5]) + (", ..." if len(kept) > 5 else "")
            self.warnings.append(
                f"{self.rel(f)}: {len(kept)} line(s) cannot be read (line {numbers}: {kept[0].error_message}); "
                "they are in marts.quarantine_line_items and their billing period is reported incomplete."
            )

    def _load_csv(self, f: LandingFile, table: str, select: str, spec: CsvSpec, meta: str) -> tuple[
            int, list[RejectedLine], str]:
        """A CSV file in one DuckDB pass into a scratch table, numbered in file order (stage_file_rows).
        Rejected lines that can be recovered follow the file's other rows."""
        path, note = self.read_into_file_rows(f, f"{select}, {meta}", lambda p: self.csv_relation(p, spec))
        lines = self.rejected_lines()
        self._recover(lines, path, spec, f"{select}, {meta}")
        return self.stage_file_rows(table), lines, note

    def load_file(self, f: LandingFile) -> int:
        try:
            return self._load_file(f)
        except LandingError:
            raise
        except Exception as exc:  # duckdb raises several error classes for unreadable input
            raise self.unreadable(f, exc) from None

    def unreadable(self, f: LandingFile, exc: Exception) -> InputError:
        """The one sentence for a file DuckDB could not read (too little memory is a setting's fault)."""
        first_line = str(exc).strip().splitlines()[0]
        if "Out of Memory" in first_line:
            return SettingError(
                f"{self.rel(f)}: reading it needs more memory than FINOPS_MEMORY_LIMIT="
                f"{os.environ.get('FINOPS_MEMORY_LIMIT', DEFAULT_MEMORY_LIMIT)} allows ({first_line}); raise "
                "FINOPS_MEMORY_LIMIT and run again."
            )
        return LandingError(
            f"{self.rel(f)}: cannot be loaded ({first_line}); the file is damaged or not in the expected "
            "format, so re-download it from the provider or remove it."
        )

    def _load_file(self, f: LandingFile) -> int:
        meta = (
            f"{sql_str(delivery_id(f.delivery))} as _delivery_id, "
            f"{sql_str(self.rel(f))} as _source_file, {sql_str(f.export)} as _export_name, "
            f"{sql_str(f.flavor)} as _delivery_flavour, "
            f"{sql_str(f.assembly_id) if f.assembly_id else 'null'} as _assembly_id"
        )
        provider = PROVIDERS[f.source]
        table = provider.RAW_TABLE
        load_rows = getattr(provider, "load_rows", None)  # optional: a file the provider reads itself
        read_itself = load_rows(self, f, meta) if load_rows else None
        if read_itself is not None:
            loaded, lines, note = read_itself
        else:
            select, relation, spec = provider.select(self, f)
            if spec is None:
                # Parquet numbers its rows itself (file_row_number) and rejects none, so its rows go from
                # the file straight into the partition (stage_file_view).
                loaded = self.stage_file_view(
                    table, f"select {select}, {meta}, file_row_number + 1 as _source_row_number from {relation}", f)
                lines, note = [], ""
            else:
                loaded, lines, note = self._load_csv(f, table, select, spec, meta)
        self._store_lines(f, lines)
        self.record(f, loaded, sum(1 for line in lines if line.repair is None),
                    sum(1 for line in lines if line.repair is not None), note)
        return loaded

    def record(self, f: LandingFile, loaded: int = 0, rejected: int = 0, recovered: int = 0, note: str = "") -> None:
        self.con.execute(
            f"insert into {loading_table('landing_files')} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f.source, f.export, self.rel(f), f.flavor or None, f.status, f.assembly_id, f.reason or note, loaded,
             rejected, f.link_path, recovered, delivery_id(f.delivery) if f.delivery else None],
        )


PROGRESS_SECONDS = 5.0  # at most this long between two progress lines of a load


class _Progress:
    """Plain progress lines (no carriage returns), readable in CI logs."""

    def __init__(self, enabled: bool, total_files: int) -> None:
        self.enabled = enabled
        self.total = total_files
        self.done = 0
        self.rows = 0
        self.last = time.monotonic()

    def file_read(self, delivery: str, rows: int) -> None:
        self.done += 1
        self.rows += rows
        now = time.monotonic()
        if self.enabled and (now - self.last >= PROGRESS_SECONDS or self.done == self.total or self.done == 1):
            print(f"loading {self.done}/{self.total} files ({delivery}): {self.rows:,} rows so far", flush=True)
            self.last = now


def load_landing(landing: Path, duckdb_path: Path, progress: bool = True, full_refresh: bool = False) -> LoadResult:
    """Bring the working database at `duckdb_path` up to date with the landing folder: read the new and
    changed deliveries into their partitions (beside it, in `raw/`), keep the others, and replace the
    ledger, the raw views and the inventory tables at once (module docstring)."""
    import duckdb

    found, warnings = discover(landing)
    files = [f for f in found if f.status != NOT_READ]
    result = LoadResult(files=files, warnings=warnings, not_read=[f for f in found if f.status == NOT_READ],
                        rows={s: 0 for s in PROVIDERS})
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    raw_dir = duckdb_path.parent / "raw"
    try:
        con = connect(duckdb_path)
    except duckdb.Error as exc:
        raise LandingError(
            f"{duckdb_path}: the warehouse file cannot be opened ({str(exc).splitlines()[0]}); close the program "
            "that holds it (a DuckDB shell, a BI tool) or point FINOPS_DUCKDB_PATH elsewhere."
        ) from None
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")  # the loader prints its own progress lines
    # The files are written in autocommitted statements (see the module docstring); a checkpoint after
    # each of them would rewrite the growing tables again and again: one checkpoint at the end does it all.
    con.execute("set checkpoint_threshold = '64GB'")
    scratch = Path(tempfile.mkdtemp(prefix="finops-load-"))
    raw_tables = [p.RAW_TABLE for p in PROVIDERS.values()]
    small_tables = ["rejected_lines", "landing_files"]
    try:
        loader = Loader(con, landing, scratch)
        loader.create_tables()
        ledger = {} if full_refresh else ledger_module.previous_ledger(con)
        deliveries = ledger_module.group_deliveries(files)
        fingerprints = {key: d.fingerprint() for key, d in deliveries.items()}
        statuses: dict[str, str] = {}
        for key in deliveries:
            before = ledger.get(key)
            if before is None:
                statuses[key] = ledger_module.NEW
            elif before["fingerprint"] == fingerprints[key] and all(
                    path.exists() for _, path in ledger_module.partitions(raw_dir, before)):
                statuses[key] = ledger_module.UNCHANGED
            else:
                statuses[key] = ledger_module.CHANGED
        for key in ledger:
            if key not in deliveries:
                statuses[key] = ledger_module.MISSING
        result.deliveries = ledger_module.status_counts(statuses)
        to_read = [deliveries[k] for k in sorted(deliveries, key=lambda k: deliveries[k].delivery)
                   if statuses[k] in (ledger_module.NEW, ledger_module.CHANGED)]
        file_count = sum(len(d.current) for d in to_read)
        if progress:
            print(f"deliveries: {result.deliveries['new']} new, {result.deliveries['changed']} changed, "
                  f"{result.deliveries['unchanged']} unchanged, {result.deliveries['missing']} missing; "
                  f"reading {file_count} file(s)", flush=True)
        for key in sorted(k for k, s in statuses.items() if s == ledger_module.MISSING):
            before = ledger[key]
            warnings.append(
                f"{before['delivery']}: its files are no longer in the landing folder; the warehouse keeps the "
                f"{before['rows_loaded']:,} rows loaded from it on {before['loaded_at']:%Y-%m-%d %H:%M} UTC "
                "(run `finops build --full-refresh` to drop deliveries that are no longer landed)."
            )

        # Files not read, and every file of a delivery that is not read again, are listed as found now.
        for f in found:
            if f.status != "current" or statuses.get(delivery_id(f.delivery) if f.delivery else "") == \
                    ledger_module.UNCHANGED:
                loader.record(f)
        loaded_at = ledger_module.now_utc()
        generation = loaded_at.strftime("%Y%m%dT%H%M%S%f")
        read = _Progress(progress, file_count)
        new_rows: dict[str, dict] = {}
        for delivery in to_read:
            rows = rejected = 0
            for f in delivery.current:
                n = loader.load_file(f)
                result.rows[f.source] += n
                rows += n
                read.file_read(delivery.delivery, n)
            result.files_read += len(delivery.current)
            written = loader.write_delivery(raw_dir, delivery.id, generation)
            (rejected,) = con.execute(
                f"select count(*) from {loading_table('rejected_lines')} where _delivery_id = ? and repair is null",
                [delivery.id],
            ).fetchone()
            new_rows[delivery.id] = {
                "delivery_id": delivery.id, "delivery": delivery.delivery, "source": delivery.source,
                "export_name": delivery.export, "fingerprint": fingerprints[delivery.id],
                "file_count": len(delivery.current), "byte_count": delivery.byte_count(), "rows_loaded": rows,
                "lines_rejected": rejected, "loaded_at": loaded_at, "status": statuses[delivery.id],
                "built_fingerprint": None, "generation": generation, "partition_tables": ",".join(written),
            }
        kept = {k: {**ledger[k], "status": statuses[k]} for k, s in statuses.items()
                if s in (ledger_module.UNCHANGED, ledger_module.MISSING)}
        for k, s in statuses.items():
            if s == ledger_module.UNCHANGED:
                # Unchanged files may have been renamed by a link change only: keep the record current.
                kept[k]["fingerprint"] = fingerprints[k]
        entries = {**kept, **new_rows}

        # Every delivery is read: the ledger, the views and the inventory tables are replaced at once.
        con.execute("begin transaction")
        con.execute(f"create or replace table raw.deliveries ({ledger_module.LEDGER_COLUMNS})")
        if entries:
            import pyarrow as pa

            names = [c.split()[0] for c in ledger_module.LEDGER_COLUMNS.split(", ")]
            batch = pa.table({n: [e[n] for e in entries.values()] for n in names})
            con.register("_ledger_batch", batch)
            con.execute("insert into raw.deliveries by name select * from _ledger_batch")
            con.unregister("_ledger_batch")
        kept_ids = sorted(kept)
        for table in small_tables:
            exists = con.execute(
                "select count(*) from duckdb_tables() where database_name = current_database() and schema_name = 'raw' "
                "and table_name = ?", [table]).fetchone()[0]
            if table == "rejected_lines" and exists and kept_ids and _has_column(con, table, "_delivery_id"):
                con.execute(f"insert into {loading_table(table)} by name select * from raw.{table} "
                            f"where _delivery_id in (select unnest(?::varchar[]))", [kept_ids])
            if table == "landing_files" and exists and _has_column(con, table, "delivery_id"):
                # Files of missing deliveries: kept with their rows, and said to be gone.
                missing = sorted(k for k, s in statuses.items() if s == ledger_module.MISSING)
                if missing:
                    con.execute(
                        f"insert into {loading_table(table)} by name select * replace ("
                        "'no longer in the landing folder; its rows are kept (finops build --full-refresh drops "
                        "them)' as reason) from raw.landing_files "
                        "where delivery_id in (select unnest(?::varchar[])) and status = 'current'", [missing])
                # Files of unchanged deliveries were recorded above without their counts: take them over.
                con.execute(
                    f"update {loading_table(table)} as now set rows_loaded = before.rows_loaded, "
                    "lines_rejected = before.lines_rejected, lines_recovered = before.lines_recovered, "
                    "reason = before.reason from raw.landing_files as before "
                    "where now.file_path = before.file_path and now.delivery_id = before.delivery_id "
                    "and now.status = 'current' and now.delivery_id in (select unnest(?::varchar[]))",
                    [sorted(k for k, s in statuses.items() if s == ledger_module.UNCHANGED)])
            con.execute(f"drop table if exists raw.{table}")
            con.execute(f"alter table {loading_table(table)} rename to {table}")
        for provider in PROVIDERS.values():
            table = provider.RAW_TABLE
            meta = ", ".join(f"{n} {t}" for n, t in META_COLUMNS)
            con.execute(f"create or replace table raw.{table}__columns ({provider.raw_columns()}, {meta})")
            parts = [path for k in sorted(entries) for t, path in ledger_module.partitions(raw_dir, entries[k])
                     if t == table]
            kind = con.execute(
                "select table_name from duckdb_tables() where database_name = current_database() "
                "and schema_name = 'raw' and table_name = ?", [table]).fetchall()
            if kind:
                con.execute(f"drop table raw.{table}")  # a raw table of a load before partitions
            con.execute(ledger_module.view_sql(table, parts))
            con.execute(f"drop table if exists {loading_table(table)}")
        con.execute("commit")
        con.execute("checkpoint")
        # Mirrors of the small tables beside the partitions, for engines that read parquet only.
        for table in ["deliveries", *small_tables]:
            ledger_module.write_partition(con, f"select * from raw.{table}", raw_dir / f"{table}.parquet")
        # Partitions the ledger no longer names: replaced by this load, or dropped by a full refresh.
        named = {path for entry in entries.values() for _, path in ledger_module.partitions(raw_dir, entry)}
        for path in raw_dir.glob("*/*.parquet"):
            if path not in named:
                path.unlink(missing_ok=True)
        result.rejected_lines = loader.rejected
        result.recovered_lines = loader.recovered
        result.warnings += loader.warnings
    except BaseException:
        try:
            con.rollback()  # the replacement, if it had begun; the ledger and views stay as they were
        except duckdb.Error:
            pass  # no transaction was open
        for table in [*raw_tables, *small_tables]:
            con.execute(f"drop table if exists {loading_table(table)}")
        raise
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def _has_column(con, table: str, column: str) -> bool:  # noqa: ANN001
    return bool(con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() and schema_name = 'raw' "
        "and table_name = ? and column_name = ?", [table, column]).fetchone()[0])
