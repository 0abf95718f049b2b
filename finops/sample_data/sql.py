"""What the Azure and Google Cloud writers share: exact decimal literals, the cast of a row of
expressions to a writer's fixed column set, and the result a writer hands back to `generate()`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .aws import Month

DEC = "DECIMAL(38,12)"


def dec(v: Decimal) -> str:
    """An exact DECIMAL literal."""
    return f"CAST('{format(v, 'f')}' AS {DEC})"


def dec_list(values: Iterable[Decimal]) -> str:
    """An exact DECIMAL[] literal (index it 1-based in SQL)."""
    return "([" + ", ".join(format(v, "f") for v in values) + f"]::{DEC}[])"


def cast_to_columns(exprs: dict[str, str], columns: tuple[tuple[str, str], ...], table: str) -> str:
    """Select list giving every column of `columns` (name, type) from `exprs`, NULL where absent; an
    expression for a column the table does not have is a programming error."""
    unknown = set(exprs) - {name for name, _ in columns}
    if unknown:
        raise KeyError(f"unknown {table} columns {sorted(unknown)}")
    return ", ".join(f"CAST({exprs.get(c, 'NULL')} AS {t}) AS {c}" for c, t in columns)


@dataclass
class ExportResult:
    """Files written, truth totals ((report index, month index), expected_totals row), current rows per
    export, rows in superseded deliveries, and (account, owner) truth rows."""

    files: list[Path] = field(default_factory=list)
    totals: list[tuple[tuple[int, int], tuple]] = field(default_factory=list)
    rows_by_report: dict[str, int] = field(default_factory=dict)
    stale_rows: int = 0
    owners: list[tuple[str, str]] = field(default_factory=list)


def delivery_time(m: Month, stale: bool, stale_days: int) -> dt.datetime:
    """When a month's export run (Azure) or extract (Google Cloud) is written: the day after the month
    closes (or its last day, while open); the stale re-delivery a day after its first `stale_days`."""
    if stale:
        return m.start + dt.timedelta(days=stale_days + 1)
    return m.end + dt.timedelta(days=1) if not m.is_open else m.end
