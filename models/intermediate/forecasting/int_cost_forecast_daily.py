"""Each series' daily forecast from the day after the as-of day to the end of the horizon (extended to the end
of the current quarter or year when a budget has such periods), by the model its effective-cost backtests chose
(finops/forecasting.py; a series too short or too erratic, or whose model fails, takes the run rate and says
why; a series with no usage cost on a basis is forecast 0, flagged no_usage). Usage cost only: purchases are
added back in fct_cost_forecast as known amounts.
Grain: one row per series, cost basis and forecast day. Estimates are computed in floating point and stored as
the money type (D64)."""


def model(dbt, session):
    import pandas as pd

    from finops import forecasting as fc

    horizon = int(dbt.config.get("horizon_months"))
    min_days = int(dbt.config.get("min_history_days"))
    erratic_cv = float(dbt.config.get("erratic_cv"))
    series = dbt.ref("int_cost_daily_series").df()
    backtests = dbt.ref("int_forecast_backtests").df()
    budgets = dbt.ref("stg_mappings__budgets").df()
    budget_periods = set(budgets["period_type"])
    as_of = fc.as_of_day(series)
    if as_of is None:  # nothing billed yet: no series to forecast
        series = series.iloc[0:0]
        as_of = pd.Timestamp.today().date()
    bt = backtests.rename(columns={"series_id": "unique_id", "forecast_date": "ds"})
    bt = bt.assign(ds=pd.to_datetime(bt["ds"]))
    frames = []
    for basis in fc.cost_bases(series):
        p = fc.panel(series, f"usage_{basis}_cost", as_of)
        choice = fc.choose(bt, fc.classify(p, min_days, erratic_cv))
        f = fc.forecast(p, choice, as_of, horizon, budget_periods)
        f = f.merge(choice[["unique_id", "selection_error"]], on="unique_id", how="left")
        without_usage = set(series["series_id"]) - set(p["unique_id"])
        if without_usage:
            f = pd.concat([f, fc.no_usage_forecast(sorted(without_usage), as_of, horizon, budget_periods)],
                          ignore_index=True)
        f.insert(1, "cost_basis", basis)
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out = out.rename(columns={"unique_id": "series_id", "ds": "forecast_date"})
    out["as_of_date"] = pd.Timestamp(as_of)
    schema = {"series_id": "VARCHAR", "cost_basis": "VARCHAR", "forecast_date": "DATE", "model": "VARCHAR",
              "selection_basis": "VARCHAR", "fallback_reason": "VARCHAR", "selection_error": fc.MONEY,
              "forecast": fc.MONEY, "lo_80": fc.MONEY, "hi_80": fc.MONEY, "lo_95": fc.MONEY, "hi_95": fc.MONEY,
              "as_of_date": "DATE"}
    return fc.typed_relation(session, out, schema)
