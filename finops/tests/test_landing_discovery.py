"""The delivery rules of the landing folder (finops/landing/discover.py).

Azure and Google Cloud layouts follow the legacy CUR ones (first part of the file).
"""

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
    assert [(f.path.name, f.status, f.flavor) for f in files] == [("rep-1.csv.gz", "current", "cur_csv")]


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


def test_athena_flavor_and_cur2_layouts(tmp_path: Path) -> None:
    _write(tmp_path / "aws_cur" / "rep" / "rep" / "year=2026" / "month=8" / "rep-00001.snappy.parquet")
    _write(tmp_path / "aws_cur2" / "exp" / "data" / "BILLING_PERIOD=2026-08" / "exp-00001.snappy.parquet")
    _write(tmp_path / "aws_cur2" / "exp" / "metadata" / "BILLING_PERIOD=2026-08" / "exp-Manifest.json", "{}")
    files, warnings = discover(tmp_path)
    assert sorted((f.source, f.flavor, f.status) for f in files) == [
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


# --------------------------------------------------------------------------------------------
# Azure and Google Cloud
# --------------------------------------------------------------------------------------------
# The delivery rules of the Azure and Google Cloud landing folders (finops/landing/discover.py
# `_azure`, `_gcp`): which files count, which are superseded, and the one-sentence errors.

AZURE_HEADER = "BillingAccountId,Date,Cost\n"
GCP_LINE = '{"billing_account_id": "01A2B3-C4D5E6-000001", "cost": 1.0}\n'
AUGUST = "20260801-20260831"


def _write_export(path: Path, text: str = AZURE_HEADER, mtime: float | None = None) -> Path:
    return _write(path, text, mtime)


def _azure_manifest(run_dir: Path, export_type: str | None, submitted: str | None, blobs: list[str]) -> None:
    content: dict = {"blobs": [{"blobName": f"azure/x/{run_dir.parent.name}/{run_dir.name}/{b}"} for b in blobs]}
    if export_type is not None:
        content["exportConfig"] = {"type": export_type}
    if submitted is not None:
        content["runInfo"] = {"submittedTime": submitted}
    _write_export(run_dir / "manifest.json", json.dumps(content))


def _pair(landing: Path, name: str = "acme", folder: str = AUGUST) -> None:
    _write_export(landing / "azure" / f"{name}-actual" / folder / "run-1" / "part_0_0001.csv")
    _write_export(landing / "azure" / f"{name}-amortized" / folder / "run-1" / "part_0_0001.csv")


def _source_status(files, source: str) -> dict[str, tuple[str, str, str]]:  # noqa: ANN001
    """The last three parts of each path of a source -> (status, flavour, reason)."""
    return {"/".join(f.path.parts[-3:]): (f.status, f.flavor, f.reason) for f in files if f.source == source}


def _error(landing: Path) -> str:
    with pytest.raises(LandingError) as caught:
        discover(landing)
    return str(caught.value)


# -- Azure ------------------------------------------------------------------------------------


def test_azure_pair_both_types_from_folder_names(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write_export(tmp_path / "azure" / "acme-amortised" / AUGUST / "run-1" / "part_0_0001.csv.gz")  # British spelling
    files, warnings = discover(tmp_path)
    assert sorted((f.export, f.flavor, f.status, f.assembly_id) for f in files) == [
        ("acme-actual", "azure_actual", "current", "run-1"),
        ("acme-amortised", "azure_amortized", "current", "run-1"),
        ("acme-amortized", "azure_amortized", "current", "run-1"),
    ]
    assert warnings == []


@pytest.mark.parametrize(("landed", "have", "missing"), [("actual", "actual", "amortized"),
                                                        ("amortized", "amortized", "actual")])
def test_azure_only_one_export_type_is_an_error(tmp_path: Path, landed: str, have: str, missing: str) -> None:
    _write_export(tmp_path / "azure" / f"acme-{landed}" / AUGUST / "run-1" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        f"azure/: only {have}-cost exports are landed; FOCUS needs both (amortised rows and the actual "
        f"export's commitment purchases), so add the {missing}-cost export of the same scope."
    )


def test_azure_overlapping_date_ranges_of_one_export_are_an_error_naming_both(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write_export(tmp_path / "azure" / "acme-actual" / "20260815-20260914" / "run-1" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        "azure/acme-actual/20260815-20260914: overlaps 20260801-20260831 of the same export, so the days they "
        "share would be counted twice; keep one export run per date range (delete the older range folder)."
    )


def test_azure_adjacent_date_ranges_are_fine(tmp_path: Path) -> None:
    _pair(tmp_path)
    _pair(tmp_path, folder="20260901-20260930")
    files, _ = discover(tmp_path)
    assert len(files) == 4 and {f.status for f in files} == {"current"}


def test_azure_export_of_unknown_type_without_manifest_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write_export(tmp_path / "azure" / "acme-daily" / AUGUST / "run-1" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        "azure/acme-daily: cannot tell whether this export is actual or amortised cost (no manifest.json "
        "states it); rename the folder to include \"actual\" or \"amortized\"."
    )


def test_azure_manifest_states_the_type_and_the_newest_submitted_run_counts(tmp_path: Path) -> None:
    """The manifest's submittedTime decides, not the files' times; its type beats the folder name."""
    _write_export(tmp_path / "azure" / "acme-actual" / AUGUST / "run-1" / "part_0_0001.csv")
    export = tmp_path / "azure" / "acme-costs"
    _write_export(export / AUGUST / "run-old" / "part_0_0001.csv", mtime=2_000_000_000)
    _azure_manifest(export / AUGUST / "run-old", "AmortizedCost", "2026-09-01T06:00:00.0000000Z", ["part_0_0001.csv"])
    _write_export(export / AUGUST / "run-new" / "part_0_0001.csv", mtime=1_000_000_000)
    _azure_manifest(export / AUGUST / "run-new", "AmortizedCost", "2026-09-03T06:00:00.0000000Z", ["part_0_0001.csv"])
    files, _ = discover(tmp_path)
    assert _source_status(files, "azure") == {
        f"{AUGUST}/run-1/part_0_0001.csv": ("current", "azure_actual", ""),
        f"{AUGUST}/run-new/part_0_0001.csv": ("current", "azure_amortized", ""),
        f"{AUGUST}/run-old/part_0_0001.csv": (
            "superseded", "azure_amortized", f"replaced by the newer export run run-new of {AUGUST}"),
    }


def test_azure_without_manifest_the_run_written_last_counts(tmp_path: Path) -> None:
    _write_export(tmp_path / "azure" / "acme-amortized" / AUGUST / "run-1" / "part_0_0001.csv")
    export = tmp_path / "azure" / "acme-actual" / AUGUST
    _write_export(export / "aaa" / "part_0_0001.csv", mtime=2_000_000_000)
    _write_export(export / "zzz" / "part_0_0001.csv", mtime=1_000_000_000)
    # older exports write a file per run straight into the range folder: they compete too
    _write_export(export / "acme-actual_0001.csv", mtime=1_500_000_000)
    files, _ = discover(tmp_path)
    actual = {(f.path.parent.name, f.path.name): f.status for f in files if f.export == "acme-actual"}
    assert actual == {
        ("aaa", "part_0_0001.csv"): "current",
        ("zzz", "part_0_0001.csv"): "superseded",
        (AUGUST, "acme-actual_0001.csv"): "superseded",
    }


def test_azure_manifests_stating_both_types_are_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    export = tmp_path / "azure" / "acme-costs"
    for run, export_type in (("run-1", "ActualCost"), ("run-2", "AmortizedCost")):
        _write_export(export / AUGUST / run / "part_0_0001.csv")
        _azure_manifest(export / AUGUST / run, export_type, None, ["part_0_0001.csv"])
    assert _error(tmp_path) == (
        "azure/acme-costs: its runs' manifests state both actual and amortised cost; land each export "
        "definition in its own folder."
    )


def test_azure_focus_export_under_azure_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    run = tmp_path / "azure" / "acme-focus" / AUGUST / "run-1"
    _write_export(run / "part_0_0001.csv")
    _azure_manifest(run, "FocusCost", None, ["part_0_0001.csv"])
    assert _error(tmp_path) == (
        f"azure/acme-focus/{AUGUST}/run-1: this is a FOCUS export (FocusCost); land it under focus/<export>/ "
        "instead of azure/."
    )


def test_azure_manifest_listing_a_missing_file_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    run = tmp_path / "azure" / "acme-actual" / AUGUST / "run-1"
    _azure_manifest(run, "ActualCost", None, ["part_0_0001.csv", "part_0_0002.csv"])
    assert _error(tmp_path) == (
        f"azure/acme-actual/{AUGUST}/run-1/manifest.json: the manifest lists part_0_0002.csv, which is missing "
        f"from azure/acme-actual/{AUGUST}/run-1; copy the complete export run from the storage account."
    )


def test_azure_unreadable_manifest_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write_export(tmp_path / "azure" / "acme-actual" / AUGUST / "run-1" / "manifest.json", "{not json")
    assert _error(tmp_path) == (
        f"azure/acme-actual/{AUGUST}/run-1/manifest.json: the export manifest cannot be read (JSONDecodeError); "
        "download it again from the storage account or delete it to fall back to the files' times."
    )


def test_azure_file_outside_a_date_range_folder_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write_export(tmp_path / "azure" / "acme-actual" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        "azure/acme-actual/part_0_0001.csv: Azure exports write into a date-range folder "
        "(acme-actual/<yyyymmdd-yyyymmdd>/); move the file into the folder of the range it covers."
    )


def test_azure_date_range_ending_before_it_starts_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write_export(tmp_path / "azure" / "acme-actual" / "20260930-20260901" / "run-1" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        "azure/acme-actual/20260930-20260901: the date range ends before it starts; rename the folder."
    )


def test_azure_empty_date_range_folder_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    (tmp_path / "azure" / "acme-actual" / "20260901-20260930" / "run-1").mkdir(parents=True)
    assert _error(tmp_path) == (
        "azure/acme-actual/20260901-20260930: this date-range folder holds no export file (.csv, .csv.gz or "
        ".parquet); copy the export run from the storage account or remove the empty folder."
    )


# -- Google Cloud -----------------------------------------------------------------------------


def test_gcp_files_anywhere_under_an_export_count_hidden_folders_are_ignored_and_others_named(tmp_path: Path) -> None:
    export = tmp_path / "gcp" / "billing"
    _write_export(export / "2026-08" / "billing-00000.jsonl", GCP_LINE)
    _write_export(export / "2026-08" / "billing-00001.json.gz", GCP_LINE)
    _write_export(export / "2026-09" / "billing-00000.parquet", "")
    _write_export(export / "_truth" / "billing.jsonl", GCP_LINE)
    _write_export(export / "2026-08" / "README.txt", "not billing data")
    files, warnings = discover(tmp_path)
    assert sorted((f.export, "/".join(f.path.parts[-2:]), f.flavor, f.status) for f in files) == [
        ("billing", "2026-08/README.txt", "", "not read"),
        ("billing", "2026-08/billing-00000.jsonl", "gcp_json", "current"),
        ("billing", "2026-08/billing-00001.json.gz", "gcp_json", "current"),
        ("billing", "2026-09/billing-00000.parquet", "gcp_parquet", "current"),
    ]
    assert warnings == [
        "gcp/billing/2026-08/README.txt: not read: not a billing data file (the loader reads .jsonl, .json, "
        ".ndjson, .jsonl.gz, .json.gz, .ndjson.gz, .parquet files in gcp/)."
    ]


def test_gcp_month_extracted_twice_counts_the_extract_whose_name_sorts_last(tmp_path: Path) -> None:
    month = tmp_path / "gcp" / "billing" / "invoice_month=202608"
    _write_export(month / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE, mtime=2_000_000_000)
    _write_export(month / "20260902T0600Z" / "billing-00001.jsonl", GCP_LINE, mtime=2_000_000_000)
    _write_export(month / "20260905T0600Z" / "billing-00000.jsonl", GCP_LINE, mtime=1_000_000_000)
    _write_export(tmp_path / "gcp" / "billing" / "invoice_month=202609" / "20261001T0600Z" / "billing-00000.jsonl", GCP_LINE)
    files, _ = discover(tmp_path)
    reason = "replaced by the newer extract 20260905T0600Z of invoice_month=202608"
    assert _source_status(files, "gcp") == {
        "invoice_month=202608/20260902T0600Z/billing-00000.jsonl": ("superseded", "gcp_json", reason),
        "invoice_month=202608/20260902T0600Z/billing-00001.jsonl": ("superseded", "gcp_json", reason),
        "invoice_month=202608/20260905T0600Z/billing-00000.jsonl": ("current", "gcp_json", ""),
        "invoice_month=202609/20261001T0600Z/billing-00000.jsonl": ("current", "gcp_json", ""),
    }


def test_gcp_file_directly_under_gcp_is_an_error_naming_it(tmp_path: Path) -> None:
    _write_export(tmp_path / "gcp" / "billing" / "invoice_month=202608" / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE)
    _write_export(tmp_path / "gcp" / "billing-00000.jsonl.gz", GCP_LINE)
    assert _error(tmp_path) == (
        "gcp/billing-00000.jsonl.gz: billing export files go in one subfolder per export (gcp/<export>/); "
        "move it there."
    )


def test_gcp_invoice_month_with_both_files_and_extract_folders_is_an_error(tmp_path: Path) -> None:
    month = tmp_path / "gcp" / "billing" / "invoice_month=202608"
    _write_export(month / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE)
    _write_export(month / "billing-00000.jsonl", GCP_LINE)
    assert _error(tmp_path) == (
        "gcp/billing/invoice_month=202608: holds both files and extract folders, so it is not clear which "
        "extract of the month counts; move the files into an extract folder named by its time."
    )


def test_gcp_misnamed_invoice_month_folder_is_an_error(tmp_path: Path) -> None:
    """A month folder the re-extract rule would not recognise would let every extract in it count."""
    _write_export(tmp_path / "gcp" / "billing" / "invoice_month=2026-08" / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE)
    assert _error(tmp_path) == (
        "gcp/billing/invoice_month=2026-08: an invoice month folder is named invoice_month=YYYYMM "
        "(e.g. invoice_month=202608); rename it, or every extract in it would count."
    )


def test_empty_azure_and_gcp_folders_warn(tmp_path: Path) -> None:
    (tmp_path / "azure").mkdir()
    (tmp_path / "gcp").mkdir()
    files, warnings = discover(tmp_path)
    assert files == []
    assert warnings == [
        "azure/: the folder is empty, so this source contributes no rows.",
        "gcp/: the folder is empty, so this source contributes no rows.",
    ]
