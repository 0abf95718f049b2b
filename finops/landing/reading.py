"""How the loader reads a file with DuckDB, shared by the providers: SQL quoting, a CSV file's header
and read settings, the scratch tables a load writes."""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .files import LandingError

CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class CsvSpec:
    """How a CSV file is read: its header (one column per field, `c0`, `c1`...) and null strings."""

    header: list[str]
    null_strings: list[str]


def loading_table(table: str) -> str:
    """The table a load writes: the raw tables are replaced by these only once every file is read."""
    return f"raw.{table}__loading"


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_header(path: Path, rel: str) -> list[str]:
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


def map_expr(entries: list[tuple[str, str]]) -> str:
    """A MAP of the non-empty values of the given (key, column expression) pairs."""
    if not entries:
        return "cast(map() as map(varchar, varchar))"
    structs = ", ".join(f"{{'k': {sql_str(k)}, 'v': nullif(trim(cast({expr} as varchar)), '')}}" for k, expr in entries)
    return f"map_from_entries(list_filter([{structs}], e -> e.v is not null))"
