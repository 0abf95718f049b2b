"""Find the files that count in a landing folder, applying each provider's delivery rules.

Landing contract (`FINOPS_LANDING_DIR`; a missing source folder means the source is off):

aws_cur/<report>/<yyyymmdd-yyyymmdd>/<assembly-id>/<report>-<n>.csv.gz  (.csv, .parquet too)
aws_cur/<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json            names the current assembly
aws_cur/<report>/<report>/year=YYYY/month=M/*.parquet                  Athena-integration flavour
aws_cur2/<export>/data/BILLING_PERIOD=YYYY-MM/*.parquet                CUR 2.0 / Data Exports
focus/<export>/**/*.csv|.csv.gz|.parquet                               native FOCUS exports
azure/<export>/<yyyymmdd-yyyymmdd>/<run-id>/*.csv|.csv.gz|.parquet      Azure cost details exports
azure/<export>/<yyyymmdd-yyyymmdd>/*.csv                               (older exports: a file per run)
gcp/<export>/**/*.jsonl|.json|.ndjson(.gz)|.parquet                    Google Cloud billing export
gcp/<export>/invoice_month=YYYYMM/<extract>/...                        re-extracts of one invoice month

Re-delivery rule (legacy CUR): AWS re-delivers a billing period many times until it closes,
each time into a new assembly folder, and rewrites the period's manifest to name the newest.
Only the files of the assembly that the manifest names count; the other assemblies are recorded
as `superseded`. Without a manifest, the assembly folder whose files were written last
(modification time, then folder name) counts. Files written straight into the period folder
(the "overwrite" report versioning) count as they are. The Athena flavour and CUR 2.0 are
overwritten in place by AWS, so every data file under them counts.

Azure: each export folder is one export definition, actual cost or amortised cost; its type comes
from the run's manifest.json (`exportConfig.type`), else from the folder name (it must contain
"actual" or "amortized"/"amortised"). Both types must be landed: FOCUS needs the amortised rows and
the actual export's commitment purchases. Every run of an export for a date range writes a new run
folder (older exports: a new file in the range folder); the newest run of a range replaces the
earlier ones (manifest `runInfo.submittedTime`, else the files' modification time, then the name).
Two date-range folders of one export that overlap without being equal stop the load: their days
would be counted twice.

Google Cloud: BigQuery's export table is extracted as newline-delimited JSON (or parquet). A month
extracted again goes into a new subfolder of `invoice_month=YYYYMM/`; the subfolder whose name
sorts last (name extracts by time, e.g. `20260903T0600Z`) counts, the others are superseded.

Folders whose name starts with `_` or `.` are ignored (the generator keeps its answers in `_truth`).
A period folder holding both direct files and assembly folders without a manifest is ambiguous and
stops the load, as does a path with glob characters (* ? [ ] { }), which DuckDB would expand.

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

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

SOURCES = ("aws_cur", "aws_cur2", "focus", "azure", "gcp")
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
GCP_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz", ".parquet")
PERIOD_FOLDER = re.compile(r"^\d{8}-\d{8}$")
INVOICE_MONTH_FOLDER = re.compile(r"^invoice_month=\d{6}$")
ATHENA_STATUS_FOLDER = "cost_and_usage_data_status"
# DuckDB reads a path with these characters as a glob pattern, which could read other files.
GLOB_CHARACTERS = re.compile(r"[*?\[\]{}]")


NOT_READ = "not read"
GCP_CSV_REASON = ("a Google Cloud CSV is not a BigQuery billing export extract; extract the table as JSON lines "
                  "(bq extract --destination_format NEWLINE_DELIMITED_JSON) or parquet")


class LandingError(Exception):
    """A landing problem the user must fix; the message is one sentence naming the file."""


@dataclass(frozen=True)
class LandingFile:
    source: str  # aws_cur | aws_cur2 | focus | azure | gcp
    export: str  # report / export name (first folder under the source)
    path: Path  # where the file sits in the landing layout (through a link, the link's path)
    flavour: str  # cur_csv | cur_parquet | cur2 | focus | azure_actual | azure_amortized | gcp_json | gcp_parquet
    status: str  # current | superseded | not read
    assembly_id: str | None = None
    reason: str = ""
    source_file: str = ""  # lineage: the file's path relative to the landing folder, links resolved
    link_path: str | None = None  # the path it was found at, when that goes through a link


def _is_data_file(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and name.endswith(DATA_SUFFIXES)


def _visible(path: Path) -> bool:
    return not path.name.startswith(("_", "."))


def _walk(folder: Path, landing: Path | None = None) -> list[Path]:
    """Every file and folder below `folder` whose path (below it) has no hidden (`_`, `.`) part, following
    links to folders; a link back to a folder already on the way down is not followed again. Given the
    landing folder, a link whose target lies outside it stops the walk before it is followed (discover()
    walks each source folder so first; the readers' walks then meet only links that stay inside)."""
    found: list[Path] = []

    def visit(current: Path, ancestors: frozenset[Path]) -> None:
        for entry in sorted(current.iterdir()):
            if not _visible(entry):
                continue
            if landing is not None and entry.is_symlink():
                _refuse_outside_link(entry, landing)
            found.append(entry)
            if entry.is_dir():
                real = entry.resolve()
                if real not in ancestors:
                    visit(entry, ancestors | {real})

    if folder.is_dir():
        visit(folder, frozenset({folder.resolve()}))
    return found


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in _walk(folder) if _is_data_file(p))


def _relative(path: Path, landing: Path) -> str:
    try:
        return str(path.relative_to(landing))
    except ValueError:
        return str(path)


def _cur_period(report_dir: Path, period_dir: Path, landing: Path) -> list[LandingFile]:
    """Files of one legacy CUR billing period, with the re-delivery rule applied."""
    report = report_dir.name
    direct = sorted(p for p in period_dir.iterdir() if _is_data_file(p))
    assemblies = sorted(p for p in period_dir.iterdir() if p.is_dir() and _visible(p))
    manifests = sorted(period_dir.glob("*Manifest.json"))
    found: list[LandingFile] = []

    def flavour(p: Path) -> str:
        return "cur_parquet" if p.name.lower().endswith(".parquet") else "cur_csv"

    current_assembly: str | None = None
    if manifests:
        manifest = manifests[0]
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
            current_assembly = str(content["assemblyId"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LandingError(
                f"{_relative(manifest, landing)}: the CUR manifest cannot be read ({exc.__class__.__name__}); "
                "re-download it from the report's S3 bucket or delete it to fall back to the newest assembly folder."
            ) from None
        if not (period_dir / current_assembly).is_dir():
            raise LandingError(
                f"{_relative(manifest, landing)}: the manifest names assembly {current_assembly}, but the folder "
                f"{_relative(period_dir / current_assembly, landing)} does not exist; copy that delivery from S3."
            )
        for key in content.get("reportKeys") or []:
            # reportKeys are S3 keys ending in <assembly>/<file>; the file must be in the landing copy.
            expected = period_dir / current_assembly / Path(key).name
            if not expected.is_file():
                raise LandingError(
                    f"{_relative(manifest, landing)}: the manifest lists {Path(key).name}, which is missing from "
                    f"{_relative(period_dir / current_assembly, landing)}; copy the complete delivery from S3."
                )
    elif assemblies:
        def written(folder: Path) -> tuple[float, str]:
            files = _data_files(folder)
            return (max((f.stat().st_mtime for f in files), default=0.0), folder.name)

        current_assembly = max(assemblies, key=written).name

    for folder in assemblies:
        files = _data_files(folder)
        is_current = folder.name == current_assembly
        for f in files:
            found.append(
                LandingFile(
                    "aws_cur", report, f, flavour(f),
                    "current" if is_current else "superseded",
                    folder.name,
                    "" if is_current else f"superseded by assembly {current_assembly}",
                )
            )
    if direct and assemblies and not manifests:
        raise LandingError(
            f"{_relative(period_dir, landing)}: this billing period holds both files written straight into it and "
            "assembly folders, with no manifest to say which delivery is current; copy the period's "
            "Manifest.json from S3, or remove the delivery that is not current."
        )
    if direct and current_assembly and manifests:
        for f in direct:
            found.append(LandingFile("aws_cur", report, f, flavour(f), "superseded", None,
                                     f"the manifest names assembly {current_assembly}"))
    else:
        found.extend(LandingFile("aws_cur", report, f, flavour(f), "current") for f in direct)
    if not any(f.status == "current" for f in found):
        raise LandingError(
            f"{_relative(period_dir, landing)}: this billing period folder holds no CUR data file "
            "(.csv, .csv.gz or .parquet); copy the delivery from S3 or remove the empty folder."
        )
    return found


def _aws_cur(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for report_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and _visible(p)):
        periods = sorted(p for p in report_dir.iterdir() if p.is_dir() and PERIOD_FOLDER.match(p.name))
        for period_dir in periods:
            found.extend(_cur_period(report_dir, period_dir, landing))
        others = [p for p in report_dir.iterdir() if _visible(p) and p not in periods and not p.name.endswith(".json")]
        for other in sorted(others):
            files = [other] if _is_data_file(other) else _data_files(other) if other.is_dir() else []
            # The Athena integration writes a refresh-status table beside the data: not billing data.
            files = [f for f in files if ATHENA_STATUS_FOLDER not in f.parts]
            for f in files:
                if "year=" not in str(f.relative_to(report_dir)) or not f.name.lower().endswith(".parquet"):
                    raise LandingError(
                        f"{_relative(f, landing)}: not in a CUR delivery layout (<report>/<yyyymmdd-yyyymmdd>/"
                        "<assembly>/ or the Athena flavour's <report>/<report>/year=YYYY/month=M/*.parquet); "
                        "move it into one of those layouts."
                    )
                found.append(LandingFile("aws_cur", report_dir.name, f, "cur_parquet", "current"))
    return found


def _aws_cur2(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and _visible(p)):
        data_dir = export_dir / "data"
        files = _data_files(data_dir) if data_dir.is_dir() else []
        stray = [f for f in _data_files(export_dir) if data_dir not in f.parents and "metadata" not in f.parts]
        if stray:
            raise LandingError(
                f"{_relative(stray[0], landing)}: CUR 2.0 data files belong under "
                f"{export_dir.name}/data/BILLING_PERIOD=YYYY-MM/; move it there."
            )
        for f in files:
            if not any(part.startswith("BILLING_PERIOD=") for part in f.relative_to(data_dir).parts):
                raise LandingError(
                    f"{_relative(f, landing)}: CUR 2.0 data files must sit in a BILLING_PERIOD=YYYY-MM folder "
                    "as Data Exports writes them; move it there."
                )
            found.append(LandingFile("aws_cur2", export_dir.name, f, "cur2", "current"))
    return found


def _focus(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and _visible(p)):
        found.extend(LandingFile("focus", export_dir.name, f, "focus", "current") for f in _data_files(export_dir))
    stray = sorted(p for p in source_dir.iterdir() if _is_data_file(p))
    if stray:
        raise LandingError(
            f"{_relative(stray[0], landing)}: FOCUS files go in one subfolder per export (focus/<export>/); move it there."
        )
    return found


def _azure_manifest(run_dir: Path, landing: Path) -> dict | None:
    manifest = run_dir / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        content = json.loads(manifest.read_text(encoding="utf-8-sig"))
        if not isinstance(content, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise LandingError(
            f"{_relative(manifest, landing)}: the export manifest cannot be read ({exc.__class__.__name__}); "
            "download it again from the storage account or delete it to fall back to the files' times."
        ) from None
    for blob in content.get("blobs") or []:
        name = Path(str(blob.get("blobName", ""))).name if isinstance(blob, dict) else ""
        if name and not (run_dir / name).is_file():
            raise LandingError(
                f"{_relative(manifest, landing)}: the manifest lists {name}, which is missing from "
                f"{_relative(run_dir, landing)}; copy the complete export run from the storage account."
            )
    return content


def _azure_type(value: str) -> str | None:
    value = value.lower()
    if "amortized" in value or "amortised" in value:
        return "amortized"
    if "actual" in value or value == "usage":
        return "actual"
    return None


def _mtime(files: list[Path]) -> str:
    latest = max((f.stat().st_mtime for f in files), default=0.0)
    return dt.datetime.fromtimestamp(latest, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _azure(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and _visible(p)):
        ranges = sorted(p for p in export_dir.iterdir() if p.is_dir() and PERIOD_FOLDER.match(p.name))
        stray = [f for f in _data_files(export_dir) if not any(r in f.parents for r in ranges)]
        if stray:
            raise LandingError(
                f"{_relative(stray[0], landing)}: Azure exports write into a date-range folder "
                f"({export_dir.name}/<yyyymmdd-yyyymmdd>/); move the file into the folder of the range it covers."
            )
        spans = []
        for r in ranges:
            first, last = r.name.split("-")
            if last < first:
                raise LandingError(f"{_relative(r, landing)}: the date range ends before it starts; rename the folder.")
            spans.append((first, last, r))
        for (a0, a1, ra), (b0, b1, rb) in zip(spans, spans[1:]):
            if b0 <= a1:
                raise LandingError(
                    f"{_relative(rb, landing)}: overlaps {ra.name} of the same export, so the days they share would "
                    "be counted twice; keep one export run per date range (delete the older range folder)."
                )
        named_type = _azure_type(export_dir.name)
        stated_types: set[str] = set()
        range_runs: dict[Path, list[tuple[str, Path, list[Path]]]] = {}
        for r in ranges:
            candidates: list[tuple[str, Path, list[Path]]] = []
            for f in sorted(p for p in r.iterdir() if _is_data_file(p)):
                candidates.append((_mtime([f]), f, [f]))
            for run_dir in sorted(p for p in r.iterdir() if p.is_dir() and _visible(p)):
                files = _data_files(run_dir)
                if not files:
                    continue
                manifest = _azure_manifest(run_dir, landing)
                key = _mtime(files)
                if manifest:
                    config = manifest.get("exportConfig") or {}
                    stated = str(config.get("type") or "")
                    if stated.lower().startswith("focus"):
                        raise LandingError(
                            f"{_relative(run_dir, landing)}: this is a FOCUS export ({stated}); land it under "
                            "focus/<export>/ instead of azure/."
                        )
                    typed = _azure_type(stated)
                    if typed:
                        stated_types.add(typed)
                    submitted = str((manifest.get("runInfo") or {}).get("submittedTime") or "")
                    if submitted:
                        key = submitted.rstrip("Z")
                candidates.append((key, run_dir, files))
            if not candidates:
                raise LandingError(
                    f"{_relative(r, landing)}: this date-range folder holds no export file (.csv, .csv.gz or "
                    ".parquet); copy the export run from the storage account or remove the empty folder."
                )
            range_runs[r] = candidates
        if len(stated_types) > 1:
            raise LandingError(
                f"azure/{export_dir.name}: its runs' manifests state both actual and amortised cost; land each "
                "export definition in its own folder."
            )
        export_type = next(iter(stated_types), named_type)
        if ranges and export_type is None:
            raise LandingError(
                f"azure/{export_dir.name}: cannot tell whether this export is actual or amortised cost (no "
                "manifest.json states it); rename the folder to include \"actual\" or \"amortized\"."
            )
        flavour = f"azure_{export_type}"
        for r, candidates in range_runs.items():
            current = max(candidates, key=lambda c: (c[0], c[1].name))
            for key, run, files in candidates:
                is_current = run == current[1]
                for f in files:
                    found.append(LandingFile(
                        "azure", export_dir.name, f, flavour, "current" if is_current else "superseded",
                        run.name if run.is_dir() else None,
                        "" if is_current else f"replaced by the newer export run {current[1].name} of {r.name}",
                    ))
    types = {f.flavour for f in found}
    if types == {"azure_actual"} or types == {"azure_amortized"}:
        have, missing = ("actual", "amortized") if types == {"azure_actual"} else ("amortized", "actual")
        raise LandingError(
            f"azure/: only {have}-cost exports are landed; FOCUS needs both (amortised rows and the actual "
            f"export's commitment purchases), so add the {missing}-cost export of the same scope."
        )
    return found


def _is_gcp_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(GCP_SUFFIXES)


def _gcp(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    stray = sorted(p for p in source_dir.iterdir() if _is_gcp_file(p))
    if stray:
        raise LandingError(
            f"{_relative(stray[0], landing)}: billing export files go in one subfolder per export (gcp/<export>/); "
            "move it there."
        )
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and _visible(p)):
        tree = _walk(export_dir)
        files = sorted(p for p in tree if _is_gcp_file(p))
        superseded: dict[Path, str] = {}
        for month_dir in sorted(p for p in tree if p.name.startswith("invoice_month=") and p.is_dir()):
            if not INVOICE_MONTH_FOLDER.match(month_dir.name):
                raise LandingError(
                    f"{_relative(month_dir, landing)}: an invoice month folder is named invoice_month=YYYYMM "
                    "(e.g. invoice_month=202608); rename it, or every extract in it would count."
                )
            extracts = sorted(p for p in month_dir.iterdir() if p.is_dir() and _visible(p))
            direct = [p for p in month_dir.iterdir() if _is_gcp_file(p)]
            if extracts and direct:
                raise LandingError(
                    f"{_relative(month_dir, landing)}: holds both files and extract folders, so it is not clear "
                    "which extract of the month counts; move the files into an extract folder named by its time."
                )
            for old in extracts[:-1]:
                for f in files:
                    if old in f.parents:
                        superseded[f] = f"replaced by the newer extract {extracts[-1].name} of {month_dir.name}"
        for f in files:
            flavour = "gcp_parquet" if f.name.lower().endswith(".parquet") else "gcp_json"
            reason = superseded.get(f, "")
            found.append(LandingFile("gcp", export_dir.name, f, flavour, "superseded" if reason else "current",
                                     None, reason))
    return found


def _refuse_outside_link(link: Path, landing: Path) -> None:
    """A link whose target lies outside the landing folder stops the load: its files would be read as if
    they had been delivered here."""
    root = landing.resolve()
    target = link.resolve()
    if target != root and root not in target.parents:
        raise LandingError(
            f"{_relative(link, landing)}: is a link to {target}, outside the landing folder, so its files "
            "would be read as if they had been delivered here; copy them into the landing folder instead "
            "of linking them (or set FINOPS_LANDING_DIR to the folder that holds them) and run again."
        )


def _check_links(source_dir: Path, landing: Path) -> None:
    """Every link the readers could meet under `source_dir` (itself included) stays inside the landing
    folder."""
    if source_dir.is_symlink():
        _refuse_outside_link(source_dir, landing)
    _walk(source_dir, landing)


def _read_metadata(source: str, path: Path) -> bool:
    """A file the loader reads that is not billing data: a legacy CUR period folder's manifest (the first
    one, as _cur_period reads it) or an Azure export run's manifest.json."""
    if source == "aws_cur" and PERIOD_FOLDER.match(path.parent.name):
        return path == next(iter(sorted(path.parent.glob("*Manifest.json"))), None)
    return (source == "azure" and path.name == "manifest.json"
            and PERIOD_FOLDER.match(path.parent.parent.name) is not None)


def _not_read_reason(source: str, path: Path) -> tuple[str, bool]:
    """Why a file under a source folder is not read, and whether that deserves a warning (a delivery's own
    metadata, which the layout expects and the loader deliberately leaves alone, does not)."""
    name = path.name.lower()
    if not path.exists():
        return f"a link to {path.resolve()}, which does not exist", True
    if source == "aws_cur" and ATHENA_STATUS_FOLDER in path.parts:
        return "the Athena integration's refresh-status table, not billing data", False
    if source == "aws_cur" and name == "crawler-cfn.yml":
        return "the Athena integration's CloudFormation template, not billing data", False
    if source == "aws_cur" and name.endswith("manifest.json"):
        if PERIOD_FOLDER.match(path.parent.name):
            return "a second manifest in the period folder; the first by name decides which delivery counts", True
        return "an assembly folder's copy of the CUR manifest; the period folder's manifest decides which " \
               "delivery counts", False
    if source == "aws_cur2" and "metadata" in path.parts:
        return "a CUR 2.0 export manifest, not interpreted: every data file of a period counts", False
    if source == "focus" and name.endswith("manifest.json"):
        return "an export manifest, not interpreted: every data file of the export folder counts", False
    if source == "gcp" and name.endswith((".csv", ".csv.gz")):
        return GCP_CSV_REASON, True
    suffixes = GCP_SUFFIXES if source == "gcp" else DATA_SUFFIXES
    return f"not a billing data file (the loader reads {', '.join(suffixes)} files in {source}/)", True


def _not_read(source: str, source_dir: Path, found: list[LandingFile]) -> list[LandingFile]:
    """Every file under `source_dir` that is neither a data file found by the source's reader nor a
    manifest it reads, with the reason it is not read (the flavour tells whether it is worth a warning)."""
    seen = {f.path for f in found}
    unread = []
    for path in _walk(source_dir):
        if path in seen or path.is_dir() or _read_metadata(source, path):
            continue
        reason, warn = _not_read_reason(source, path)
        parts = path.relative_to(source_dir).parts
        unread.append(LandingFile(source, parts[0] if len(parts) > 1 else "", path, "" if warn else "metadata",
                                  NOT_READ, None, reason))
    return unread


def _with_lineage(f: LandingFile, landing: Path) -> LandingFile:
    """The file's lineage path: where it sits, or, reached through a link, the file the link resolves to."""
    found = _relative(f.path, landing)
    root = landing.resolve()
    real = f.path.resolve()
    if real == root / found:
        return replace(f, source_file=found)
    return replace(f, source_file=_relative(real, root), link_path=found)


def discover(landing: Path) -> tuple[list[LandingFile], list[str]]:
    """Every file under `landing`'s source folders with its status (`current`, `superseded`, or `not read`
    with the reason), and warnings for the user."""
    if not landing.is_dir():
        raise LandingError(f"{landing}: the landing folder does not exist; set FINOPS_LANDING_DIR to the folder "
                           "that holds aws_cur/, aws_cur2/, focus/, azure/ and gcp/, or unset it to use generated sample data.")
    warnings: list[str] = []
    files: list[LandingFile] = []
    readers = {"aws_cur": _aws_cur, "aws_cur2": _aws_cur2, "focus": _focus, "azure": _azure, "gcp": _gcp}
    for source, reader in readers.items():
        source_dir = landing / source
        if not source_dir.is_dir():
            continue
        _check_links(source_dir, landing)
        found = reader(source_dir, landing)
        unread = _not_read(source, source_dir, found)
        warned = [f for f in unread if f.flavour != "metadata"]
        warnings += [f"{_relative(f.path, landing)}: not read: {f.reason}." for f in warned]
        if not found:
            state = ("no file in it is read (see above)" if warned else "it holds no billing data file" if unread
                     else "the folder is empty")
            warnings.append(f"{source}/: {state}, so this source contributes no rows.")
        files.extend(found + unread)
    files = [_with_lineage(f, landing) for f in files]
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
                f"{_relative(f.path, landing)}: the path contains one of * ? [ ] {{ }}, which DuckDB would read "
                "as a pattern matching other files; rename the file or folder."
            )
    for extra in sorted(p for p in landing.iterdir() if _visible(p) and p.name not in readers):
        warnings.append(f"{extra.name}: not a source folder this warehouse reads ({', '.join(SOURCES)}); ignored.")
    return files, warnings
