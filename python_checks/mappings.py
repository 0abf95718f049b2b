"""User-maintained mapping files: what billing data lacks, supplied as CSV in FINOPS_MAPPINGS_DIR.

Each file is optional. `finops load` validates every file it finds and writes it, typed, to a
`raw.mapping_<name>` table (an empty table when the file is absent), so models never depend on
a file existing. A file that breaks its rules stops the load with one sentence naming the file,
the row and what to fix; nothing is half-loaded (one transaction).

| file              | what it adds                                                            |
|-------------------|-------------------------------------------------------------------------|
| `commitments.csv` | terms of commitments the billing data does not state (see below)        |

`commitments.csv` columns (only `commitment_discount_id` is required; an empty cell means "take
it from the billing data"):
  commitment_discount_id       the CommitmentDiscountId as billed
  term_start, term_end         the term, ISO date or date-time (UTC), end exclusive
  term_months                  term length, when term_end is not given
  payment_option               All Upfront | Partial Upfront | No Upfront
  scope                        free text: where the commitment applies (region, family, account)
  committed_quantity_per_hour  what the commitment provides per hour, in committed_unit
  committed_unit               the unit of committed_quantity_per_hour (e.g. Hours, USD)
  note                         free text for the reader
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .landing.discover import LandingError

PAYMENT_OPTIONS = ("All Upfront", "Partial Upfront", "No Upfront")


class MappingError(LandingError):
    """A mapping file breaks its rules; the message names the file, the row and the fix."""


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # VARCHAR | TIMESTAMP | INTEGER | DECIMAL
    required: bool = False


@dataclass(frozen=True)
class MappingFile:
    name: str  # file stem; the raw table is raw.mapping_<name>
    columns: tuple[Column, ...]
    key: tuple[str, ...]


COMMITMENTS = MappingFile(
    name="commitments",
    columns=(
        Column("commitment_discount_id", "VARCHAR", required=True),
        Column("term_start", "TIMESTAMP"),
        Column("term_end", "TIMESTAMP"),
        Column("term_months", "INTEGER"),
        Column("payment_option", "VARCHAR"),
        Column("scope", "VARCHAR"),
        Column("committed_quantity_per_hour", "DECIMAL"),
        Column("committed_unit", "VARCHAR"),
        Column("note", "VARCHAR"),
    ),
    key=("commitment_discount_id",),
)

MAPPING_FILES = (COMMITMENTS,)


def _parse(value: str, column: Column, where: str):  # noqa: ANN202 - typed per column
    if column.sql_type == "VARCHAR":
        return value
    if column.sql_type == "TIMESTAMP":
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MappingError(f"{where}: {column.name} '{value}' is not an ISO date or date-time; "
                               "write it like 2026-07-01 or 2026-07-01T00:00:00Z.") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return parsed
    if column.sql_type == "INTEGER":
        if not value.isdigit() or int(value) <= 0:
            raise MappingError(f"{where}: {column.name} '{value}' is not a positive whole number.")
        return int(value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise MappingError(f"{where}: {column.name} '{value}' is not a number; write it like 1.25.") from None
    if not number.is_finite() or number <= 0:
        raise MappingError(f"{where}: {column.name} '{value}' must be a positive number.")
    return number


def _check_commitment(row: dict, where: str) -> None:
    if row["payment_option"] is not None and row["payment_option"] not in PAYMENT_OPTIONS:
        raise MappingError(f"{where}: payment_option '{row['payment_option']}' is not one of "
                           f"{', '.join(PAYMENT_OPTIONS)}.")
    if row["term_start"] and row["term_end"] and row["term_end"] <= row["term_start"]:
        raise MappingError(f"{where}: term_end {row['term_end']:%Y-%m-%d %H:%M} is not after term_start "
                           f"{row['term_start']:%Y-%m-%d %H:%M}.")
    if row["term_end"] and row["term_months"]:
        raise MappingError(f"{where}: give term_end or term_months, not both.")
    if (row["committed_quantity_per_hour"] is None) != (row["committed_unit"] is None):
        raise MappingError(f"{where}: committed_quantity_per_hour and committed_unit go together; "
                           "fill both or neither.")


CHECKS = {"commitments": _check_commitment}


def read_mapping(path: Path, spec: MappingFile) -> list[dict]:
    """Rows of one mapping file, typed and checked; MappingError names the file and row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            known = {c.name for c in spec.columns}
            missing = [c.name for c in spec.columns if c.required and c.name not in header]
            if missing:
                raise MappingError(f"{path}: the header lacks the required column(s) {', '.join(missing)}; "
                                   f"the columns are {', '.join(c.name for c in spec.columns)}.")
            unknown = [h for h in header if h not in known]
            if unknown:
                raise MappingError(f"{path}: unknown column(s) {', '.join(unknown)}; "
                                   f"the columns are {', '.join(c.name for c in spec.columns)}.")
            rows, seen = [], {}
            for line_number, raw in enumerate(reader, start=2):
                where = f"{path}, row {line_number}"
                if None in raw:
                    raise MappingError(f"{where}: more fields than the header has columns.")
                values = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
                if not any(values.values()):
                    continue
                row = {}
                for column in spec.columns:
                    text = values.get(column.name, "")
                    if not text:
                        if column.required:
                            raise MappingError(f"{where}: {column.name} is empty; every row needs one.")
                        row[column.name] = None
                    else:
                        row[column.name] = _parse(text, column, where)
                CHECKS[spec.name](row, where)
                key = tuple(row[k] for k in spec.key)
                if key in seen:
                    raise MappingError(f"{where}: {', '.join(spec.key)} {', '.join(map(str, key))} is already "
                                       f"on row {seen[key]}; keep one row per {', '.join(spec.key)}.")
                seen[key] = line_number
                rows.append(row)
    except UnicodeDecodeError:
        raise MappingError(f"{path}: not UTF-8 text; save it as UTF-8 CSV.") from None
    except csv.Error as exc:
        raise MappingError(f"{path}: not a readable CSV file ({exc}).") from None
    return rows


def _sql_type(column: Column, money_type: str) -> str:
    return money_type if column.sql_type == "DECIMAL" else column.sql_type


def read_mappings(mappings_dir: Path) -> dict[str, list[dict]]:
    """Every mapping file of mappings_dir, read and checked (an absent file gives no rows)."""
    if not mappings_dir.is_dir():
        raise MappingError(f"{mappings_dir}: the mappings folder (FINOPS_MAPPINGS_DIR) does not exist; create it "
                           "or unset FINOPS_MAPPINGS_DIR to use the samples in seeds/mappings.")
    parsed = {}
    for spec in MAPPING_FILES:
        path = mappings_dir / f"{spec.name}.csv"
        parsed[spec.name] = read_mapping(path, spec) if path.is_file() else []
    return parsed


def write_mappings(parsed: dict[str, list[dict]], duckdb_path: Path, money_type: str = "DECIMAL(38, 12)") -> None:
    """(Re)write the raw.mapping_* tables from read_mappings' result, in one transaction."""
    import duckdb

    con = duckdb.connect(str(duckdb_path))
    try:
        con.execute("begin transaction")
        con.execute("create schema if not exists raw")
        for spec in MAPPING_FILES:
            columns = ", ".join(f"{c.name} {_sql_type(c, money_type)}" for c in spec.columns)
            con.execute(f"create or replace table raw.mapping_{spec.name} ({columns})")
            rows = parsed[spec.name]
            if rows:
                marks = ", ".join("?" for _ in spec.columns)
                con.executemany(f"insert into raw.mapping_{spec.name} values ({marks})",
                                [[row[c.name] for c in spec.columns] for row in rows])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()


def load_mappings(mappings_dir: Path, duckdb_path: Path) -> dict[str, int]:
    """Read, check and write every mapping file; returns rows per file."""
    parsed = read_mappings(mappings_dir)
    write_mappings(parsed, duckdb_path)
    return {name: len(rows) for name, rows in parsed.items()}
