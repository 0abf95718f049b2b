"""Google Cloud billing export: folder layout, field paths and how a file is read.

Layout (under gcp/):
    <export>/**/*.jsonl|.json|.ndjson(.gz)|.parquet                  Google Cloud billing export
    <export>/invoice_month=YYYYMM/<extract>/...                      re-extracts of one invoice month

BigQuery's export table is extracted as newline-delimited JSON (or parquet). A month extracted
again goes into a new subfolder of `invoice_month=YYYYMM/`; the subfolder whose name sorts last
(name extracts by time, e.g. `20260903T0600Z`) counts, the others are superseded. JSON lines are
read by this module (`load_rows`), one row per line; a line that is not a JSON object is kept as a
rejected line.
"""

from __future__ import annotations

import re
from pathlib import Path

from .files import LandingError, LandingFile, relative, visible, walk
from .line_recovery import MAX_LINE_BYTES, RejectedLine
from .reading import sql_str

SOURCE = "gcp"
RAW_TABLE = "gcp_billing_export"
SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz", ".parquet")
INVOICE_MONTH_FOLDER = re.compile(r"^invoice_month=\d{6}$")
CSV_REASON = ("a Google Cloud CSV is not a BigQuery billing export extract; extract the table as JSON lines "
              "(bq extract --destination_format NEWLINE_DELIMITED_JSON) or parquet")
# A character that valid JSON cannot hold unescaped: reading a JSON-lines file "as CSV" with it as the
# delimiter gives one field per line, so a line that is not JSON is kept and reported, not skipped.
JSON_LINE_DELIMITER = "\x1f"

# Google Cloud billing export (BigQuery standard/detailed usage cost export), read from
# newline-delimited JSON or parquet in the export table's nested shape. (raw column, JSON path,
# required). Arrays (`credits`, labels) are kept as JSON text and unpacked in staging.
GCP_FIELDS: list[tuple[str, str, bool]] = [
    ("billing_account_id", "$.billing_account_id", True),
    ("service_id", "$.service.id", False),
    ("service_description", "$.service.description", False),
    ("sku_id", "$.sku.id", False),
    ("sku_description", "$.sku.description", False),
    ("usage_start_time", "$.usage_start_time", True),
    ("usage_end_time", "$.usage_end_time", True),
    ("project_id", "$.project.id", False),
    ("project_number", "$.project.number", False),
    ("project_name", "$.project.name", False),
    ("project_labels", "$.project.labels", False),
    ("labels", "$.labels", False),
    ("system_labels", "$.system_labels", False),
    ("location_location", "$.location.location", False),
    ("location_country", "$.location.country", False),
    ("location_region", "$.location.region", False),
    ("location_zone", "$.location.zone", False),
    ("resource_name", "$.resource.name", False),
    ("resource_global_name", "$.resource.global_name", False),
    ("export_time", "$.export_time", False),
    ("cost", "$.cost", True),
    ("currency", "$.currency", True),
    ("currency_conversion_rate", "$.currency_conversion_rate", False),
    ("usage_amount", "$.usage.amount", False),
    ("usage_unit", "$.usage.unit", False),
    ("usage_amount_in_pricing_units", "$.usage.amount_in_pricing_units", False),
    ("usage_pricing_unit", "$.usage.pricing_unit", False),
    ("credits", "$.credits", False),
    ("invoice_month", "$.invoice.month", True),
    ("cost_type", "$.cost_type", True),
    ("adjustment_info_id", "$.adjustment_info.id", False),
    ("adjustment_info_description", "$.adjustment_info.description", False),
    ("adjustment_info_mode", "$.adjustment_info.mode", False),
    ("adjustment_info_type", "$.adjustment_info.type", False),
    ("price_effective_price", "$.price.effective_price", False),
    ("price_unit", "$.price.unit", False),
    ("price_pricing_unit_quantity", "$.price.pricing_unit_quantity", False),
    ("cost_at_list", "$.cost_at_list", False),
    ("transaction_type", "$.transaction_type", False),
    ("seller_name", "$.seller_name", False),
    ("subscription_instance_id", "$.subscription.instance_id", False),
]
GCP_RAW_COLUMNS = [name for name, _, _ in GCP_FIELDS]


def _is_gcp_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(SUFFIXES)


def find_files(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    stray = sorted(p for p in source_dir.iterdir() if _is_gcp_file(p))
    if stray:
        raise LandingError(
            f"{relative(stray[0], landing)}: billing export files go in one subfolder per export (gcp/<export>/); "
            "move it there."
        )
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and visible(p)):
        tree = walk(export_dir)
        files = sorted(p for p in tree if _is_gcp_file(p))
        superseded: dict[Path, str] = {}
        for month_dir in sorted(p for p in tree if p.name.startswith("invoice_month=") and p.is_dir()):
            if not INVOICE_MONTH_FOLDER.match(month_dir.name):
                raise LandingError(
                    f"{relative(month_dir, landing)}: an invoice month folder is named invoice_month=YYYYMM "
                    "(e.g. invoice_month=202608); rename it, or every extract in it would count."
                )
            extracts = sorted(p for p in month_dir.iterdir() if p.is_dir() and visible(p))
            direct = [p for p in month_dir.iterdir() if _is_gcp_file(p)]
            if extracts and direct:
                raise LandingError(
                    f"{relative(month_dir, landing)}: holds both files and extract folders, so it is not clear "
                    "which extract of the month counts; move the files into an extract folder named by its time."
                )
            for old in extracts[:-1]:
                for f in files:
                    if old in f.parents:
                        superseded[f] = f"replaced by the newer extract {extracts[-1].name} of {month_dir.name}"
        for f in files:
            flavor = "gcp_parquet" if f.name.lower().endswith(".parquet") else "gcp_json"
            reason = superseded.get(f, "")
            found.append(LandingFile("gcp", export_dir.name, f, flavor, "superseded" if reason else "current",
                                     None, reason))
    return found


def is_read_metadata(path: Path) -> bool:  # noqa: ARG001 - every provider answers it
    return False


def not_read_reason(path: Path) -> tuple[str, bool] | None:
    if path.name.lower().endswith((".csv", ".csv.gz")):
        return CSV_REASON, True
    return None


def raw_columns() -> str:
    return ", ".join(f"{c} VARCHAR" for c in GCP_RAW_COLUMNS)


def select(loader, f: LandingFile) -> tuple[str, str, None]:
    """(select list, relation) for one Google Cloud billing export parquet file: each row as a JSON
    object (`record`), its fields picked by path; arrays and label lists stay JSON text."""
    relation = _extracted(f"(select to_json(t) as record, t.file_row_number from "
                          f"read_parquet({sql_str(str(f.path))}, file_row_number = true) as t)")
    return _fields(), relation, None


JSON_TEXT_FIELDS = ("credits", "labels", "system_labels", "project_labels")


def _extracted(relation: str) -> str:
    """The relation with every field's value picked from `record` in one parse of the JSON per row
    (`_values`: text of each field, in GCP_FIELDS order; `_json`: the JSON text fields). One `->>`
    per field would parse each row's JSON once per field, 40 times."""
    paths = ", ".join(sql_str(path) for _, path, _ in GCP_FIELDS)
    json_paths = ", ".join(sql_str(path) for name, path, _ in GCP_FIELDS if name in JSON_TEXT_FIELDS)
    return (f"(select *, json_extract_string(record, [{paths}]) as _values, "
            f"json_extract(record, [{json_paths}]) as _json from {relation})")


def _fields() -> str:
    """The raw columns, from a relation made by _extracted()."""
    cols = []
    json_fields = [name for name, _, _ in GCP_FIELDS if name in JSON_TEXT_FIELDS]
    for i, (name, _, _) in enumerate(GCP_FIELDS, start=1):
        if name in JSON_TEXT_FIELDS:
            cols.append(f"cast(_json[{json_fields.index(name) + 1}] as varchar) as {name}")
        else:
            cols.append(f"_values[{i}] as {name}")
    return ", ".join(cols)


def _json_lines_relation(path: Path) -> str:
    """A JSON-lines file read "as CSV" with one field per line, so a line that is not JSON is kept."""
    return (
        f"(select try_cast(line as json) as record, line from read_csv({sql_str(str(path))}, "
        f"header = false, auto_detect = false, columns = {{'line': 'VARCHAR'}}, "
        f"delim = {sql_str(JSON_LINE_DELIMITER)}, quote = '', escape = '', max_line_size = {MAX_LINE_BYTES}, "
        f"buffer_size = {MAX_LINE_BYTES}, store_rejects = true, rejects_table = 'reject_errors', rejects_scan = 'reject_scans'))"
    )


def load_rows(loader, f: LandingFile, meta: str) -> tuple[int, list[RejectedLine], str] | None:
    """A JSON-lines file is read here (rows loaded, rejected lines, note); a parquet extract goes
    through select() like every other provider's files (None)."""
    return _load_json_lines(loader, f, meta) if f.flavor == "gcp_json" else None


def _load_json_lines(loader, f: LandingFile, meta: str) -> tuple[int, list[RejectedLine], str]:
    """JSON lines: every non-blank line is a row; a line that is not a JSON object, or that the reader
    rejects (longer than its limit), is a rejected line. Rows are numbered by their line in the file."""
    _, note = loader.read_into_file_rows(f, "record, line", _json_lines_relation)
    lines = loader.rejected_lines()
    # Lines the reader rejected are not in _file_rows: the n-th line read is file line n + the number
    # of rejected lines r_j (sorted, j from 1) with r_j - j < n.
    skipped = "0"
    if lines:
        before = ", ".join(str(line.line_number - j) for j, line in enumerate(lines, start=1))
        skipped = f"(select count(*) from unnest([{before}]) as s(before) where before < n)"
    loader.con.execute(
        f"create or replace temp table _file_rows_numbered as select *, n + {skipped} as _source_row_number "
        "from (select *, rowid - (select min(rowid) from _file_rows) + 1 as n from _file_rows)"
    )
    loaded = loader.stage(RAW_TABLE, f"select {_fields()}, {meta}, _source_row_number "
                                     f"from {_extracted('_file_rows_numbered')} where json_type(record) = 'OBJECT'")
    invalid = loader.con.execute(
        "select _source_row_number, case when record is null then 'the line is not valid JSON' "
        "else 'the line is JSON but not an object' end, line from _file_rows_numbered "
        "where trim(line) <> '' and coalesce(json_type(record), '') <> 'OBJECT' order by 1"
    ).fetchall()
    loader.con.execute("drop table _file_rows_numbered")
    loader.con.execute("drop table _file_rows")
    lines += [RejectedLine(number, "INVALID JSON", message, text) for number, message, text in invalid]
    return loaded, sorted(lines, key=lambda line: line.line_number), note
