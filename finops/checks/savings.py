"""Distribution suite for the realised-savings mart (models/marts/savings/).

Beyond the identities the dbt tests hold (realised = counterfactual − actual, the band holds the saving),
it encodes what a status means: a verified action saved money, a month is judged only once it has enough
days, an action without history says so, and a rate row is the bill's own figure with no action behind it.
"""

from __future__ import annotations

import great_expectations as gx

from ..settings import dbt_vars
from .builders import always_true, not_null
from .suite import Suite

E = gx.expectations

MIN_DAYS = int(dbt_vars()["savings_min_days"])

SAVINGS_REALIZED = Suite(
    name="savings_realized",
    table="marts.fct_savings_realized",
    description="Realised savings: statuses, days measured, counterfactuals and rate rows.",
    sql=f"""
        select
            saving_id,
            saving_source,
            savings_status,
            case when saving_source = 'action'
                 then sum(days_measured) over (partition by action_id)
                      = datediff('day', implemented_on, as_of_date) + 1
                 end as months_cover_each_day_from_the_action_once,
            case when savings_status in ('verified', 'not_realised') and saving_kind = 'usage'
                 then days_measured >= {MIN_DAYS} end as judged_after_enough_days,
            case when saving_source = 'action' and savings_status <> 'no_baseline'
                 then counterfactual_cost is not null and days_measured > 0 end as measured_month_has_a_counterfactual,
            case when savings_status = 'no_baseline' then fallback_reason in ('no_history', 'commitment_not_in_bill') end
                as no_baseline_says_why,
            case when saving_source = 'rate'
                 then action_id is null and savings_status = 'verified' and saving_kind in ('negotiated', 'commitment')
                 end as rate_row_is_the_bills,
            case when saving_source = 'action' then expected_saving >= 0 end as expected_saving_not_negative,
            saving_month <= as_of_date or as_of_date is null as month_within_the_data
        from marts.fct_savings_realized
    """,
    expectations=[
        not_null("saving_id", "every row names its action or rate scope"),
        E.ExpectColumnValuesToBeInSet(column="savings_status",
                                      value_set=["verified", "not_realised", "too_early", "no_baseline"],
                                      description="a status is verified, not_realised, too_early or no_baseline"),
        always_true("months_cover_each_day_from_the_action_once",
                    "an action's months cover each day from its implementation to its as-of day once"),
        always_true("judged_after_enough_days", f"a usage action's month is judged after at least savings_min_days "
                                                f"({MIN_DAYS}) days"),
        always_true("measured_month_has_a_counterfactual", "a measured month of an action with history has a "
                                                           "counterfactual"),
        always_true("no_baseline_says_why", "an action without a baseline says why: no history, or its commitment "
                                            "is not in the bill"),
        always_true("rate_row_is_the_bills", "a rate row is the bill's negotiated or commitment saving, verified"),
        always_true("expected_saving_not_negative", "an expected saving is not negative"),
        always_true("month_within_the_data", "no saving is reported for a month after the as-of day"),
    ],
)

SAVINGS_SUITES = [SAVINGS_REALIZED]
