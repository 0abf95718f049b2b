"""Realised savings: the counterfactual rule on series of known shape (finops/savings.py), and fct_savings_realized
on the generated sample, whose `nimbus-focus12` history switches 90 % of the legacy compute off on a known day
(sample_data/history.py; the truth in `_truth/forecast_series.csv`) and whose sample optimisation_actions.csv
books that decommission, a paper saving, an action too recent to judge and a commitment purchase."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from finops import savings
from finops.sample_data.history import PROVIDER, SERIES

from .conftest import Build

BACKTESTS = {"origins": 3, "horizon_months": 1, "min_history_days": 56, "erratic_cv": 1.0}


def _days(cost: np.ndarray, start: str, implemented_on: str, action: str = "a1") -> pd.DataFrame:
    days = pd.date_range(start, periods=len(cost), freq="D")
    return pd.DataFrame({"action_id": action, "charge_date": days, "implemented_on": pd.Timestamp(implemented_on),
                         "effective_cost": cost})


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


def test_commitment_and_rate_savings_add_up_to_the_bills_without_double_counting(generated_build: Build) -> None:
    """The commitment purchase's saving is its commitment's net savings (contracted cost of the usage it
    covered − its used and unused effective cost); with the commitment rate row of its account it makes
    fct_commitment_savings' net commitment savings exactly; the negotiated rows are the mart's own. USD
    accounts only (the others are converted)."""
    cud = "projects/123456789012/regions/us-central1/commitments/cud-cpu-1yr"
    own = dict(generated_build.query_work(f"""
        select strftime(charge_date, '%Y-%m'),
               sum(case when commitment_discount_status = 'Used' then contracted_cost else 0 end) - sum(effective_cost)
        from intermediate.int_charges_split_by_day
        where commitment_discount_id = '{cud}' and charge_category = 'Usage'
          and commitment_discount_status in ('Used', 'Unused')
        group by 1"""))
    action = dict(generated_build.query(
        "select strftime(saving_month, '%Y-%m'), realised_saving from marts.fct_savings_realized "
        "where action_id = 'cpu-cud-analytics'"))
    assert own and action == own
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
        select bill.charge_month, bill.provider_name, bill.billing_account_id, bill.negotiated,
               coalesce(rate.negotiated, 0), bill.commitment, coalesce(rate.commitment, 0)
        from bill
        left join rate
            on bill.charge_month = rate.saving_month and bill.provider_name = rate.provider_name
            and bill.billing_account_id = rate.billing_account_id""")
    assert rows
    cud_account = "01A2B3-C4D5E6-F7A8B9"
    for month, provider, account, negotiated, ours_negotiated, commitment, ours_commitment in rows:
        assert ours_negotiated == negotiated, (month, provider, account)
        claimed = own.get(f"{month:%Y-%m}", Decimal(0)) if account == cud_account else Decimal(0)
        assert ours_commitment + claimed == commitment, (month, provider, account)


def test_the_realised_savings_kpi_is_the_verified_rows(generated_build: Build) -> None:
    rows = generated_build.query("""
        select k.kpi_month, k.kpi_value, sum(s.realised_saving)
        from marts.fct_finops_kpis as k
        inner join marts.fct_savings_realized as s
            on s.saving_month = k.kpi_month and s.savings_status = 'verified'
        where k.kpi = 'realised_savings'
        group by all""")
    assert rows and all(kpi == total for _, kpi, total in rows)
