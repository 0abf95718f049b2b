"""Load the files that count from the landing folder into the warehouse's raw tables.

One raw table per source (`raw.aws_cur_line_items`, `raw.aws_cur2_line_items`,
`raw.focus_line_items`, `raw.azure_cost_details`, `raw.gcp_billing_export`), all VARCHAR, plus:
- `raw.rejected_lines`: every line the reader rejected (CSV lines that cannot be split into the
  header's fields, broken quoting, lines longer than the reader's limit; JSON lines that are not a
  JSON object), with a reason that is never empty. A line whose fields can still be located is
  recovered into the raw table and the repair is recorded (`repair`, `row_number`); the others
  surface in `quarantine_line_items`, and their billing period is reported incomplete
  (`lines.py` says which lines are recovered and how).
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

import csv
import gzip
import io
import shutil
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .columns import (
    AWS_CUR_COLUMNS,
    AZURE_COLUMNS,
    FOCUS_BY_LOWER,
    FOCUS_COLUMNS,
    GCP_FIELDS,
    athena_name,
    header_key,
    snake_name,
)
from .discover import NOT_READ, LandingError, LandingFile, discover
from .lines import (
    MAX_LINE_BYTES,
    MIXED_ENDINGS_NOTE,
    RejectedLine,
    mixes_line_endings,
    normalised_copy,
    reason,
    repair,
    short_positions,
    write_rows,
)

META_COLUMNS = [
    ("_source_file", "VARCHAR"),
    ("_source_row_number", "BIGINT"),
    ("_export_name", "VARCHAR"),
    ("_delivery_flavour", "VARCHAR"),
    ("_assembly_id", "VARCHAR"),
]
AWS_RAW_COLUMNS = [name for name, _ in AWS_CUR_COLUMNS]
AWS_MAP_COLUMNS = ["resource_tags", "cost_category"]
FOCUS_RAW_COLUMNS = [snake_name(name) for name, _ in FOCUS_COLUMNS]
AZURE_RAW_COLUMNS = [name for name, _, _ in AZURE_COLUMNS]
GCP_RAW_COLUMNS = [name for name, _, _ in GCP_FIELDS]
RAW_TABLES = {
    "aws_cur": "aws_cur_line_items",
    "aws_cur2": "aws_cur2_line_items",
    "focus": "focus_line_items",
    "azure": "azure_cost_details",
    "gcp": "gcp_billing_export",
}
# How Azure's documentation spells the columns a cost details file must have (for the error message).
AZURE_REQUIRED_NAMES = {
    "billing_account_id": "BillingAccountId",
    "billing_period_start_date": "BillingPeriodStartDate",
    "billing_period_end_date": "BillingPeriodEndDate",
    "subscription_id": "SubscriptionId",
    "date": "Date",
    "cost_in_billing_currency": "CostInBillingCurrency (or Cost)",
    "billing_currency": "BillingCurrencyCode (or BillingCurrency)",
    "charge_type": "ChargeType",
}
# A character that valid JSON cannot hold unescaped: reading a JSON-lines file "as CSV" with it as the
# delimiter gives one field per line, so a line that is not JSON is kept and reported, not skipped.
JSON_LINE_DELIMITER = "\x1f"


@dataclass
class LoadResult:
    files: list[LandingFile]  # the data files found, current or superseded
    warnings: list[str]
    not_read: list[LandingFile] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    rejected_lines: int = 0  # lines that stay unreadable (quarantined; their amount is unknown)
    recovered_lines: int = 0  # rejected lines read after a recorded repair


@dataclass(frozen=True)
class _CsvSpec:
    """How a CSV file is read: its header (one column per field, `c0`, `c1`...) and null strings."""

    header: list[str]
    null_strings: list[str]


def _loading(table: str) -> str:
    """The table a load writes: the raw tables are replaced by these only once every file is read."""
    return f"raw.{table}__loading"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_header(path: Path, rel: str) -> list[str]:
    opener: Callable[..., io.TextIOBase] = gzip.open if path.name.lower().endswith(".gz") else open  # type: ignore[assignment]
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise LandingError(f"{rel}: cannot be read ({exc}); the file is damaged or not what its name says, "
                           "so re-download it from the provider or remove it.") from None
    if not header or not any(h.strip() for h in header):
        raise LandingError(f"{rel}: the file is empty or has no header row; re-download it from the provider or remove it.")
    return header


def _map_expr(entries: list[tuple[str, str]]) -> str:
    """A MAP of the non-empty values of the given (key, column expression) pairs."""
    if not entries:
        return "cast(map() as map(varchar, varchar))"
    structs = ", ".join(f"{{'k': {_sql_str(k)}, 'v': nullif(trim(cast({expr} as varchar)), '')}}" for k, expr in entries)
    return f"map_from_entries(list_filter([{structs}], e -> e.v is not null))"


def _focus_tag_key(aws_key: str) -> str:
    """The FOCUS Tags key of an AWS cost allocation tag: user-defined tags by their own name
    (`user:Team` -> `Team`), AWS-generated tags keep their provider prefix (`aws:createdBy`)."""
    return aws_key.removeprefix("user:")


def _athena_tag_key(suffix: str) -> str:
    """`resource_tags_<suffix>` (Athena flavour, lowercased by AWS): `user_team` -> `team`,
    `aws_created_by` -> `aws:created_by`."""
    prefix, _, rest = suffix.partition("_")
    return _focus_tag_key(f"{prefix}:{rest}") if rest else suffix


class _Loader:
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
        aws = ", ".join(f"{c} VARCHAR" for c in AWS_RAW_COLUMNS)
        maps = ", ".join(f"{c} MAP(VARCHAR, VARCHAR)" for c in AWS_MAP_COLUMNS)
        focus = ", ".join(f"{c} VARCHAR" for c in FOCUS_RAW_COLUMNS)
        self.con.execute("create schema if not exists raw")
        for source in ("aws_cur", "aws_cur2"):
            self.con.execute(f"create or replace table {_loading(RAW_TABLES[source])} ({aws}, {maps}, {meta})")
        self.con.execute(f"create or replace table {_loading(RAW_TABLES['focus'])} ({focus}, {meta})")
        azure = ", ".join(f"{c} VARCHAR" for c in AZURE_RAW_COLUMNS)
        self.con.execute(f"create or replace table {_loading(RAW_TABLES['azure'])} ({azure}, _export_type VARCHAR, "
                         f"{meta})")
        gcp = ", ".join(f"{c} VARCHAR" for c in GCP_RAW_COLUMNS)
        self.con.execute(f"create or replace table {_loading(RAW_TABLES['gcp'])} ({gcp}, {meta})")
        self.con.execute(
            f"create or replace table {_loading('rejected_lines')} (source VARCHAR, _export_name VARCHAR, "
            "_source_file VARCHAR, line_number BIGINT, error_type VARCHAR, error_message VARCHAR, "
            "csv_line VARCHAR, line_count BIGINT, repair VARCHAR, row_number BIGINT)"
        )
        self.con.execute(
            f"create or replace table {_loading('landing_files')} (source VARCHAR, export_name VARCHAR, "
            "file_path VARCHAR, delivery_flavour VARCHAR, status VARCHAR, assembly_id VARCHAR, reason VARCHAR, "
            "rows_loaded BIGINT, lines_rejected BIGINT, link_path VARCHAR, lines_recovered BIGINT)"
        )

    # -- reading one file -------------------------------------------------------------------
    def _csv_relation(self, path: Path, spec: _CsvSpec, keep_rejects: bool = True) -> str:
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(spec.header)))
        nulls = ", ".join(_sql_str(s) for s in spec.null_strings)
        rejects = ("store_rejects = true, rejects_table = 'reject_errors', rejects_scan = 'reject_scans'"
                   if keep_rejects else "ignore_errors = true")
        return (
            f"read_csv({_sql_str(str(path))}, header = true, auto_detect = false, columns = {{{columns}}}, "
            f"delim = ',', quote = '\"', escape = '\"', nullstr = [{nulls}], max_line_size = {MAX_LINE_BYTES}, "
            f"{rejects})"
        )

    def _parquet_columns(self, f: LandingFile) -> dict[str, str]:
        rows = self.con.execute(f"describe select * from read_parquet({_sql_str(str(f.path))})").fetchall()
        return {name: ctype for name, ctype, *_ in rows}

    def _aws_select(self, f: LandingFile) -> tuple[str, str, _CsvSpec | None]:
        """(select list, relation, CSV settings) reading one AWS file into the raw AWS column set."""
        spec = None
        if f.flavour == "cur_csv":
            header = _csv_header(f.path, self.rel(f))
            by_name: dict[str, str] = {}
            tags: list[tuple[str, str]] = []
            categories: list[tuple[str, str]] = []
            for i, raw in enumerate(header):
                name = raw.strip()
                if name.startswith("resourceTags/"):
                    tags.append((_focus_tag_key(name.split("/", 1)[1]), f"c{i}"))
                elif name.startswith("costCategory/"):
                    categories.append((name.split("/", 1)[1], f"c{i}"))
                else:
                    by_name.setdefault(athena_name(name), f"c{i}")
            spec = _CsvSpec(header, [""])
            relation = self._csv_relation(f.path, spec)
        else:
            types = self._parquet_columns(f)
            by_name = {name.lower(): _ident(name) for name in types}
            tags, categories = [], []
            for name in types:
                lower = name.lower()
                if lower.startswith("resource_tags_"):
                    tags.append((_athena_tag_key(lower.removeprefix("resource_tags_")), _ident(name)))
                elif lower.startswith("cost_category_"):
                    categories.append((lower.removeprefix("cost_category_"), _ident(name)))
            relation = f"read_parquet({_sql_str(str(f.path))}, file_row_number = true)"
            # CUR 2.0 keeps most product attributes in the `product` map (`product['product_name']`):
            # a product column that is not a column of its own is read from there.
            product = next((name for name, ctype in types.items() if name.lower() == "product"
                            and ctype.upper().startswith("MAP(")), None)
            if product:
                for name, _ in AWS_CUR_COLUMNS:
                    if name.startswith("product_") and name not in by_name:
                        by_name[name] = f"map_extract_value({_ident(product)}, {_sql_str(name.removeprefix('product_'))})"
        missing = [name for name, required in AWS_CUR_COLUMNS if required and name not in by_name]
        if missing:
            raise LandingError(
                f"{self.rel(f)}: this file lacks the CUR column(s) {', '.join(missing)}, so it is not a Cost and "
                "Usage Report we can read; check the report's settings (it must include resource IDs) and re-export it."
            )
        cols = [f"cast({by_name[n]} as varchar) as {n}" if n in by_name else f"null as {n}" for n in AWS_RAW_COLUMNS]
        if "resource_tags" in by_name:  # CUR 2.0 map: keys like user_Team / aws_createdBy
            tag_expr = (
                "map_from_entries(list_transform(list_filter(map_entries(resource_tags), "
                "e -> nullif(trim(e.value), '') is not null), "
                "e -> {'k': case when starts_with(e.key, 'user_') then e.key[6:] "
                "when starts_with(e.key, 'aws_') then 'aws:' || e.key[5:] else e.key end, 'v': trim(e.value)}))"
            )
        else:
            tag_expr = _map_expr(tags)
        if "cost_category" in by_name:
            category_expr = (
                "map_from_entries(list_transform(list_filter(map_entries(cost_category), "
                "e -> nullif(trim(e.value), '') is not null), e -> {'k': e.key, 'v': trim(e.value)}))"
            )
        else:
            category_expr = _map_expr(categories)
        cols += [f"{tag_expr} as resource_tags", f"{category_expr} as cost_category"]
        return ", ".join(cols), relation, spec

    def _focus_select(self, f: LandingFile) -> tuple[str, str, _CsvSpec | None]:
        spec = None
        if f.path.name.lower().endswith(".parquet"):
            names = list(self._parquet_columns(f))
            refs = {n: _ident(n) for n in names}
            relation = f"read_parquet({_sql_str(str(f.path))}, file_row_number = true)"
        else:
            header = _csv_header(f.path, self.rel(f))
            names = [h.strip() for h in header]
            refs = {n: f"c{i}" for i, n in enumerate(names)}
            spec = _CsvSpec(header, ["", "NULL"])
            relation = self._csv_relation(f.path, spec)
        by_focus = {FOCUS_BY_LOWER[n.lower()]: refs[n] for n in names if n.lower() in FOCUS_BY_LOWER}
        missing = [name for name, required in FOCUS_COLUMNS if required and name not in by_focus]
        if missing:
            raise LandingError(
                f"{self.rel(f)}: this FOCUS file lacks the mandatory column(s) {', '.join(missing)}; "
                "export it again with every FOCUS column (FOCUS 1.0 or later)."
            )
        cols = [
            f"cast({by_focus[name]} as varchar) as {snake_name(name)}" if name in by_focus else f"null as {snake_name(name)}"
            for name, _ in FOCUS_COLUMNS
        ]
        return ", ".join(cols), relation, spec

    def _azure_select(self, f: LandingFile) -> tuple[str, str, _CsvSpec | None]:
        """(select list, relation, CSV settings) reading one Azure cost details file into the raw Azure
        column set."""
        spec = None
        if f.path.name.lower().endswith(".parquet"):
            names = list(self._parquet_columns(f))
            refs = {header_key(n): _ident(n) for n in reversed(names)}
            relation = f"read_parquet({_sql_str(str(f.path))}, file_row_number = true)"
        else:
            names = _csv_header(f.path, self.rel(f))
            refs = {header_key(n): f"c{i}" for i, n in reversed(list(enumerate(names)))}
            spec = _CsvSpec(names, [""])
            relation = self._csv_relation(f.path, spec)
        by_raw: dict[str, str] = {}
        for raw, spellings, _ in AZURE_COLUMNS:
            ref = next((refs[s] for s in spellings if s in refs), None)
            if ref is not None:
                by_raw[raw] = ref
        missing = [AZURE_REQUIRED_NAMES[raw] for raw, _, required in AZURE_COLUMNS if required and raw not in by_raw]
        if missing:
            raise LandingError(
                f"{self.rel(f)}: this file lacks the cost details column(s) {', '.join(missing)}, so it is not an "
                "Azure cost details export we can read; export it again as \"Cost and usage details\" "
                "(actual or amortized cost) in CSV or parquet."
            )
        cols = [f"cast({by_raw[n]} as varchar) as {n}" if n in by_raw else f"null as {n}" for n in AZURE_RAW_COLUMNS]
        cols.append(f"{_sql_str(f.flavour.removeprefix('azure_'))} as _export_type")
        return ", ".join(cols), relation, spec

    def _gcp_select(self, f: LandingFile) -> tuple[str, str, None]:
        """(select list, relation) for one Google Cloud billing export parquet file: each row as a JSON
        object (`record`), its fields picked by path; arrays and label lists stay JSON text."""
        relation = (f"(select to_json(t) as record, t.file_row_number from "
                    f"read_parquet({_sql_str(str(f.path))}, file_row_number = true) as t)")
        return self._gcp_fields(), relation, None

    @staticmethod
    def _gcp_fields() -> str:
        cols = []
        for name, path, _ in GCP_FIELDS:
            if name in ("credits", "labels", "system_labels", "project_labels"):
                cols.append(f"cast(record -> {_sql_str(path)} as varchar) as {name}")
            else:
                cols.append(f"record ->> {_sql_str(path)} as {name}")
        return ", ".join(cols)

    def _json_lines_relation(self, path: Path) -> str:
        """A JSON-lines file read "as CSV" with one field per line, so a line that is not JSON is kept."""
        return (
            f"(select try_cast(line as json) as record, line from read_csv({_sql_str(str(path))}, "
            f"header = false, auto_detect = false, columns = {{'line': 'VARCHAR'}}, "
            f"delim = {_sql_str(JSON_LINE_DELIMITER)}, quote = '', escape = '', max_line_size = {MAX_LINE_BYTES}, "
            "store_rejects = true, rejects_table = 'reject_errors', rejects_scan = 'reject_scans'))"
        )

    def _read_into_file_rows(self, f: LandingFile, select: str, relation_of: Callable[[Path], str]) -> tuple[Path, str]:
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
        self._rejected_lines()  # whatever the first pass left behind
        copy = normalised_copy(f.path, Path(tempfile.mkdtemp(dir=self.scratch)))
        self.con.execute(f"create or replace temp table _file_rows as select {select} from {relation_of(copy)}")
        return copy, MIXED_ENDINGS_NOTE

    def _has_rejects(self) -> bool:
        """Whether the last read rejected a line (DuckDB creates its reject tables with the first read
        that stores rejects: before it, nothing was rejected)."""
        exists = self.con.execute("select count(*) from duckdb_tables() where temporary "
                                  "and table_name = 'reject_errors'").fetchone()[0]
        return bool(exists and self.con.execute("select count(*) from reject_errors").fetchone()[0])

    def _rejected_lines(self) -> list[RejectedLine]:
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

    def _recover(self, lines: list[RejectedLine], path: Path, spec: _CsvSpec, select: str) -> int:
        """Read the rejected lines whose fields can be located into `_file_rows` after the file's other
        rows (lines.repair says which), numbering them on from there; returns how many."""
        positions = sorted(short_positions(lines, len(spec.header)))
        filled: set[int] = set()
        if positions:
            # Which of the positions some readable row of the file fills (a second pass, only here).
            counts = self.con.execute(
                f"select {', '.join(f'count(c{i})' for i in positions)} "
                f"from {self._csv_relation(path, spec, keep_rejects=False)}"
            ).fetchone()
            filled = {i for i, n in zip(positions, counts) if n}
        rows = [(line, fields) for line in lines if (fields := repair(line, spec.header, filled)) is not None]
        if not rows:
            return 0
        first = self.con.execute("select count(*) from _file_rows").fetchone()[0]
        recovered = Path(tempfile.mkdtemp(dir=self.scratch)) / "recovered.csv"
        write_rows(recovered, len(spec.header), [fields for _, fields in rows])
        self.con.execute(f"insert into _file_rows select {select} from {self._csv_relation(recovered, spec)}")
        if self._rejected_lines():
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
        self.con.execute(f"insert into {_loading('rejected_lines')} by name select * from _rejected_batch")
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

    def _load_json_lines(self, f: LandingFile, meta: str) -> tuple[int, list[RejectedLine], str]:
        """JSON lines: every non-blank line is a row; a line that is not a JSON object, or that the reader
        rejects (longer than its limit), is a rejected line. Rows are numbered by their line in the file."""
        _, note = self._read_into_file_rows(f, "record, line", self._json_lines_relation)
        lines = self._rejected_lines()
        # Lines the reader rejected are not in _file_rows: the n-th line read is file line n + the number
        # of rejected lines r_j (sorted, j from 1) with r_j - j < n.
        skipped = "0"
        if lines:
            before = ", ".join(str(line.line_number - j) for j, line in enumerate(lines, start=1))
            skipped = f"(select count(*) from unnest([{before}]) as s(before) where before < n)"
        self.con.execute(
            f"create or replace temp table _file_rows_numbered as select *, n + {skipped} as _source_row_number "
            "from (select *, rowid - (select min(rowid) from _file_rows) + 1 as n from _file_rows)"
        )
        loaded = self.con.execute(
            f"insert into {_loading(RAW_TABLES['gcp'])} by name select {self._gcp_fields()}, {meta}, "
            "_source_row_number from _file_rows_numbered where json_type(record) = 'OBJECT'"
        ).fetchone()[0]
        invalid = self.con.execute(
            "select _source_row_number, case when record is null then 'the line is not valid JSON' "
            "else 'the line is JSON but not an object' end, line from _file_rows_numbered "
            "where trim(line) <> '' and coalesce(json_type(record), '') <> 'OBJECT' order by 1"
        ).fetchall()
        self.con.execute("drop table _file_rows_numbered")
        self.con.execute("drop table _file_rows")
        lines += [RejectedLine(number, "INVALID JSON", message, text) for number, message, text in invalid]
        return loaded, sorted(lines, key=lambda line: line.line_number), note

    def _load_csv(self, f: LandingFile, table: str, select: str, spec: _CsvSpec, meta: str) -> tuple[
            int, list[RejectedLine], str]:
        """A CSV file in one DuckDB pass into a scratch table: DuckDB keeps the file's row order in it, so
        its rowids count the rows in file order (a window function over the whole file would be slower,
        single-threaded; the first rowid is subtracted, whatever DuckDB numbers from). Rejected lines
        that can be recovered follow the file's other rows."""
        path, note = self._read_into_file_rows(f, f"{select}, {meta}", lambda p: self._csv_relation(p, spec))
        lines = self._rejected_lines()
        self._recover(lines, path, spec, f"{select}, {meta}")
        loaded = self.con.execute(
            f"insert into {_loading(table)} by name select *, rowid - (select min(rowid) from _file_rows) + 1 "
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
            f"{_sql_str(self.rel(f))} as _source_file, {_sql_str(f.export)} as _export_name, "
            f"{_sql_str(f.flavour)} as _delivery_flavour, "
            f"{_sql_str(f.assembly_id) if f.assembly_id else 'null'} as _assembly_id"
        )
        table = RAW_TABLES[f.source]
        if f.flavour == "gcp_json":
            loaded, lines, note = self._load_json_lines(f, meta)
        else:
            selectors = {"focus": self._focus_select, "azure": self._azure_select, "gcp": self._gcp_select}
            select, relation, spec = selectors.get(f.source, self._aws_select)(f)
            if spec is None:
                # Parquet numbers its rows itself (file_row_number), so the rows go straight in.
                loaded = self.con.execute(
                    f"insert into {_loading(table)} by name select {select}, {meta}, file_row_number + 1 "
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
            f"insert into {_loading('landing_files')} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f.source, f.export, self.rel(f), f.flavour or None, f.status, f.assembly_id, f.reason or note, loaded,
             rejected, f.link_path, recovered],
        )


def load_landing(landing: Path, duckdb_path: Path, progress: bool = True) -> LoadResult:
    """Rebuild the raw tables of the warehouse at `duckdb_path` from the landing folder."""
    import duckdb
    from tqdm import tqdm

    found, warnings = discover(landing)
    files = [f for f in found if f.status != NOT_READ]
    result = LoadResult(files=files, warnings=warnings, not_read=[f for f in found if f.status == NOT_READ],
                        rows={s: 0 for s in RAW_TABLES})
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
    tables = [*RAW_TABLES.values(), "rejected_lines", "landing_files"]
    try:
        loader = _Loader(con, landing, scratch)
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
            con.execute(f"alter table {_loading(table)} rename to {table}")
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
            con.execute(f"drop table if exists {_loading(table)}")
        raise
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return result
