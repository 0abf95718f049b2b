"""`finops bench --rows N` (`make bench ROWS=N`): how a full build compares with the floor.

1. Generates N CUR rows over three months once (cached in .bench/landing-N-multicloud), with the
   generator's Azure and Google Cloud exports beside them (about a tenth of N each).
2. Times a full `finops build` (load, every model and test; no docs) in a child process.
3. Times the floor: one plain DuckDB pass over the same current delivery files (AWS, Azure and
   Google Cloud) that computes billed and amortised totals per account and day, also in a child
   process.
Prints rows, wall time, rows per second and peak memory (the child's max RSS) for both; the last
line is `build/floor ratio: <number>`. Figures, not assertions: nothing here fails on speed.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .settings import GENERATED_MARKER, REPO_ROOT, SAMPLE_MAPPINGS_DIR, money_type
from .warehouse import WarehousePaths

BENCH_DIR = REPO_ROOT / ".bench"
MONTHS = 3

# AWS's amortised cost per line item type (as in int_aws__line_items), on each flavour's columns.
_AMORTIZED = """
    case line_item_type
        when 'SavingsPlanCoveredUsage' then sp_effective_cost
        when 'DiscountedUsage' then ri_effective_cost
        when 'SavingsPlanRecurringFee' then sp_total - sp_used
        when 'RIFee' then coalesce(ri_unused_upfront, 0) + coalesce(ri_unused_recurring, 0)
        when 'SavingsPlanNegation' then 0
        when 'SavingsPlanUpfrontFee' then 0
        when 'Fee' then case when ri_arn is not null and ri_arn <> '' then 0 else cost end
        else cost
    end
"""

_FLOOR_SCRIPT = r'''
import json, resource, sys, time, duckdb
csv_files, parquet_files = json.loads(sys.argv[1]), json.loads(sys.argv[2])
amortised = sys.argv[3]
azure_groups, gcp_files = json.loads(sys.argv[4]), json.loads(sys.argv[5])
money = sys.argv[6]  # the warehouse's money type (settings.money_type)
con = duckdb.connect()
parts = []
# Azure: each group of files shares its header spelling (EA or MCA); the actual export's cost is the
# billed basis, the amortised export's the amortised one.
for group in azure_groups:
    parts.append(f"""
        select "{group['account']}" as payer, cast(strptime("{group['date']}", '{group['date_format']}') as date) as day,
            'azure' as line_item_type,
            case when {group['actual']} then cast("{group['cost']}" as {money}) else 0 end as cost,
            case when {group['actual']} then 0 else cast("{group['cost']}" as {money}) end as azure_amortised,
            null as sp_effective_cost, null as ri_effective_cost, null as sp_total, null as sp_used,
            null as ri_unused_upfront, null as ri_unused_recurring, null as ri_arn
        from read_csv({group['files']!r}, all_varchar = true, union_by_name = true)""")
if gcp_files:
    parts.append(f"""
        select billing_account_id as payer, cast(usage_start_time as date) as day, 'gcp' as line_item_type,
            cast(cost as {money}) + coalesce(list_sum(list_transform(credits, c -> cast(c.amount as {money}))), 0) as cost,
            null as azure_amortised,
            null as sp_effective_cost, null as ri_effective_cost, null as sp_total, null as sp_used,
            null as ri_unused_upfront, null as ri_unused_recurring, null as ri_arn
        from read_json({gcp_files!r}, format = 'newline_delimited', union_by_name = true)""")
if csv_files:
    parts.append(f"""
        select "bill/PayerAccountId" as payer, cast("lineItem/UsageStartDate"[1:10] as date) as day,
            "lineItem/LineItemType" as line_item_type,
            cast(coalesce(nullif("lineItem/NetUnblendedCost", ''), "lineItem/UnblendedCost") as {money}) as cost,
            cast(nullif("savingsPlan/SavingsPlanEffectiveCost", '') as {money}) as sp_effective_cost,
            cast(nullif("reservation/EffectiveCost", '') as {money}) as ri_effective_cost,
            cast(nullif("savingsPlan/TotalCommitmentToDate", '') as {money}) as sp_total,
            cast(nullif("savingsPlan/UsedCommitment", '') as {money}) as sp_used,
            cast(nullif("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", '') as {money}) as ri_unused_upfront,
            cast(nullif("reservation/UnusedRecurringFee", '') as {money}) as ri_unused_recurring,
            "reservation/ReservationARN" as ri_arn
        from read_csv({csv_files!r}, all_varchar = true, union_by_name = true)""")
if parquet_files:
    parts.append(f"""
        select bill_payer_account_id as payer, cast(line_item_usage_start_date as date) as day,
            line_item_line_item_type as line_item_type,
            cast(line_item_unblended_cost as {money}) as cost,
            cast(savings_plan_savings_plan_effective_cost as {money}) as sp_effective_cost,
            cast(reservation_effective_cost as {money}) as ri_effective_cost,
            cast(savings_plan_total_commitment_to_date as {money}) as sp_total,
            cast(savings_plan_used_commitment as {money}) as sp_used,
            cast(reservation_unused_amortized_upfront_fee_for_billing_period as {money}) as ri_unused_upfront,
            cast(reservation_unused_recurring_fee as {money}) as ri_unused_recurring,
            reservation_reservation_a_r_n as ri_arn
        from read_parquet({parquet_files!r}, union_by_name = true)""")
query = f"""
    select payer, day, count(*) as row_count, sum(cost) as billed,
        sum(case line_item_type when 'azure' then azure_amortised else {amortised} end) as amortised
    from ({" union all by name ".join(parts)})
    group by all
"""
start = time.perf_counter()
rows = con.execute(f"select count(*), sum(row_count) from ({query})").fetchone()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "groups": rows[0], "rows": int(rows[1]), "peak_mib": peak}))
'''


def _child_peak_mib() -> float:
    """Max RSS of the largest child process waited for so far (the build, which runs first)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _ensure_landing(rows: int) -> Path:
    landing = BENCH_DIR / f"landing-{rows}-multicloud"
    marker = landing / GENERATED_MARKER
    if not marker.is_file():
        from .sample_data import generate

        print(f"generating {rows:,} CUR rows over {MONTHS} months into {landing} (once; cached)")
        start = time.perf_counter()
        generate(landing, seed=1, months=MONTHS, rows_per_month=max(rows // MONTHS, 1))
        print(f"generated in {time.perf_counter() - start:.1f} s")
    return landing


def _current_files(landing: Path) -> tuple[list[str], list[str], list[dict], list[str]]:
    """AWS CSV and parquet files, Azure file groups (by header spelling and export type) and Google
    Cloud files that count, as the loader's discovery finds them."""
    from .landing.discovery import discover
    from .landing.reading import csv_header

    files, _ = discover(landing)
    current = [f for f in files if f.status == "current"]
    aws = [f for f in current if f.source in ("aws_cur", "aws_cur2")]
    csv_files = [str(f.path) for f in aws if f.flavor == "cur_csv"]
    parquet_files = [str(f.path) for f in aws if f.flavor != "cur_csv"]
    groups: dict[tuple, dict] = {}
    for f in current:
        if f.source != "azure":
            continue
        header = csv_header(f.path, str(f.path))
        cost = next(h for h in header if h.lower() in ("costinbillingcurrency", "cost"))
        account = next((h for h in header if h.lower() == "billingprofileid"), "BillingAccountId")
        date = next(h for h in header if h.lower() == "date")
        key = (cost, account, date, f.flavor)
        groups.setdefault(key, {"cost": cost, "account": account, "date": date,
                                "date_format": "%m/%d/%Y" if cost == "Cost" else "%Y-%m-%d",
                                "actual": "true" if f.flavor == "azure_actual" else "false", "files": []})
        groups[key]["files"].append(str(f.path))
    gcp_files = [str(f.path) for f in current if f.source == "gcp"]
    return csv_files, parquet_files, list(groups.values()), gcp_files


def run_benchmark(rows: int) -> int:
    import json

    landing = _ensure_landing(rows)
    database = BENCH_DIR / f"warehouse-{rows}.duckdb"
    database.unlink(missing_ok=True)
    shutil.rmtree(WarehousePaths(database).data_dir, ignore_errors=True)  # a full build from nothing

    print("building (load + dbt build with every test, no docs) ...")
    start = time.perf_counter()
    build = subprocess.run(
        [sys.executable, "-m", "finops.cli", "build", "--landing", str(landing), "--duckdb", str(database),
         "--no-docs"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "FINOPS_MAPPINGS_DIR": str(SAMPLE_MAPPINGS_DIR)},  # the generated data's rule files
    )
    build_seconds = time.perf_counter() - start
    build_peak = _child_peak_mib()
    if build.returncode != 0:
        print(build.stdout[-4000:], build.stderr[-4000:], sep="\n")
        print("error: the build failed, so there is nothing to measure.", file=sys.stderr)
        return 1

    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    by_source = dict(con.execute(
        "select source, sum(rows_loaded) from raw.landing_files where status = 'current' group by 1 order by 1"
    ).fetchall())
    focus_rows = con.execute("select count(*) from marts.focus_cost_and_usage").fetchone()[0]
    con.close()
    # The floor reads what a provider bill is made of: every AWS, Azure and Google Cloud row (the
    # small native FOCUS exports are left out of both counts).
    raw_rows = sum(int(n) for source, n in by_source.items() if source != "focus")

    csv_files, parquet_files, azure_groups, gcp_files = _current_files(landing)
    floor = subprocess.run(
        [sys.executable, "-c", _FLOOR_SCRIPT, json.dumps(csv_files), json.dumps(parquet_files), _AMORTIZED,
         json.dumps(azure_groups), json.dumps(gcp_files), money_type()],
        capture_output=True, text=True, check=True,
    )
    floor_result = json.loads(floor.stdout.strip().splitlines()[-1])
    floor_seconds = floor_result["seconds"]

    print()
    print("rows per source (current deliveries): "
          + ", ".join(f"{source} {int(n):,}" for source, n in by_source.items()))
    print(f"rows (current AWS, Azure and Google Cloud rows): {raw_rows:,}   FOCUS rows: {focus_rows:,}")
    print(f"build: {build_seconds:8.1f} s  {raw_rows / build_seconds:12,.0f} rows/s  peak memory {build_peak:8,.0f} MiB")
    print(f"floor: {floor_seconds:8.1f} s  {floor_result['rows'] / floor_seconds:12,.0f} rows/s  "
          f"peak memory {floor_result['peak_mib']:8,.0f} MiB")
    print(f"build/floor ratio: {build_seconds / floor_seconds:.1f}")
    return 0
