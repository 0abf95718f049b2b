"""Azure and Google Cloud exports delivered as parquet load like their CSV and JSON-lines forms.

Azure exports can be written as parquet, and a BigQuery billing table can be extracted as parquet
(nested columns kept). The generated exports are converted file by file (Azure manifests renamed
to match), built, and must reconcile to the generator's truth exactly, as the originals do.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops.settings import SAMPLE_MAPPINGS_DIR

from .conftest import Build, build_warehouse


def _to_parquet(landing: Path) -> None:
    con = duckdb.connect()
    for path in sorted((landing / "azure").rglob("*.csv.gz")):
        target = path.with_name(path.name.removesuffix(".csv.gz") + ".parquet")
        con.execute(f"copy (select * from read_csv('{path}', all_varchar = true)) to '{target}' (format parquet)")
        path.unlink()
        manifest = path.parent / "manifest.json"
        if manifest.is_file():
            content = json.loads(manifest.read_text(encoding="utf-8"))
            for blob in content.get("blobs", []):
                blob["blobName"] = blob["blobName"].replace(path.name, target.name)
            manifest.write_text(json.dumps(content), encoding="utf-8")
    for path in sorted((landing / "gcp").rglob("*.jsonl.gz")):
        target = path.with_name(path.name.removesuffix(".jsonl.gz") + ".parquet")
        con.execute(f"copy (select * from read_json('{path}', format = 'newline_delimited')) to '{target}' "
                    "(format parquet)")
        path.unlink()
    con.close()


@pytest.fixture(scope="module")
def parquet_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    from finops.sample_data import generate

    root = tmp_path_factory.mktemp("multicloud-parquet")
    landing = root / "landing"
    generate(landing, seed=11, months=2, rows_per_month=1500, progress=False)
    _to_parquet(landing)
    return build_warehouse(landing, root / "warehouse.duckdb", mappings=SAMPLE_MAPPINGS_DIR)


def test_parquet_exports_build_with_every_test_passing(parquet_build: Build) -> None:
    assert parquet_build.returncode == 0, parquet_build.output[-6000:]


def test_parquet_files_are_read_as_parquet(parquet_build: Build) -> None:
    flavors = dict(parquet_build.query(
        "select source, string_agg(distinct regexp_extract(file_path, '\\.[a-z]+$'), ',') "
        "from raw.landing_files where source in ('azure', 'gcp') group by 1"
    ))
    assert flavors == {"azure": ".parquet", "gcp": ".parquet"}
    gcp = parquet_build.query("select distinct delivery_flavour from raw.landing_files where source = 'gcp'")
    assert gcp == [("gcp_parquet",)]


def test_parquet_exports_reconcile_to_the_truth(parquet_build: Build) -> None:
    """Per billing account and period: raw and FOCUS totals equal the generator's, on both bases."""
    with open(parquet_build.landing / "_truth" / "expected_totals.csv", encoding="utf-8") as handle:
        truth = {
            (row["source"], row["billing_account_id"], row["billing_period_start"]):
                (Decimal(row["billed_cost"]), Decimal(row["amortized_cost"]))
            for row in csv.DictReader(handle) if row["source"] in ("azure", "gcp")
        }
    rows = parquet_build.query(
        "select source_name, billing_account_id, strftime(billing_period_start, '%Y-%m-%d'), raw_billed_cost, "
        "raw_amortized_cost, focus_billed_cost, focus_effective_cost, quarantined_row_count, is_reconciled "
        "from marts.fct_billing_reconciliation where source_name in ('azure', 'gcp')"
    )
    found = {(s, a, p): (rb, ra) for s, a, p, rb, ra, *_ in rows}
    assert found == truth
    assert all(fb == rb and fe == ra and q == 0 and ok for _, _, _, rb, ra, fb, fe, q, ok in rows), rows
