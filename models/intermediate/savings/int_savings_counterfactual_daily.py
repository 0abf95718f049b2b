"""Each usage optimisation action's counterfactual: what its scope would have cost each day from the action to
its as-of day had the action not been taken, in each billing currency of the scope, forecast from the days before
the action only (finops/savings.py, the forecasts' models and backtests); the actual cost stays in
int_savings_scope_days, exact. A scope without cost before the action has no counterfactual (fallback_reason
no_history).
Grain: one row per usage action, billing currency and day from its implementation day to its as-of day. Estimates
are computed in floating point and stored as the money type (D64)."""


def model(dbt, session):
    from finops import forecasting as fc
    from finops import savings

    days = dbt.ref("int_savings_scope_days").df()
    out = savings.counterfactuals(
        days,
        origins=int(dbt.config.get("backtest_origins")),
        horizon_months=int(dbt.config.get("horizon_months")),
        min_history_days=int(dbt.config.get("min_history_days")),
        erratic_cv=float(dbt.config.get("erratic_cv")),
    )
    schema = {"action_id": "VARCHAR", "billing_currency": "VARCHAR", "charge_date": "DATE", "forecast": fc.MONEY,
              "lo_80": fc.MONEY, "hi_80": fc.MONEY, "lo_95": fc.MONEY, "hi_95": fc.MONEY, "model": "VARCHAR",
              "selection_basis": "VARCHAR", "fallback_reason": "VARCHAR"}
    return fc.typed_relation(session, out, schema)
