"""A long, cheap history to forecast from: the native FOCUS 1.2 export of a fictional SaaS provider.

``nimbus-focus12`` ("Nimbus Cloud", parquet) runs for HISTORY_MONTHS months ending with the sample's last
month, at one row per sub account, service and day (a few thousand rows in all), so `make run` stays quick
while the forecasts have more than a year to learn from. Each series is built from known parts:

    cost(day) = (level + slope × t) × weekly[weekday] × month_end[day] × step(day) + noise,  noise ~ N(0, sd)

with t in days since the first day. Series (sub account · service):

* ``prod · Nimbus Compute``: linear growth, weekends at 75 %, Gaussian noise of constant size: the shape
  additive ETS assumes, used to check that prediction intervals cover at their nominal rate.
* ``prod · Nimbus Object Storage``: steady growth, no weekly pattern, small noise.
* ``prod · Nimbus Warehouse``: month-end batch jobs (the last three days of each month cost 1.8 ×),
  monthly seasonality a weekly model cannot see.
* ``ml · Nimbus GPU``: a launch: nothing until LAUNCH_MONTHS_BEFORE_END months before the end, then a
  steady load.
* ``legacy · Nimbus Compute``: a decommission: most of it switched off DECOMMISSION_MONTHS_BEFORE_END
  months before the end.

Besides the usage, every month has a recurring support subscription (Purchase, Recurring, on the first
of the month) and one month has a one-time purchase (a capacity reservation fee): charges a forecast must
not learn from. The truth (`_truth/forecast_series.csv`) gives, per series and day, the noise-free cost,
the noise's standard deviation and the cost written, and goes on for FUTURE_MONTHS months after the export
ends (is_future) with the noise-free cost a forecast should find.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np

from ..settings import SAMPLE_HISTORY_MONTHS
from .aws import Month, add_months, build_months, q, ts
from .focus import DEC, DECIMAL_COLUMNS, FOCUS10_COLUMNS, FOCUS12_EXTRA, TS_COLUMNS, FocusProvider, write_focus

D = Decimal
HISTORY_MONTHS = SAMPLE_HISTORY_MONTHS
LAUNCH_MONTHS_BEFORE_END = 7
DECOMMISSION_MONTHS_BEFORE_END = 4
SUPPORT_FEE = D("250.00")
ONE_TIME_FEE = D("12000.00")
ONE_TIME_MONTHS_BEFORE_END = 5
FUTURE_MONTHS = 3  # the truth goes on this many months after the export ends (what a forecast should find)

PROVIDER = FocusProvider(
    export="nimbus-focus12", version="1.2", provider="Nimbus Cloud", invoice_issuer="Nimbus Cloud",
    billing_account="NC-ACME-01", billing_account_name="Acme Analytics",
    sub_accounts=(("nc-prod", "prod"), ("nc-ml", "ml"), ("nc-legacy", "legacy")),
    services=(
        ("Nimbus Compute", "Compute", "NC-VM", "Hours", D("0.1000"), "Virtual Machine"),
        ("Nimbus Object Storage", "Storage", "NC-OBJ", "GB-Months", D("0.0200"), "Bucket"),
        ("Nimbus Warehouse", "Databases", "NC-DWH", "Credits", D("2.0000"), "Data Warehouse"),
        ("Nimbus GPU", "AI and Machine Learning", "NC-GPU", "Hours", D("1.5000"), "GPU Instance"),
    ),
    region=("nc-east", "Nimbus East"), daily_commit=D("0"), discount=D("1"), tax_rate=D("0"),
    support_fee=SUPPORT_FEE, credit=D("0"), fmt="parquet")

SUBCATEGORIES = {"Nimbus Compute": "Virtual Machines", "Nimbus Object Storage": "Object Storage",
                 "Nimbus Warehouse": "Data Warehouses", "Nimbus GPU": "Machine Learning"}
TEAMS = {"nc-prod": "data", "nc-ml": "ml", "nc-legacy": "web"}  # not platform: its cost is pooled by rule


@dataclass(frozen=True)
class SeriesSpec:
    sub: int  # index into PROVIDER.sub_accounts
    service: int  # index into PROVIDER.services
    level: float  # cost per day on day 0 (USD)
    slope: float  # change of the level per day (USD)
    weekend: float  # factor on Saturdays and Sundays
    month_end: float  # factor on the last three days of each month
    noise_sd: float  # standard deviation of the additive noise (USD per day)
    step: str = ""  # "" | "launch" | "decommission"
    step_factor: float = 1.0  # level after a decommission, as a share of before


SERIES = (
    SeriesSpec(0, 0, level=800.0, slope=0.80, weekend=0.75, month_end=1.0, noise_sd=25.0),
    SeriesSpec(0, 1, level=300.0, slope=0.50, weekend=1.0, month_end=1.0, noise_sd=6.0),
    SeriesSpec(0, 2, level=400.0, slope=0.20, weekend=0.90, month_end=1.8, noise_sd=15.0),
    SeriesSpec(1, 3, level=1200.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=40.0, step="launch"),
    SeriesSpec(2, 0, level=500.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=10.0, step="decommission",
               step_factor=0.1),
)


def history_months(last: Month, count: int = HISTORY_MONTHS) -> list[Month]:
    """The `count` calendar months ending with `last` (the sample's last month, the open one)."""
    first = add_months(last.start, -(count - 1))
    return build_months(f"{first:%Y-%m}", count)


def series_truth(seed: int, months: list[Month], future_months: int = FUTURE_MONTHS) -> list[dict]:
    """One dict per series and day: the noise-free cost, the noise's standard deviation and the cost written;
    the `future_months` after the export's end carry on the same parts (is_future: not written) so that
    forecasts can be scored against what the series would have cost."""
    start, end = months[0].start, add_months(months[-1].end, future_months)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
    written_until = months[-1].end
    launch = add_months(months[-1].start, -LAUNCH_MONTHS_BEFORE_END)
    decommission = add_months(months[-1].start, -DECOMMISSION_MONTHS_BEFORE_END) + dt.timedelta(days=9)
    out = []
    for k, s in enumerate(SERIES):
        rng = np.random.default_rng([seed, 7001, k])
        noise = rng.normal(0.0, s.noise_sd, len(days))
        for t, day in enumerate(days):
            expected = s.level + s.slope * t
            if day.weekday() >= 5:
                expected *= s.weekend
            if (day + dt.timedelta(days=3)).month != day.month:
                expected *= s.month_end
            if s.step == "launch" and day < launch:
                expected = 0.0
            if s.step == "decommission" and day >= decommission:
                expected *= s.step_factor
            cost = 0.0 if expected == 0.0 else max(expected + noise[t], 0.0)
            out.append({"series": k, "day": day.date(), "expected_cost": expected,
                        "noise_sd": s.noise_sd if expected else 0.0, "cost": cost, "is_future": day >= written_until})
    return out


def _money(x: float, places: str = "0.0001") -> Decimal:
    return D(repr(float(x))).quantize(D(places), rounding=ROUND_HALF_EVEN)


def write_history(con, out_dir: Path, seed: int, last: Month, count: int = HISTORY_MONTHS
                  ) -> tuple[list[Path], list[tuple], int]:
    """Write the export (one parquet file per month) and its truth; returns the files, the per-month totals
    for `_truth/expected_totals.csv` and the number of rows."""
    months = history_months(last, count)
    truth = series_truth(seed, months)
    files, totals, n_rows = write_daily_export(con, out_dir, months, truth, PROVIDER, SERIES, TEAMS, SUBCATEGORIES,
                                               fees_on=True)
    files.append(_write_truth(out_dir, truth))
    return files, totals, n_rows


def write_daily_export(con, out_dir: Path, months: list[Month], truth: list[dict], p: FocusProvider,
                       series: tuple[SeriesSpec, ...], teams: dict[str, str], subcategories: dict[str, str],
                       fees_on: bool) -> tuple[list[Path], list[tuple], int]:
    """A daily-grain FOCUS 1.2 export of `p`, one parquet file per month: one usage row per series (sub account
    · service) and day with the truth's written cost (rows with is_future are not written), and with fees_on a
    recurring support subscription every month and one one-time fee. Returns the files, the per-month totals
    and the number of rows."""
    count = len(months)
    resource_prefix = p.sub_accounts[0][0].split("-")[0]  # nc-prod -> nc
    cols = FOCUS10_COLUMNS + FOCUS12_EXTRA
    types = {c: (DEC if c in DECIMAL_COLUMNS else "TIMESTAMP" if c in TS_COLUMNS else "VARCHAR") for c in cols}
    con.execute("CREATE OR REPLACE TEMP TABLE history_usage (series INT, day DATE, qty DECIMAL(18,4))")
    rows = []
    for r in truth:
        if r["cost"] > 0 and not r["is_future"]:
            price = p.services[series[r["series"]].service][4]
            rows.append((r["series"], r["day"], _money(r["cost"] / float(price))))
    con.executemany("INSERT INTO history_usage VALUES (?, ?, ?)", rows)
    con.execute("CREATE OR REPLACE TEMP TABLE history_series AS SELECT * FROM (VALUES "
                + ", ".join(f"({k}, {s.sub}, {s.service})" for k, s in enumerate(series)) + ") t(series, sub, svc)")
    svc = {name: "[" + ", ".join(q(x[i]) for x in p.services) + "]"
           for i, name in enumerate(("name", "cat", "sku", "unit"))}
    prices = "([" + ", ".join(format(x[4], "f") for x in p.services) + f"]::{DEC}[])"
    rtypes = "[" + ", ".join(q(x[5]) for x in p.services) + "]"
    subcats = "[" + ", ".join(q(subcategories[x[0]]) for x in p.services) + "]"
    subs_id = "[" + ", ".join(q(x[0]) for x in p.sub_accounts) + "]"
    subs_name = "[" + ", ".join(q(x[1]) for x in p.sub_accounts) + "]"
    team_tags = "[" + ", ".join(q(teams[x[0]]) for x in p.sub_accounts) + "]"
    one_time_month = months[-1 - ONE_TIME_MONTHS_BEFORE_END].idx if count > ONE_TIME_MONTHS_BEFORE_END else None
    files, totals, n_rows = [], [], 0
    for m in months:
        con.execute("CREATE OR REPLACE TEMP TABLE focus_rows (" + ", ".join(f'"{c}" {types[c]}' for c in cols) + ")")
        common = f"""
            {q(p.billing_account)} AS BillingAccountId, {q(p.billing_account_name)} AS BillingAccountName,
            'USD' AS BillingCurrency, {ts(m.start)} AS BillingPeriodStart, {ts(m.end)} AS BillingPeriodEnd,
            {q(p.invoice_issuer)} AS InvoiceIssuerName, {q(p.provider)} AS ProviderName, {q(p.provider)} AS PublisherName,
            'Customer' AS BillingAccountType, 'USD' AS PricingCurrency, 'Project' AS SubAccountType,
            {'NULL' if m.is_open else q('INV-' + p.billing_account + '-' + m.label)} AS InvoiceId,
            {q(p.region[0])} AS RegionId, {q(p.region[1])} AS RegionName"""
        con.execute(f"""INSERT INTO focus_rows BY NAME
            SELECT {common}, cost AS BilledCost, cost AS EffectiveCost, cost AS ListCost, cost AS ContractedCost,
              'Usage' AS ChargeCategory, {svc['name']}[svc + 1] || ' usage' AS ChargeDescription,
              'Usage-Based' AS ChargeFrequency, CAST(day AS TIMESTAMP) AS ChargePeriodStart,
              CAST(day AS TIMESTAMP) + INTERVAL 1 DAY AS ChargePeriodEnd,
              qty AS ConsumedQuantity, {svc['unit']}[svc + 1] AS ConsumedUnit, lp AS ContractedUnitPrice,
              lp AS ListUnitPrice, 'Standard' AS PricingCategory, qty AS PricingQuantity,
              {svc['unit']}[svc + 1] AS PricingUnit,
              {q(resource_prefix + '-')} || lower({svc['sku']}[svc + 1]) || '-' || {subs_name}[sub + 1] AS ResourceId,
              {subs_name}[sub + 1] || '-' || lower({svc['sku']}[svc + 1]) AS ResourceName,
              {rtypes}[svc + 1] AS ResourceType, {svc['cat']}[svc + 1] AS ServiceCategory,
              {svc['name']}[svc + 1] AS ServiceName, {subcats}[svc + 1] AS ServiceSubcategory,
              {svc['sku']}[svc + 1] AS SkuId, {svc['sku']}[svc + 1] || '-' || {q(p.region[0])} AS SkuPriceId,
              {svc['unit']}[svc + 1] AS SkuMeter, '{{"tier": "standard"}}' AS SkuPriceDetails,
              {subs_id}[sub + 1] AS SubAccountId, {subs_name}[sub + 1] AS SubAccountName,
              '{{"team": "' || {team_tags}[sub + 1] || '", "env": "prod"}}' AS Tags,
              lp AS PricingCurrencyContractedUnitPrice, cost AS PricingCurrencyEffectiveCost,
              lp AS PricingCurrencyListUnitPrice
            FROM (SELECT u.day, u.qty, s.sub, s.svc, {prices}[s.svc + 1] AS lp,
                         CAST(u.qty * {prices}[s.svc + 1] AS {DEC}) AS cost
                  FROM history_usage u JOIN history_series s USING (series)
                  WHERE u.day >= DATE '{m.start:%Y-%m-%d}' AND u.day < DATE '{m.end:%Y-%m-%d}')
            ORDER BY day, sub, svc""")
        fees = [("Premium support subscription", "Recurring", SUPPORT_FEE, m.start, m.end)] if fees_on else []
        if fees_on and m.idx == one_time_month:
            day = m.start + dt.timedelta(days=11)
            fees.append(("Capacity reservation fee", "One-Time", ONE_TIME_FEE, day, day + dt.timedelta(days=1)))
        for desc, freq, fee, start, end in fees:
            con.execute(f"""INSERT INTO focus_rows BY NAME
                SELECT {common}, 'Purchase' AS ChargeCategory, {fee} AS BilledCost, {fee} AS EffectiveCost,
                  {fee} AS ListCost, {fee} AS ContractedCost, {q(desc)} AS ChargeDescription, {q(freq)} AS ChargeFrequency,
                  {ts(start)} AS ChargePeriodStart, {ts(end)} AS ChargePeriodEnd, 'Standard' AS PricingCategory,
                  1 AS PricingQuantity, 'Units' AS PricingUnit, 'Other' AS ServiceCategory,
                  'Nimbus Support' AS ServiceName, 'Support' AS ServiceSubcategory,
                  {subs_id}[1] AS SubAccountId, {subs_name}[1] AS SubAccountName""")
        path = out_dir / "focus" / p.export / f"billing_period={m.label}" / f"{p.export}-{m.label}-00001.parquet"
        write_focus(con, p, path)
        files.append(path)
        billed, effective, n = con.execute('SELECT CAST(sum("BilledCost") AS DECIMAL(38,10)), '
                                           'CAST(sum("EffectiveCost") AS DECIMAL(38,10)), count(*) FROM focus_rows'
                                           ).fetchone()
        totals.append(("focus", p.export, p.billing_account, f"{m.start:%Y-%m-%d}", "USD", billed, effective, int(n)))
        n_rows += int(n)
    return files, totals, n_rows


def _write_truth(out_dir: Path, truth: list[dict]) -> Path:
    path = out_dir / "_truth" / "forecast_series.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    p = PROVIDER
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["billing_account_id", "sub_account_id", "service_name", "service_category", "owner", "shape",
                    "charge_date", "is_future", "expected_cost", "noise_sd", "cost"])
        for r in truth:
            s = SERIES[r["series"]]
            sub, svc = p.sub_accounts[s.sub], p.services[s.service]
            shape = s.step or ("month_end" if s.month_end != 1.0 else "trend_weekly" if s.weekend != 1.0 else "trend")
            w.writerow([p.billing_account, sub[0], svc[0], svc[1], TEAMS[sub[0]], shape, r["day"], str(r["is_future"]).lower(),
                        f"{r['expected_cost']:.4f}", f"{r['noise_sd']:.4f}", f"{r['cost']:.4f}" if not r["is_future"] else ""])
    return path
