"""Writing the checked mapping files to the warehouse's raw.mapping_* tables."""

from __future__ import annotations

from pathlib import Path

from ..database import connect
from ..settings import money_type
from .across_files import read_mappings
from .specs import MAPPING_FILES, Column


def _sql_type(column: Column, money_type: str) -> str:
    return {"DECIMAL": money_type, "MONTH": "DATE"}.get(column.sql_type, column.sql_type)


def write_mappings(parsed: dict[str, list[dict]], duckdb_path: Path) -> None:
    """(Re)write the raw.mapping_* tables from read_mappings' result, in one transaction; DECIMAL
    columns get the warehouse's money type (settings.money_type)."""

    con = connect(duckdb_path)
    try:
        con.execute("begin transaction")
        con.execute("create schema if not exists raw")
        for spec in MAPPING_FILES:
            columns = ", ".join(f"{c.name} {_sql_type(c, money_type())}" for c in spec.columns)
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
