"""Distribution suites for the cost-allocation marts (models/marts/allocation/).

They encode what allocation means: how each piece of cost found its owner (tag, account mapping,
shared-cost rule or the unallocated bucket) and that the labels agree with each other; coverage and
share ratios are shares; a period is compared only with the period just before it; a unit cost exists
only where every day has its driver value; the untagged-resource list is ranked by cost. The money
identities (Σ allocated = the bill, direct + shared = total, tagged + invalid + untagged = taggable,
Σ moved = the pool) are dbt tests, computed exactly in DuckDB, and are not repeated here.

Each suite reads its mart with SQL that casts the money (DECIMAL) columns a range needs to DOUBLE
and computes, exactly and in DuckDB, the booleans the other expectations look at. A ratio is only
bounded where the parts it divides cannot offset each other: credits and negative usage lines may
push a spend-weighted share above 1, and that is not an error.
"""

from __future__ import annotations

import great_expectations as gx

from ..mappings.specs import METHODS, UNALLOCATED_OWNER
from .builders import always_true, not_null, share
from .suite import Suite

E = gx.expectations

ALLOCATION_METHODS = ["tag", "account", "shared", "unallocated"]
DIRECT_METHODS = ["tag", "account", "unallocated"]
RULE_METHODS = list(METHODS)  # the split methods shared_cost_rules.csv allows
PERIOD_GRAINS = ["day", "month"]

# The unallocated bucket's name as an SQL literal (dbt macro unallocated_owner; no owner may use it).
_BUCKET = "'" + UNALLOCATED_OWNER.replace("'", "''") + "'"


COST_ALLOCATED = Suite(
    name="cost_allocated",
    table="marts.fct_cost_allocated",
    description="Every piece of the bill with its owner and how it got there (tag, account, shared-cost rule, "
    "or the unallocated bucket).",
    sql=f"""
        select
            owner,
            direct_owner,
            allocation_method,
            direct_method,
            coalesce((allocation_rule_id is null) = (allocation_method <> 'shared'), false)
                as rule_id_exactly_on_shared_pieces,
            coalesce(
                case when allocation_method = 'shared' then allocation_step >= 1 else allocation_step = 0 end,
                false
            ) as step_0_exactly_on_unshared_pieces,
            case
                when allocation_method <> 'shared'
                    then coalesce(allocation_method = direct_method and owner = direct_owner, false)
            end as unshared_piece_keeps_its_direct_owner,
            coalesce((owner = {_BUCKET}) = (allocation_method = 'unallocated'), false)
                as bucket_exactly_on_unallocated_pieces,
            coalesce((direct_owner = {_BUCKET}) = (direct_method = 'unallocated'), false)
                as direct_bucket_exactly_when_no_tag_or_account
        from marts.fct_cost_allocated
    """,
    distinct_rows=True,
    expectations=[
        not_null("owner", "every piece of cost has an owner (the unallocated bucket counts as one)"),
        not_null("direct_owner", "every piece of cost has a direct owner, before any shared-cost rule"),
        E.ExpectColumnValuesToBeInSet(
            column="allocation_method",
            value_set=ALLOCATION_METHODS,
            description=f"a piece reached its owner by one of {ALLOCATION_METHODS}",
        ),
        E.ExpectColumnValuesToBeInSet(
            column="direct_method",
            value_set=DIRECT_METHODS,
            description=f"the direct owner was found by one of {DIRECT_METHODS} (rules come after)",
        ),
        always_true(
            "rule_id_exactly_on_shared_pieces",
            "a piece names the shared-cost rule that placed it exactly when it was shared by a rule "
            "(allocation_rule_id is NULL on tag, account and unallocated pieces)",
        ),
        always_true(
            "step_0_exactly_on_unshared_pieces",
            "a piece no rule touched is at step 0; a shared piece is at step 1 or later",
        ),
        always_true(
            "unshared_piece_keeps_its_direct_owner",
            "a piece no rule touched stays with its direct owner, placed the same way (tag, account or "
            "unallocated)",
        ),
        always_true(
            "bucket_exactly_on_unallocated_pieces",
            f"cost sits in the unallocated bucket ({UNALLOCATED_OWNER!r}) exactly when neither a tag, the "
            "account mapping nor a rule placed it: no rule sends cost to the bucket, and the bucket's cost "
            "that no rule takes stays there as unallocated",
        ),
        always_true(
            "direct_bucket_exactly_when_no_tag_or_account",
            f"the direct owner is the unallocated bucket ({UNALLOCATED_OWNER!r}) exactly when neither an owner "
            "tag nor the account mapping placed the cost",
        ),
    ],
)

SHOWBACK_MONTHLY = Suite(
    name="showback_monthly",
    table="marts.fct_showback_monthly",
    description="The showback statement per owner and billing period: direct, shared received, total, and the "
    "change from the month before.",
    sql=f"""
        select
            current_month.owner,
            current_month.is_unallocated,
            coalesce(current_month.is_unallocated = (current_month.owner = {_BUCKET}), false)
                as is_unallocated_exactly_on_the_bucket,
            case
                when current_month.is_unallocated
                    then current_month.shared_effective_cost = 0 and current_month.shared_billed_cost = 0
            end as bucket_receives_no_shared_cost,
            current_month.previous_total_effective_cost is not distinct from previous_month.total_effective_cost
            and current_month.previous_total_billed_cost is not distinct from previous_month.total_billed_cost
                as previous_totals_are_the_month_before,
            coalesce(
                (current_month.total_effective_cost_change is null)
                = (current_month.previous_total_effective_cost is null)
                and (current_month.total_billed_cost_change is null)
                = (current_month.previous_total_billed_cost is null),
                false
            ) as change_exactly_when_a_previous_month,
            coalesce(
                (current_month.total_effective_cost_change_ratio is null)
                = coalesce(current_month.previous_total_effective_cost = 0, true),
                false
            ) as change_ratio_exactly_when_previous_month_nonzero,
            case
                when current_month.total_effective_cost >= 0 and current_month.previous_total_effective_cost > 0
                    then cast(current_month.total_effective_cost_change_ratio as double)
            end as change_ratio_of_non_negative_totals
        from marts.fct_showback_monthly as current_month
        left join marts.fct_showback_monthly as previous_month
            on
                current_month.owner = previous_month.owner
                and current_month.billing_currency = previous_month.billing_currency
                and previous_month.billing_period_start = current_month.billing_period_start - interval 1 month
    """,
    expectations=[
        not_null("owner", "every statement line has an owner"),
        always_true(
            "is_unallocated_exactly_on_the_bucket",
            f"is_unallocated marks exactly the unallocated bucket's line ({UNALLOCATED_OWNER!r})",
        ),
        always_true(
            "bucket_receives_no_shared_cost",
            "the unallocated bucket receives no shared cost: no rule sends cost to it",
        ),
        always_true(
            "previous_totals_are_the_month_before",
            "the previous totals are the owner's totals of the calendar month just before, and empty (NULL) "
            "when the owner has no line that month: a gap is not compared",
        ),
        always_true(
            "change_exactly_when_a_previous_month",
            "a change from the previous month is shown exactly when there is a previous month",
        ),
        always_true(
            "change_ratio_exactly_when_previous_month_nonzero",
            "the change ratio is shown exactly when the previous month's total effective cost is not 0 "
            "(NULL with no previous month, or nothing to divide by)",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="change_ratio_of_non_negative_totals",
            min_value=-1,
            description="a total that stays non-negative falls by at most 100 %: change ratio >= -1 "
            "(where the previous total is > 0 and this month's is >= 0)",
        ),
    ],
)

ALLOCATION_COVERAGE = Suite(
    name="allocation_coverage",
    table="marts.fct_allocation_coverage",
    description="Share of each bill that found an owner, per billing period and currency (and per billing "
    "account).",
    sql="""
        select
            billing_account_id,
            case
                when allocated_effective_cost >= 0 and unallocated_effective_cost >= 0
                    then cast(allocated_effective_cost_coverage as double)
            end as effective_coverage_of_non_negative_parts,
            case
                when allocated_billed_cost >= 0 and unallocated_billed_cost >= 0
                    then cast(allocated_billed_cost_coverage as double)
            end as billed_coverage_of_non_negative_parts,
            coalesce(
                (allocated_effective_cost_coverage is null) = (total_effective_cost = 0)
                and (allocated_billed_cost_coverage is null) = (total_billed_cost = 0),
                false
            ) as coverage_null_exactly_when_nothing_billed,
            count(*) filter (where is_all_accounts) over (partition by billing_period_start, billing_currency) = 1
                as one_all_accounts_row_per_bill
        from marts.fct_allocation_coverage
    """,
    expectations=[
        not_null("billing_account_id", "every row names its billing account ('all' for the whole bill)"),
        share(
            "effective_coverage_of_non_negative_parts",
            "allocated coverage on effective cost is a share, in [0, 1], where neither the allocated nor the "
            "unallocated cost is negative (credits can push it outside)",
        ),
        share(
            "billed_coverage_of_non_negative_parts",
            "allocated coverage on billed cost is a share, in [0, 1], where neither the allocated nor the "
            "unallocated cost is negative (credits can push it outside)",
        ),
        always_true(
            "coverage_null_exactly_when_nothing_billed",
            "coverage is NULL exactly where the total cost on that basis is 0 (nothing to cover)",
        ),
        always_true(
            "one_all_accounts_row_per_bill",
            "each billing period and currency has exactly one whole-bill row (is_all_accounts)",
        ),
    ],
)

ALLOCATION_AUDIT = Suite(
    name="allocation_audit",
    table="marts.fct_allocation_audit",
    description="What each shared-cost rule moved, from whom to whom, per billing period and currency.",
    sql=f"""
        select
            source_owner,
            target_owner,
            rule_order,
            method,
            moved_piece_count,
            coalesce((driver_name is not null) = (method = 'driver'), false) as driver_exactly_on_driver_rules,
            case
                when
                    min(moved_effective_cost) over pool >= 0
                    or max(moved_effective_cost) over pool <= 0
                    then cast(share_ratio as double)
            end as share_ratio_of_pools_without_offsets,
            coalesce((share_ratio is null) = (pool_effective_cost = 0), false)
                as share_ratio_null_exactly_when_pool_is_0,
            case
                when pool_owner is not null
                    then coalesce(source_owner = pool_owner and target_owner <> pool_owner, false)
            end as owner_pool_moves_from_its_owner_to_others,
            coalesce(target_owner <> {_BUCKET}, false) as target_is_not_the_bucket
        from marts.fct_allocation_audit
        window pool as (partition by rule_id, billing_period_start, billing_currency)
    """,
    expectations=[
        not_null("source_owner", "every move names who gave the cost"),
        not_null("target_owner", "every move names who received the cost"),
        E.ExpectColumnValuesToBeInSet(
            column="method",
            value_set=RULE_METHODS,
            description=f"a rule splits its pool by one of {RULE_METHODS}",
        ),
        always_true(
            "driver_exactly_on_driver_rules",
            "a rule names a business driver exactly when it splits by a driver",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="rule_order",
            min_value=1,
            description="rules apply in rule_order, which starts at 1",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="moved_piece_count",
            min_value=1,
            description="a move row exists only where the rule moved at least one piece of cost",
        ),
        share(
            "share_ratio_of_pools_without_offsets",
            "a move's share of its rule's pool is in [0, 1] where the pool's moves all have one sign "
            "(a credit can make a share of a mixed pool exceed 1)",
        ),
        always_true(
            "share_ratio_null_exactly_when_pool_is_0",
            "the share ratio is NULL exactly where the rule's pool of effective cost is 0",
        ),
        always_true(
            "owner_pool_moves_from_its_owner_to_others",
            "a rule that pools an owner's cost moves it from that owner to others, never back to the owner",
        ),
        always_true(
            "target_is_not_the_bucket",
            f"no rule sends cost to the unallocated bucket ({UNALLOCATED_OWNER!r})",
        ),
    ],
)

TAG_COMPLIANCE = Suite(
    name="tag_compliance",
    table="marts.fct_tag_compliance",
    description="Taggable spend per period, required tag dimension, account and owner: tagged, invalid, "
    "untagged, and the new resources' compliance.",
    sql="""
        select
            dimension,
            owner,
            case
                when tagged_effective_cost >= 0 and invalid_effective_cost >= 0 and untagged_effective_cost >= 0
                    then cast(tag_coverage as double)
            end as tag_coverage_of_non_negative_parts,
            case
                when
                    new_resource_tagged_effective_cost >= 0
                    and new_resource_taggable_effective_cost - new_resource_tagged_effective_cost >= 0
                    then cast(new_resource_tag_coverage as double)
            end as new_resource_tag_coverage_of_non_negative_parts,
            coalesce(
                (tag_coverage is null) = (taggable_effective_cost = 0)
                and (new_resource_tag_coverage is null) = (new_resource_taggable_effective_cost = 0),
                false
            ) as coverage_null_exactly_when_nothing_taggable,
            coalesce(
                0 <= new_resource_tagged_count
                and new_resource_tagged_count <= new_resource_count
                and new_resource_count <= resource_count,
                false
            ) as resource_counts_nest,
            case
                when new_resource_count = 0
                    then new_resource_taggable_effective_cost = 0 and new_resource_tagged_effective_cost = 0
            end as no_new_resource_spend_without_new_resources
        from marts.fct_tag_compliance
    """,
    expectations=[
        not_null("dimension", "every row is about one required tag dimension"),
        not_null("owner", "every row names the owner who must close the gap"),
        share(
            "tag_coverage_of_non_negative_parts",
            "tag coverage (tagged ÷ taggable spend) is a share, in [0, 1], where no part is negative "
            "(a negative untagged line, e.g. a discount without a resource, can push it above 1)",
        ),
        share(
            "new_resource_tag_coverage_of_non_negative_parts",
            "new resources' tag coverage is a share, in [0, 1], where neither their tagged nor their other "
            "spend is negative",
        ),
        always_true(
            "coverage_null_exactly_when_nothing_taggable",
            "a coverage is NULL exactly where its taggable spend is 0",
        ),
        always_true(
            "resource_counts_nest",
            "fully tagged new resources <= new resources <= resources",
        ),
        always_true(
            "no_new_resource_spend_without_new_resources",
            "without new resources there is no new-resource spend",
        ),
    ],
)

UNTAGGED_RESOURCES = Suite(
    name="untagged_resources",
    table="marts.fct_untagged_resources",
    description="Resources with untagged or invalidly tagged spend, ranked by that spend per period and "
    "required dimension.",
    sql="""
        select
            resource_id,
            dimension,
            owner,
            row_number() over ranked = cost_rank as rank_is_1_2_3_without_gaps_or_ties,
            lag(noncompliant_effective_cost) over ranked >= noncompliant_effective_cost
                as costs_no_more_than_the_rank_above,
            coalesce(noncompliant_effective_cost = untagged_effective_cost + invalid_effective_cost, false)
                as noncompliant_is_untagged_plus_invalid
        from marts.fct_untagged_resources
        window ranked as (partition by billing_period_start, billing_currency, dimension order by cost_rank)
    """,
    expectations=[
        not_null("resource_id", "every listed item is a resource (cost without a resource id has nothing to tag)"),
        not_null("dimension", "every listed resource is about one required tag dimension"),
        not_null("owner", "every listed resource has an owner to fix it"),
        always_true(
            "rank_is_1_2_3_without_gaps_or_ties",
            "per period, currency and dimension the ranks run 1, 2, 3, … without gaps or ties",
        ),
        always_true(
            "costs_no_more_than_the_rank_above",
            "a resource's non-compliant spend is never above that of the resource ranked just before it",
        ),
        always_true(
            "noncompliant_is_untagged_plus_invalid",
            "non-compliant spend = untagged spend + spend with a value the policy does not allow",
        ),
    ],
)

UNIT_COSTS = Suite(
    name="unit_costs",
    table="marts.fct_unit_costs",
    description="Allocated cost per unit of a business driver, per owner, day and month.",
    sql="""
        select
            current_period.period_grain,
            current_period.owner,
            current_period.driver_name,
            cast(current_period.driver_quantity as double) as driver_quantity,
            coalesce(
                (current_period.unit_cost is null) = (
                    current_period.driver_quantity is null
                    or current_period.missing_driver_days > 0
                    or current_period.driver_quantity = 0
                ),
                false
            ) as unit_cost_exactly_when_every_day_has_a_driver,
            case
                when current_period.period_grain = 'day'
                    then coalesce(
                        current_period.missing_driver_days
                        = case when current_period.driver_quantity is null then 1 else 0 end,
                        false
                    )
            end as day_misses_its_driver_exactly_when_it_has_none,
            case
                when current_period.period_grain = 'month'
                    then coalesce(
                        day(current_period.period_start) = 1
                        and current_period.missing_driver_days between 0 and day(last_day(current_period.period_start))
                        and (current_period.driver_quantity is not null or current_period.missing_driver_days >= 1),
                        false
                    )
            end as month_counts_its_missing_days,
            case
                when current_period.allocated_effective_cost >= 0 and current_period.driver_quantity >= 0
                    then cast(current_period.unit_cost as double)
            end as unit_cost_of_non_negative_cost,
            current_period.previous_unit_cost is not distinct from previous_period.unit_cost
                as previous_unit_cost_is_the_period_before,
            coalesce(
                (current_period.unit_cost_change is null)
                = (current_period.unit_cost is null or current_period.previous_unit_cost is null)
                and (current_period.unit_cost_change_ratio is null)
                = coalesce(current_period.unit_cost is null or current_period.previous_unit_cost = 0, true),
                false
            ) as change_exactly_when_both_unit_costs
        from marts.fct_unit_costs as current_period
        left join marts.fct_unit_costs as previous_period
            on
                current_period.period_grain = previous_period.period_grain
                and current_period.owner = previous_period.owner
                and current_period.driver_name = previous_period.driver_name
                and current_period.billing_currency = previous_period.billing_currency
                and previous_period.period_start = case current_period.period_grain
                    when 'day' then current_period.period_start - interval 1 day
                    else current_period.period_start - interval 1 month
                end
    """,
    expectations=[
        E.ExpectColumnValuesToBeInSet(
            column="period_grain",
            value_set=PERIOD_GRAINS,
            description=f"a unit cost is per {' or per '.join(PERIOD_GRAINS)}",
        ),
        not_null("owner", "every unit cost belongs to an owner"),
        not_null("driver_name", "every unit cost names its business driver"),
        E.ExpectColumnValuesToBeBetween(
            column="driver_quantity",
            min_value=0,
            description="a driver's volume is not negative (NULL when the day has no driver value)",
        ),
        always_true(
            "unit_cost_exactly_when_every_day_has_a_driver",
            "a unit cost is shown exactly when every day of the period has its driver value and the volume "
            "is not 0; a missing driver value gives NULL, never 0 per unit",
        ),
        always_true(
            "day_misses_its_driver_exactly_when_it_has_none",
            "a day counts 1 missing driver day exactly when it has no driver value, else 0",
        ),
        always_true(
            "month_counts_its_missing_days",
            "a month starts on its 1st, misses between 0 and its number of days, and a month without any "
            "driver value misses at least one day",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="unit_cost_of_non_negative_cost",
            min_value=0,
            description="a unit cost is not negative where the allocated cost and the volume are not negative",
        ),
        always_true(
            "previous_unit_cost_is_the_period_before",
            "the previous unit cost is that of the day or calendar month just before, and NULL when that "
            "period has no row or no unit cost: a gap is not compared",
        ),
        always_true(
            "change_exactly_when_both_unit_costs",
            "the change is shown exactly when both unit costs are, and its ratio only when the previous one is "
            "not 0",
        ),
    ],
)

ALLOCATION_SUITES = [
    COST_ALLOCATED,
    SHOWBACK_MONTHLY,
    ALLOCATION_COVERAGE,
    ALLOCATION_AUDIT,
    TAG_COMPLIANCE,
    UNTAGGED_RESOURCES,
    UNIT_COSTS,
]
