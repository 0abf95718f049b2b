"""AWS CUR 2.0 (Data Exports): folder layout; the columns and reading are legacy CUR's (aws_cur.py).

Layout (under aws_cur2/):
    <export>/data/BILLING_PERIOD=YYYY-MM/*.parquet

CUR 2.0 is overwritten in place by AWS, so every data file of a period counts; its `metadata/`
manifests are listed as not read, without a warning.
"""

from __future__ import annotations

from pathlib import Path

from . import aws_cur
from .files import DATA_SUFFIXES, LandingError, LandingFile, data_files, relative, visible

SOURCE = "aws_cur2"
RAW_TABLE = "aws_cur2_line_items"
SUFFIXES = DATA_SUFFIXES
# One raw column set for every AWS flavour: CUR 2.0 reads into legacy CUR's columns.
raw_columns = aws_cur.raw_columns
select = aws_cur.select


def find_files(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and visible(p)):
        data_dir = export_dir / "data"
        files = data_files(data_dir) if data_dir.is_dir() else []
        stray = [f for f in data_files(export_dir) if data_dir not in f.parents and "metadata" not in f.parts]
        if stray:
            raise LandingError(
                f"{relative(stray[0], landing)}: CUR 2.0 data files belong under "
                f"{export_dir.name}/data/BILLING_PERIOD=YYYY-MM/; move it there."
            )
        for f in files:
            if not any(part.startswith("BILLING_PERIOD=") for part in f.relative_to(data_dir).parts):
                raise LandingError(
                    f"{relative(f, landing)}: CUR 2.0 data files must sit in a BILLING_PERIOD=YYYY-MM folder "
                    "as Data Exports writes them; move it there."
                )
            found.append(LandingFile("aws_cur2", export_dir.name, f, "cur2", "current"))
    return found


def is_read_metadata(path: Path) -> bool:  # noqa: ARG001 - every provider answers it
    return False


def not_read_reason(path: Path) -> tuple[str, bool] | None:
    if "metadata" in path.parts:
        return "a CUR 2.0 export manifest, not interpreted: every data file of a period counts", False
    return None
