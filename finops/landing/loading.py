"""Load the files that count from the landing folder into the warehouse's raw tables.

One raw table per source (`raw.aws_cur_line_items`, `raw.aws_cur2_line_items`,
`raw.focus_line_items`, `raw.azure_cost_details`, `raw.gcp_billing_export`), all VARCHAR, plus:
- `raw.rejected_lines`: every line the reader rejected (CSV lines that cannot be split into the
  header's fields, broken quoting, lines longer than the reader's limit; JSON lines that are not a
  JSON object), with a reason that is never empty. A line whose fields can still be located is
  recovered into the raw table and the repair is recorded (`repair`, `row_number`); the others
  surface in `quarantine_line_items`, and their billing period is reported incomplete
  (`line_recovery.py` says which lines are recovered and how).
- `raw.landing_files`: every file found, whether it counted (`current`), was `superseded` by a
  newer delivery or was `not read` (with the reason), how many rows it gave, and the link it was
  found through when its lineage path is a link's target.

The raw tables are rebuilt from the landing folder on every load: each file is read into new
`raw.<table>__loading` tables, and only when every file is read do these replace the raw tables,
in one transaction. A file that cannot be read stops the load with a sentence naming it, and the
warehouse keeps the previous load. (The reads are not inside that transaction: a DuckDB statement
that fails aborts its transaction, and a file that mixes CRLF and LF line endings fails DuckDB's
strict CSV parser before it is read again from a normalised copy.) Each file is one DuckDB pass;
Python touches only the rare rejected lines.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .discovery import discover
from .files import NOT_READ, LandingError, LandingFile
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


class Loader:
    """Reads each file into its provider's raw table (the provider modules call back into it)."""

    def __init__(self, con, landing: Path, scratch: Path) -> None:  # noqa: ANN001 - duckdb connection
        self.con = con
        self.landing = landing
        self.scratch = scratch  # normalised copies and recovered rows, removed after the load
        self.rejected = 0
        self.recovered = 0
        self.warnings: list[str] = []

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
            f"create or replace table {loading_table('rejected_lines')} (source VARCHAR, _export_name VARCHAR, "
            "_source_file VARCHAR, line_number BIGINT, error_type VARCHAR, error_message VARCHAR, "
            "csv_line VARCHAR, line_count BIGINT, repair VARCHAR, row_number BIGINT)"
        )
        self.con.execute(
            f"create or replace table {loading_table('landing_files')} (source VARCHAR, export_name VARCHAR, "
            "file_path VARCHAR, delivery_flavour VARCHAR, status VARCHAR, assembly_id VARCHAR, reason VARCHAR, "
            "rows_loaded BIGINT, lines_rejected BIGINT, link_path VARCHAR, lines_recovered BIGINT)"
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
            f"{rejects})"
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
            "source": [f.source] * len(lines), "_export_name": [f.export] * len(lines),
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
        """A CSV file in one DuckDB pass into a scratch table: DuckDB keeps the file's row order in it, so
        its rowids count the rows in file order (a window function over the whole file would be slower,
        single-threaded; the first rowid is subtracted, whatever DuckDB numbers from). Rejected lines
        that can be recovered follow the file's other rows."""
        path, note = self.read_into_file_rows(f, f"{select}, {meta}", lambda p: self.csv_relation(p, spec))
        lines = self.rejected_lines()
        self._recover(lines, path, spec, f"{select}, {meta}")
        loaded = self.con.execute(
            f"insert into {loading_table(table)} by name select *, rowid - (select min(rowid) from _file_rows) + 1 "
            "as _source_row_number from _file_rows"
        ).fetchone()[0]
        self.con.execute("drop table _file_rows")
        return loaded, lines, note

    def load_file(self, f: LandingFile) -> int:
        try:
            return self._load_file(f)
        except LandingError:
            raise
        except Exception as exc:  # duckdb raises several error classes for unreadable input
            first_line = str(exc).strip().splitlines()[0]
            raise LandingError(
                f"{self.rel(f)}: cannot be loaded ({first_line}); the file is damaged or not in the expected "
                "format, so re-download it from the provider or remove it."
            ) from None

    def _load_file(self, f: LandingFile) -> int:
        meta = (
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
                # Parquet numbers its rows itself (file_row_number), so the rows go straight in.
                loaded = self.con.execute(
                    f"insert into {loading_table(table)} by name select {select}, {meta}, file_row_number + 1 "
                    f"as _source_row_number from {relation}"
                ).fetchone()[0]
                lines, note = [], ""
            else:
                loaded, lines, note = self._load_csv(f, table, select, spec, meta)
        self._store_lines(f, lines)
        self.record(f, loaded, sum(1 for line in lines if line.repair is None),
                    sum(1 for line in lines if line.repair is not None), note)
        return loaded

    def record(self, f: LandingFile, loaded: int = 0, rejected: int = 0, recovered: int = 0, note: str = "") -> None:
        self.con.execute(
            f"insert into {loading_table('landing_files')} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f.source, f.export, self.rel(f), f.flavor or None, f.status, f.assembly_id, f.reason or note, loaded,
             rejected, f.link_path, recovered],
        )


def load_landing(landing: Path, duckdb_path: Path, progress: bool = True) -> LoadResult:
    """Rebuild the raw tables of the warehouse at `duckdb_path` from the landing folder."""
    import duckdb
    from tqdm import tqdm

    found, warnings = discover(landing)
    files = [f for f in found if f.status != NOT_READ]
    result = LoadResult(files=files, warnings=warnings, not_read=[f for f in found if f.status == NOT_READ],
                        rows={s: 0 for s in PROVIDERS})
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(duckdb_path))
    except duckdb.Error as exc:
        raise LandingError(
            f"{duckdb_path}: the warehouse file cannot be opened ({str(exc).splitlines()[0]}); close the program "
            "that holds it (a DuckDB shell, a BI tool) or point FINOPS_DUCKDB_PATH elsewhere."
        ) from None
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")  # tqdm shows progress per file
    # The files are written in autocommitted statements (see the module docstring); a checkpoint after
    # each of them would rewrite the growing tables again and again: one checkpoint at the end does it all.
    con.execute("set checkpoint_threshold = '64GB'")
    scratch = Path(tempfile.mkdtemp(prefix="finops-load-"))
    tables = [*(p.RAW_TABLE for p in PROVIDERS.values()), "rejected_lines", "landing_files"]
    try:
        loader = Loader(con, landing, scratch)
        loader.create_tables()
        current = [f for f in files if f.status == "current"]
        for f in found:
            if f.status != "current":
                loader.record(f)
        for f in tqdm(current, desc="loading landing files", unit="file", disable=not progress):
            result.rows[f.source] += loader.load_file(f)
        # Every file is read: the new tables replace the raw tables at once.
        con.execute("begin transaction")
        for table in tables:
            con.execute(f"drop table if exists raw.{table}")
            con.execute(f"alter table {loading_table(table)} rename to {table}")
        con.execute("commit")
        con.execute("checkpoint")
        result.rejected_lines = loader.rejected
        result.recovered_lines = loader.recovered
        result.warnings += loader.warnings
    except BaseException:
        try:
            con.rollback()  # the replacement, if it had begun; the raw tables stay as they were
        except duckdb.Error:
            pass  # no transaction was open
        for table in tables:
            con.execute(f"drop table if exists {loading_table(table)}")
        raise
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return result
