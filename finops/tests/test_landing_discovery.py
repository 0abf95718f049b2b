"""The delivery rules of the landing folder (finops/landing/discover.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from finops.landing.discovery import LandingError, discover

HEADER = "identity/LineItemId,bill/PayerAccountId\n"


def _write(path: Path, text: str = HEADER, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def _manifest(period: Path, report: str, assembly: str, files: list[str]) -> None:
    keys = [f"prefix/{report}/{period.name}/{assembly}/{name}" for name in files]
    (period / f"{report}-Manifest.json").write_text(json.dumps({"assemblyId": assembly, "reportKeys": keys}))


def _status(files) -> dict[str, str]:  # noqa: ANN001
    return {f.path.name if f.assembly_id is None else f"{f.assembly_id}/{f.path.name}": f.status for f in files}


def test_manifest_names_the_delivery_that_counts(tmp_path: Path) -> None:
    period = tmp_path / "aws_cur" / "rep" / "20260801-20260901"
    _write(period / "old" / "rep-1.csv.gz", mtime=2_000_000_000)  # newer file time, but not named
    _write(period / "new" / "rep-1.csv.gz", mtime=1_000_000_000)
    _manifest(period, "rep", "new", ["rep-1.csv.gz"])
    files, warnings = discover(tmp_path)
    assert _status(files) == {"old/rep-1.csv.gz": "superseded", "new/rep-1.csv.gz": "current"}
    assert warnings == []


def test_without_manifest_the_last_written_assembly_counts(tmp_path: Path) -> None:
    period = tmp_path / "aws_cur" / "rep" / "20260801-20260901"
    _write(period / "aaa" / "rep-1.csv", mtime=2_000_000_000)
    _write(period / "zzz" / "rep-1.csv", mtime=1_000_000_000)
    files, _ = discover(tmp_path)
    assert _status(files) == {"aaa/rep-1.csv": "current", "zzz/rep-1.csv": "superseded"}


def test_overwrite_versioning_files_in_the_period_folder_count(tmp_path: Path) -> None:
    _write(tmp_path / "aws_cur" / "rep" / "20260801-20260901" / "rep-1.csv.gz")
    files, _ = discover(tmp_path)
    assert [(f.path.name, f.status, f.flavour) for f in files] == [("rep-1.csv.gz", "current", "cur_csv")]


def test_manifest_naming_a_missing_assembly_is_an_error_naming_it(tmp_path: Path) -> None:
    period = tmp_path / "aws_cur" / "rep" / "20260801-20260901"
    _write(period / "old" / "rep-1.csv.gz")
    _manifest(period, "rep", "gone", ["rep-1.csv.gz"])
    with pytest.raises(LandingError, match=r"rep-Manifest\.json: the manifest names assembly gone"):
        discover(tmp_path)


def test_manifest_listing_a_missing_file_is_an_error(tmp_path: Path) -> None:
    period = tmp_path / "aws_cur" / "rep" / "20260801-20260901"
    _write(period / "new" / "rep-1.csv.gz")
    _manifest(period, "rep", "new", ["rep-1.csv.gz", "rep-2.csv.gz"])
    with pytest.raises(LandingError, match=r"lists rep-2\.csv\.gz, which is missing"):
        discover(tmp_path)


def test_unreadable_manifest_is_an_error(tmp_path: Path) -> None:
    period = tmp_path / "aws_cur" / "rep" / "20260801-20260901"
    _write(period / "new" / "rep-1.csv.gz")
    (period / "rep-Manifest.json").write_text("{not json")
    with pytest.raises(LandingError, match="cannot be read"):
        discover(tmp_path)


def test_empty_period_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "aws_cur" / "rep" / "20260801-20260901" / "asm").mkdir(parents=True)
    with pytest.raises(LandingError, match="holds no CUR data file"):
        discover(tmp_path)


def test_athena_flavour_and_cur2_layouts(tmp_path: Path) -> None:
    _write(tmp_path / "aws_cur" / "rep" / "rep" / "year=2026" / "month=8" / "rep-00001.snappy.parquet")
    _write(tmp_path / "aws_cur2" / "exp" / "data" / "BILLING_PERIOD=2026-08" / "exp-00001.snappy.parquet")
    _write(tmp_path / "aws_cur2" / "exp" / "metadata" / "BILLING_PERIOD=2026-08" / "exp-Manifest.json", "{}")
    files, warnings = discover(tmp_path)
    assert sorted((f.source, f.flavour, f.status) for f in files) == [
        ("aws_cur", "cur_parquet", "current"),
        ("aws_cur2", "cur2", "current"),
        ("aws_cur2", "metadata", "not read"),  # listed with its reason; a delivery's own manifest is no warning
    ]
    assert warnings == []


def test_file_outside_any_delivery_layout_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "aws_cur" / "rep" / "stray.csv")
    with pytest.raises(LandingError, match=r"aws_cur/rep/stray\.csv: not in a CUR delivery layout"):
        discover(tmp_path)


def test_empty_source_folder_warns_and_unknown_folders_are_named(tmp_path: Path) -> None:
    (tmp_path / "focus").mkdir()
    (tmp_path / "oracle").mkdir()
    (tmp_path / "_truth").mkdir()
    files, warnings = discover(tmp_path)
    assert files == []
    assert warnings == [
        "focus/: the folder is empty, so this source contributes no rows.",
        "oracle: not a source folder this warehouse reads (aws_cur, aws_cur2, focus, azure, gcp); ignored.",
    ]


def test_missing_landing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="the landing folder does not exist"):
        discover(tmp_path / "nope")


def test_direct_files_beside_assemblies_without_a_manifest_is_an_error(tmp_path: Path) -> None:
    period = tmp_path / "aws_cur" / "rep" / "20260801-20260901"
    _write(period / "rep-1.csv.gz")
    _write(period / "asm" / "rep-1.csv.gz")
    with pytest.raises(LandingError, match="both files written straight into it and assembly folders"):
        discover(tmp_path)


def test_athena_refresh_status_table_is_not_billing_data(tmp_path: Path) -> None:
    report = tmp_path / "aws_cur" / "rep"
    _write(report / "rep" / "year=2026" / "month=8" / "rep-00001.snappy.parquet")
    _write(report / "cost_and_usage_data_status" / "cost_and_usage_data_status.parquet")
    files, warnings = discover(tmp_path)
    assert [(f.path.name, f.status, f.reason) for f in files] == [
        ("rep-00001.snappy.parquet", "current", ""),
        ("cost_and_usage_data_status.parquet", "not read",
         "the Athena integration's refresh-status table, not billing data"),
    ]
    assert warnings == []


def test_glob_characters_in_a_path_are_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "aws_cur" / "rep" / "20260801-20260901" / "asm" / "rep-[1].csv.gz")
    with pytest.raises(LandingError, match=r"rep-\[1\]\.csv\.gz: the path contains one of"):
        discover(tmp_path)


FOCUS_HEADER = "BillingAccountId,BilledCost\n"


def test_files_no_source_reads_are_listed_with_the_reason_and_a_warning(tmp_path: Path) -> None:
    _write(tmp_path / "gcp" / "billing" / "invoice_month=202608" / "gcp-billing.csv", "billing_account_id,cost\n")
    _write(tmp_path / "focus" / "exp" / "2026-08" / "part-0.csv", FOCUS_HEADER)
    _write(tmp_path / "focus" / "exp" / "2026-08" / "part-0.csv.zip", "PK")
    _write(tmp_path / "focus" / "exp" / "metadata" / "exp-Manifest.json", "{}")  # an AWS FOCUS export's manifest
    _write(tmp_path / "aws_cur" / "rep" / "20260801-20260901" / "asm" / "rep-1.csv.gz")
    _write(tmp_path / "aws_cur" / "rep" / "20260801-20260901" / "asm" / "rep-Manifest.json", "{}")
    _write(tmp_path / "aws_cur" / "rep" / "notes.txt", "hello")
    files, warnings = discover(tmp_path)
    assert sorted((f.source, f.path.name, f.status, f.reason) for f in files if f.status == "not read") == [
        ("aws_cur", "notes.txt", "not read", "not a billing data file (the loader reads .csv, .csv.gz, .parquet "
         "files in aws_cur/)"),
        ("aws_cur", "rep-Manifest.json", "not read", "an assembly folder's copy of the CUR manifest; the period "
         "folder's manifest decides which delivery counts"),
        ("focus", "exp-Manifest.json", "not read", "an export manifest, not interpreted: every data file of the "
         "export folder counts"),
        ("focus", "part-0.csv.zip", "not read", "not a billing data file (the loader reads .csv, .csv.gz, .parquet "
         "files in focus/)"),
        ("gcp", "gcp-billing.csv", "not read", "a Google Cloud CSV is not a BigQuery billing export extract; extract "
         "the table as JSON lines (bq extract --destination_format NEWLINE_DELIMITED_JSON) or parquet"),
    ]
    # a delivery's own manifests are listed without a warning; everything else is named once
    assert warnings == [
        "aws_cur/rep/notes.txt: not read: not a billing data file (the loader reads .csv, .csv.gz, .parquet files "
        "in aws_cur/).",
        "focus/exp/2026-08/part-0.csv.zip: not read: not a billing data file (the loader reads .csv, .csv.gz, "
        ".parquet files in focus/).",
        "gcp/billing/invoice_month=202608/gcp-billing.csv: not read: a Google Cloud CSV is not a BigQuery billing "
        "export extract; extract the table as JSON lines (bq extract --destination_format NEWLINE_DELIMITED_JSON) "
        "or parquet.",
        "gcp/: no file in it is read (see above), so this source contributes no rows.",
    ]


def test_a_link_leaving_the_landing_folder_stops_the_load_naming_link_and_target(tmp_path: Path) -> None:
    outside = _write(tmp_path / "elsewhere" / "part-0.csv", FOCUS_HEADER)
    landing = tmp_path / "landing"
    (landing / "focus" / "exp").mkdir(parents=True)
    (landing / "focus" / "exp" / "part-0.csv").symlink_to(outside)
    with pytest.raises(LandingError) as error:
        discover(landing)
    assert str(error.value) == (
        f"focus/exp/part-0.csv: is a link to {outside}, outside the landing folder, so its files would be read as "
        "if they had been delivered here; copy them into the landing folder instead of linking them (or set "
        "FINOPS_LANDING_DIR to the folder that holds them) and run again."
    )
    # a link to a folder outside, anywhere below a source folder, too
    (landing / "focus" / "exp" / "part-0.csv").unlink()
    (landing / "focus" / "other").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(LandingError, match=rf"^focus/other: is a link to {outside.parent}, outside the landing"):
        discover(landing)
    # and a link met inside a folder reached through a link that stays inside (a hidden one here)
    (landing / "focus" / "other").unlink()
    (landing / "_store").mkdir()
    (landing / "_store" / "part-0.csv").symlink_to(outside)
    (landing / "focus" / "other").symlink_to(landing / "_store", target_is_directory=True)
    with pytest.raises(LandingError, match=rf"^focus/other/part-0\.csv: is a link to {outside}, outside the landing"):
        discover(landing)


def test_links_inside_the_landing_folder_are_followed_and_lineage_is_the_target(tmp_path: Path) -> None:
    _write(tmp_path / "_store" / "kestrel-2026-08.csv", FOCUS_HEADER)
    export = tmp_path / "focus" / "exp"
    export.mkdir(parents=True)
    (export / "2026-08.csv").symlink_to(tmp_path / "_store" / "kestrel-2026-08.csv")
    _write(tmp_path / "_shared" / "gcp-export" / "invoice_month=202608" / "x1" / "billing-00000.jsonl", "{}\n")
    (tmp_path / "gcp").mkdir()
    (tmp_path / "gcp" / "billing").symlink_to(tmp_path / "_shared" / "gcp-export", target_is_directory=True)
    files, warnings = discover(tmp_path)
    assert warnings == []
    assert sorted((f.source, f.status, f.source_file, f.link_path) for f in files) == [
        ("focus", "current", "_store/kestrel-2026-08.csv", "focus/exp/2026-08.csv"),
        ("gcp", "current", "_shared/gcp-export/invoice_month=202608/x1/billing-00000.jsonl",
         "gcp/billing/invoice_month=202608/x1/billing-00000.jsonl"),
    ]


def test_a_file_reached_twice_through_a_link_stops_the_load(tmp_path: Path) -> None:
    _write(tmp_path / "focus" / "exp" / "2026-08" / "part-0.csv", FOCUS_HEADER)
    (tmp_path / "focus" / "exp" / "2026-08-again").symlink_to(tmp_path / "focus" / "exp" / "2026-08",
                                                             target_is_directory=True)
    with pytest.raises(LandingError, match=r"^focus/exp/2026-08/part-0\.csv and focus/exp/2026-08-again/part-0\.csv: "
                                           r"are the same file \(focus/exp/2026-08/part-0\.csv\), reached twice"):
        discover(tmp_path)
