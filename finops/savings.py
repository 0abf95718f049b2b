"""The counterfactual behind realised savings: what an optimisation action's scope would have cost without it.

The dbt Python model `int_savings_counterfactual_daily` calls `counterfactuals`; it takes and returns pandas
frames, so the rule is tested here without dbt (finops/tests/test_savings.py). Docs page
`concept_savings_realized`, DECISIONLOG D70:

* The scope's daily usage cost before the action in each billing currency (from its first day with cost, at
  most savings_history_days; int_savings_scope_days) is a series like a forecast series, and is forecast the
  same way (finops/forecasting.py): the candidate models are backtested at the last month starts before the
  action on the days before each, and the one with the lowest monthly error forecasts from the action's day to
  the action's as-of day, with its 80 % and 95 % intervals.
  A short or erratic history takes the run rate and says why, as a forecast does.
* Nothing after the action is seen by the fit, so growth and seasonality the scope had before the action
  are carried into the counterfactual instead of being credited to the action.
* A scope with no cost at all before the action has no counterfactual (`no_history`): its saving cannot be
  measured, and fct_savings_realized says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import forecasting as fc

COLUMNS = ["action_id", "billing_currency", "charge_date", "forecast", "lo_80", "hi_80", "lo_95", "hi_95", "model",
           "selection_basis", "fallback_reason"]


def counterfactuals(days: pd.DataFrame, origins: int, horizon_months: int, min_history_days: int,
                    erratic_cv: float) -> pd.DataFrame:
    """days: series_id, action_id, billing_currency, charge_date, implemented_on, scope_cost (one series per action
    and billing currency, every day from the history's start to the action's as-of day, 0 where the scope cost
    nothing). One row per series and day from its implementation day to its as-of day: the counterfactual
    forecast with its intervals, the model, how it was chosen and the fallback reason (no forecast and reason
    `no_history` for a scope without cost before the action). The actual cost is not carried through floating
    point: fct_savings_realized takes it from the days, exactly."""
    days = days.assign(charge_date=pd.to_datetime(days["charge_date"]),
                       implemented_on=pd.to_datetime(days["implemented_on"]))
    frames = []
    for implemented_on, group in days.groupby("implemented_on", sort=True):
        cutoff = (implemented_on - pd.Timedelta(days=1)).date()
        after = group[group["charge_date"] >= implemented_on]
        if after.empty:  # implemented after the as-of day: nothing to measure yet
            continue
        p = fc.panel(group[group["charge_date"] < implemented_on], "scope_cost", cutoff)
        h = int((after["charge_date"].max() - implemented_on).days) + 1
        forecast = _forecast(p, cutoff, h, origins, horizon_months, min_history_days, erratic_cv)
        forecast = forecast.rename(columns={"unique_id": "series_id", "ds": "charge_date"})
        out = after[["series_id", "action_id", "billing_currency", "charge_date"]].merge(
            forecast, on=["series_id", "charge_date"], how="left")
        out.loc[out["model"].isna(), "fallback_reason"] = "no_history"
        frames.append(out)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    return out[COLUMNS].sort_values(["action_id", "billing_currency", "charge_date"], ignore_index=True)


def _forecast(p: pd.DataFrame, cutoff: dt.date, h: int, origins: int, horizon_months: int, min_history_days: int,
              erratic_cv: float) -> pd.DataFrame:
    if p.empty:
        return pd.DataFrame(columns=["unique_id", "ds", "model", "forecast", "lo_80", "hi_80", "lo_95", "hi_95",
                                     "selection_basis", "fallback_reason"])
    backtests = fc.backtests(p, cutoff, origins, horizon_months, min_history_days)
    choice = fc.choose(backtests, fc.classify(p, min_history_days, erratic_cv))
    forecast = fc.forecast_days(p, choice, h)
    return forecast.assign(ds=pd.to_datetime(forecast["ds"]))

