"""The delivery rules of the Azure and Google Cloud landing folders (finops/landing/discover.py
`_azure`, `_gcp`): which files count, which are superseded, and the one-sentence errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finops.landing.discovery import LandingError, discover

from .test_landing_discovery import _write as write_file

AZURE_HEADER = "BillingAccountId,Date,Cost\n"
GCP_LINE = '{"billing_account_id": "01A2B3-C4D5E6-000001", "cost": 1.0}\n'
AUGUST = "20260801-20260831"


def _write(path: Path, text: str = AZURE_HEADER, mtime: float | None = None) -> Path:
    return write_file(path, text, mtime)


def _azure_manifest(run_dir: Path, export_type: str | None, submitted: str | None, blobs: list[str]) -> None:
    content: dict = {"blobs": [{"blobName": f"azure/x/{run_dir.parent.name}/{run_dir.name}/{b}"} for b in blobs]}
    if export_type is not None:
        content["exportConfig"] = {"type": export_type}
    if submitted is not None:
        content["runInfo"] = {"submittedTime": submitted}
    _write(run_dir / "manifest.json", json.dumps(content))


def _pair(landing: Path, name: str = "acme", folder: str = AUGUST) -> None:
    _write(landing / "azure" / f"{name}-actual" / folder / "run-1" / "part_0_0001.csv")
    _write(landing / "azure" / f"{name}-amortized" / folder / "run-1" / "part_0_0001.csv")


def _status(files, source: str) -> dict[str, tuple[str, str, str]]:  # noqa: ANN001
    """The last three parts of each path of a source -> (status, flavour, reason)."""
    return {"/".join(f.path.parts[-3:]): (f.status, f.flavour, f.reason) for f in files if f.source == source}


def _error(landing: Path) -> str:
    with pytest.raises(LandingError) as caught:
        discover(landing)
    return str(caught.value)


# -- Azure ------------------------------------------------------------------------------------


def test_azure_pair_both_types_from_folder_names(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write(tmp_path / "azure" / "acme-amortised" / AUGUST / "run-1" / "part_0_0001.csv.gz")  # British spelling
    files, warnings = discover(tmp_path)
    assert sorted((f.export, f.flavour, f.status, f.assembly_id) for f in files) == [
        ("acme-actual", "azure_actual", "current", "run-1"),
        ("acme-amortised", "azure_amortized", "current", "run-1"),
        ("acme-amortized", "azure_amortized", "current", "run-1"),
    ]
    assert warnings == []


@pytest.mark.parametrize(("landed", "have", "missing"), [("actual", "actual", "amortized"),
                                                        ("amortized", "amortized", "actual")])
def test_azure_only_one_export_type_is_an_error(tmp_path: Path, landed: str, have: str, missing: str) -> None:
    _write(tmp_path / "azure" / f"acme-{landed}" / AUGUST / "run-1" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        f"azure/: only {have}-cost exports are landed; FOCUS needs both (amortised rows and the actual "
        f"export's commitment purchases), so add the {missing}-cost export of the same scope."
    )


def test_azure_overlapping_date_ranges_of_one_export_are_an_error_naming_both(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write(tmp_path / "azure" / "acme-actual" / "20260815-20260914" / "run-1" / "part_0_0001.csv")
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
    _write(tmp_path / "azure" / "acme-daily" / AUGUST / "run-1" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        "azure/acme-daily: cannot tell whether this export is actual or amortised cost (no manifest.json "
        "states it); rename the folder to include \"actual\" or \"amortized\"."
    )


def test_azure_manifest_states_the_type_and_the_newest_submitted_run_counts(tmp_path: Path) -> None:
    """The manifest's submittedTime decides, not the files' times; its type beats the folder name."""
    _write(tmp_path / "azure" / "acme-actual" / AUGUST / "run-1" / "part_0_0001.csv")
    export = tmp_path / "azure" / "acme-costs"
    _write(export / AUGUST / "run-old" / "part_0_0001.csv", mtime=2_000_000_000)
    _azure_manifest(export / AUGUST / "run-old", "AmortizedCost", "2026-09-01T06:00:00.0000000Z", ["part_0_0001.csv"])
    _write(export / AUGUST / "run-new" / "part_0_0001.csv", mtime=1_000_000_000)
    _azure_manifest(export / AUGUST / "run-new", "AmortizedCost", "2026-09-03T06:00:00.0000000Z", ["part_0_0001.csv"])
    files, _ = discover(tmp_path)
    assert _status(files, "azure") == {
        f"{AUGUST}/run-1/part_0_0001.csv": ("current", "azure_actual", ""),
        f"{AUGUST}/run-new/part_0_0001.csv": ("current", "azure_amortized", ""),
        f"{AUGUST}/run-old/part_0_0001.csv": (
            "superseded", "azure_amortized", f"replaced by the newer export run run-new of {AUGUST}"),
    }


def test_azure_without_manifest_the_run_written_last_counts(tmp_path: Path) -> None:
    _write(tmp_path / "azure" / "acme-amortized" / AUGUST / "run-1" / "part_0_0001.csv")
    export = tmp_path / "azure" / "acme-actual" / AUGUST
    _write(export / "aaa" / "part_0_0001.csv", mtime=2_000_000_000)
    _write(export / "zzz" / "part_0_0001.csv", mtime=1_000_000_000)
    # older exports write a file per run straight into the range folder: they compete too
    _write(export / "acme-actual_0001.csv", mtime=1_500_000_000)
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
        _write(export / AUGUST / run / "part_0_0001.csv")
        _azure_manifest(export / AUGUST / run, export_type, None, ["part_0_0001.csv"])
    assert _error(tmp_path) == (
        "azure/acme-costs: its runs' manifests state both actual and amortised cost; land each export "
        "definition in its own folder."
    )


def test_azure_focus_export_under_azure_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    run = tmp_path / "azure" / "acme-focus" / AUGUST / "run-1"
    _write(run / "part_0_0001.csv")
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
    _write(tmp_path / "azure" / "acme-actual" / AUGUST / "run-1" / "manifest.json", "{not json")
    assert _error(tmp_path) == (
        f"azure/acme-actual/{AUGUST}/run-1/manifest.json: the export manifest cannot be read (JSONDecodeError); "
        "download it again from the storage account or delete it to fall back to the files' times."
    )


def test_azure_file_outside_a_date_range_folder_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write(tmp_path / "azure" / "acme-actual" / "part_0_0001.csv")
    assert _error(tmp_path) == (
        "azure/acme-actual/part_0_0001.csv: Azure exports write into a date-range folder "
        "(acme-actual/<yyyymmdd-yyyymmdd>/); move the file into the folder of the range it covers."
    )


def test_azure_date_range_ending_before_it_starts_is_an_error(tmp_path: Path) -> None:
    _pair(tmp_path)
    _write(tmp_path / "azure" / "acme-actual" / "20260930-20260901" / "run-1" / "part_0_0001.csv")
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
    _write(export / "2026-08" / "billing-00000.jsonl", GCP_LINE)
    _write(export / "2026-08" / "billing-00001.json.gz", GCP_LINE)
    _write(export / "2026-09" / "billing-00000.parquet", "")
    _write(export / "_truth" / "billing.jsonl", GCP_LINE)
    _write(export / "2026-08" / "README.txt", "not billing data")
    files, warnings = discover(tmp_path)
    assert sorted((f.export, "/".join(f.path.parts[-2:]), f.flavour, f.status) for f in files) == [
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
    _write(month / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE, mtime=2_000_000_000)
    _write(month / "20260902T0600Z" / "billing-00001.jsonl", GCP_LINE, mtime=2_000_000_000)
    _write(month / "20260905T0600Z" / "billing-00000.jsonl", GCP_LINE, mtime=1_000_000_000)
    _write(tmp_path / "gcp" / "billing" / "invoice_month=202609" / "20261001T0600Z" / "billing-00000.jsonl", GCP_LINE)
    files, _ = discover(tmp_path)
    reason = "replaced by the newer extract 20260905T0600Z of invoice_month=202608"
    assert _status(files, "gcp") == {
        "invoice_month=202608/20260902T0600Z/billing-00000.jsonl": ("superseded", "gcp_json", reason),
        "invoice_month=202608/20260902T0600Z/billing-00001.jsonl": ("superseded", "gcp_json", reason),
        "invoice_month=202608/20260905T0600Z/billing-00000.jsonl": ("current", "gcp_json", ""),
        "invoice_month=202609/20261001T0600Z/billing-00000.jsonl": ("current", "gcp_json", ""),
    }


def test_gcp_file_directly_under_gcp_is_an_error_naming_it(tmp_path: Path) -> None:
    _write(tmp_path / "gcp" / "billing" / "invoice_month=202608" / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE)
    _write(tmp_path / "gcp" / "billing-00000.jsonl.gz", GCP_LINE)
    assert _error(tmp_path) == (
        "gcp/billing-00000.jsonl.gz: billing export files go in one subfolder per export (gcp/<export>/); "
        "move it there."
    )


def test_gcp_invoice_month_with_both_files_and_extract_folders_is_an_error(tmp_path: Path) -> None:
    month = tmp_path / "gcp" / "billing" / "invoice_month=202608"
    _write(month / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE)
    _write(month / "billing-00000.jsonl", GCP_LINE)
    assert _error(tmp_path) == (
        "gcp/billing/invoice_month=202608: holds both files and extract folders, so it is not clear which "
        "extract of the month counts; move the files into an extract folder named by its time."
    )


def test_gcp_misnamed_invoice_month_folder_is_an_error(tmp_path: Path) -> None:
    """A month folder the re-extract rule would not recognise would let every extract in it count."""
    _write(tmp_path / "gcp" / "billing" / "invoice_month=2026-08" / "20260902T0600Z" / "billing-00000.jsonl", GCP_LINE)
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
