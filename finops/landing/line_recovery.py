"""What the loader does with the lines DuckDB's CSV reader rejects, and with files it cannot read as
they are. The common path is one DuckDB pass per file; this module handles the rare exceptions in
Python, so no line's money is lost without a word:

- A file that mixes CRLF and LF line endings (valid CSV, but DuckDB's strict parser stops at the
  first line ending unlike the first, or rejects lines and loses others without a trace) is read
  from a copy whose CRLF endings are made LF.
  `strict_mode = false` would read it too, but it also drops extra fields and mis-splits broken
  quotes silently, so it is not used.
- A rejected line whose fields can still be located is recovered, and what was done is recorded:
  a line short by trailing fields that are empty on every row of the file that has them (a CUR line
  that lost its empty last field; a header with trailing names that no row fills), or a line with
  extra empty fields at its end (a trailing delimiter).
- Any other rejected line is kept with its text, line number, the number of physical lines it spans
  and a reason that is never empty; the warehouse quarantines it and reports its billing period as
  incomplete (`fct_billing_reconciliation.unknown_amount_line_count`).
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

# DuckDB's default max_line_size is 2 MB; a CUR line with a long description or many tags can exceed
# it. 64 MiB reads any realistic line; a longer one is rejected and kept with the reason.
MAX_LINE_BYTES = 64 * 1024 * 1024
# DuckDB's reason for a rejected line can be empty for some error types: then this one is given.
DEFAULT_REASONS = {
    "LINE SIZE OVER MAXIMUM": f"the line is longer than the reader's limit of {MAX_LINE_BYTES // (1024 * 1024)} MiB",
    "MISSING COLUMNS": "the line has fewer fields than the header",
    "TOO MANY COLUMNS": "the line has more fields than the header",
    "UNQUOTED VALUE": "a quoted value is not closed before the next delimiter or the end of the line",
    "INVALID UNICODE": "the line is not valid UTF-8",
}
MIXED_ENDINGS_NOTE = "read from a copy with LF line endings: the file mixes CRLF and LF line endings"
# Only a line rejected for its number of fields may be repaired: any other rejected text (a line
# over the size limit is cut at 10,000 characters) does not hold the whole line.
FIELD_COUNT_ERRORS = ("MISSING COLUMNS", "TOO MANY COLUMNS")
_CHUNK = 1 << 20
# Python's csv module refuses fields over 128 KiB by default; a rejected line may hold longer ones.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))


@dataclass
class RejectedLine:
    """A line (or record) the reader rejected, and what became of it."""

    line_number: int
    error_type: str
    error_message: str
    text: str
    repair: str | None = None  # what was done to read it; None when it is kept as unreadable
    row_number: int | None = None  # the row number it was read as, when repaired

    @property
    def line_count(self) -> int:
        """Physical lines the rejected text spans (an unclosed quote swallows the lines after it)."""
        return self.text.count("\n") + 1


def reason(error_type: str, message: str | None) -> str:
    """DuckDB's message for a rejected line, or ours when it gives none."""
    message = (message or "").strip()
    return message or DEFAULT_REASONS.get(error_type.upper(), f"rejected by the CSV reader ({error_type.lower()})")


def _open_binary(path: Path):  # noqa: ANN202 - a binary file object
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def mixes_line_endings(path: Path) -> bool:
    """Whether the file has both CRLF and bare LF line endings (streamed; gzip read as text)."""
    has_crlf = has_lf = False
    carried_cr = False
    with _open_binary(path) as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            crlf = chunk.count(b"\r\n") + (1 if carried_cr and chunk.startswith(b"\n") else 0)
            has_crlf |= crlf > 0
            has_lf |= chunk.count(b"\n") > crlf
            if has_crlf and has_lf:
                return True
            carried_cr = chunk.endswith(b"\r")
    return False


def normalized_copy(path: Path, folder: Path) -> Path:
    """A plain-text copy of the file in `folder` with every CRLF made LF (a CRLF inside a quoted value
    too)."""
    target = folder / (path.name[:-3] if path.name.lower().endswith(".gz") else path.name)
    with _open_binary(path) as source, target.open("wb") as out:
        carried = b""
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            chunk = carried + chunk
            carried = b"\r" if chunk.endswith(b"\r") else b""
            out.write(chunk[: len(chunk) - len(carried)].replace(b"\r\n", b"\n"))
        out.write(carried)
    return target


def fields_of(text: str) -> list[str] | None:
    """The fields of one CSV record (RFC 4180 quoting), or None when the text is not exactly one record."""
    try:
        records = list(csv.reader(io.StringIO(text.strip("\r\n"), newline=""), strict=True))
    except csv.Error:
        return None
    return records[0] if len(records) == 1 else None


def short_positions(lines: list[RejectedLine], width: int) -> set[int]:
    """Header positions that some rejected line lacks at its end: their emptiness on the file's
    readable rows decides whether those lines can be recovered."""
    positions: set[int] = set()
    for line in lines:
        fields = fields_of(line.text) if line.error_type.upper() in FIELD_COUNT_ERRORS else None
        if fields is not None and 0 < len(fields) < width:
            positions.update(range(len(fields), width))
    return positions


def repair(line: RejectedLine, header: list[str], filled: set[int]) -> list[str] | None:
    """The line's fields as `width` values when they can be located, recording what was done; None when
    the line stays unreadable. `filled` holds the header positions some readable row has a value in."""
    width = len(header)
    fields = fields_of(line.text) if line.error_type.upper() in FIELD_COUNT_ERRORS else None
    if not fields:
        return None
    if len(fields) < width:
        missing = range(len(fields), width)
        if filled.intersection(missing):
            return None
        names = ", ".join(header[i].strip() or f"(unnamed column {i + 1})" for i in missing)
        line.repair = (f"its last {len(missing)} field(s) ({names}) were missing and are empty on every other row "
                       "of the file: read as empty")
        return fields + [""] * len(missing)
    if len(fields) > width:
        extra = fields[width:]
        if any(value.strip() for value in extra):
            return None
        line.repair = f"{len(extra)} empty field(s) after the last column (a trailing delimiter) were dropped"
        return fields[:width]
    return None


def write_rows(path: Path, width: int, rows: list[list[str]]) -> None:
    """Recovered rows as a CSV file the loader reads with the file's own settings (header line first)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f"c{i}" for i in range(width)])
        writer.writerows(rows)
