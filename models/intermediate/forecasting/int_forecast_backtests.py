"""Rolling-origin backtests of every candidate forecasting model on every series (finops/forecasting.py).

At each of the last `forecast_backtest_origins` month starts, each model is fitted on the days before the
origin only and forecasts to the end of the horizon (clipped to the as-of day); each forecast day keeps the
actual that followed. Effective cost for every series; billed cost too where it differs from effective.
Grain: one row per series, cost basis, origin, model and forecast day. Estimates are computed in floating point and stored
as the money type (D64)."""


def model(dbt, session):
    import pandas as pd

    from finops import forecasting as fc

    origins = int(dbt.config.get("backtest_origins"))
    horizon = int(dbt.config.get("horizon_months"))
    min_days = int(dbt.config.get("min_history_days"))
    series = dbt.ref("int_cost_daily_series").df()
    as_of = fc.as_of_day(series)
    if as_of is None:  # nothing billed yet: no series to forecast
        series = series.iloc[0:0]
        as_of = pd.Timestamp.today().date()
    out = fc.backtests(fc.panel(series, "usage_effective_cost", as_of), as_of, origins, horizon, min_days)
    out.insert(1, "cost_basis", "effective")
    out = out.rename(columns={"unique_id": "series_id", "ds": "forecast_date"})
    out["as_of_date"] = pd.Timestamp(as_of)
    schema = {"series_id": "VARCHAR", "cost_basis": "VARCHAR", "origin": "DATE", "forecast_date": "DATE",
              "horizon_month": "INTEGER", "model": "VARCHAR", "forecast": fc.MONEY, "lo_80": fc.MONEY,
              "hi_80": fc.MONEY, "lo_95": fc.MONEY, "hi_95": fc.MONEY, "actual": fc.MONEY, "as_of_date": "DATE"}
    return fc.typed_relation(session, out, schema)
