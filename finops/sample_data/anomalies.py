"""Labelled cost anomalies to measure detection against: the native FOCUS 1.2 export of a second fictional
provider, ``lumen-focus12`` ("Lumen Cloud", parquet, daily grain, ANOMALY_MONTHS months ending with the
sample's last month), whose usage is steady (level, weekend factor, Gaussian noise of known size) except for
anomalies injected on known days, of the shapes a FinOps team meets:

* ``runaway_job``: a job that does not stop: +150 % (and, smaller, +60 %) for a few days;
* ``transfer_spike``: a logging or data-transfer burst: one day at 5 ×;
* ``gpu_left_on``: a forgotten GPU instance: a step up that lasts to the end of the export;
* ``gradual_leak``: cost that creeps up day after day (to +120 % over two weeks), then is fixed;
* ``sudden_drop``: a broken pipeline that stops spending for a few days;
* ``below_threshold``: a +15 % blip too small to matter: a detector should not need to find it.

Two sub accounts (owners web and data) share each service, so an anomaly of one sub account is a part of
its service's series and its root cause is that sub account. `_truth/anomalies.csv` lists every injected
anomaly: its series (service, region, sub account, owner), first and last day, the extra cost it added per
day at its peak and in all, and whether it is above the default impact thresholds (dbt vars
anomaly_min_impact_cost and anomaly_min_impact_percent).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from .aws import Month, add_months, build_months
from .focus import FocusProvider
from .history import SeriesSpec, write_daily_export

D = Decimal
ANOMALY_MONTHS = 6

PROVIDER = FocusProvider(
    export="lumen-focus12", version="1.2", provider="Lumen Cloud", invoice_issuer="Lumen Cloud",
    billing_account="LC-ACME-01", billing_account_name="Acme Platform",
    sub_accounts=(("lc-web", "web"), ("lc-data", "data")),
    services=(
        ("Lumen Compute", "Compute", "LC-VM", "Hours", D("0.0800"), "Virtual Machine"),
        ("Lumen Object Storage", "Storage", "LC-OBJ", "GB-Months", D("0.0200"), "Bucket"),
        ("Lumen Data Transfer", "Networking", "LC-NET", "GB", D("0.0500"), "Network"),
        ("Lumen GPU", "AI and Machine Learning", "LC-GPU", "Hours", D("1.2000"), "GPU Instance"),
    ),
    region=("lc-west", "Lumen West"), daily_commit=D("0"), discount=D("1"), tax_rate=D("0"),
    support_fee=D("0"), credit=D("0"), fmt="parquet")

SUBCATEGORIES = {"Lumen Compute": "Virtual Machines", "Lumen Object Storage": "Object Storage",
                 "Lumen Data Transfer": "Network Connectivity", "Lumen GPU": "Machine Learning"}
TEAMS = {"lc-web": "web", "lc-data": "data"}

SERIES = (
    SeriesSpec(0, 0, level=600.0, slope=0.0, weekend=0.8, month_end=1.0, noise_sd=18.0),
    SeriesSpec(1, 0, level=400.0, slope=0.0, weekend=0.8, month_end=1.0, noise_sd=12.0),
    SeriesSpec(0, 1, level=200.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=6.0),
    SeriesSpec(1, 1, level=300.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=9.0),
    SeriesSpec(0, 2, level=80.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=2.4),
    SeriesSpec(1, 2, level=120.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=3.6),
    SeriesSpec(0, 3, level=150.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=4.5),
    SeriesSpec(1, 3, level=500.0, slope=0.0, weekend=1.0, month_end=1.0, noise_sd=15.0),
)


@dataclass(frozen=True)
class Injected:
    label: str
    shape: str
    series: int  # index into SERIES
    days_before_end: int  # first day, counted back from the export's last day
    days: int  # how long it lasts; 0 = to the end of the export
    size: float  # runaway, spike, leak: extra as a share of the day's expected cost at the peak; drop: share left
    # gpu_left_on: extra USD per day


INJECTED = (
    Injected("runaway-compute-web", "runaway_job", 0, 100, 4, 1.5),
    Injected("transfer-spike-data", "transfer_spike", 5, 80, 1, 4.0),
    Injected("blip-transfer-web", "below_threshold", 4, 70, 1, 0.15),
    Injected("gpu-left-on-web", "gpu_left_on", 6, 60, 0, 700.0),
    Injected("leak-storage-data", "gradual_leak", 3, 45, 15, 1.2),
    Injected("drop-compute-data", "sudden_drop", 1, 30, 4, 0.0),
    Injected("runaway-storage-web", "runaway_job", 2, 20, 3, 0.6),
)


def anomaly_months(last: Month, count: int = ANOMALY_MONTHS) -> list[Month]:
    first = add_months(last.start, -(count - 1))
    return build_months(f"{first:%Y-%m}", count)


def _extra(inj: Injected, expected: float, i: int) -> float:
    """The extra cost of day i (0 = the anomaly's first day) on a day expected to cost `expected`."""
    if inj.shape == "gpu_left_on":
        return inj.size
    if inj.shape == "sudden_drop":
        return (inj.size - 1.0) * expected
    if inj.shape == "gradual_leak":
        return inj.size * expected * (i + 1) / inj.days
    return inj.size * expected


def series_truth(seed: int, months: list[Month]) -> tuple[list[dict], list[dict]]:
    """Per series and day the expected (anomaly-free) cost, the noise's sd, the injected extra and the cost
    written; and one dict per injected anomaly."""
    start, end = months[0].start, months[-1].end
    days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
    last = len(days) - 1
    rows, anomalies = [], []
    extras: dict[tuple[int, int], float] = {}
    for inj in INJECTED:
        s = SERIES[inj.series]
        first = last - inj.days_before_end
        span = range(first, last + 1) if inj.days == 0 else range(first, first + inj.days)
        peak, total = 0.0, 0.0
        for i, t in enumerate(span):
            expected = s.level * (s.weekend if days[t].weekday() >= 5 else 1.0)
            extra = _extra(inj, expected, i)
            extras[(inj.series, t)] = extras.get((inj.series, t), 0.0) + extra
            peak = max(peak, abs(extra))
            total += extra
        anomalies.append({"inj": inj, "first_day": days[span[0]].date(), "last_day": days[span[-1]].date(),
                          "peak_extra": peak, "total_extra": total})
    for k, s in enumerate(SERIES):
        rng = np.random.default_rng([seed, 9001, k])
        noise = rng.normal(0.0, s.noise_sd, len(days))
        for t, day in enumerate(days):
            expected = s.level * (s.weekend if day.weekday() >= 5 else 1.0)
            extra = extras.get((k, t), 0.0)
            cost = max(expected + extra + noise[t], 0.0) if expected + extra > 0 else 0.0
            rows.append({"series": k, "day": day.date(), "expected_cost": expected, "noise_sd": s.noise_sd,
                         "extra_cost": extra, "cost": cost, "is_future": False})
    return rows, anomalies


def write_anomalies(con, out_dir: Path, seed: int, last: Month, count: int = ANOMALY_MONTHS,
                    min_impact_cost: float = 100.0, min_impact_percent: float = 20.0
                    ) -> tuple[list[Path], list[tuple], int]:
    """Write the export and `_truth/anomalies.csv`; returns the files, per-month totals and rows written."""
    months = anomaly_months(last, count)
    truth, anomalies = series_truth(seed, months)
    files, totals, n_rows = write_daily_export(con, out_dir, months, truth, PROVIDER, SERIES, TEAMS, SUBCATEGORIES,
                                               fees_on=False)
    path = out_dir / "_truth" / "anomalies.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    p = PROVIDER
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "shape", "provider_name", "billing_account_id", "service_name", "region_id",
                    "sub_account_id", "owner", "first_day", "last_day", "is_ongoing", "peak_extra_cost",
                    "total_extra_cost", "is_above_threshold"])
        for a in anomalies:
            inj = a["inj"]
            s = SERIES[inj.series]
            sub, svc = p.sub_accounts[s.sub], p.services[s.service]
            # the leaf series (service x region) holds both sub accounts' cost of the service
            leaf_level = sum(x.level for x in SERIES if x.service == s.service)
            above = a["peak_extra"] >= min_impact_cost and a["peak_extra"] >= min_impact_percent / 100 * leaf_level
            w.writerow([inj.label, inj.shape, p.provider, p.billing_account, svc[0], p.region[0], sub[0],
                        TEAMS[sub[0]], a["first_day"], a["last_day"], str(inj.days == 0).lower(),
                        f"{a['peak_extra']:.2f}", f"{a['total_extra']:.2f}", str(above).lower()])
    files.append(path)
    return files, totals, n_rows
