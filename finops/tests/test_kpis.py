"""The KPI table (fct_finops_kpis): every KPI defined once, in its own doc block, and its values the marts'
own on the sample build."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from finops.settings import REPO_ROOT

from .conftest import Build

KPIS = ("allocated_cost_share", "unallocated_cost_share", "tag_coverage", "commitment_coverage",
        "commitment_utilization", "effective_savings_rate", "forecast_monthly_error", "anomaly_count",
        "anomaly_cost_share", "mean_hours_to_resolve", "unit_cost_change", "realised_savings",
        "savings_realisation_rate")


def test_each_kpi_has_exactly_one_definition_block() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in (REPO_ROOT / "models" / "docs").glob("*.md"))
    blocks = re.findall(r"{%\s*docs\s+(kpi_\w+)\s*%}", text)
    assert sorted(blocks) == sorted(f"kpi_{k}" for k in KPIS)


def test_the_sample_build_reports_every_kpi_from_its_mart(generated_build: Build) -> None:
    assert generated_build.returncode == 0, generated_build.output[-3000:]
    rows = generated_build.query("select kpi_month, kpi, scope, unit, kpi_value, numerator, denominator, definition "
                                 "from marts.fct_finops_kpis")
    assert {r[1] for r in rows} == set(KPIS)
    assert all(r[7] == f"kpi_{r[1]}" for r in rows)
    by = {(r[0], r[1], r[2]): r for r in rows}
    # allocated + unallocated = the whole cost, month by month (exact ratios, each truncated at 1e-12)
    for (month, kpi, scope), r in by.items():
        if kpi == "allocated_cost_share":
            other = by[(month, "unallocated_cost_share", scope)]
            assert r[6] == other[6] and r[5] + other[5] == r[6]
            assert r[4] + other[4] == pytest.approx(Decimal(1), abs=Decimal("1e-11"))
    # MTTR of June 2026: the sample runaway was resolved 64 hours after the end of its first day
    assert by[(dt.date(2026, 6, 1), "mean_hours_to_resolve", "reporting:USD")][4:7] == (
        Decimal(64), Decimal(64), Decimal(1))
    # the anomaly count of a month is the leaf anomalies first seen in it
    (count,), = generated_build.query(
        "select count(*) from marts.fct_cost_anomalies where series_grain = 'leaf' "
        "and first_seen >= '2026-08-01' and first_seen < '2026-09-01'")
    assert by[(dt.date(2026, 8, 1), "anomaly_count", "reporting:USD")][4] == count
