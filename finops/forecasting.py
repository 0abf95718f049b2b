"""Daily cost forecasts and their rolling-origin backtests (the statistics behind the forecasting models).

The dbt Python models `int_forecast_backtests` and `int_cost_forecast_daily` call these functions; they
take and return pandas frames, so the statistics are tested here without dbt (finops/tests/test_forecasting.py).
Every rule is described in the docs page `concept_cost_forecast` and DECISIONLOG D64:

* A series is the daily usage cost of one scope (usage = every charge that is not a purchase), filled with
  zeros from its first day with cost to the last day with usage cost in the warehouse (the as-of day).
* Candidate models (Nixtla statsforecast, plus the run rate): `seasonal_naive` (each weekday repeats last
  week: the baseline), `run_rate` (the mean of the last 28 days), `ets` (exponential smoothing with additive
  errors and a weekly season, trend none / additive / damped chosen by AICc) and `mstl` (weekly season
  removed by LOESS, the rest extrapolated by a non-seasonal ETS). Every model but the baseline learns from
  the series with its month-start and month-end effects divided out (calendar_factors) and multiplied back.
  Intervals are the models' own 80 % and 95 % prediction intervals (the run rate's: the spread of its days).
* Backtests: at each of the last `origins` month starts with at least `min_history_days` of history before
  it, every candidate is fitted on the days before the origin only and forecasts to the end of the horizon
  (clipped to the as-of day); each forecast day keeps what then happened.
* The model of a series is the candidate with the lowest error of monthly totals over its backtests
  (Σ |forecast − actual| ÷ Σ |actual| over every scored month, ties to the simpler model); a series without a
  backtest gets `ets` and says so (selection_basis `default`).
* Fallback, flagged, never an error: a series with fewer than `min_history_days` days, or whose last
  `min_history_days` days are erratic (coefficient of variation above `erratic_cv`, or a mean that is not
  positive), is forecast by the run rate with the reason. A model that fails on a series falls back the same
  way (`model_error`).
"""

from __future__ import annotations

import datetime as dt
import math
import os

import numpy as np
import pandas as pd

from .settings import money_type

MODELS = ("seasonal_naive", "run_rate", "ets", "mstl")
BASELINE = "seasonal_naive"
FALLBACK = "run_rate"
DEFAULT_MODEL = "ets"
SIMPLICITY = {"run_rate": 0, "seasonal_naive": 1, "ets": 2, "mstl": 3}
CALENDAR_DAYS = 3  # the first and last days of a month whose own level is estimated (month-start / month-end jobs)
CALENDAR_MIN_MONTHS = 3  # months of history before a day-of-month effect is believed
CALENDAR_MIN_EFFECT = 0.05  # smaller effects are noise: left at 1
MONEY = money_type()  # forecasts are estimates, stored in the warehouse's one money type like every amount
LEVELS = (80, 95)
RUN_RATE_DAYS = 28
SEASON = 7


def _statsforecast_models(names):
    os.environ.setdefault("NIXTLA_ID_AS_COL", "1")
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    build = {
        "seasonal_naive": lambda: SeasonalNaive(season_length=SEASON, alias="seasonal_naive"),
        # additive errors and weekly season, trend none / additive / damped chosen by AICc: the full
        # AutoETS search costs 3x the time and, on daily cost, mostly picks one of these
        "ets": lambda: AutoETS(season_length=SEASON, model="AZA", alias="ets"),
        "mstl": lambda: MSTL(season_length=SEASON, alias="mstl"),
    }
    return [build[n]() for n in names]


def month_start(d: dt.date, add: int = 0) -> dt.date:
    y, m = divmod(d.month - 1 + add, 12)
    return dt.date(d.year + y, m + 1, 1)


def horizon_end(as_of: dt.date, months: int, budget_periods=()) -> dt.date:
    """The last day forecast: the end of the `months`-th calendar month after the as-of day's month, or later
    to the end of the quarter or year holding the as-of day when a budget has such a period (so every
    current budget period has a forecast at its end)."""
    end = month_start(as_of, months + 1) - dt.timedelta(days=1)
    if "quarter" in budget_periods:
        end = max(end, month_start(dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1), 3) - dt.timedelta(days=1))
    if "year" in budget_periods:
        end = max(end, dt.date(as_of.year, 12, 31))
    return end


def panel(series: pd.DataFrame, measure: str, as_of: dt.date) -> pd.DataFrame:
    """unique_id, ds, y: each series' daily `measure` from its first day with a non-zero amount to `as_of`,
    missing days as 0."""
    df = series[["series_id", "charge_date", measure]].rename(
        columns={"series_id": "unique_id", "charge_date": "ds", measure: "y"})
    df["ds"] = pd.to_datetime(df["ds"])
    df["y"] = df["y"].astype(float)
    df = df[df["ds"] <= pd.Timestamp(as_of)]
    first = df[df["y"] != 0].groupby("unique_id")["ds"].min()
    frames = []
    end = pd.Timestamp(as_of)
    for uid, start in first.items():
        days = pd.date_range(start, end, freq="D")
        s = df[df["unique_id"] == uid].groupby("ds")["y"].sum().reindex(days, fill_value=0.0)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": days, "y": s.to_numpy()}))
    if not frames:
        return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                             "y": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def classify(p: pd.DataFrame, min_history_days: int, erratic_cv: float) -> dict[str, str | None]:
    """unique_id -> None (model it) or the reason it is forecast by the run rate."""
    out: dict[str, str | None] = {}
    for uid, g in p.groupby("unique_id", sort=True):
        y = g["y"].to_numpy()
        if len(y) < min_history_days:
            out[uid] = "short_history"
            continue
        recent = y[-min_history_days:]
        mean = recent.mean()
        if mean <= 0 or recent.std() / mean > erratic_cv:
            out[uid] = "erratic"
        else:
            out[uid] = None
    return out


def calendar_position(ds: pd.Series) -> pd.Series:
    """'first_1'..'first_3' for the first days of a month, 'last_1'..'last_3' for its last days, else ''."""
    ds = pd.to_datetime(ds)
    to_end = ds.dt.days_in_month - ds.dt.day + 1
    pos = pd.Series("", index=ds.index, dtype=object)
    pos[ds.dt.day <= CALENDAR_DAYS] = "first_" + ds.dt.day.astype(str)
    pos[to_end <= CALENDAR_DAYS] = "last_" + to_end.astype(str)
    return pos


def calendar_factors(train: pd.DataFrame) -> pd.DataFrame:
    """Per series and calendar position, the day's level relative to the days around it (median over the
    months of history of cost / the centred 15-day rolling median); positions with fewer than
    CALENDAR_MIN_MONTHS months or an effect under CALENDAR_MIN_EFFECT get 1. Columns unique_id, position,
    factor."""
    rows = []
    for uid, g in train.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)
        level = pd.Series(y).rolling(15, center=True, min_periods=7).median().to_numpy()
        pos = calendar_position(g["ds"].reset_index(drop=True)).to_numpy()
        ok = (level > 0) & (pos != "")
        frame = pd.DataFrame({"position": pos[ok], "ratio": y[ok] / level[ok]})
        for position, r in frame.groupby("position")["ratio"]:
            f = float(r.median()) if len(r) >= CALENDAR_MIN_MONTHS else 1.0
            rows.append({"unique_id": uid, "position": position,
                         "factor": f if abs(f - 1.0) >= CALENDAR_MIN_EFFECT and f > 0 else 1.0})
    return pd.DataFrame(rows, columns=["unique_id", "position", "factor"]).astype({"factor": "float64"})


def _factor_of(frame: pd.DataFrame, factors: pd.DataFrame) -> np.ndarray:
    f = frame[["unique_id"]].assign(position=calendar_position(frame["ds"]).to_numpy())
    return f.merge(factors, on=["unique_id", "position"], how="left")["factor"].fillna(1.0).to_numpy()


def run_rate(train: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """The simplest method: the mean of each series' last RUN_RATE_DAYS days for every day of `days`
    (unique_id, ds), with the spread of those days (their quantiles) as its intervals."""
    rows = []
    for uid, g in train.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)[-RUN_RATE_DAYS:]
        mean = float(y.mean())
        row = {"unique_id": uid, "model": FALLBACK, "forecast": mean}
        for lv in LEVELS:
            tail = (1 - lv / 100) / 2
            row[f"lo_{lv}"] = min(float(np.quantile(y, tail)), mean)
            row[f"hi_{lv}"] = max(float(np.quantile(y, 1 - tail)), mean)
        rows.append(row)
    cols = ["unique_id", "ds", "model", "forecast", "lo_80", "hi_80", "lo_95", "hi_95"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return days[["unique_id", "ds"]].merge(pd.DataFrame(rows), on="unique_id")[cols]


def fit_predict(train: pd.DataFrame, names, h: int) -> pd.DataFrame:
    """Fit each named model on every series of `train` and forecast h days: unique_id, ds, model, forecast,
    lo_80, hi_80, lo_95, hi_95 (long format). A model that fails on a series is left out for it.
    Every model but the baseline learns from the series with its month-start and month-end effects divided
    out (calendar_factors) and has them multiplied back into its forecast; a series that was never negative
    is never forecast below zero."""
    from statsforecast import StatsForecast

    factors = calendar_factors(train)
    adjusted = train.assign(y=train["y"].to_numpy(float) / _factor_of(train, factors))
    start = train.groupby("unique_id")["ds"].max() + pd.Timedelta(days=1)
    days = pd.DataFrame({"unique_id": np.repeat(start.index.to_numpy(), h),
                         "ds": np.concatenate([pd.date_range(d, periods=h, freq="D").to_numpy() for d in start])})
    out = []
    for name in names:
        data = train if name == BASELINE else adjusted
        if name == FALLBACK:
            fitted = [run_rate(data, days)]
        else:
            fitted = _statsforecast(StatsForecast, name, data, h)
        for frame in fitted:
            bad = ~np.isfinite(frame[["forecast", "lo_80", "hi_80", "lo_95", "hi_95"]].to_numpy(float)).all(axis=1)
            frame = frame[~frame["unique_id"].isin(set(frame.loc[bad, "unique_id"]))].reset_index(drop=True)
            if name != BASELINE:
                k = _factor_of(frame, factors)
                for c in ("forecast", "lo_80", "hi_80", "lo_95", "hi_95"):
                    frame[c] = frame[c] * k
            out.append(frame)
    if not out:
        return pd.DataFrame(columns=["unique_id", "ds", "model", "forecast", "lo_80", "hi_80", "lo_95", "hi_95"])
    fc = pd.concat(out, ignore_index=True)
    never_negative = set(train.groupby("unique_id")["y"].min().loc[lambda m: m >= 0].index)
    clip = fc["unique_id"].isin(never_negative).to_numpy()
    for c in ("forecast", "lo_80", "hi_80", "lo_95", "hi_95"):
        fc.loc[clip, c] = fc.loc[clip, c].clip(lower=0.0)
    return fc


def _statsforecast(StatsForecast, name: str, data: pd.DataFrame, h: int) -> list[pd.DataFrame]:  # noqa: N803
    try:  # every series at once; if one cannot be fitted, each on its own so the others keep the model
        return [_long(StatsForecast(models=_statsforecast_models([name]), freq="D", n_jobs=1)
                      .forecast(df=data, h=h, level=list(LEVELS)), name)]
    except Exception:  # noqa: BLE001
        fitted = []
        for _, g in data.groupby("unique_id", sort=True):
            try:
                fitted.append(_long(StatsForecast(models=_statsforecast_models([name]), freq="D", n_jobs=1)
                                    .forecast(df=g, h=h, level=list(LEVELS)), name))
            except Exception:  # noqa: BLE001 - a model that cannot fit a series leaves it to the others
                continue
        return fitted


def _long(fc: pd.DataFrame, name: str) -> pd.DataFrame:
    frame = pd.DataFrame({"unique_id": fc["unique_id"].to_numpy(), "ds": pd.to_datetime(fc["ds"]).to_numpy(),
                          "model": name, "forecast": fc[name].to_numpy(float)})
    for lv in LEVELS:
        frame[f"lo_{lv}"] = fc[f"{name}-lo-{lv}"].to_numpy(float)
        frame[f"hi_{lv}"] = fc[f"{name}-hi-{lv}"].to_numpy(float)
    return frame


def backtest_origins(as_of: dt.date, origins: int) -> list[dt.date]:
    """The last `origins` month starts on or before the as-of day, oldest first (a month start on the as-of
    day itself has nothing after it to score and is skipped)."""
    first = month_start(as_of)
    if first >= as_of:
        first = month_start(as_of, -1)
    return [month_start(first, -k) for k in range(origins - 1, -1, -1)]


def backtests(p: pd.DataFrame, as_of: dt.date, origins: int, horizon_months: int, min_history_days: int
              ) -> pd.DataFrame:
    """Every candidate (and the run rate) fitted at each origin on the days before it, forecasting to the end
    of the horizon clipped to the as-of day; with the actual of each day. Columns: unique_id, origin, ds,
    horizon_month (0 = the origin's own month), model, forecast, lo_*, hi_*, actual."""
    out = []
    for origin in backtest_origins(as_of, origins):
        o = pd.Timestamp(origin)
        train = p[p["ds"] < o]
        lengths = train.groupby("unique_id")["ds"].count()
        eligible = lengths[lengths >= min_history_days].index
        train = train[train["unique_id"].isin(eligible)]
        if train.empty:
            continue
        end = min(horizon_end(origin - dt.timedelta(days=1), horizon_months), as_of)
        h = (end - origin).days + 1
        fc = fit_predict(train, MODELS, h)
        fc["origin"] = o
        out.append(fc)
    if not out:
        return pd.DataFrame(columns=["unique_id", "origin", "ds", "horizon_month", "model", "forecast", "lo_80",
                                     "hi_80", "lo_95", "hi_95", "actual"])
    bt = pd.concat(out, ignore_index=True)
    bt = bt.merge(p.rename(columns={"y": "actual"}), on=["unique_id", "ds"], how="left")
    bt["actual"] = bt["actual"].fillna(0.0)
    bt["horizon_month"] = (bt["ds"].dt.year - bt["origin"].dt.year) * 12 + bt["ds"].dt.month - bt["origin"].dt.month
    return bt


def choose(bt: pd.DataFrame, kinds: dict[str, str | None]) -> pd.DataFrame:
    """Per series: the model, how it was chosen and the fallback reason (see the module docstring)."""
    scores = {}
    if not bt.empty:
        monthly = (bt
                   .assign(month=bt["ds"].dt.to_period("M"))
                   .groupby(["unique_id", "model", "origin", "month"], as_index=False)[["forecast", "actual"]].sum())
        monthly["abs_error"] = (monthly["forecast"] - monthly["actual"]).abs()
        monthly["abs_actual"] = monthly["actual"].abs()
        agg = monthly.groupby(["unique_id", "model"])[["abs_error", "abs_actual"]].sum()
        for (uid, model), r in agg.iterrows():
            scores.setdefault(uid, {})[model] = r["abs_error"] / r["abs_actual"] if r["abs_actual"] > 0 else math.inf
    rows = []
    for uid, reason in kinds.items():
        if reason is not None:
            rows.append({"unique_id": uid, "model": FALLBACK, "selection_basis": "fallback", "fallback_reason": reason,
                         "selection_error": None})
        elif uid in scores and scores[uid]:
            best = min(scores[uid].items(), key=lambda kv: (kv[1], SIMPLICITY[kv[0]]))
            rows.append({"unique_id": uid, "model": best[0], "selection_basis": "backtest", "fallback_reason": None,
                         "selection_error": None if math.isinf(best[1]) else float(best[1])})
        else:
            rows.append({"unique_id": uid, "model": DEFAULT_MODEL, "selection_basis": "default",
                         "fallback_reason": None, "selection_error": None})
    return pd.DataFrame(rows, columns=["unique_id", "model", "selection_basis", "fallback_reason", "selection_error"])


def forecast(p: pd.DataFrame, choice: pd.DataFrame, as_of: dt.date, horizon_months: int, budget_periods=()
             ) -> pd.DataFrame:
    """Each series forecast from the day after the as-of day to the end of the horizon by its chosen model;
    a model that fails on a series falls back to the run rate with fallback_reason 'model_error'."""
    return forecast_days(p, choice, (horizon_end(as_of, horizon_months, budget_periods) - as_of).days)


def forecast_days(p: pd.DataFrame, choice: pd.DataFrame, h: int) -> pd.DataFrame:
    """Each series of `p` forecast h days after its last day by its chosen model (`choice`, from `choose`); a
    model that fails on a series falls back to the run rate with fallback_reason 'model_error'."""
    out, failed = [], []
    for model, ids in choice.groupby("model")["unique_id"]:
        fc = fit_predict(p[p["unique_id"].isin(set(ids))], [model], h)
        if not fc.empty:
            out.append(fc)
        failed += sorted(set(ids) - set(fc["unique_id"]))
    if failed:
        out.append(fit_predict(p[p["unique_id"].isin(failed)], [FALLBACK], h))
    if not out:
        return pd.DataFrame(columns=["unique_id", "ds", "model", "forecast", "lo_80", "hi_80", "lo_95", "hi_95",
                                     "selection_basis", "fallback_reason"])
    fc = pd.concat(out, ignore_index=True)
    fc = fc.merge(choice[["unique_id", "selection_basis", "fallback_reason"]], on="unique_id", how="left")
    fc.loc[fc["unique_id"].isin(failed), ["selection_basis", "fallback_reason"]] = ["fallback", "model_error"]
    return fc


def no_usage_forecast(ids: list[str], as_of: dt.date, horizon_months: int, budget_periods=()) -> pd.DataFrame:
    """A forecast of 0 (intervals 0) for series with no usage cost on a basis: usage wholly covered by an upfront
    commitment is billed 0, a support plan has only purchases. The run rate of nothing, flagged 'no_usage'; the
    series still gets its known purchases, planned changes and commitment-expiry change in fct_cost_forecast."""
    days = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1),
                         pd.Timestamp(horizon_end(as_of, horizon_months, budget_periods)), freq="D")
    fc = pd.DataFrame([(uid, ds) for uid in sorted(ids) for ds in days], columns=["unique_id", "ds"])
    for column in ("forecast", "lo_80", "hi_80", "lo_95", "hi_95"):
        fc[column] = 0.0
    return fc.assign(model=FALLBACK, selection_basis="fallback", fallback_reason="no_usage", selection_error=float("nan"))


def as_of_day(series: pd.DataFrame) -> dt.date | None:
    """The last day with usage cost anywhere in the warehouse: every series is forecast from the day after
    (None for a warehouse without cost)."""
    usage = series[series["usage_effective_cost"].astype(float) != 0]
    days = (usage if not usage.empty else series)["charge_date"]
    return pd.Timestamp(days.max()).date() if len(days) else None


def cost_bases(series: pd.DataFrame) -> list[str]:
    """Effective cost always; billed cost too when some series' usage is billed differently."""
    differs = (series["usage_billed_cost"] != series["usage_effective_cost"]).any()
    return ["effective", "billed"] if differs else ["effective"]


def typed_relation(session, frame: pd.DataFrame, schema: dict[str, str]):  # noqa: ANN001, ANN201
    """`frame` as a DuckDB relation with exactly `schema`'s columns and SQL types: a Python model's table keeps
    its types when it has no rows (pandas would leave an empty column untyped)."""
    frame = frame[list(schema)].copy()
    for column, sql_type in schema.items():
        if sql_type == "VARCHAR":
            frame[column] = frame[column].astype("string")
        elif sql_type == "DOUBLE" or sql_type == MONEY:
            frame[column] = frame[column].astype("float64")
        elif sql_type in ("DATE", "TIMESTAMP"):
            frame[column] = pd.to_datetime(frame[column])
        elif sql_type == "INTEGER":
            frame[column] = frame[column].astype("int32")
    return session.from_df(frame).project(", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in schema.items()))
