"""Every row's money is accounted for: a line the CSV or JSON-lines reader rejects is recovered when
its fields can be located, and otherwise quarantined with its text, file and line, placed in its
bill, and that bill is reported `incomplete`, never `reconciled`. Very long lines and mixed line
endings are read.

Two builds:

* `cur_build`, from the public samples (../shared/sample_exports; skipped without them): the
  anonymised CUR (1,281 rows of one payer and month) landed four times under four payer ids, each copy
  with one real-world defect (a line that lost its empty last field; a header with one more name than
  any row has; a line cut in the middle plus a line longer than the reader's limit; a
  3-million-character description), and the FOCUS sample with CRLF and LF line endings mixed.
* `multisource_build`, from hand-written FOCUS, Azure and Google Cloud exports with broken lines.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import SHARED_SAMPLES, Build, build_warehouse
from .test_azure_input import az_pair, write_az_pair
from .test_gcp_input import gcp_good_rows, gcp_row

CUR_SAMPLE = SHARED_SAMPLES / "aws_cur" / "focus_converters_sample-anonymous-aws-export-dataset.csv"
FOCUS_SAMPLE = SHARED_SAMPLES / "focus" / "FOCUS-Sample-Data_FOCUS-1.0_focus_sample.csv"
SAMPLE_PAYER = "123412340534"
CUT_FIELD, WIDE_HEADER, BROKEN, LONG_FIELD = (f"55550000000{i}" for i in range(1, 5))
LONG_LINE_BYTES = 65 * 1024 * 1024  # beyond the reader's 64 MiB limit


def _sample_lines(payer: str) -> list[str]:
    """The sample's lines (header first, each ending in LF) as another payer's bill."""
    return [line.replace(SAMPLE_PAYER, payer) for line in CUR_SAMPLE.read_text(encoding="utf-8").splitlines(True)]


def _cost(line: str) -> Decimal:
    header = next(csv.reader(io.StringIO(CUR_SAMPLE.read_text(encoding="utf-8").splitlines()[0])))
    row = next(csv.reader(io.StringIO(line)))
    return Decimal(row[header.index("lineItem/UnblendedCost")] or "0")


def _total(lines: list[str]) -> Decimal:
    return sum((_cost(line) for line in lines[1:]), Decimal(0))


def _land(landing: Path, payer: str, lines: list[str], gz: bool = False) -> str:
    report = f"anon-{payer[-1]}"
    folder = landing / "aws_cur" / report / "20231101-20231201" / "assembly-1"
    folder.mkdir(parents=True)
    path = folder / f"{report}-1.csv{'.gz' if gz else ''}"
    data = "".join(lines).encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=1) if gz else data)
    return str(path.relative_to(landing))


@pytest.fixture(scope="module")
def cur_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, dict]:
    if not CUR_SAMPLE.is_file():
        pytest.skip(f"public sample exports not found at {SHARED_SAMPLES} (they live beside the repository in shared/)")
    root = tmp_path_factory.mktemp("unreadable-cur")
    landing = root / "landing"
    facts: dict = {}

    lines = _sample_lines(CUT_FIELD)
    assert lines[6].endswith(",,,\n")  # the last three columns are empty on every row of the sample
    lines[6] = lines[6][:-2] + "\n"  # the line lost its (empty) last field
    facts[CUT_FIELD] = (_land(landing, CUT_FIELD, lines), _total(lines))

    lines = _sample_lines(WIDE_HEADER)
    lines[0] = lines[0].rstrip("\n") + ",resourceTags/user:CostCentre\n"  # a name no row fills
    facts[WIDE_HEADER] = (_land(landing, WIDE_HEADER, lines), _total(lines))

    lines = _sample_lines(BROKEN)
    cut, long_line = lines[10], lines[20]
    lines[10] = cut[: len(cut) // 2] + "\n"  # cut in the middle: its amount is lost
    lines[20] = long_line[:-1] + "x" * LONG_LINE_BYTES + "\n"  # its last field, beyond the reader's limit
    pristine = _sample_lines(BROKEN)
    facts[BROKEN] = (_land(landing, BROKEN, lines, gz=True), _total(pristine) - _cost(cut) - _cost(long_line),
                     (11, cut), (21, long_line))

    lines = _sample_lines(LONG_FIELD)
    header = next(csv.reader(io.StringIO(lines[0])))
    row = next(csv.reader(io.StringIO(lines[5])))
    row[header.index("lineItem/LineItemDescription")] = "d" * 3_000_000
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    lines[5] = buffer.getvalue()
    facts[LONG_FIELD] = (_land(landing, LONG_FIELD, lines), _total(_sample_lines(LONG_FIELD)))
    return build_warehouse(landing, root / "w.duckdb"), facts


def _money(build: Build, payer: str) -> tuple:
    """(raw rows, raw billed, FOCUS billed, quarantined rows, billed difference) of the payer's bill."""
    return build.query(
        "select raw_row_count, raw_billed_cost, focus_billed_cost, quarantined_row_count, billed_cost_difference "
        f"from marts.fct_billing_reconciliation where source_name = 'aws_cur' and billing_account_id = '{payer}'"
    )[0]


def _state(build: Build, payer: str) -> tuple:
    """(lines of unknown amount, status, is_reconciled) of the payer's bill."""
    return build.query(
        "select unknown_amount_line_count, reconciliation_status, is_reconciled from marts.fct_billing_reconciliation "
        f"where source_name = 'aws_cur' and billing_account_id = '{payer}'"
    )[0]


def test_cur_defects_build(cur_build) -> None:  # noqa: ANN001
    build, _ = cur_build
    assert build.returncode == 0, build.output[-4000:]


def test_a_cur_line_that_lost_its_empty_last_field_is_read_and_reconciles(cur_build) -> None:  # noqa: ANN001
    build, facts = cur_build
    path, total = facts[CUT_FIELD]
    assert _money(build, CUT_FIELD) == (1281, total, total, 0, 0)  # the line's money is on both sides
    assert _state(build, CUT_FIELD) == (0, "reconciled", True)
    assert build.query_work(
        f"select line_number, repair, row_number from raw.rejected_lines where _source_file = '{path}'") == [
        (7, "its last 1 field(s) (savingsPlan/RecurringCommitmentForBillingPeriod) were missing and are empty on "
            "every other row of the file: read as empty", 1281)]
    assert build.query_work(f"select rows_loaded, lines_rejected, lines_recovered from raw.landing_files "
                            f"where file_path = '{path}'") == [(1281, 0, 1)]


def test_a_cur_header_with_a_name_no_row_fills_loses_no_row(cur_build) -> None:  # noqa: ANN001
    build, facts = cur_build
    path, total = facts[WIDE_HEADER]
    assert _money(build, WIDE_HEADER) == (1281, total, total, 0, 0)
    assert _state(build, WIDE_HEADER) == (0, "reconciled", True)
    assert build.query_work(f"select rows_loaded, lines_rejected, lines_recovered from raw.landing_files "
                            f"where file_path = '{path}'") == [(1281, 0, 1281)]


def test_an_unreadable_cur_line_is_quarantined_in_its_bill_which_is_incomplete(cur_build) -> None:  # noqa: ANN001
    build, facts = cur_build
    path, readable_total, (cut_line, cut_text), (long_line, _) = facts[BROKEN]
    # 1,279 rows read plus 2 unreadable lines; the known amounts add up, but the bill is not whole.
    assert _money(build, BROKEN) == (1281, readable_total, readable_total, 2, 0)
    assert _state(build, BROKEN) == (2, "incomplete", False)
    quarantined = build.query(
        "select source_file, source_line_number, billing_account_id, strftime(billing_period_start, '%Y-%m'), "
        "billing_currency, provider_billed_cost, quarantine_reason, left(raw_line, 60), unread_line_count "
        f"from marts.quarantine_line_items where source_file = '{path}' order by source_line_number"
    )
    assert [row[:6] for row in quarantined] == [
        (path, cut_line, BROKEN, "2023-11", "USD", None), (path, long_line, BROKEN, "2023-11", "USD", None)]
    found = len(next(csv.reader(io.StringIO(cut_text[: len(cut_text) // 2]))))
    assert quarantined[0][6] == f"unreadable CSV line (missing columns): Expected Number of Columns: 94 Found: {found}"
    assert quarantined[0][7] == cut_text[: len(cut_text) // 2][:60] and quarantined[0][8] == 1
    assert quarantined[1][6].startswith("unreadable CSV line (line size over maximum): Maximum line size of "
                                        "67108864 bytes exceeded")


def test_the_summary_says_incomplete_with_the_lines_of_unknown_amount(cur_build) -> None:  # noqa: ANN001
    build, _ = cur_build
    line = next(line for line in build.output.splitlines() if line.startswith("aws_cur "))
    assert line.endswith("incomplete: 1 bill(s), 2 line(s) of unknown amount"), line


def test_a_3_million_character_field_is_read(cur_build) -> None:  # noqa: ANN001
    build, facts = cur_build
    path, total = facts[LONG_FIELD]
    assert _money(build, LONG_FIELD) == (1281, total, total, 0, 0)
    assert _state(build, LONG_FIELD) == (0, "reconciled", True)
    assert build.query_work(
        "select max(length(line_item_line_item_description)) from raw.aws_cur_line_items "
        f"where _source_file = '{facts[LONG_FIELD][0]}'") == [(3_000_000,)]


# --------------------------------------------------------------------------------------------
# FOCUS CSV, Azure CSV and Google Cloud JSON lines
# --------------------------------------------------------------------------------------------

FOCUS_HEADER = [
    "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
    "ChargeCategory", "BilledCost", "EffectiveCost", "BillingCurrency", "ProviderName", "ServiceName", "Tags",
]


def focus_line(account: str, month: int, cost: str, tags: str = "") -> str:
    start, end = f"2026-{month:02d}-01T00:00:00Z", f"2026-{month + 1:02d}-01T00:00:00Z"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([
        account, start, end, f"2026-{month:02d}-03T00:00:00Z", f"2026-{month:02d}-04T00:00:00Z", "Usage", cost, cost,
        "USD", "Kestrel Cloud", "Compute", tags])
    return buffer.getvalue()


G1, G2 = "01A2B3-C4D5E6-0000A1", "01A2B3-C4D5E6-0000A2"
AZ_PROFILE = "2000001"
GCP_PATH = "gcp/billing/invoice_month=202608/20260903T0600Z/billing-00000.jsonl.gz"


@pytest.fixture(scope="module")
def multisource_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, dict]:
    root = tmp_path_factory.mktemp("unreadable-multisource")
    landing = root / "landing"
    facts: dict = {}
    # FOCUS, one bill per file: a line without its (empty) Tags field is read; a line cut short is not.
    kc1 = [focus_line("KC-1", 8, "10.5"), focus_line("KC-1", 8, "2.25").replace(",\n", "\n"),
           focus_line("KC-1", 8, "4")[:40] + "\n", focus_line("KC-1", 8, "1.25")]
    path = landing / "focus" / "kestrel" / "2026-08" / "part-0.csv"
    path.parent.mkdir(parents=True)
    path.write_text(",".join(FOCUS_HEADER) + "\n" + "".join(kc1), encoding="utf-8")
    # FOCUS, one file holding July and August: a cut line could be either month's.
    kc2 = [focus_line("KC-2", 7, "3", '{"team": "a"}'), focus_line("KC-2", 8, "5", '{"team": "a"}'),
           focus_line("KC-2", 7, "7")[:20] + "\n"]
    path = landing / "focus" / "kestrel-multi" / "part-0.csv"
    path.parent.mkdir(parents=True)
    path.write_text(",".join(FOCUS_HEADER) + "\n" + "".join(kc2), encoding="utf-8")
    # Azure: the amortised export's second line cut short.
    actual, amortized = az_pair(AZ_PROFILE, "2026-08")
    write_az_pair(landing, "contoso", "2026-08", actual, amortized)
    amortized_file = landing / "azure" / "contoso-amortized" / "20260801-20260831" / "run-1" / "part_0_0001.csv"
    with amortized_file.open(encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().split("\r\n")
    facts["azure"] = (actual, amortized, len(next(csv.reader(io.StringIO(lines[2][:80])))))
    lines[2] = lines[2][:80]  # the disk, an on-demand charge
    with amortized_file.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write("\r\n".join(lines))
    # Google Cloud: two billing accounts in one extract; a line cut short that still names its account,
    # and one that names none.
    good = gcp_good_rows(G1, "2026-08") + gcp_good_rows(G2, "2026-08")
    named = json.dumps(gcp_row(G1, "2026-08", 9.0))[:60]
    assert f'"billing_account_id": "{G1}"' in named
    text = [json.dumps(r) for r in good[:4]] + [named, '{"cost": 1.0, "credits": ['] + [json.dumps(r) for r in good[4:]]
    (landing / GCP_PATH).parent.mkdir(parents=True)
    (landing / GCP_PATH).write_bytes(gzip.compress("".join(line + "\n" for line in text).encode(), compresslevel=1))
    return build_warehouse(landing, root / "w.duckdb"), facts


def _status(build: Build, source: str) -> dict[tuple, tuple]:
    return {tuple(r[:3]): tuple(r[3:]) for r in build.query(
        "select billing_account_id, strftime(billing_period_start, '%Y-%m'), billing_currency, raw_billed_cost, "
        "focus_billed_cost, unknown_amount_line_count, reconciliation_status from marts.fct_billing_reconciliation "
        f"where source_name = '{source}'")}


def test_multisource_builds(multisource_build) -> None:  # noqa: ANN001
    build, _ = multisource_build
    assert build.returncode == 0, build.output[-4000:]


def test_focus_csv_lines_are_recovered_or_quarantined_in_their_bill(multisource_build) -> None:  # noqa: ANN001
    build, _ = multisource_build
    status = _status(build, "focus")
    # KC-1: 10.5 + 2.25 (read without its empty Tags field) + 1.25; the cut line's 4 is unknown.
    assert status[("KC-1", "2026-08", "USD")] == (Decimal("14"), Decimal("14"), 1, "incomplete")
    # KC-2: the cut line could be July's or August's: both are incomplete; the line itself has no month.
    assert status[("KC-2", "2026-07", "USD")] == (Decimal("3"), Decimal("3"), 1, "incomplete")
    assert status[("KC-2", "2026-08", "USD")] == (Decimal("5"), Decimal("5"), 1, "incomplete")
    assert status[("KC-2", None, "USD")] == (Decimal("0"), Decimal("0"), 1, "incomplete")
    assert build.query_work("select line_number, repair is not null from raw.rejected_lines "
                            "where _source_file = 'focus/kestrel/2026-08/part-0.csv' order by 1") == [
        (3, True), (4, False)]


def test_an_azure_line_cut_short_is_quarantined_in_its_billing_profile_period(multisource_build) -> None:  # noqa: ANN001
    """The amortised export's disk line is unreadable: the actual export still bills the disk, which the
    FOCUS rows now lack, so the bill is not reconciled (D41), with the line of unknown amount beside it;
    the build goes on (the difference may be that line's)."""
    build, facts = multisource_build
    actual, _, found = facts["azure"]
    billed = sum(Decimal(row["Cost"]) for row in actual)
    disk = Decimal(actual[1]["Cost"])
    assert _status(build, "azure")[(AZ_PROFILE, "2026-08", "USD")] == (billed, billed - disk, 1, "not reconciled")
    assert build.query("select billing_account_id, source_line_number, quarantine_reason "
                       "from marts.quarantine_line_items where source_name = 'azure'") == [
        (AZ_PROFILE, 3, f"unreadable CSV line (missing columns): Expected Number of Columns: 55 Found: {found}")]


def test_google_json_lines_are_placed_by_what_they_say(multisource_build) -> None:  # noqa: ANN001
    build, _ = multisource_build
    status = _status(build, "gcp")
    # The cut line names G1: it is placed in G1's bill; the line naming nobody could be either
    # account's, so both bills may have lost it, and it stays in a group of unknown account.
    assert {key: value[2:] for key, value in status.items()} == {
        (G1, "2026-08", "USD"): (2, "incomplete"),
        (G2, "2026-08", "USD"): (1, "incomplete"),
        (None, "2026-08", "USD"): (1, "incomplete"),
    }
    assert build.query("select source_line_number, billing_account_id from marts.quarantine_line_items "
                       "where source_name = 'gcp' order by 1") == [(5, G1), (6, None)]


# --------------------------------------------------------------------------------------------
# What DuckDB's reader cannot take as it is: mixed line endings, a line over its limit
# --------------------------------------------------------------------------------------------

GCP_MIXED_PATH = "gcp/billing/invoice_month=202609/20261003T0600Z/billing-00000.jsonl.gz"


@pytest.fixture(scope="module")
def reader_limits_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A FOCUS CSV whose last field is quoted (as in the public FOCUS sample) and a Google Cloud extract,
    each written as two files joined, the first with CRLF line endings and the second with LF (valid CSV
    and JSON lines that DuckDB's strict reader cannot read as they are); the extract also holds a line
    longer than the reader's limit. With the public samples, their FOCUS sample mixed the same way too."""
    root = tmp_path_factory.mktemp("reader-limits")
    landing = root / "landing"
    lines = [",".join(FOCUS_HEADER) + "\n"] + [focus_line("KC-3", 8, str(i), '{"team": "a"}') for i in range(1, 7)]
    _write_mixed(landing / "focus" / "kestrel" / "2026-08" / "part-0.csv", lines)
    if FOCUS_SAMPLE.is_file():
        _write_mixed(landing / "focus" / "focus-sample" / "focus_sample.csv",
                     FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(True))
    good = gcp_good_rows(G1, "2026-09")
    too_long = json.dumps(gcp_row(G2, "2026-09", 1.0, sku="x" * LONG_LINE_BYTES))
    text = [json.dumps(r) + "\n" for r in good[:2]] + [too_long + "\n"] + [json.dumps(r) + "\n" for r in good[2:]]
    _write_mixed(landing / GCP_MIXED_PATH, text)
    return build_warehouse(landing, root / "w.duckdb")


def _write_mixed(path: Path, lines: list[str]) -> None:
    """The lines (each ending in LF), the first half made CRLF; gzip when the name says so."""
    data = "".join(line[:-1] + "\r\n" if i < len(lines) // 2 else line for i, line in enumerate(lines)).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, compresslevel=1) if path.name.endswith(".gz") else data)


MIXED_NOTE = "read from a copy with LF line endings: the file mixes CRLF and LF line endings"


def test_files_that_mix_line_endings_are_read(reader_limits_build: Build) -> None:
    build = reader_limits_build
    assert build.returncode == 0, build.output[-4000:]
    assert build.query_work(
        "select rows_loaded, lines_rejected, reason from raw.landing_files where file_path = "
        "'focus/kestrel/2026-08/part-0.csv'") == [(6, 0, MIXED_NOTE)]
    assert build.query("select raw_billed_cost, focus_billed_cost, reconciliation_status "
                       "from marts.fct_billing_reconciliation where billing_account_id = 'KC-3'") == [
        (Decimal(21), Decimal(21), "reconciled")]  # 1 + 2 + ... + 6
    assert build.query_work(f"select rows_loaded, reason from raw.landing_files where file_path = '{GCP_MIXED_PATH}'"
                            ) == [(4, MIXED_NOTE)]


@pytest.mark.skipif(not FOCUS_SAMPLE.is_file(), reason=f"public sample exports not found at {SHARED_SAMPLES}")
def test_the_public_focus_sample_with_mixed_line_endings_is_read_whole(reader_limits_build: Build) -> None:
    build = reader_limits_build
    assert build.query_work("select rows_loaded, lines_rejected, reason from raw.landing_files where file_path = "
                            "'focus/focus-sample/focus_sample.csv'") == [(1000, 0, MIXED_NOTE)]


def test_a_json_line_over_the_limit_is_quarantined_with_its_reason(reader_limits_build: Build) -> None:
    build = reader_limits_build
    quarantined = build.query(
        "select source_line_number, billing_account_id, quarantine_reason, unread_line_count "
        "from marts.quarantine_line_items where source_name = 'gcp'")
    assert [row[:2] + row[3:] for row in quarantined] == [(3, G2, 1)]  # what is left of the line names G2
    assert quarantined[0][2].startswith(
        "unreadable JSON line (line size over maximum): Maximum line size of 67108864 bytes exceeded")
    # the rows after it keep their line numbers
    assert build.query_work(f"select list(_source_row_number order by _source_row_number) from raw.gcp_billing_export "
                            f"where _source_file = '{GCP_MIXED_PATH}'") == [([1, 2, 4, 5],)]
