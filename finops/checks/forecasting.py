"""Distribution suites for the forecasting marts (models/marts/forecasting/).

They encode what a forecast and a budget status mean beyond the money identities the dbt tests hold
(forecast = usage + known purchases + planned changes + commitment expiry, nested intervals, total = actual +
remaining, variance = forecast − budget): every series is forecast from the same as-of day by one model; a fallback always says why;
accuracy measures are shares where they must be, and a seasonal-naive row exists to compare each
model with; a budget's alert states and crossing days agree with its figures.
"""

from __future__ import annotations

import great_expectations as gx

from ..forecasting import MODELS
from ..mappings.specs import BUDGET_PERIODS, BUDGET_SCOPES
from ..settings import dbt_vars
from .builders import always_true, share
from .suite import Suite

E = gx.expectations

THRESHOLD = float(dbt_vars()["forecast_accuracy_threshold"])  # the FinOps Foundation's "Run" forecast accuracy
GRAINS = ["total", "provider", "billing_account", "owner", "service_category", "tag"]

COST_FORECAST = Suite(
    name="cost_forecast",
    table="marts.fct_cost_forecast",
    description="Daily cost forecasts per series: one model per series, one as-of day, fallbacks explained.",
    sql="""
        select
            series_grain,
            forecast_model,
            cost_basis,
            count(distinct forecast_model) over (partition by series_id, cost_basis) = 1 as one_model_per_series,
            count(distinct as_of_date) over () = 1 as one_as_of_day,
            is_fallback = (fallback_reason is not null) as fallback_says_why,
            not is_fallback or forecast_model = 'run_rate' as fallback_is_the_run_rate,
            forecast_date <= as_of_date + interval 400 day as within_a_year_and_a_quarter,
            coalesce(fallback_reason, '') <> 'no_usage' or usage_forecast_cost = 0 as no_usage_forecasts_nothing,
            (planned_change_cost = 0 or planned_change_ids is not null)
            and (commitment_expiry_cost = 0 or expiring_commitment_ids is not null) as each_line_is_named
        from marts.fct_cost_forecast
    """,
    distinct_rows=True,
    expectations=[
        E.ExpectColumnValuesToBeInSet(column="series_grain", value_set=GRAINS,
                                      description=f"a series is one of the grains {GRAINS}"),
        E.ExpectColumnValuesToBeInSet(column="forecast_model", value_set=list(MODELS),
                                      description=f"every forecast comes from one of {list(MODELS)}"),
        E.ExpectColumnValuesToBeInSet(column="cost_basis", value_set=["billed", "effective"],
                                      description="a forecast is on the billed or the effective basis"),
        always_true("one_model_per_series", "a series is forecast by one model on each cost basis"),
        always_true("one_as_of_day", "every series is forecast from the same as-of day"),
        always_true("fallback_says_why", "a series on the fallback names its reason, and only such a series"),
        always_true("fallback_is_the_run_rate", "the fallback is the run rate"),
        always_true("within_a_year_and_a_quarter",
                    "the horizon ends within the current year or three months on, never years ahead"),
        always_true("no_usage_forecasts_nothing", "a series with no usage on a basis has a usage forecast of 0"),
        always_true("each_line_is_named",
                    "a planned change or a commitment's end in the forecast names the rows behind it"),
    ],
)

FORECAST_ACCURACY = Suite(
    name="forecast_accuracy",
    table="marts.fct_forecast_accuracy",
    description="Backtest accuracy per series, model and horizon month.",
    sql=f"""
        select
            *,
            count(*) filter (where forecast_model = 'seasonal_naive')
                over (partition by series_id, cost_basis, horizon_month) = 1 as has_the_baseline,
            is_within_run_threshold = (monthly_wape <= {THRESHOLD}) as run_threshold_agrees
        from marts.fct_forecast_accuracy
    """,
    expectations=[
        E.ExpectColumnValuesToBeBetween(column="wape", min_value=0,
                                        description="WAPE is never negative (NULL when every scored day's actual "
                                        "is 0, as for a series that stopped spending)"),
        share("coverage_80", "the 80 % interval's coverage is a share"),
        share("coverage_95", "the 95 % interval's coverage is a share"),
        share("monthly_coverage_80", "the monthly 80 % interval's coverage is a share"),
        share("share_of_months_within_threshold", "the share of months within the threshold is a share"),
        E.ExpectColumnValuesToBeBetween(column="horizon_month", min_value=0, max_value=15,
                                        description="horizon months run from the origin's month on"),
        always_true("has_the_baseline", "each series and horizon has a seasonal-naive row to be compared with"),
        always_true("run_threshold_agrees", f"is_within_run_threshold says monthly_wape <= {THRESHOLD:.0%}"),
        E.ExpectColumnValuesToBeInSet(column="forecast_model", value_set=list(MODELS),
                                      description=f"every model is one of {list(MODELS)}"),
    ],
)

BUDGET_STATUS = Suite(
    name="budget_status",
    table="marts.fct_budget_status",
    description="Budget status per budget, period and threshold.",
    sql="""
        select
            scope_type,
            period_type,
            period_status,
            threshold_basis,
            alert_state,
            budget_amount > 0 as budget_is_positive,
            case when period_status = 'future' then actual_cost = 0 end as a_future_period_has_no_actual,
            case when period_status <> 'closed' then forecast_cost_lo_80 <= forecast_cost_hi_80 end
                as interval_is_ordered,
            case when threshold_basis = 'actual' and alert_state = 'ALARM' then actual_cost >= threshold_amount end
                as an_actual_alarm_has_the_actual_cost_for_it
        from marts.fct_budget_status
    """,
    distinct_rows=True,
    expectations=[
        E.ExpectColumnValuesToBeInSet(column="scope_type", value_set=list(BUDGET_SCOPES),
                                      description=f"a budget covers one of {list(BUDGET_SCOPES)}"),
        E.ExpectColumnValuesToBeInSet(column="period_type", value_set=list(BUDGET_PERIODS),
                                      description=f"a budget period is one of {list(BUDGET_PERIODS)}"),
        E.ExpectColumnValuesToBeInSet(column="period_status", value_set=["closed", "current", "future"],
                                      description="a period is closed, current or future"),
        E.ExpectColumnValuesToBeInSet(column="alert_state", value_set=["OK", "ALARM"],
                                      description="a threshold is OK or in ALARM"),
        always_true("budget_is_positive", "a budget's amount is above 0"),
        always_true("a_future_period_has_no_actual", "a period that has not started has no actual cost"),
        always_true("interval_is_ordered", "the forecast's 80 % interval is ordered"),
        always_true("an_actual_alarm_has_the_actual_cost_for_it",
                    "an actual threshold in ALARM has actual cost at or above it"),
    ],
)

FORECASTING_SUITES = [COST_FORECAST, FORECAST_ACCURACY, BUDGET_STATUS]
