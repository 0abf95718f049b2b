"""Load the files that count from the landing folder into the warehouse's raw tables.

One raw table per source (`raw.aws_cur_line_items`, `raw.aws_cur2_line_items`,
`raw.focus_line_items`, `raw.azure_cost_details`, `raw.gcp_billing_export`), all VARCHAR, plus:
- `raw.rejected_lines`: CSV lines that cannot be split into fields (wrong field count, broken
  quoting) with DuckDB's reason, and JSON lines that are not a JSON object; they surface in
  `quarantine_line_items`.
- `raw.landing_files`: every file found, whether it counted (`current`), was `superseded` by a
  newer delivery or was `not read` (with the reason), how many rows it gave, and the link it was
  found through when its lineage path is a link's target.

The raw tables are rebuilt from the landing folder on every load, in one transaction: a file
that cannot be read stops the load with a sentence naming it, and the warehouse keeps the
previous load.
"""

from __future__ import annotations

import csv
import gzip
import io
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
    rejected_lines: int = 0


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
    def __init__(self, con, landing: Path) -> None:  # noqa: ANN001 - duckdb connection
        self.con = con
        self.landing = landing
        self.rejected = 0

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
            self.con.execute(f"create or replace table raw.{RAW_TABLES[source]} ({aws}, {maps}, {meta})")
        self.con.execute(f"create or replace table raw.{RAW_TABLES['focus']} ({focus}, {meta})")
        azure = ", ".join(f"{c} VARCHAR" for c in AZURE_RAW_COLUMNS)
        self.con.execute(f"create or replace table raw.{RAW_TABLES['azure']} ({azure}, _export_type VARCHAR, {meta})")
        gcp = ", ".join(f"{c} VARCHAR" for c in GCP_RAW_COLUMNS)
        self.con.execute(f"create or replace table raw.{RAW_TABLES['gcp']} ({gcp}, {meta})")
        self.con.execute(
            "create or replace table raw.rejected_lines (source VARCHAR, _export_name VARCHAR, _source_file VARCHAR, "
            "line_number BIGINT, error_type VARCHAR, error_message VARCHAR, csv_line VARCHAR)"
        )
        self.con.execute(
            "create or replace table raw.landing_files (source VARCHAR, export_name VARCHAR, file_path VARCHAR, "
            "delivery_flavour VARCHAR, status VARCHAR, assembly_id VARCHAR, reason VARCHAR, rows_loaded BIGINT, "
            "lines_rejected BIGINT, link_path VARCHAR)"
        )

    # -- reading one file -------------------------------------------------------------------
    def _csv_relation(self, f: LandingFile, width: int, null_strings: list[str]) -> str:
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        nulls = ", ".join(_sql_str(s) for s in null_strings)
        return (
            f"read_csv({_sql_str(str(f.path))}, header = true, auto_detect = false, columns = {{{columns}}}, "
            f"delim = ',', quote = '\"', escape = '\"', nullstr = [{nulls}], store_rejects = true, "
            "rejects_table = 'reject_errors', rejects_scan = 'reject_scans')"
        )

    def _parquet_columns(self, f: LandingFile) -> dict[str, str]:
        rows = self.con.execute(f"describe select * from read_parquet({_sql_str(str(f.path))})").fetchall()
        return {name: ctype for name, ctype, *_ in rows}

    def _aws_select(self, f: LandingFile) -> tuple[str, str]:
        """(select list, relation) reading one AWS file into the raw AWS column set."""
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
            relation = self._csv_relation(f, len(header), [""])
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
        return ", ".join(cols), relation

    def _focus_select(self, f: LandingFile) -> tuple[str, str]:
        if f.path.name.lower().endswith(".parquet"):
            names = list(self._parquet_columns(f))
            refs = {n: _ident(n) for n in names}
            relation = f"read_parquet({_sql_str(str(f.path))}, file_row_number = true)"
        else:
            names = [h.strip() for h in _csv_header(f.path, self.rel(f))]
            refs = {n: f"c{i}" for i, n in enumerate(names)}
            relation = self._csv_relation(f, len(names), ["", "NULL"])
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
        return ", ".join(cols), relation

    def _azure_select(self, f: LandingFile) -> tuple[str, str]:
        """(select list, relation) reading one Azure cost details file into the raw Azure column set."""
        if f.path.name.lower().endswith(".parquet"):
            names = list(self._parquet_columns(f))
            refs = {header_key(n): _ident(n) for n in reversed(names)}
            relation = f"read_parquet({_sql_str(str(f.path))}, file_row_number = true)"
        else:
            names = _csv_header(f.path, self.rel(f))
            refs = {header_key(n): f"c{i}" for i, n in reversed(list(enumerate(names)))}
            relation = self._csv_relation(f, len(names), [""])
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
        return ", ".join(cols), relation

    def _gcp_select(self, f: LandingFile) -> tuple[str, str]:
        """(select list, relation) for one Google Cloud billing export file: each row as a JSON object
        (`record`), its fields picked by path; arrays and label lists stay JSON text."""
        cols = []
        for name, path, _ in GCP_FIELDS:
            if name in ("credits", "labels", "system_labels", "project_labels"):
                cols.append(f"cast(record -> {_sql_str(path)} as varchar) as {name}")
            else:
                cols.append(f"record ->> {_sql_str(path)} as {name}")
        if f.flavour == "gcp_parquet":
            relation = (f"(select to_json(t) as record, t.file_row_number from "
                        f"read_parquet({_sql_str(str(f.path))}, file_row_number = true) as t)")
        else:
            relation = (
                f"(select try_cast(line as json) as record, line from read_csv({_sql_str(str(f.path))}, "
                f"header = false, auto_detect = false, columns = {{'line': 'VARCHAR'}}, "
                f"delim = {_sql_str(JSON_LINE_DELIMITER)}, quote = '', escape = '', max_line_size = 67108864))"
            )
        return ", ".join(cols), relation

    def _load_gcp_json(self, f: LandingFile, meta: str) -> tuple[int, int]:
        """JSON lines: every non-blank line is a row; a line that is not a JSON object is a rejected line."""
        select, relation = self._gcp_select(f)
        self.con.execute(
            f"create or replace temp table _file_rows as select record, line from {relation}"
        )
        self.con.execute("create or replace temp table _file_rows_numbered as select *, rowid - "
                         "(select min(rowid) from _file_rows) + 1 as _source_row_number from _file_rows")
        self.con.execute(
            f"insert into raw.{RAW_TABLES['gcp']} by name select {select}, {meta}, _source_row_number "
            "from _file_rows_numbered where json_type(record) = 'OBJECT'"
        )
        loaded = self.con.execute(
            "select count(*) from _file_rows_numbered where json_type(record) = 'OBJECT'").fetchone()[0]
        rejected = self.con.execute(
            "insert into raw.rejected_lines select ?, ?, ?, _source_row_number, 'INVALID JSON', "
            "case when record is null then 'the line is not valid JSON' else 'the line is JSON but not an object' "
            "end, line from _file_rows_numbered where trim(line) <> '' and coalesce(json_type(record), '') <> 'OBJECT'",
            [f.source, f.export, self.rel(f)],
        ).fetchone()[0]
        self.con.execute("drop table _file_rows_numbered")
        self.con.execute("drop table _file_rows")
        self.rejected += rejected
        return loaded, rejected

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
            loaded, rejected = self._load_gcp_json(f, meta)
            self.record(f, loaded, rejected)
            return loaded
        selectors = {"focus": self._focus_select, "azure": self._azure_select, "gcp": self._gcp_select}
        select, relation = selectors.get(f.source, self._aws_select)(f)
        if f.path.name.lower().endswith(".parquet"):
            # Parquet numbers its rows itself (file_row_number), so the rows go straight in.
            loaded = self.con.execute(
                f"insert into raw.{table} by name select {select}, {meta}, file_row_number + 1 as _source_row_number "
                f"from {relation}"
            ).fetchone()[0]
            rejected = 0
        else:
            # A CSV is read into a scratch table first: DuckDB keeps the file's row order in it, so its
            # rowids count the rows in file order (a window function over the whole file would be slower,
            # single-threaded). Inside the load's transaction rowids start at an offset: subtract it.
            self.con.execute(f"create or replace temp table _file_rows as select {select}, {meta} from {relation}")
            self.con.execute(
                f"insert into raw.{table} by name select *, rowid - (select min(rowid) from _file_rows) + 1 "
                "as _source_row_number from _file_rows"
            )
            loaded = self.con.execute("select count(*) from _file_rows").fetchone()[0]
            self.con.execute("drop table _file_rows")
            rejected = self._collect_rejects(f)
        self.record(f, loaded, rejected)
        return loaded

    def record(self, f: LandingFile, loaded: int, rejected: int) -> None:
        self.con.execute(
            "insert into raw.landing_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f.source, f.export, self.rel(f), f.flavour or None, f.status, f.assembly_id, f.reason, loaded, rejected,
             f.link_path],
        )

    def _collect_rejects(self, f: LandingFile) -> int:
        # DuckDB reports a line once per problem (e.g. once per missing column): keep one row a line.
        self.con.execute(
            "insert into raw.rejected_lines select ?, ?, ?, line, cast(arg_min(error_type, column_idx) as varchar), "
            "arg_min(error_message, column_idx), any_value(csv_line) from reject_errors group by line",
            [f.source, f.export, self.rel(f)],
        )
        count = self.con.execute("select count(distinct line) from reject_errors").fetchone()[0]
        # DuckDB keeps appending to these tables for the life of the connection: empty them so the
        # next file's rejects are its own.
        self.con.execute("delete from reject_errors")
        self.con.execute("delete from reject_scans")
        self.rejected += count
        return count



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
    try:
        con.execute("begin transaction")
        loader = _Loader(con, landing)
        loader.create_tables()
        current = [f for f in files if f.status == "current"]
        for f in found:
            if f.status != "current":
                loader.record(f, 0, 0)
        for f in tqdm(current, desc="loading landing files", unit="file", disable=not progress):
            result.rows[f.source] += loader.load_file(f)
        con.execute("commit")
        result.rejected_lines = loader.rejected
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
    return result
