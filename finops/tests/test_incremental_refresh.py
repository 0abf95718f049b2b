"""Incremental refresh = full refresh (DECISIONLOG D59, D61).

One warehouse is built in steps, the way a daily refresh meets the bills: months 1-2 first; then
month 3 arrives, month 2 of one AWS payer is re-delivered with other amounts, and a closed month
(month 1) of a Google Cloud billing account is restated. Month 3 of a native FOCUS export also files
most of its rows under one ServiceName with another ServiceCategory, which changes that name's one
category (D48) for the two earlier months too. Every public mart of that warehouse must equal, row
for row and to the last unit of money, a warehouse built in one full refresh from the final landing
folder; the deliveries that did not change must not have been read or rewritten. The same two steps
written in small batches of deliveries (D82) must give the same marts again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from finops.settings import SAMPLE_MAPPINGS_DIR
from finops.warehouse import WarehousePaths

from .conftest import Build, _query, build_warehouse

# Period folders of the generated landing, per month (1-based), as each provider names them.
MONTH_FOLDERS = {
    1: ("20260701-", "year=2026/month=7", "BILLING_PERIOD=2026-07", "billing_period=2026-07", "invoice_month=202607"),
    2: ("20260801-", "year=2026/month=8", "BILLING_PERIOD=2026-08", "billing_period=2026-08", "invoice_month=202608"),
    3: ("20260901-", "year=2026/month=9", "BILLING_PERIOD=2026-09", "billing_period=2026-09", "invoice_month=202609"),
}
REDELIVERED = "aws_cur/acme-payer-cur/20260801-20260901"  # month 2 of one payer, other amounts
RESTATED = "gcp/gcp_billing_export_v1_0F1E2D_3C4B5A_697887/invoice_month=202607"  # a closed month
# Month 3 of this export files its compute, database and storage rows under RECATEGORIZED_NAME and
# RECATEGORIZED_TO: more rows than months 1-2 file under the name's own category (Storage), so the
# name's one category changes and months 1-2's rows change with it, though those deliveries did not.
RECATEGORIZING_EXPORT = "focus/kestrel-focus10"
RECATEGORIZED_NAME, RECATEGORIZED_TO = "Kestrel Object Store", "Databases"
RECATEGORIZED = {f"{RECATEGORIZING_EXPORT}/billing_period=2026-07", f"{RECATEGORIZING_EXPORT}/billing_period=2026-08"}
# FINOPS_BATCH_ROWS for the batched steps: a few deliveries of the 800-row sample per batch (D82).
BATCH_ROWS = "1500"
BATCHED_MODELS = ("int_charges_checked", "int_charges_split_by_day", "int_charges_allocated_direct",
                  "int_charges_allocated", "int_charges_allocation_differences")


def _month(path: Path, landing: Path) -> int | None:
    relative = path.relative_to(landing).as_posix()
    for month, markers in MONTH_FOLDERS.items():
        if any(f"/{marker}" in f"/{relative}" for marker in markers):
            return month
    return None


def _copy_months(source: Path, target: Path, months: set[int]) -> None:
    """`source`'s files of the given months (and everything that belongs to no month) into `target`."""
    for path in sorted(source.rglob("*")):
        if path.is_file() and (_month(path, source) in months or _month(path, source) is None):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def _replace(landing: Path, other: Path, folder: str) -> None:
    shutil.rmtree(landing / folder)
    shutil.copytree(other / folder, landing / folder)


def _recategorize(landing: Path) -> None:
    """Month 3 of RECATEGORIZING_EXPORT files its compute, database and storage rows under
    RECATEGORIZED_NAME, category RECATEGORIZED_TO."""
    import csv

    (path,) = (landing / RECATEGORIZING_EXPORT / "billing_period=2026-09").glob("*.csv")
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        fields, rows = reader.fieldnames, list(reader)
    # Its own rows, a month's worth like each earlier month's, are re-filed too.
    stated = sum(row["ServiceName"] == RECATEGORIZED_NAME for row in rows)
    renamed = 0
    for row in rows:
        if row["ServiceCategory"] in ("Compute", "Storage", RECATEGORIZED_TO):
            row["ServiceName"], row["ServiceCategory"] = RECATEGORIZED_NAME, RECATEGORIZED_TO
            renamed += 1
    assert renamed > 2 * stated * 1.2, "the month would not change the name's category"
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _categories(build: Build) -> dict[str, list[str]]:
    """Billing period -> the ServiceCategories RECATEGORIZED_NAME has in the FOCUS dataset."""
    return dict(build.query(
        f"select strftime(BillingPeriodStart, '%Y-%m'), list(distinct ServiceCategory order by ServiceCategory) "
        f"from marts.focus_cost_and_usage where ServiceName = '{RECATEGORIZED_NAME}' group by 1 order by 1"
    ))


def _public_marts(build: Build) -> list[str]:
    return [name for (name,) in build.query(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    )]


def _differences(a: Build, b: Build, mart: str) -> tuple[int, int]:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"attach '{a.duckdb_path}' as a (read_only)")
        con.execute(f"attach '{b.duckdb_path}' as b (read_only)")
        only_a = con.execute(f"select count(*) from (from a.marts.{mart} except all from b.marts.{mart})").fetchone()[0]
        only_b = con.execute(f"select count(*) from (from b.marts.{mart} except all from a.marts.{mart})").fetchone()[0]
        return only_a, only_b
    finally:
        con.close()


def _deliveries(build: Build) -> dict[str, tuple]:
    """delivery -> (delivery_id, loaded_at, status, partition mtime_ns and inode) of the working database."""
    rows = _query(build.work_path, "select delivery, delivery_id, loaded_at, status, source from raw.deliveries")
    raw = build.work_path.parent / "raw"
    result = {}
    for delivery, delivery_id, loaded_at, status, _source in rows:
        partitions = sorted(raw.glob(f"*/{delivery_id}-*.parquet"))
        stats = tuple((p.stat().st_mtime_ns, p.stat().st_ino) for p in partitions if p.parent.name != "rejected_lines")
        result[delivery] = (delivery_id, loaded_at, status, stats)
    return result


# The tables after the FOCUS dataset that are incremental too (D63): the daily split and the allocation.
DAILY_TABLES = ("int_charges_split_by_day", "int_charges_allocated_direct", "int_charges_allocated")


def _stamps(build: Build) -> dict[tuple[str, str], tuple]:
    """(table, delivery) -> the dbt invocations that wrote its rows, and how many rows, in the working database."""
    deliveries = dict(_query(build.work_path, "select delivery_id, delivery from raw.deliveries"))
    stamps = {}
    for table in DAILY_TABLES:
        for delivery_id, invocations, rows in _query(
            build.work_path,
            f"select delivery_id, list(distinct built_by_invocation order by built_by_invocation), count(*) "
            f"from intermediate.{table} group by 1",
        ):
            stamps[(table, deliveries[delivery_id])] = (tuple(invocations), rows)
    return stamps


# The published relations written one folder per delivery (finops/warehouse.py, D71).
PER_DELIVERY = ("focus_cost_and_usage", "fct_cost_allocated")


def _published_files(build: Build) -> dict[tuple[str, str], tuple[str, tuple[int, ...]]]:
    """(relation, delivery id) -> (folder name, its files' inodes) in the published snapshot, for the
    relations published one folder per delivery (`file_key=<md5 of the delivery id>-<rows>-<digest>`)."""
    from finops.warehouse import current_snapshot

    snapshot = current_snapshot(WarehousePaths(build.duckdb_path))
    ids = {hashlib.md5(i.encode()).hexdigest(): i for (i,) in _query(build.work_path, "select delivery_id from raw.deliveries")}
    files = {}
    for relation in PER_DELIVERY:
        for folder in (snapshot / "marts" / relation).iterdir():
            delivery = ids[folder.name.removeprefix("file_key=").split("-")[0]]
            files[(relation, delivery)] = (folder.name, tuple(f.stat().st_ino for f in sorted(folder.glob("*.parquet"))))
    return files


def _redelivered_cost(build: Build):  # noqa: ANN202
    return build.query(
        "select sum(BilledCost) from marts.focus_cost_and_usage where x_source_file like ?".replace(
            "?", f"'{REDELIVERED}/%'")
    )[0][0]


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from finops.sample_data import generate

    root = tmp_path_factory.mktemp("incremental")
    first, second = root / "generated-a", root / "generated-b"
    generate(first, seed=7, months=3, rows_per_month=800, progress=False, history_months=0)
    generate(second, seed=8, months=3, rows_per_month=800, progress=False, history_months=0)

    landing = root / "landing"
    _copy_months(first, landing, {1, 2})
    warehouse = root / "incremental" / "warehouse.duckdb"
    step_1 = build_warehouse(landing, warehouse, mappings=SAMPLE_MAPPINGS_DIR)
    assert step_1.returncode == 0, step_1.output[-4000:]
    after_step_1 = _deliveries(step_1)
    stamps_1 = _stamps(step_1)
    redelivered_cost_1 = _redelivered_cost(step_1)
    published_1 = _published_files(step_1)
    categories_1 = _categories(step_1)

    _copy_months(first, landing, {3})
    _recategorize(landing)
    _replace(landing, second, REDELIVERED)
    _replace(landing, second, RESTATED)
    step_2 = build_warehouse(landing, warehouse, mappings=SAMPLE_MAPPINGS_DIR)
    assert step_2.returncode == 0, step_2.output[-4000:]
    after_step_2 = _deliveries(step_2)
    stamps_2 = _stamps(step_2)
    published_2 = _published_files(step_2)

    no_change = build_warehouse(landing, warehouse, mappings=SAMPLE_MAPPINGS_DIR)
    assert no_change.returncode == 0, no_change.output[-4000:]

    full = build_warehouse(landing, root / "full" / "warehouse.duckdb", mappings=SAMPLE_MAPPINGS_DIR)
    assert full.returncode == 0, full.output[-4000:]
    return {"landing": landing, "warehouse": warehouse, "generated": (first, second),
            "step_1": step_1, "step_2": step_2, "no_change": no_change, "full": full,
            "redelivered_cost": (redelivered_cost_1, _redelivered_cost(step_2)),
            "stamps": (stamps_1, stamps_2), "after_step_1": after_step_1, "after_step_2": after_step_2, "after_no_change": _deliveries(no_change),
            "published": (published_1, published_2), "categories": (categories_1, _categories(step_2))}


@pytest.fixture(scope="module")
def batched_steps(steps: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same two steps on a warehouse of their own, the largest models writing their deliveries in
    batches of at most BATCH_ROWS loaded rows (D82): step 1 a full refresh, step 2 an incremental one."""
    first, second = steps["generated"]
    root = tmp_path_factory.mktemp("batched")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    env = {"FINOPS_BATCH_ROWS": BATCH_ROWS}
    _copy_months(first, landing, {1, 2})
    step_1 = build_warehouse(landing, warehouse, mappings=SAMPLE_MAPPINGS_DIR, env=env)
    assert step_1.returncode == 0, step_1.output[-4000:]
    _copy_months(first, landing, {3})
    _recategorize(landing)
    _replace(landing, second, REDELIVERED)
    _replace(landing, second, RESTATED)
    step_2 = build_warehouse(landing, warehouse, mappings=SAMPLE_MAPPINGS_DIR, env=env)
    assert step_2.returncode == 0, step_2.output[-4000:]
    return {"step_1": step_1, "step_2": step_2}


def test_steps_are_incremental_and_rebuild_only_what_changed(steps: dict) -> None:
    assert "dbt build: full refresh, first build" in steps["step_1"].output
    # Month 3 of each export (11 exports: 2 legacy CUR, 1 CUR 2.0, 2 FOCUS, 4 Azure, 2 Google Cloud),
    # the re-delivered month and the restated month.
    assert "dbt build: incremental: 13 of 33 deliveries to rebuild" in steps["step_2"].output, steps["step_2"].output
    assert ("dbt build: nothing changed since the last publication (33 deliveries unchanged)"
            in steps["no_change"].output), steps["no_change"].output
    assert "dbt build: full refresh, first build" in steps["full"].output


def test_every_public_mart_equals_a_full_refresh(steps: dict) -> None:
    incremental, full = steps["step_2"], steps["full"]
    marts = _public_marts(full)
    assert marts == _public_marts(incremental)
    assert "focus_cost_and_usage" in marts and "fct_billing_reconciliation" in marts
    differing = {mart: d for mart in marts if (d := _differences(incremental, full, mart)) != (0, 0)}
    assert differing == {}
    # And a refresh that finds nothing new changes nothing.
    assert {mart: d for mart in marts if (d := _differences(steps["no_change"], full, mart)) != (0, 0)} == {}
    # The changed amounts did reach the marts (equality would hold vacuously if the re-delivery were ignored).
    before, after = steps["redelivered_cost"]
    assert before and after and before != after


def test_a_run_written_in_batches_equals_one_written_at_once(steps: dict, batched_steps: dict) -> None:
    """Each step's full and incremental refresh, written in batches of deliveries, gives every public
    mart the rows the unbatched steps give, to the last unit of money."""
    for step in ("step_1", "step_2"):
        output = batched_steps[step].output
        for model in BATCHED_MODELS:
            assert re.search(rf"{model}: batch 2 of \d+ ", output), (step, model)
        assert not re.search(r": batch \d+ of ", steps[step].output), step  # the default is one batch here
        marts = _public_marts(steps[step])
        differing = {mart: d for mart in marts if (d := _differences(batched_steps[step], steps[step], mart)) != (0, 0)}
        assert differing == {}, step


def _parquet_reads(node: dict) -> list[int]:
    """The rows each READ_PARQUET of a DuckDB JSON profile returned."""
    own = [node["operator_cardinality"]] if (node.get("operator_name") or "").strip() == "READ_PARQUET" else []
    return own + [rows for child in node.get("children", []) for rows in _parquet_reads(child)]


def test_a_batch_reads_only_its_deliveries_raw_rows(generated_build: Build, tmp_path: Path) -> None:
    """The row check writes a batch of deliveries by reading each provider's conform view filtered to
    their ids (union_providers with delivery_batch, D82): DuckDB must read only those deliveries' raw
    rows, not scan every delivery's file and drop the rows after. Counted with DuckDB's profiler: the
    rows every raw parquet read of one delivery's query returns (D89: the AWS conform's own filter
    kept the batch filter above the scan, so each batch read every AWS line item)."""
    import duckdb

    assert generated_build.returncode == 0, generated_build.output[-3000:]
    con = duckdb.connect(str(generated_build.work_path), read_only=True)
    profile = tmp_path / "profile.json"
    try:
        deliveries = con.execute("select delivery_id, delivery, rows_loaded from raw.deliveries").fetchall()
        views = {"aws_cur": "aws", "aws_cur2": "aws", "azure": "azure", "gcp": "gcp", "focus": "focus"}
        con.execute("pragma enable_profiling = 'json'")
        con.execute(f"pragma profiling_output = '{profile}'")
        read = {}
        for delivery_id, delivery, rows_loaded in deliveries:
            view = f"intermediate.int_{views[delivery.split('/')[0]]}__charges_conformed"
            con.execute(f"select count(*) from {view} where delivery_id in ('{delivery_id}')").fetchall()
            scans = _parquet_reads(json.loads(profile.read_text()))
            read[delivery] = (sum(scans), rows_loaded, len(scans))
    finally:
        con.close()
    aws = {d: r for d, r in read.items() if d.startswith("aws_cur")}
    assert len(aws) >= 6 and all(scans for _, _, scans in aws.values())  # the profile shows the raw reads
    assert {d: (rows, loaded) for d, (rows, loaded, _) in read.items() if rows > loaded} == {}


def test_a_category_changed_by_a_new_month_reaches_the_earlier_months(steps: dict) -> None:
    """Month 3 changed RECATEGORIZED_NAME's one ServiceCategory (D48): the FOCUS dataset shows the new
    one on the earlier months' rows too (the marts that read the daily split are compared to a full
    refresh above, and test_the_daily_split_... checks those months were rewritten there)."""
    before, after = steps["categories"]
    assert before == {"2026-07": ["Storage"], "2026-08": ["Storage"]}
    assert after == {"2026-07": [RECATEGORIZED_TO], "2026-08": [RECATEGORIZED_TO], "2026-09": [RECATEGORIZED_TO]}


def test_unchanged_deliveries_are_neither_read_nor_rewritten(steps: dict) -> None:
    before, after, again = steps["after_step_1"], steps["after_step_2"], steps["after_no_change"]
    changed = {REDELIVERED, RESTATED}
    for delivery, (delivery_id, loaded_at, _status, partitions) in before.items():
        if delivery in changed:
            assert after[delivery][1] > loaded_at, delivery
            assert after[delivery][2] == "changed", delivery
            continue
        assert after[delivery][0] == delivery_id
        assert after[delivery][1] == loaded_at, f"{delivery} was loaded again"
        assert after[delivery][2] == "unchanged", delivery
        assert after[delivery][3] == partitions, f"{delivery}'s partition was rewritten"
    new = set(after) - set(before)
    assert len(new) == 11 and all(after[d][2] == "new" for d in new)
    assert all(status == "unchanged" for _, _, status, _ in again.values())
    assert {d: v[1] for d, v in again.items()} == {d: v[1] for d, v in after.items()}


def test_the_daily_split_and_the_allocation_rewrite_only_the_changed_deliveries(steps: dict) -> None:
    """Each delivery that did not change keeps the rows step 1 wrote in the daily split, the direct
    allocation and the allocation (its scope's weights did not change either: one export per billing
    account); the re-delivered and restated months, the months whose rows changed category and
    month 3 were written by step 2."""
    before, after = steps["stamps"]
    changed = {REDELIVERED, RESTATED} | RECATEGORIZED
    kept = {key: stamp for key, stamp in before.items() if key[1] not in changed}
    assert kept and {key: after[key] for key in kept} == kept
    for table in DAILY_TABLES:
        written = {delivery for (t, delivery), _ in after.items() if t == table and (t, delivery) not in before}
        rewritten = {delivery for (t, delivery), stamp in after.items() if t == table and before.get((t, delivery))
                     and before[(t, delivery)][0] != stamp[0]}
        assert rewritten == changed, table
        assert len(written) == 11, table  # month 3 of each export
        assert all(len(after[(table, d)][0]) == 1 for d in written | rewritten), table


def test_publication_writes_only_the_changed_deliveries_files(steps: dict) -> None:
    """The FOCUS dataset and the allocation are published one folder per delivery: step 2's snapshot
    shares (hard link, same inode) the files of the deliveries whose rows did not change, and writes
    new ones for the re-delivered and restated months, the months whose rows changed category and
    month 3."""
    before, after = steps["published"]
    deliveries = dict(_query(steps["step_2"].work_path, "select delivery, delivery_id from raw.deliveries"))
    changed = {deliveries[d] for d in {REDELIVERED, RESTATED} | RECATEGORIZED}
    for relation in PER_DELIVERY:
        kept = {d: f for (r, d), f in before.items() if r == relation and d not in changed}
        assert kept and {d: after[(relation, d)] for d in kept} == kept, relation
        for delivery in changed:
            assert after[(relation, delivery)][1] != before[(relation, delivery)][1], (relation, delivery)
        written = {d for (r, d) in after if r == relation and (r, d) not in before}
        assert len(written) == 11, relation  # month 3 of each export


def test_a_table_that_no_longer_has_its_models_columns_is_left_as_it_was(steps: dict, tmp_path: Path) -> None:
    """An incremental run inserts a model's rows straight from its query (D79). When the stored table's
    columns are no longer the model's, the run stops before deleting or writing a row of it."""
    copy = tmp_path / "incremental" / "warehouse.duckdb"
    shutil.copytree(steps["warehouse"].parent, copy.parent)
    work = WarehousePaths(copy).work
    import duckdb

    con = duckdb.connect(str(work))
    con.execute("alter table intermediate.int_charges_checked add column x_added_by_hand varchar")
    before = con.execute("select delivery_id, count(*) from intermediate.int_charges_checked group by 1 order by 1").fetchall()
    con.close()
    # The same landing folder (the ledger keeps its paths), one delivery of it with a newer file.
    changed = next(p for p in sorted((steps["landing"] / REDELIVERED).rglob("*")) if p.is_file())
    stat = changed.stat()
    os.utime(changed, (stat.st_atime, stat.st_mtime + 60))
    build = build_warehouse(steps["landing"], copy, mappings=SAMPLE_MAPPINGS_DIR)
    assert build.returncode != 0, build.output[-4000:]
    assert "dbt build: incremental: 1 of 33 deliveries to rebuild" in build.output, build.output[-4000:]
    assert "intermediate.int_charges_checked no longer has the model's columns (only in the table: x_added_by_hand varchar; " \
        "only in the model: none); nothing was written: rebuild with --full-refresh." in build.output, build.output[-4000:]
    after = duckdb.connect(str(work), read_only=True)
    try:
        assert after.execute("select delivery_id, count(*) from intermediate.int_charges_checked "
                             "group by 1 order by 1").fetchall() == before
    finally:
        after.close()


def test_a_model_without_the_delete_pre_hook_does_not_build(tmp_path: Path) -> None:
    """Only the pre-hook deletes the deliveries an incremental run rebuilds (D79): a model materialized
    `incremental_by_delivery` without it would get them twice on every refresh, so it stops at its first
    build with the sentence that says what to add. A small dbt project of its own, with our macro file."""
    project = tmp_path / "toy"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    shutil.copy(Path(__file__).parents[2] / "macros" / "incremental_by_delivery.sql", project / "macros")
    (project / "dbt_project.yml").write_text(
        "name: toy\nversion: '1.0'\nconfig-version: 2\nprofile: toy\n"
        "models:\n  toy:\n    +materialized: incremental_by_delivery\n"
        "    hooked:\n      +pre-hook: \"{{ delete_deliveries_not_built() }}\"\n")
    (project / "profiles.yml").write_text(
        f"toy:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {tmp_path / 'toy.duckdb'}\n"
        "      threads: 1\n")
    for folder in ("hooked", "unhooked"):
        (project / "models" / folder).mkdir()
        (project / "models" / folder / f"m_{folder}.sql").write_text("select 'd1' as delivery_id, 1 as v\n")
    dbt = [str(Path(sys.executable).with_name("dbt")), "run", "--project-dir", str(project),
           "--profiles-dir", str(project), "--full-refresh"]
    run = subprocess.run(dbt, capture_output=True, text=True, cwd=project)
    assert run.returncode != 0, run.stdout[-3000:]
    assert "main.m_unhooked is materialized incremental_by_delivery but no pre-hook deletes the deliveries a run " \
        "rebuilds; nothing was written: give it the pre-hook delete_deliveries_not_built() or " \
        "delete_rebuilt_deliveries() in dbt_project.yml" in run.stdout, run.stdout[-3000:]
    assert "OK created sql incremental_by_delivery model main.m_hooked" in run.stdout, run.stdout[-3000:]
    import duckdb

    con = duckdb.connect(str(tmp_path / "toy.duckdb"), read_only=True)
    try:
        tables = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    assert tables == {"m_hooked"}
