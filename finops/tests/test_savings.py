"""Realised savings: the counterfactual rule on series of known shape (finops/savings.py), and fct_savings_realized
on the generated sample, whose `nimbus-focus12` history switches 90 % of the legacy compute off on a known day
(sample_data/history.py; the truth in `_truth/forecast_series.csv`) and whose sample optimisation_actions.csv
books that decommission, a paper saving, an action too recent to judge and a commitment purchase."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from finops import savings
from finops.sample_data.history import PROVIDER, SERIES

from finops.settings import SAMPLE_MAPPINGS_DIR

from .conftest import Build, build_warehouse

BACKTESTS = {"origins": 3, "horizon_months": 1, "min_history_days": 56, "erratic_cv": 1.0}


def _days(cost: np.ndarray, start: str, implemented_on: str, action: str = "a1") -> pd.DataFrame:
    days = pd.date_range(start, periods=len(cost), freq="D")
    return pd.DataFrame({"series_id": f"{action} / USD", "action_id": action, "billing_currency": "USD",
                         "charge_date": days, "implemented_on": pd.Timestamp(implemented_on), "scope_cost": cost})


def _weekly(days: pd.DatetimeIndex) -> np.ndarray:
    return np.where(days.weekday >= 5, 0.8, 1.0)


def test_a_known_step_down_is_measured_as_its_saving() -> None:
    """500 a day (weekends 80 %), noise of 10 a day, 90 % switched off on 10 October: the counterfactual stays at
    the level before, so the realised saving is the step (450 a day at weekday level) within 3 %, and the
    month's band (the days' bounds added) holds the truth and lies above 0."""
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    truth = 500.0 * _weekly(days)
    after = days >= pd.Timestamp("2025-10-10")
    cost = np.where(after, 0.1, 1.0) * truth + np.random.default_rng(1).normal(0, 10, len(days))
    out = savings.counterfactuals(_days(cost, "2025-01-01", "2025-10-10"), **BACKTESTS)
    assert out["charge_date"].min() == pd.Timestamp("2025-10-10") and len(out) == after.sum()
    assert out["fallback_reason"].isna().all() and out["model"].notna().all()
    actual = cost[after]
    realised = out["forecast"].sum() - actual.sum()
    known = (truth[after] * 0.9).sum()
    assert abs(realised - known) <= 0.03 * known, (realised, known)
    november = (out["charge_date"].dt.month == 11).to_numpy()
    month_truth, month_actual = truth[after][november].sum(), actual[november].sum()
    assert out.loc[november, "lo_80"].sum() <= month_truth <= out.loc[november, "hi_80"].sum()
    assert out.loc[november, "lo_80"].sum() - month_actual > 0  # verified


def test_growth_before_the_action_is_not_credited_to_it() -> None:
    """A scope growing 2 a day with no real change on 1 October: the counterfactual carries the trend, so the
    realised saving stays near 0; a before/after comparison (the 28 days before, repeated) calls the growth
    a loss several times larger."""
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    cost = (300.0 + 2.0 * np.arange(len(days))) * _weekly(days) + np.random.default_rng(2).normal(0, 8, len(days))
    out = savings.counterfactuals(_days(cost, "2025-01-01", "2025-10-01"), **BACKTESTS)
    after = days >= pd.Timestamp("2025-10-01")
    ours = out["forecast"].sum() - cost[after].sum()
    naive = cost[~after][-28:].mean() * after.sum() - cost[after].sum()
    assert abs(ours) <= 0.03 * cost[after].sum(), ours
    assert abs(naive) > 3 * abs(ours), (naive, ours)


def test_a_scope_without_history_has_no_counterfactual_and_a_later_action_no_rows() -> None:
    days = pd.date_range("2025-01-01", "2025-03-31", freq="D")
    new_scope = _days(np.where(days >= pd.Timestamp("2025-03-01"), 100.0, 0.0), "2025-01-01", "2025-03-01", "new")
    later = _days(np.full(len(days), 100.0), "2025-01-01", "2025-04-15", "later")
    out = savings.counterfactuals(pd.concat([new_scope, later], ignore_index=True), **BACKTESTS)
    assert set(out["action_id"]) == {"new"} and len(out) == 31
    assert out["forecast"].isna().all() and (out["fallback_reason"] == "no_history").all()


def test_a_short_history_takes_the_run_rate_and_says_so() -> None:
    days = pd.date_range("2025-01-01", "2025-02-28", freq="D")
    cost = np.where(days >= pd.Timestamp("2025-01-20"), 100.0, 0.0)
    out = savings.counterfactuals(_days(cost, "2025-01-01", "2025-02-10"), **BACKTESTS)
    assert (out["model"] == "run_rate").all() and (out["fallback_reason"] == "short_history").all()
    assert out["forecast"].to_numpy() == pytest.approx(100.0)


# --- fct_savings_realized on the generated sample (sample mapping files) ---------------------------------------

def _decommission_truth(build: Build) -> tuple[dt.date, dict[str, Decimal]]:
    """The day the legacy compute was switched off and, per month from it, the saving the truth implies: the
    noise-free cost it would have had (expected ÷ step_factor) − the noise-free cost it had."""
    spec = next(s for s in SERIES if s.step == "decommission")
    sub = PROVIDER.sub_accounts[spec.sub][0]
    factor = Decimal(repr(spec.step_factor))
    rows = []
    with open(build.landing / "_truth" / "forecast_series.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["sub_account_id"] == sub and r["shape"] == "decommission" and r["is_future"] == "false":
                rows.append((dt.date.fromisoformat(r["charge_date"]), Decimal(r["expected_cost"])))
    level = rows[0][1]
    switched_off = min(day for day, cost in rows if cost < level * Decimal("0.5"))
    saving: dict[str, Decimal] = defaultdict(Decimal)
    for day, cost in rows:
        if day >= switched_off:
            saving[f"{day:%Y-%m}"] += cost / factor - cost
    return switched_off, saving


def test_the_decommission_is_verified_at_its_known_saving(generated_build: Build) -> None:
    assert generated_build.returncode == 0, generated_build.output[-3000:]
    switched_off, truth = _decommission_truth(generated_build)
    rows = generated_build.query(
        "select strftime(saving_month, '%Y-%m'), implemented_on, days_measured, realised_saving, "
        "realised_saving_lower_80, realised_saving_upper_80, savings_status, expected_saving, counterfactual_model "
        "from marts.fct_savings_realized where action_id = 'legacy-compute-decommission' order by 1")
    assert rows and rows[0][1] == switched_off  # the sample action books the generator's day
    assert [r[0] for r in rows] == sorted(truth)
    for month, _, days, realised, lower, upper, status, expected, model in rows:
        print(f"\n{month}: realised {realised:,.2f} (band {lower:,.2f} to {upper:,.2f}), truth {truth[month]:,.2f}, "
              f"expected {expected:,.2f}, {days} days, {model}, {status}")
        assert abs(realised - truth[month]) <= Decimal("0.03") * truth[month], (month, realised, truth[month])
        assert lower <= truth[month] <= upper
        assert status == "verified"


def test_a_paper_saving_is_not_realised_and_a_recent_action_is_too_early(generated_build: Build) -> None:
    rows = dict(generated_build.query(
        "select action_id, list(savings_status order by saving_month) from marts.fct_savings_realized "
        "where saving_source = 'action' group by 1"))
    assert set(rows["warehouse-query-tuning"]) == {"not_realised"}  # the warehouse kept to its trend and month ends
    assert rows["gpu-night-schedule"] == ["too_early"]
    (days, expected), = generated_build.query(
        "select days_measured, expected_saving from marts.fct_savings_realized where action_id = 'gpu-night-schedule'")
    rate, = generated_build.query_work("select exchange_rate from intermediate.int_planning_currency_rates "
                                       "where planning_currency = 'EUR' and rate_month = '2026-09-01'")[0]
    assert days == 11 and expected == pytest.approx(Decimal(2800) * rate * 11 / 30, abs=Decimal("0.01"))


def _claimed_by_commitment_actions(build: Build) -> tuple[dict, dict]:
    """Per (month, billing account), for the commitments the commitment-purchase actions bought, from their
    implementation day: the net savings fct_commitment_savings counts (contracted cost of the usage each covered
    − its used and unused effective cost), and the fees the provider bills with an effective cost of their own
    (Google Cloud's; 0 where fees are amortised into the usage)."""
    rows = build.query_work("""
        with actions as (select * from intermediate.int_savings_actions where saving_kind = 'commitment')
        select strftime(s.charge_date, '%Y-%m'), s.billing_account_id,
               sum(case when s.commitment_discount_status = 'Used' then s.contracted_cost else 0 end)
               - sum(case when s.charge_category = 'Usage' then s.effective_cost else 0 end),
               sum(case when s.charge_category = 'Purchase' then s.effective_cost else 0 end)
        from intermediate.int_charges_split_by_day as s
        inner join actions as a on s.commitment_discount_id = a.commitment_discount_id
        where ((s.charge_category = 'Usage' and s.commitment_discount_status in ('Used', 'Unused'))
               or s.charge_category = 'Purchase')
          and s.charge_date >= a.implemented_on
        group by all""")
    return {(m, a): net for m, a, net, _ in rows}, {(m, a): fee for m, a, _, fee in rows}


def test_commitment_and_rate_savings_add_up_to_the_bills_without_double_counting(generated_build: Build) -> None:
    """A commitment purchase's saving is its commitment's net savings (contracted cost of the usage it covered −
    its used and unused effective cost) less the fees Google bills apart (the sample's is a Google Cloud CUD, so
    its fee is not lost); its net savings with the commitment rate row of its account make
    fct_commitment_savings' net commitment savings exactly; the negotiated rows are the mart's own. USD accounts
    only (the others are converted: the KPI test covers them)."""
    claimed, fees = _claimed_by_commitment_actions(generated_build)
    assert all(fee > 0 for fee in fees.values())
    action = {(m, a): v for m, a, v in generated_build.query(
        "select strftime(saving_month, '%Y-%m'), (select billing_account_id from marts.dim_commitments as d "
        "where d.commitment_discount_id = 'projects/123456789012/regions/us-central1/commitments/cud-cpu-1yr'), "
        "realised_saving from marts.fct_savings_realized where action_id = 'cpu-cud-analytics'")}
    assert claimed and action == {key: claimed[key] - fees[key] for key in claimed}
    rows = generated_build.query("""
        with bill as (
            select charge_month, provider_name, billing_account_id,
                   sum(negotiated_savings) as negotiated, sum(net_commitment_savings) as commitment
            from marts.fct_commitment_savings
            group by all
            having bool_and(billing_currency = 'USD')
        ),
        rate as (
            select saving_month, provider_name, billing_account_id,
                   coalesce(sum(realised_saving) filter (where saving_kind = 'negotiated'), 0) as negotiated,
                   coalesce(sum(realised_saving) filter (where saving_kind = 'commitment'), 0) as commitment
            from marts.fct_savings_realized
            where saving_source = 'rate'
            group by all
        )
        select strftime(bill.charge_month, '%Y-%m'), bill.provider_name, bill.billing_account_id, bill.negotiated,
               coalesce(rate.negotiated, 0), bill.commitment, coalesce(rate.commitment, 0)
        from bill
        left join rate
            on bill.charge_month = rate.saving_month and bill.provider_name = rate.provider_name
            and bill.billing_account_id = rate.billing_account_id""")
    assert len(rows) > 10
    for month, provider, account, negotiated, ours_negotiated, commitment, ours_commitment in rows:
        assert ours_negotiated == negotiated, (month, provider, account)
        assert ours_commitment + claimed.get((month, account), Decimal(0)) == commitment, (month, provider, account)


def test_the_realised_savings_kpi_is_the_bills_rate_savings_and_the_proven_usage_savings(
        generated_build: Build) -> None:
    """realised_savings = fct_commitment_savings' negotiated + net commitment savings of the month (every currency,
    at the month's rate) + the usage actions' verified savings − the fees of the commitments actions claim that
    the provider bills apart (which fct_commitment_savings, counting usage rows, leaves out): a commitment
    action's saving is neither lost nor counted twice, whatever its status."""
    _, fees = _claimed_by_commitment_actions(generated_build)
    fee_by_month: dict[dt.date, Decimal] = defaultdict(Decimal)
    for (month, _), fee in fees.items():
        fee_by_month[dt.date.fromisoformat(month + "-01")] += fee
    rows = generated_build.query_work("""
        with bill as (
            select s.charge_month, sum((s.negotiated_savings + s.net_commitment_savings) * r.exchange_rate) as saved
            from marts.fct_commitment_savings as s
            inner join intermediate.int_reporting_currency_rates as r
                on s.billing_currency = r.billing_currency and s.charge_month = r.billing_month
            group by all
        ),
        proven as (
            select saving_month, sum(realised_saving) as saved from marts.fct_savings_realized
            where saving_kind = 'usage' and savings_status = 'verified' group by all
        )
        select k.kpi_month, k.kpi_value, bill.saved + coalesce(proven.saved, 0)
        from marts.fct_finops_kpis as k
        inner join bill on bill.charge_month = k.kpi_month
        left join proven on proven.saving_month = k.kpi_month
        where k.kpi = 'realised_savings'""")
    assert len(rows) >= 3
    for month, kpi, expected in rows:
        assert kpi == pytest.approx(expected - fee_by_month[month], abs=Decimal("0.000001")), month


@pytest.fixture(scope="module")
def edge_build(generated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The generated sample with the Nimbus export stopping three days before the others (a lagging export), and
    the sample actions plus one implemented after the data ends, one after the lagging export's last day in the
    same month, and one whose scope matches nothing; the commitment purchase implemented half-way through its
    first month."""
    import duckdb

    root = tmp_path_factory.mktemp("savings_edges")
    landing, mappings = root / "landing", root / "mappings"
    shutil.copytree(generated_build.landing, landing)
    september = next((landing / "focus" / PROVIDER.export / "billing_period=2026-09").glob("*.parquet"))
    con = duckdb.connect()
    con.execute(f"copy (select * from '{september}' where ChargePeriodStart < '2026-09-28') to '{root / 'x.parquet'}' "
                "(format parquet)")
    con.close()
    shutil.move(root / "x.parquet", september)
    shutil.copytree(SAMPLE_MAPPINGS_DIR, mappings)
    actions = (mappings / "optimisation_actions.csv").read_text(encoding="utf-8")
    actions = actions.replace("commitment_purchase,2026-07-01,", "commitment_purchase,2026-07-15,")
    actions += ("gpu-retire,Retire the GPU cluster,ml,termination,2026-11-03,5000,USD,Nimbus Cloud,,,Nimbus GPU,,,,\n"
                "ghost-vm,Rightsize a VM nobody bills,web,rightsizing,2026-08-01,100,USD,,,,,,no-such-vm,,\n"
                "warehouse-pause,Pause the warehouse at weekends,data,scheduling,2026-09-29,900,USD,Nimbus Cloud,,,"
                "Nimbus Warehouse,,,,\n")
    (mappings / "optimisation_actions.csv").write_text(actions, encoding="utf-8")
    return build_warehouse(landing, root / "warehouse.duckdb", mappings=mappings)


def test_a_lagging_export_is_not_read_as_a_saving(edge_build: Build) -> None:
    """The Nimbus actions are measured to their export's own last day (27 September), not the warehouse's (30th): the
    legacy decommission's September covers 27 days and still matches its known saving, and the paper saving
    stays a paper saving (had the three missing days read as 0, it would have looked like 1,200 saved)."""
    assert edge_build.returncode == 0, edge_build.output[-3000:]
    rows = {r[0]: r[1:] for r in edge_build.query(
        "select action_id, days_measured, as_of_date, savings_status, realised_saving from marts.fct_savings_realized "
        "where saving_month = '2026-09-01' and saving_source = 'action'")}
    assert rows["legacy-compute-decommission"][:3] == (27, dt.date(2026, 9, 27), "verified")
    assert rows["warehouse-query-tuning"][:3] == (30 - 3, dt.date(2026, 9, 27), "not_realised")
    _, truth = _decommission_truth(edge_build)
    daily = truth["2026-09"] / 30  # the truth's September saving is flat across its days
    assert abs(rows["legacy-compute-decommission"][3] - 27 * daily) <= Decimal("0.03") * 27 * daily


def test_a_future_action_has_no_rows_and_a_scope_without_cost_says_so(edge_build: Build) -> None:
    statuses = dict(edge_build.query(
        "select action_id, list(distinct savings_status || ':' || coalesce(fallback_reason, '')) "
        "from marts.fct_savings_realized where saving_source = 'action' group by 1"))
    assert "gpu-retire" not in statuses  # implemented after the data ends: nothing to measure yet
    assert "warehouse-pause" not in statuses  # after the Nimbus export's last day (27th), in the same month
    assert statuses["ghost-vm"] == ["no_baseline:no_history"]
    assert "warn_optimisation_actions_match_no_cost" in edge_build.output


def test_a_commitment_action_claims_its_savings_from_its_day_and_the_rate_row_keeps_the_rest(
        edge_build: Build) -> None:
    claimed, fees = _claimed_by_commitment_actions(edge_build)
    (july,), = edge_build.query("select realised_saving from marts.fct_savings_realized "
                                "where action_id = 'cpu-cud-analytics' and saving_month = '2026-07-01'")
    account = "01A2B3-C4D5E6-F7A8B9"
    assert july == claimed[("2026-07", account)] - fees[("2026-07", account)]
    (bill,), = edge_build.query("select sum(net_commitment_savings) from marts.fct_commitment_savings "
                                f"where billing_account_id = '{account}' and charge_month = '2026-07-01'")
    (rate,), = edge_build.query("select realised_saving from marts.fct_savings_realized "
                                f"where saving_id = 'commitment / Google Cloud / {account}' "
                                "and saving_month = '2026-07-01'")
    assert rate + claimed[("2026-07", account)] == bill and rate != 0  # the first 14 days' stay the bill's
