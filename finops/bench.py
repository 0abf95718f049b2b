"""`finops bench --rows N --months M` (`make bench ROWS=N MONTHS=M`): what a build costs, full and
incremental, against the floor.

1. Generates N CUR rows over M months once (cached in .bench/landing-N-M), with the generator's
   Azure and Google Cloud exports beside them (about a tenth of N each).
2. Times, each in a child process (wall time and the child's peak RSS):
   - a full `finops build` from nothing (load, every model and test; no docs);
   - an incremental refresh after the last month is re-delivered with changes: every data file of
     the last month is rewritten (a new modification time, as a daily re-delivery of the open month
     gives), and the AWS ones lose 0.5 % of their on-demand usage rows, so amounts change;
   - a refresh that finds nothing new;
3. Times the floor: one plain DuckDB pass over the same current delivery files (AWS, Azure and
   Google Cloud) that computes billed and amortised totals per account and day, also in a child
   process.
While a build runs, its whole output goes to .bench/warehouse-N-M.<run>.log and its latest line to the
console every 30 s. Each finished run's figures go to .bench/warehouse-N-M.runs.json at once; with
`--resume` (`make bench RESUME=1`) a bench that was stopped (a 100 M-row run takes longer than a
working session) starts at the first run not recorded there, on the same warehouse and landing, if
the code's commit is the one the recorded runs were measured with. Prints rows, wall time, rows per
second and peak memory for each; the last line is `build/floor ratio: <number>` (the full build's).
Figures, not assertions: nothing fails on speed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .database import connect, memory_limit
from .settings import GENERATED_MARKER, REPO_ROOT, SAMPLE_MAPPINGS_DIR, money_type
from .warehouse import WarehousePaths

BENCH_DIR = REPO_ROOT / ".bench"
MONTHS = 3  # the default of --months

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
import os
con = duckdb.connect(config={"memory_limit": os.environ["FINOPS_MEMORY_LIMIT"],
                        "allocator_background_threads": True})  # as the build
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


HEARTBEAT_SECONDS = 30.0  # how often the console gets a running child's latest line


def _run(args: list[str], env: dict[str, str] | None = None, log: Path | None = None
         ) -> tuple[int, str, float, float]:
    """Run a child process; its exit code, output, wall seconds and peak RSS (MiB, its own rusage).
    With `log`, the child's output goes to that file as it comes, and every HEARTBEAT_SECONDS the
    console gets the seconds so far and the child's latest line (plain lines, readable in CI logs; a
    run at 100 M rows takes hours, and one model can run for minutes without a line)."""
    import threading

    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env={**os.environ, **(env or {})})
    lines: list[str] = []

    def read() -> None:
        with open(log, "w") if log else open(os.devnull, "w") as sink:
            for line in child.stdout or []:
                lines.append(line)
                sink.write(line)
                sink.flush()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while reader.is_alive():
        reader.join(HEARTBEAT_SECONDS)
        if log and reader.is_alive():
            latest = lines[-1].rstrip()[:160] if lines else "(no output yet)"
            print(f"  {time.perf_counter() - start:7.0f} s  {latest}", flush=True)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, "".join(lines), time.perf_counter() - start, usage.ru_maxrss / 1024


def _ensure_landing(rows: int, months: int) -> Path:
    landing = BENCH_DIR / f"landing-{rows}-{months}"
    marker = landing / GENERATED_MARKER
    if not marker.is_file():
        from .sample_data import generate

        print(f"generating {rows:,} CUR rows over {months} months into {landing} (once; cached)", flush=True)
        start = time.perf_counter()
        generate(landing, seed=1, months=months, rows_per_month=max(rows // months, 1))
        print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)
    return landing


def _mappings(months: int) -> Path:
    """The sample's mapping files (seeds/mappings), with an exchange rate for every generated month.
    The sample's exchange_rates.csv covers its three months; a bench over more months would stop at the
    first month without a rate (the build asks for one, D40), so each currency pair's last sample rate
    is carried forward to the later months, in .bench/mappings-<months>/. A benchmark's bill, not a
    finance one; with three months or fewer it is the sample's folder unchanged."""
    import csv

    from .sample_data.aws import build_months

    rates_file = SAMPLE_MAPPINGS_DIR / "exchange_rates.csv"
    with rates_file.open(newline="", encoding="utf-8") as handle:
        rates = list(csv.DictReader(handle))
    covered = {(r["from_currency"], r["to_currency"], r["month"]) for r in rates}
    latest: dict[tuple[str, str], dict] = {}
    for row in sorted(rates, key=lambda r: r["month"]):
        latest[(row["from_currency"], row["to_currency"])] = row
    added = [{**row, "month": month} for month in (m.start.strftime("%Y-%m") for m in build_months("2026-07", months))
             for (source, target), row in latest.items()
             if month > row["month"] and (source, target, month) not in covered]
    if not added:
        return SAMPLE_MAPPINGS_DIR
    folder = BENCH_DIR / f"mappings-{months}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SAMPLE_MAPPINGS_DIR, folder)
    with (folder / "exchange_rates.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rates[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rates + added)
    return folder


def _redeliver_last_month(landing: Path) -> int:
    """Rewrite every current data file of the last billing period (AWS's without 0.5 % of their on-demand
    usage rows, chosen anew each time); returns how many files."""
    from .landing.discovery import discover
    from .landing.reading import sql_str

    files, _ = discover(landing)
    current = [f for f in files if f.status == "current"]
    periods = sorted({_period(f.delivery) for f in current})
    last = [f for f in current if _period(f.delivery) == periods[-1]]
    salt = str(time.time_ns())
    con = connect()
    for f in last:
        temporary = f.path.with_name(f".{f.path.name}.rewrite")
        name = f.path.name.lower()
        if f.source in ("aws_cur", "aws_cur2"):
            kind = "lineItem/LineItemType" if f.flavor == "cur_csv" else "line_item_line_item_type"
            key = "identity/LineItemId" if f.flavor == "cur_csv" else "identity_line_item_id"
            keep = f"""where not ("{kind}" = 'Usage' and hash("{key}" || '{salt}') % 200 = 0)"""
        else:
            keep = ""
        if name.endswith(".parquet"):
            con.execute(f"copy (select * from read_parquet({sql_str(str(f.path))}) {keep}) to "
                        f"{sql_str(str(temporary))} (format parquet, compression zstd)")
        elif name.endswith((".csv", ".csv.gz")):
            compression = "gzip" if name.endswith(".gz") else "none"
            con.execute(f"copy (select * from read_csv({sql_str(str(f.path))}, all_varchar = true, header = true) "
                        f"{keep}) to {sql_str(str(temporary))} (format csv, header true, compression {compression})")
        else:  # JSON lines: rewritten as they are
            temporary.write_bytes(f.path.read_bytes())
        os.replace(temporary, f.path)
    con.close()
    return len(last)


def _period(delivery: str) -> str:
    """The billing month a delivery's period folder names, as YYYYMM (for ordering)."""
    import re

    for pattern in (r"/(\d{4})(\d{2})\d{2}-\d{8}(?:/|$)", r"(?i)/(?:billing_period|invoice_month)=(\d{4})-?(\d{2})",
                    r"(?i)/year=(\d{4})/month=(\d{1,2})(?:/|$)"):
        match = re.search(pattern, delivery)
        if match:
            return f"{match.group(1)}{int(match.group(2)):02d}"
    return ""


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


def _folder_seconds(folder: str) -> float:
    """Seconds dbt spent in the models of a folder (models/*/<folder>/, e.g. forecasting) in the build that
    just ran, from its run_results.json."""
    import json

    names = {path.stem for path in (REPO_ROOT / "models").glob(f"*/{folder}/*") if path.suffix in (".sql", ".py")}
    results = json.loads((REPO_ROOT / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    return sum(r["execution_time"] for r in results if r["unique_id"].split(".")[-1] in names
               and r["unique_id"].startswith("model."))


def _commit() -> str:
    """The code's git commit, with `+changes` when the work tree differs from it ("unknown" outside git)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        return git("rev-parse", "HEAD") + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _recorded_runs(record: Path, database: Path, resume: bool) -> dict | None:
    """The runs a stopped bench recorded, to resume after them; {} to start from nothing; None (after
    one sentence) when they cannot be resumed."""
    import json

    if not resume or not record.is_file():
        record.unlink(missing_ok=True)
        return {}
    saved = json.loads(record.read_text(encoding="utf-8"))
    commit = _commit()
    if commit.endswith(("+changes", "unknown")):
        print(f"error: the code in {REPO_ROOT} is not a commit of its own ({commit}), so nothing shows that the runs "
              f"in {record} were measured on it; commit the changes, or run the bench again without RESUME=1.",
              file=sys.stderr)
        return None
    if saved["commit"] != commit:
        print(f"error: {record} holds runs measured at commit {saved['commit']}, but the code is at {commit}; "
              "figures from two versions of the code cannot be one bench, so run it again without RESUME=1.",
              file=sys.stderr)
        return None
    if saved["runs"] and not database.is_file():
        print(f"error: {record} holds runs made on {database}, which is gone; run the bench again without RESUME=1.",
              file=sys.stderr)
        return None
    return saved["runs"]


def run_benchmark(rows: int, months: int = MONTHS, resume: bool = False) -> int:
    import json
    from datetime import datetime, timezone

    landing = _ensure_landing(rows, months)
    database = BENCH_DIR / f"warehouse-{rows}-{months}.duckdb"
    record = BENCH_DIR / f"{database.stem}.runs.json"
    recorded = _recorded_runs(record, database, resume)
    if recorded is None:
        return 1
    if not recorded:
        database.unlink(missing_ok=True)
        shutil.rmtree(WarehousePaths(database).data_dir, ignore_errors=True)  # a full build from nothing
    build = [sys.executable, "-m", "finops.cli", "build", "--landing", str(landing), "--duckdb", str(database),
             "--no-docs"]
    # The generated data's rule files; the build's own spill folder (beside its warehouse).
    env = {"FINOPS_MAPPINGS_DIR": str(_mappings(months)), "FINOPS_TEMP_DIR": str(WarehousePaths(database).data_dir / "tmp"),
           "FINOPS_MEMORY_LIMIT": memory_limit()}

    runs, forecasting, anomalies, savings, measured = {}, {}, {}, {}, {}
    commit = _commit()
    for name in ("full build", "incremental refresh", "no-change refresh"):
        if name in recorded:
            saved = recorded[name]
            runs[name] = (saved["seconds"], saved["peak_mib"], saved["plan"])
            forecasting[name], anomalies[name], savings[name] = (saved["forecasting"], saved["anomalies"],
                                                                 saved["savings"])
            measured[name] = saved["measured_at"]
            print(f"{name}: recorded at {measured[name]} ({saved['seconds']:.1f} s); resuming after it", flush=True)
            continue
        if name == "incremental refresh":
            print(f"re-delivered the last month with changes: {_redeliver_last_month(landing)} files rewritten",
                  flush=True)
        log = BENCH_DIR / f"{database.stem}.{name.replace(' ', '-')}.log"
        print(f"{name} (load + dbt build with every test, no docs; its output in {log}) ...", flush=True)
        code, output, seconds, peak = _run(build, env, log)
        if code != 0:
            print(output[-6000:])
            print(f"error: the {name} failed, so there is nothing to measure.", file=sys.stderr)
            return 1
        plan = next((line for line in output.splitlines() if line.startswith("dbt build:")), "")
        runs[name] = (seconds, peak, plan)
        forecasting[name] = _folder_seconds("forecasting") if "nothing changed" not in plan else 0.0
        anomalies[name] = _folder_seconds("anomalies") if "nothing changed" not in plan else 0.0
        savings[name] = _folder_seconds("savings") if "nothing changed" not in plan else 0.0
        recorded[name] = {"seconds": seconds, "peak_mib": peak, "plan": plan, "forecasting": forecasting[name],
                          "anomalies": anomalies[name], "savings": savings[name],
                          "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
        partial = record.with_name(record.name + ".partial")
        partial.write_text(json.dumps({"commit": commit, "runs": recorded}, indent=1), encoding="utf-8")
        os.replace(partial, record)

    con = connect(database, read_only=True)
    by_source = dict(con.execute(
        "select source, sum(rows_loaded) from raw.landing_files where status = 'current' group by 1 order by 1"
    ).fetchall())
    focus_rows = con.execute("select count(*) from marts.focus_cost_and_usage").fetchone()[0]
    series = con.execute("select count(distinct series_id) from marts.fct_cost_forecast").fetchone()[0]
    anomaly_series, anomaly_count = con.execute(
        "select count(distinct series_id), count(*) from marts.fct_cost_anomalies").fetchone()
    actions = con.execute("select count(distinct action_id) from marts.fct_savings_realized").fetchone()[0]
    con.close()
    # The floor reads what a provider bill is made of: every AWS, Azure and Google Cloud row (the
    # small native FOCUS exports are left out of both counts).
    raw_rows = sum(int(n) for source, n in by_source.items() if source != "focus")

    csv_files, parquet_files, azure_groups, gcp_files = _current_files(landing)
    code, output, _, _ = _run(
        [sys.executable, "-c", _FLOOR_SCRIPT, json.dumps(csv_files), json.dumps(parquet_files), _AMORTIZED,
         json.dumps(azure_groups), json.dumps(gcp_files), money_type()], env)
    if code != 0:
        print(output[-4000:])
        return 1
    floor_result = json.loads(output.strip().splitlines()[-1])
    floor_seconds = floor_result["seconds"]

    full_seconds = runs["full build"][0]
    print()
    print(f"landing: {months} months; rows per source (current deliveries): "
          + ", ".join(f"{source} {int(n):,}" for source, n in by_source.items()))
    print(f"rows (current AWS, Azure and Google Cloud rows): {raw_rows:,}   FOCUS rows: {focus_rows:,}   "
          f"memory limit {memory_limit()}")
    for name, (seconds, peak, plan) in runs.items():
        share = f"  {100 * seconds / full_seconds:5.1f} % of the full build" if name != "full build" else ""
        resumed = f"  [measured {measured[name]}, before this run resumed]" if name in measured else ""
        print(f"{name + ':':21} {seconds:8.1f} s  {raw_rows / seconds:12,.0f} rows/s  peak memory {peak:8,.0f} MiB"
              f"{share}   ({plan.removeprefix('dbt build: ')}){resumed}")
    print(f"forecasts and budgets (the models in models/*/forecasting/): {series} series; "
          + ", ".join(f"{name} {forecasting[name]:.1f} s = {100 * forecasting[name] / runs[name][0]:.1f} % of its wall"
                      for name in runs if forecasting[name]))
    print(f"anomalies (the models in models/*/anomalies/): {anomaly_count} anomalies found on {anomaly_series} series; "
          + ", ".join(f"{name} {anomalies[name]:.1f} s = {100 * anomalies[name] / runs[name][0]:.1f} % of its wall"
                      for name in runs if anomalies[name]))
    print(f"realised savings (the models in models/*/savings/): {actions} optimisation actions; "
          + ", ".join(f"{name} {savings[name]:.1f} s = {100 * savings[name] / runs[name][0]:.1f} % of its wall"
                      for name in runs if savings[name]))
    print(f"{'floor:':21} {floor_seconds:8.1f} s  {floor_result['rows'] / floor_seconds:12,.0f} rows/s  "
          f"peak memory {floor_result['peak_mib']:8,.0f} MiB")
    print(f"build/floor ratio: {full_seconds / floor_seconds:.1f}")
    return 0
