"""Find the files that count in a landing folder, applying each provider's delivery rules.

Landing contract (`FINOPS_LANDING_DIR`): one folder per provider (providers.py lists them: aws_cur/,
aws_cur2/, focus/, azure/, gcp/); a missing source folder means the source is off. Each provider
module states its folder layout and re-delivery rule (which delivery of a period counts; the others
are recorded as `superseded`).

Folders whose name starts with `_` or `.` are ignored (the generator keeps its answers in `_truth`).
A path with glob characters (* ? [ ] { }), which DuckDB would expand, stops the load.

Nothing is left unread without a word: every other file under a source folder that is not read is
listed with status `not read` and the reason. A file of a kind the source does not read (a Google
Cloud CSV, a stray `.txt`) also gives a warning; a delivery's own metadata that is deliberately not
interpreted (CUR 2.0 and FOCUS export manifests, an assembly folder's copy of the CUR manifest, the
Athena integration's `cost_and_usage_data_status` table and `crawler-cfn.yml`) is listed without one.

Links: a symbolic link (to a file or a folder) whose target lies outside the landing folder stops the
load, naming the link and its target; links inside it are followed, and the file's lineage
(`_source_file`) is the path of the file it resolves to, with the link's path kept beside it. A file
reached twice (through a link and directly, or through two links) stops the load.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .files import (
    GLOB_CHARACTERS,
    NOT_READ,
    LandingError,
    LandingFile,
    delivery_of,
    refuse_outside_link,
    relative,
    visible,
    walk,
)
from .providers import PROVIDERS, SOURCES


def _check_links(source_dir: Path, landing: Path) -> None:
    """Every link the readers could meet under `source_dir` (itself included) stays inside the landing
    folder."""
    if source_dir.is_symlink():
        refuse_outside_link(source_dir, landing)
    walk(source_dir, landing)


def _folders() -> str:
    """`aws_cur/, aws_cur2/, focus/, azure/ and gcp/`: the source folders, as the registry lists them."""
    folders = [f"{source}/" for source in SOURCES]
    return ", ".join(folders[:-1]) + " and " + folders[-1]


def _not_read_reason(source: str, path: Path) -> tuple[str, bool]:
    """Why a file under a source folder is not read, and whether that deserves a warning (a delivery's own
    metadata, which the layout expects and the loader deliberately leaves alone, does not)."""
    if not path.exists():
        return f"a link to {path.resolve()}, which does not exist", True
    provider = PROVIDERS[source]
    return provider.not_read_reason(path) or (
        f"not a billing data file (the loader reads {', '.join(provider.SUFFIXES)} files in {source}/)", True)


def _not_read(source: str, source_dir: Path, found: list[LandingFile]) -> list[LandingFile]:
    """Every file under `source_dir` that is neither a data file found by the source's reader nor a
    manifest it reads, with the reason it is not read (the flavour tells whether it is worth a warning)."""
    seen = {f.path for f in found}
    unread = []
    for path in walk(source_dir):
        if path in seen or path.is_dir() or PROVIDERS[source].is_read_metadata(path):
            continue
        reason, warn = _not_read_reason(source, path)
        parts = path.relative_to(source_dir).parts
        unread.append(LandingFile(source, parts[0] if len(parts) > 1 else "", path, "" if warn else "metadata",
                                  NOT_READ, None, reason))
    return unread


def _with_lineage(f: LandingFile, landing: Path) -> LandingFile:
    """The file's lineage path: where it sits, or, reached through a link, the file the link resolves to."""
    found = relative(f.path, landing)
    root = landing.resolve()
    real = f.path.resolve()
    if real == root / found:
        return replace(f, source_file=found)
    return replace(f, source_file=relative(real, root), link_path=found)


def discover(landing: Path) -> tuple[list[LandingFile], list[str]]:
    """Every file under `landing`'s source folders with its status (`current`, `superseded`, or `not read`
    with the reason), and warnings for the user."""
    if not landing.is_dir():
        raise LandingError(f"{landing}: the landing folder does not exist; set FINOPS_LANDING_DIR to the folder "
                           f"that holds {_folders()}, or unset it to use generated sample data.")
    warnings: list[str] = []
    files: list[LandingFile] = []
    for source, provider in PROVIDERS.items():
        source_dir = landing / source
        if not source_dir.is_dir():
            continue
        _check_links(source_dir, landing)
        found = provider.find_files(source_dir, landing)
        unread = _not_read(source, source_dir, found)
        warned = [f for f in unread if f.flavor != "metadata"]
        warnings += [f"{relative(f.path, landing)}: not read: {f.reason}." for f in warned]
        if not found:
            state = ("no file in it is read (see above)" if warned else "it holds no billing data file" if unread
                     else "the folder is empty")
            warnings.append(f"{source}/: {state}, so this source contributes no rows.")
        files.extend(found + unread)
    files = [_with_lineage(f, landing) for f in files]
    files = [replace(f, delivery=delivery_of(f.source, f.export, f.path, landing)) if f.status != NOT_READ else f
             for f in files]
    reached: dict[str, LandingFile] = {}
    for f in files:
        first = reached.setdefault(f.source_file, f)
        if first is not f:
            raise LandingError(
                f"{first.link_path or first.source_file} and {f.link_path or f.source_file}: are the same file "
                f"({f.source_file}), reached twice through a link, so it would be read twice; remove the link "
                "and run again."
            )
    for f in files:
        if f.status == "current" and GLOB_CHARACTERS.search(str(f.path)):
            raise LandingError(
                f"{relative(f.path, landing)}: the path contains one of * ? [ ] {{ }}, which DuckDB would read "
                "as a pattern matching other files; rename the file or folder."
            )
    for extra in sorted(p for p in landing.iterdir() if visible(p) and p.name not in PROVIDERS):
        warnings.append(f"{extra.name}: not a source folder this warehouse reads ({', '.join(SOURCES)}); ignored.")
    return files, warnings
