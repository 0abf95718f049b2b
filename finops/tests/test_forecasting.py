"""Forecasts against known answers: the statistics (finops/forecasting.py) on series generated from known
parts, and the forecasting marts of the sample build against the generator's truth (sample_data/history.py)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from finops import forecasting as fc
from finops.sample_data.aws import build_months
from finops.sample_data.history import HISTORY_MONTHS, PROVIDER, SERIES, history_months, series_truth

from .conftest import Build


def _panel(values: dict[str, np.ndarray], start: str = "2025-01-01") -> pd.DataFrame:
    frames = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(y), freq="D"), "y": y})
              for uid, y in values.items()]
    return pd.concat(frames, ignore_index=True)


def _truth_panel(seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame, dt.date]:
    months = history_months(build_months("2026-07", 3)[-1], HISTORY_MONTHS)
    truth = pd.DataFrame(series_truth(seed, months))
    truth["unique_id"] = truth["series"].map(lambda k: f"{SERIES[k].step or 'steady'}-{k}")
    past = truth[~truth["is_future"]]
    as_of = past["day"].max()
    p = fc.panel(past.rename(columns={"unique_id": "series_id", "day": "charge_date", "cost": "usage"}),
                 "usage", as_of)
    return p, truth, as_of


def test_intervals_cover_at_their_nominal_rate_on_data_that_matches_their_assumptions() -> None:
    """Linear trend + additive weekly pattern + Gaussian noise of constant size: what additive exponential
    smoothing assumes. Over 40 series and 28 forecast days each, the 80 % and 95 % intervals hold about
    80 % and 95 % of the time."""
    rng = np.random.default_rng(11)
    t = np.arange(364 + 28)
    weekly = np.array([0, 0, 0, 0, 0, -60, -60])[t % 7]
    values = {f"s{k}": 500 + 0.3 * t + weekly + rng.normal(0, 20, len(t)) for k in range(40)}
    full = _panel(values)
    train = full.groupby("unique_id").head(364)
    test = full.groupby("unique_id").tail(28)
    forecast = fc.fit_predict(train, ["ets"], 28).merge(test, on=["unique_id", "ds"])
    assert len(forecast) == 40 * 28
    cover80 = ((forecast["y"] >= forecast["lo_80"]) & (forecast["y"] <= forecast["hi_80"])).mean()
    cover95 = ((forecast["y"] >= forecast["lo_95"]) & (forecast["y"] <= forecast["hi_95"])).mean()
    assert 0.74 <= cover80 <= 0.86, cover80
    assert 0.91 <= cover95 <= 0.98, cover95


def test_month_end_effects_are_measured_and_divided_out() -> None:
    """A series whose last three days of each month cost 1.8 x: the calendar factors find 1.8 there and 1
    elsewhere, and a model forecasting from a month start does not extrapolate the spike it just saw."""
    ds = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    y = np.where(ds.days_in_month - ds.day < 3, 180.0, 100.0)
    p = pd.DataFrame({"unique_id": "batch", "ds": ds, "y": y})
    factors = fc.calendar_factors(p).set_index("position")["factor"]
    assert factors[["last_1", "last_2", "last_3"]].tolist() == pytest.approx([1.8, 1.8, 1.8])
    assert factors[["first_1", "first_2", "first_3"]].tolist() == [1.0, 1.0, 1.0]
    forecast = fc.fit_predict(p, ["ets", "run_rate"], 31).set_index(["model", "ds"])["forecast"]
    for model in ("ets", "run_rate"):
        january = forecast[model]
        assert january[pd.Timestamp("2026-01-10")] == pytest.approx(100.0, rel=0.02)
        assert january[pd.Timestamp("2026-01-30")] == pytest.approx(180.0, rel=0.02)


def test_backtests_choose_models_that_beat_the_seasonal_naive_baseline_on_generated_series() -> None:
    """The generator's series (trend, weekly pattern, month-end jobs, a launch; history.py): the model each
    series' backtests choose has less error than the seasonal-naive baseline over the same backtests. The
    decommission series is left out: no model foresees a switch-off (the concept page says so)."""
    p, _, as_of = _truth_panel()
    p = p[~p["unique_id"].str.startswith("decommission")]
    bt = fc.backtests(p, as_of, origins=6, horizon_months=3, min_history_days=56)
    choice = fc.choose(bt, fc.classify(p, 56, 1.0)).set_index("unique_id")
    bt["abs_error"] = (bt["forecast"] - bt["actual"]).abs()
    wape = bt.groupby(["unique_id", "model"])["abs_error"].sum() / bt.groupby(["unique_id", "model"])["actual"].sum()
    for uid, row in choice.iterrows():
        assert row["selection_basis"] == "backtest"
        assert wape[uid, row["model"]] < wape[uid, fc.BASELINE], (uid, row["model"], wape[uid].to_dict())


def test_the_month_end_forecast_of_a_series_with_known_trend_lands_within_its_known_error() -> None:
    """Fitted on the generated history, the next three months' totals of each steady series are within
    3 % of what the series would have cost without noise, and that noise-free total is inside the month's
    95 % interval."""
    p, truth, as_of = _truth_panel()
    steady = sorted(u for u in p["unique_id"].unique() if u.startswith("steady"))
    p = p[p["unique_id"].isin(steady)]
    bt = fc.backtests(p, as_of, origins=6, horizon_months=3, min_history_days=56)
    choice = fc.choose(bt, fc.classify(p, 56, 1.0))
    forecast = fc.forecast(p, choice, as_of, horizon_months=3)
    forecast["month"] = forecast["ds"].dt.to_period("M")
    months = forecast.groupby(["unique_id", "month"])[["forecast", "lo_95", "hi_95"]].sum()
    future = truth[truth["is_future"]].assign(month=lambda t: pd.to_datetime(t["day"]).dt.to_period("M"))
    expected = future.groupby(["unique_id", "month"])["expected_cost"].sum()
    assert len(months) == len(steady) * 3
    for key, row in months.iterrows():
        assert abs(row["forecast"] - expected[key]) <= 0.03 * expected[key], (key, row.to_dict(), expected[key])
        assert row["lo_95"] <= expected[key] <= row["hi_95"], (key, row.to_dict(), expected[key])


def test_short_erratic_and_failing_series_fall_back_to_the_run_rate_with_a_reason(monkeypatch) -> None:
    rng = np.random.default_rng(3)
    spiky = np.zeros(200)
    spiky[::17] = 5000.0
    p = pd.concat([_panel({"spiky": spiky, "steady": 100 + rng.normal(0, 5, 200)}, start="2025-06-01"),
                   _panel({"short": 100 + rng.normal(0, 5, 30)}, start="2025-11-18")], ignore_index=True)
    assert p.groupby("unique_id")["ds"].max().nunique() == 1  # one as-of day
    kinds = fc.classify(p, 56, 1.0)
    assert kinds == {"short": "short_history", "spiky": "erratic", "steady": None}
    choice = fc.choose(pd.DataFrame(columns=["unique_id", "model", "origin", "ds", "forecast", "actual"]), kinds)
    assert choice.set_index("unique_id")["model"].to_dict() == {"short": "run_rate", "spiky": "run_rate",
                                                                 "steady": fc.DEFAULT_MODEL}

    def broken(names):  # every statsforecast model fails to fit
        raise RuntimeError("no fit")

    monkeypatch.setattr(fc, "_statsforecast_models", broken)
    as_of = p["ds"].max().date()
    out = fc.forecast(p, choice, as_of, horizon_months=1).drop_duplicates("unique_id").set_index("unique_id")
    assert out.loc["steady", ["model", "selection_basis", "fallback_reason"]].tolist() == [
        "run_rate", "fallback", "model_error"]
    assert out.loc["short", "fallback_reason"] == "short_history"


def test_the_model_with_the_lowest_monthly_error_is_chosen_and_ties_go_to_the_simpler() -> None:
    rows = []
    for model, forecast in (("ets", 110.0), ("mstl", 96.0), ("seasonal_naive", 108.0), ("run_rate", 92.0)):
        rows.append({"unique_id": "a", "model": model, "origin": pd.Timestamp("2026-01-01"),
                     "ds": pd.Timestamp("2026-01-05"), "forecast": forecast, "actual": 100.0})
    bt = pd.DataFrame(rows)
    assert fc.choose(bt, {"a": None}).iloc[0]["model"] == "mstl"
    bt.loc[bt["model"] == "mstl", "forecast"] = 120.0
    assert fc.choose(bt, {"a": None}).iloc[0]["model"] == "run_rate"  # 92 and 108 tie: the run rate is simpler


# ---------------------------------------------------------------------------------------------
# The marts of the sample build
# ---------------------------------------------------------------------------------------------


def _truth_rows(build: Build) -> list[dict]:
    with open(build.landing / "_truth" / "forecast_series.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_forecast_of_the_generated_history_lands_on_its_known_month_totals(generated_build: Build) -> None:
    """The Nimbus billing account (the generator's long history): each forecast month's usage total is within
    3 % of the noise-free truth, and the model its backtests chose beats the seasonal-naive baseline in the
    backtests and is within the "Run" threshold."""
    assert generated_build.returncode == 0, generated_build.output[-3000:]
    series = f"billing_account:{PROVIDER.provider} / {PROVIDER.billing_account}"
    expected: dict[str, Decimal] = {}
    for r in _truth_rows(generated_build):
        if r["is_future"] == "true":
            expected[r["charge_date"][:7]] = expected.get(r["charge_date"][:7], Decimal(0)) + Decimal(r["expected_cost"])
    got = generated_build.query(
        "select strftime(forecast_date, '%Y-%m'), sum(usage_forecast_cost), sum(known_purchase_cost), "
        "count(distinct forecast_model) from marts.fct_cost_forecast "
        f"where series_id = '{series}' and cost_basis = 'effective' group by 1 order by 1")
    assert [g[0] for g in got] == sorted(expected)
    for month, usage, known, models in got:
        assert models == 1
        assert abs(usage - expected[month]) <= Decimal("0.03") * expected[month], (month, usage, expected[month])
        assert known == pytest.approx(Decimal("250.00"), abs=Decimal("0.01"))  # the support plan carried forward
    (skill, within, model), = generated_build.query(
        "select skill_vs_seasonal_naive, is_within_run_threshold, forecast_model from marts.fct_forecast_accuracy "
        f"where series_id = '{series}' and is_selected and horizon_month = 0")
    assert skill > 0 and within, (model, skill)


def test_every_grain_of_the_daily_series_adds_up_to_the_whole_bill(generated_build: Build) -> None:
    rows = generated_build.query_work("""
        select series_grain, charge_date, sum(effective_cost), sum(billed_cost)
        from intermediate.int_cost_daily_series group by all""")
    totals = {(d, ): (e, b) for g, d, e, b in rows if g == "total"}
    for grain, day, effective, billed in rows:
        if grain != "tag":  # tag series cover the tagged cost of the values budgets name, not the bill
            assert (effective, billed) == totals[(day, )], (grain, day)
    assert {g for g, *_ in rows} == {"total", "provider", "billing_account", "owner", "service_category", "tag"}
    one_time = generated_build.query_work(
        "select sum(one_time_purchase_billed_cost) from intermediate.int_cost_daily_series "
        f"where series_id = 'billing_account:{PROVIDER.provider} / {PROVIDER.billing_account}'")[0][0]
    assert one_time == Decimal("12000")  # the generated one-time fee: a purchase, not usage


def test_budgets_cross_their_thresholds_on_the_known_days(generated_build: Build) -> None:
    """The sample budget `nimbus-monthly` (95,000 USD a month on the Nimbus provider, thresholds 50 / 80 / 100 %
    of actual spend): in every closed month each threshold is crossed on the day the generator's truth says
    (usage of the day, the support plan spread over the month, the one-time fee on its day), and a month
    that never reaches a threshold has no crossing."""
    assert generated_build.returncode == 0, generated_build.output[-3000:]
    from finops.sample_data.history import ONE_TIME_FEE, SUPPORT_FEE

    daily: dict[dt.date, float] = {}
    for r in _truth_rows(generated_build):
        if r["is_future"] == "false":
            day = dt.date.fromisoformat(r["charge_date"])
            daily[day] = daily.get(day, 0.0) + float(r["cost"])
    one_time_day = generated_build.query(
        "select cast(ChargePeriodStart as date) from marts.focus_cost_and_usage "
        "where ChargeDescription = 'Capacity reservation fee'")[0][0]
    for day in daily:
        month_days = (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(days=1)).day
        daily[day] += float(SUPPORT_FEE) / month_days + (float(ONE_TIME_FEE) if day == one_time_day else 0.0)
    rows = generated_build.query(
        "select period_start, threshold_percent, crossed_on, alert_state, budget_amount from marts.fct_budget_status "
        "where budget_id = 'nimbus-monthly' and period_status = 'closed' and threshold_basis = 'actual'")
    assert len(rows) == 3 * 15  # 15 closed months of history, 3 actual thresholds
    checked = 0
    for start, percent, crossed_on, state, amount in rows:
        threshold = float(amount * percent / 100)
        total, expected, margin = 0.0, None, None
        for day in sorted(d for d in daily if (d.year, d.month) == (start.year, start.month)):
            total += daily[day]
            if expected is None and total >= threshold:
                expected, margin = day, total - threshold
        if margin is not None and margin < 1.0:
            continue  # within a dollar of the threshold: rounding decides the day
        assert crossed_on == expected, (start, percent)
        assert state == ("ALARM" if expected else "OK")
        checked += 1
    assert checked >= 40


def test_planned_changes_land_on_their_scope_and_the_whole_bill(generated_build: Build) -> None:
    """The sample forecast_adjustments.csv: `nimbus-gpu-expansion` adds 20,000 USD a month to the Nimbus
    provider from 2026-11-01 (spread evenly over each month's days), `web-legacy-switch-off` takes 40 % off
    the web owner's usage forecast from 2026-12-01. Each lands on its own series and the whole bill, nowhere
    else, and never before its first day."""
    assert generated_build.returncode == 0, generated_build.output[-3000:]
    rows = generated_build.query(
        "select series_id, cost_basis, forecast_date, usage_forecast_cost, planned_change_cost, planned_change_ids "
        "from marts.fct_cost_forecast")
    by_key = {(s, b, d): (u, p, ids) for s, b, d, u, p, ids in rows}
    nimbus, web, total = f"provider:{PROVIDER.provider}", "owner:web", "total:all"
    changed = {s for (s, _, _), (_, p, _) in by_key.items() if p != 0}
    assert changed == {nimbus, web, total}
    checked = 0
    for (series, basis, day), (_, planned, ids) in by_key.items():
        if series not in changed:
            continue
        month_days = (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(days=1)).day
        gpu = Decimal(20000) / month_days if day >= dt.date(2026, 11, 1) and series in (nimbus, total) else 0
        switch_off = (Decimal("-0.4") * by_key[(web, basis, day)][0]
                      if day >= dt.date(2026, 12, 1) and series in (web, total) else 0)
        assert planned == pytest.approx(gpu + switch_off, abs=Decimal("0.000001")), (series, basis, day)
        expected_ids = "|".join(i for i, on in (("nimbus-gpu-expansion", gpu), ("web-legacy-switch-off", switch_off))
                                if on)
        assert ids == (expected_ids or None), (series, day)
        checked += 1
    assert checked > 0
    months = generated_build.query(
        "select strftime(forecast_date, '%Y-%m'), sum(planned_change_cost) from marts.fct_cost_forecast "
        f"where series_id = '{nimbus}' and cost_basis = 'effective' group by 1 order by 1")
    assert [(m, round(p, 2)) for m, p in months] == [
        ("2026-10", Decimal("0.00")), ("2026-11", Decimal("20000.00")), ("2026-12", Decimal("20000.00"))]
