"""What every provider's discovery shares: the file record, the landing error, and walking a source
folder (hidden folders skipped, links checked)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
PERIOD_FOLDER = re.compile(r"^\d{8}-\d{8}$")
# DuckDB reads a path with these characters as a glob pattern, which could read other files.
GLOB_CHARACTERS = re.compile(r"[*?\[\]{}]")


NOT_READ = "not read"


class LandingError(InputError):
    """A landing problem the user must fix; the message is one sentence naming the file."""


@dataclass(frozen=True)
class LandingFile:
    source: str  # aws_cur | aws_cur2 | focus | azure | gcp
    export: str  # report / export name (first folder under the source)
    path: Path  # where the file sits in the landing layout (through a link, the link's path)
    flavor: str  # cur_csv | cur_parquet | cur2 | focus | azure_actual | azure_amortized | gcp_json | gcp_parquet
    status: str  # current | superseded | not read
    assembly_id: str | None = None
    reason: str = ""
    source_file: str = ""  # lineage: the file's path relative to the landing folder, links resolved
    link_path: str | None = None  # the path it was found at, when that goes through a link
    delivery: str = ""  # the delivery it belongs to (delivery_of); empty for files not read


# A billing period's folder, as each provider names it: AWS legacy CUR's and Azure's
# `yyyymmdd-yyyymmdd`, Google Cloud's `invoice_month=YYYYMM`, CUR 2.0's `BILLING_PERIOD=YYYY-MM`,
# FOCUS exports' `billing_period=YYYY-MM` (any case); the Athena flavour's `year=YYYY/month=M` pair.
PERIOD_FOLDER_NAME = re.compile(r"^(\d{8}-\d{8}|(billing_period|invoice_month)=.+)$", re.IGNORECASE)
YEAR_FOLDER = re.compile(r"^year=\d+$", re.IGNORECASE)
MONTH_FOLDER = re.compile(r"^month=\d+$", re.IGNORECASE)


def delivery_of(source: str, export: str, path: Path, landing: Path) -> str:
    """The delivery a data file belongs to: one billing period of one export, as the landing folder
    holds it (DECISIONLOG D59). `<source>/<export>/<folders down to the period folder>`: the first
    period folder below the export (so AWS's assembly folders, Azure's runs and Google Cloud's
    extracts of one period are one delivery, whichever of them counts); without one, the folder
    that holds the file (a CUR 2.0 or FOCUS export partitioned some other way)."""
    parts = path.relative_to(landing / source / export).parts[:-1] if export else ()
    for i, part in enumerate(parts):
        if PERIOD_FOLDER_NAME.match(part):
            return "/".join((source, export, *parts[: i + 1]))
        if YEAR_FOLDER.match(part) and i + 1 < len(parts) and MONTH_FOLDER.match(parts[i + 1]):
            return "/".join((source, export, *parts[: i + 2]))
    return "/".join((source, export, *parts)) if export else source


def delivery_id(delivery: str) -> str:
    """A delivery's id: stable across loads and safe as a file name."""
    import hashlib

    return hashlib.sha256(delivery.encode("utf-8")).hexdigest()[:16]


def is_data_file(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and name.endswith(DATA_SUFFIXES)


def visible(path: Path) -> bool:
    return not path.name.startswith(("_", "."))


def walk(folder: Path, landing: Path | None = None) -> list[Path]:
    """Every file and folder below `folder` whose path (below it) has no hidden (`_`, `.`) part, following
    links to folders; a link back to a folder already on the way down is not followed again. Given the
    landing folder, a link whose target lies outside it stops the walk before it is followed (discover()
    walks each source folder so first; the readers' walks then meet only links that stay inside)."""
    found: list[Path] = []

    def visit(current: Path, ancestors: frozenset[Path]) -> None:
        for entry in sorted(current.iterdir()):
            if not visible(entry):
                continue
            if landing is not None and entry.is_symlink():
                refuse_outside_link(entry, landing)
            found.append(entry)
            if entry.is_dir():
                real = entry.resolve()
                if real not in ancestors:
                    visit(entry, ancestors | {real})

    if folder.is_dir():
        visit(folder, frozenset({folder.resolve()}))
    return found


def data_files(folder: Path) -> list[Path]:
    return sorted(p for p in walk(folder) if is_data_file(p))


def relative(path: Path, landing: Path) -> str:
    try:
        return str(path.relative_to(landing))
    except ValueError:
        return str(path)


def refuse_outside_link(link: Path, landing: Path) -> None:
    """A link whose target lies outside the landing folder stops the load: its files would be read as if
    they had been delivered here."""
    root = landing.resolve()
    target = link.resolve()
    if target != root and root not in target.parents:
        raise LandingError(
            f"{relative(link, landing)}: is a link to {target}, outside the landing folder, so its files "
            "would be read as if they had been delivered here; copy them into the landing folder instead "
            "of linking them (or set FINOPS_LANDING_DIR to the folder that holds them) and run again."
        )
