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
