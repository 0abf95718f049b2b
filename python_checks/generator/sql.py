"""SQL text helpers the Azure and Google Cloud writers share: exact decimal literals and the cast of
a row of expressions to a writer's fixed column set."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

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
