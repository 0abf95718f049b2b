"""The delivery rules of the landing folder (python_checks/landing/discover.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from python_checks.landing.discover import LandingError, discover

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
    files, _ = discover(tmp_path)
    assert sorted((f.source, f.flavour, f.status) for f in files) == [
        ("aws_cur", "cur_parquet", "current"),
        ("aws_cur2", "cur2", "current"),
    ]


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
    files, _ = discover(tmp_path)
    assert [f.path.name for f in files] == ["rep-00001.snappy.parquet"]


def test_glob_characters_in_a_path_are_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "aws_cur" / "rep" / "20260801-20260901" / "asm" / "rep-[1].csv.gz")
    with pytest.raises(LandingError, match=r"rep-\[1\]\.csv\.gz: the path contains one of"):
        discover(tmp_path)
