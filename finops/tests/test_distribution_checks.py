"""great-expectations suites (finops/checks) on the warehouse built from generated data,
and proof that they can fail: the same suites on a copy of it with one broken value. The allocation
suites also run on a small hand-written warehouse (the columns they read, a few rows of each mart,
no dbt build): every suite passes on it, and each broken value fails exactly the expectation that
guards it, while what the marts allow (credits pushing a share above 1) passes.

great_expectations is imported inside the tests (it takes seconds), not when pytest collects them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import Build, run_finops


def _failures(results: list) -> list[str]:
    lines = []
    for suite in results:
        if suite.error:
            lines.append(f"{suite.name}: could not run: {suite.error}")
        lines += [f"{suite.name}: expected {failed.expected}; {failed.observed}" for failed in suite.failed]
    return lines


@pytest.fixture(scope="module")
def broken_warehouse(generated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the generated warehouse with one commitment-day used 150 % (impossible) and one
    month of negative net commitment savings (allowed: unused commitment cost more than it saved)."""
    assert generated_build.returncode == 0, generated_build.output[-4000:]
    broken = tmp_path_factory.mktemp("broken") / "warehouse.duckdb"
    # the marts as tables: the working database the build published from
    shutil.copyfile(generated_build.work_path, broken)
    wal = generated_build.work_path.with_name(generated_build.work_path.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, broken.with_name(broken.name + ".wal"))
    con = duckdb.connect(str(broken))
    try:
        con.execute("""
            update marts.fct_commitment_utilization set utilization = 1.5
            where (commitment_discount_id, charge_date) = (
                select (commitment_discount_id, charge_date) from marts.fct_commitment_utilization
                where utilization is not null order by all limit 1
            )
        """)
        changed = con.execute("select count(*) from marts.fct_commitment_utilization where utilization = 1.5").fetchone()
        assert changed == (1,)
        con.execute("""
            update marts.fct_commitment_savings set net_commitment_savings = -1000
            where (charge_month, service_name) = (
                select (charge_month, service_name) from marts.fct_commitment_savings order by all limit 1
            )
        """)
    finally:
        con.close()
    return broken


def test_every_suite_passes_on_the_generated_warehouse(generated_build: Build) -> None:
    from finops.checks.runner import default_suites, run_suites

    assert generated_build.returncode == 0, generated_build.output[-4000:]
    results = run_suites(generated_build.duckdb_path)
    assert [result.name for result in results] == [suite.name for suite in default_suites()]
    assert all(result.results for result in results)
    failures = _failures(results)
    assert failures == [], "\n".join(failures)


def test_a_utilization_above_1_fails_the_suite(broken_warehouse: Path) -> None:
    from finops.checks.commitments import SAVINGS, UTILIZATION
    from finops.checks.runner import run_suites

    utilization, savings = run_suites(broken_warehouse, [UTILIZATION, SAVINGS])

    assert not utilization.success
    failed = {(result.expectation_type, result.kwargs.get("column")): result for result in utilization.failed}
    assert set(failed) == {
        ("expect_column_values_to_be_between", "utilization"),
        ("expect_column_values_to_be_in_set", "utilization_band"),
    }
    out_of_range = failed[("expect_column_values_to_be_between", "utilization")]
    assert (out_of_range.unexpected_count, out_of_range.unexpected_examples) == (1, [1.5])
    assert failed[("expect_column_values_to_be_in_set", "utilization_band")].unexpected_examples == ["outside [0, 1]"]

    # Negative net commitment savings are documented and allowed: no expectation forbids them.
    assert savings.success, "\n".join(_failures([savings]))


def test_finops_expect_exits_1_and_names_the_failed_expectation(broken_warehouse: Path) -> None:
    from finops.checks.runner import default_suites

    proc = run_finops("expect", "--duckdb", str(broken_warehouse))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(default_suites()) + 2, proc.stdout  # one per suite, one per failure
    assert any(line.startswith("FAILED commitment_utilization ") and "2/4 expectations passed" in line
               for line in lines), proc.stdout
    assert any("failed: expected utilisation is a share" in line and "1 of " in line and "[1.5]" in line
               for line in lines), proc.stdout
    assert "great-expectations suites failed" in proc.stderr, proc.stderr


# A small warehouse for the allocation suites: the columns they read, a few rows per mart that mean
# what the marts mean, including what the marts allow: a credit that makes a share exceed 1 (account
# C, owner data's negative untagged line, the orbital-untagged pool), a total that turns negative
# (search falls by 130 %), a unit cost of negative cost, and gaps that are not compared.
_MONEY = "decimal(38, 12)"
ALLOCATION_MARTS: dict[str, tuple[str, list[str]]] = {
    "fct_cost_allocated": (
        "owner varchar, direct_owner varchar, allocation_method varchar, direct_method varchar, "
        "allocation_rule_id varchar, allocation_step integer",
        [
            "('web', 'web', 'tag', 'tag', null, 0)",
            "('search', 'search', 'account', 'account', null, 0)",
            "('unallocated', 'unallocated', 'unallocated', 'unallocated', null, 0)",
            "('search', 'platform', 'shared', 'account', 'platform-chargeback', 1)",
            "('web', 'unallocated', 'shared', 'unallocated', 'orbital-untagged', 1)",
            "('search', 'web', 'shared', 'tag', 'platform-chargeback', 2)",
        ],
    ),
    "fct_showback_monthly": (
        f"billing_period_start timestamp, billing_currency varchar, owner varchar, is_unallocated boolean, "
        f"shared_billed_cost {_MONEY}, shared_effective_cost {_MONEY}, total_billed_cost {_MONEY}, "
        f"total_effective_cost {_MONEY}, previous_total_billed_cost {_MONEY}, previous_total_effective_cost {_MONEY}, "
        f"total_billed_cost_change {_MONEY}, total_effective_cost_change {_MONEY}, "
        f"total_effective_cost_change_ratio {_MONEY}",
        [
            "('2026-07-01', 'USD', 'web', false, 10, 10, 100, 100, null, null, null, null, null)",
            "('2026-08-01', 'USD', 'web', false, 10, 10, 80, 80, 100, 100, -20, -20, -0.2)",
            "('2026-10-01', 'USD', 'web', false, 0, 0, 90, 90, null, null, null, null, null)",
            "('2026-07-01', 'USD', 'search', false, 0, 0, 10, 10, null, null, null, null, null)",
            "('2026-08-01', 'USD', 'search', false, 0, 0, -3, -3, 10, 10, -13, -13, -1.3)",
            "('2026-08-01', 'USD', 'platform', false, 0, 0, 0, 0, null, null, null, null, null)",
            "('2026-09-01', 'USD', 'platform', false, 0, 0, 0, 0, 0, 0, 0, 0, null)",
            "('2026-07-01', 'USD', 'unallocated', true, 0, 0, 5, 5, null, null, null, null, null)",
        ],
    ),
    "fct_allocation_coverage": (
        f"billing_period_start timestamp, billing_currency varchar, billing_account_id varchar, "
        f"is_all_accounts boolean, total_billed_cost {_MONEY}, total_effective_cost {_MONEY}, "
        f"allocated_billed_cost {_MONEY}, allocated_effective_cost {_MONEY}, unallocated_billed_cost {_MONEY}, "
        f"unallocated_effective_cost {_MONEY}, allocated_effective_cost_coverage {_MONEY}, "
        f"allocated_billed_cost_coverage {_MONEY}",
        [
            "('2026-07-01', 'USD', 'A', false, 100, 100, 90, 90, 10, 10, 0.9, 0.9)",
            "('2026-07-01', 'USD', 'B', false, 0, 0, 0, 0, 0, 0, null, null)",
            "('2026-07-01', 'USD', 'C', false, 10, 10, 12, 12, -2, -2, 1.2, 1.2)",
            "('2026-07-01', 'USD', 'all', true, 110, 110, 102, 102, 8, 8, 0.927272727272, 0.927272727272)",
        ],
    ),
    "fct_allocation_audit": (
        f"rule_id varchar, billing_period_start timestamp, billing_currency varchar, source_owner varchar, "
        f"target_owner varchar, rule_order integer, method varchar, driver_name varchar, pool_owner varchar, "
        f"pool_effective_cost {_MONEY}, moved_effective_cost {_MONEY}, moved_piece_count bigint, share_ratio {_MONEY}",
        [
            "('tax', '2026-07-01', 'USD', 'web', 'web', 1, 'proportional', null, null, 10, 4, 3, 0.4)",
            "('tax', '2026-07-01', 'USD', 'web', 'search', 1, 'proportional', null, null, 10, 6, 3, 0.6)",
            "('apm', '2026-07-01', 'USD', 'web', 'search', 2, 'fixed', null, null, 0, 0, 1, null)",
            "('orbital-untagged', '2026-07-01', 'USD', 'unallocated', 'web', 3, 'even', null, null, 5, 7, 1, 1.4)",
            "('orbital-untagged', '2026-07-01', 'USD', 'unallocated', 'search', 3, 'even', null, null, 5, -2, 1, -0.4)",
            "('platform-chargeback', '2026-07-01', 'USD', 'platform', 'search', 4, 'driver', 'requests', 'platform', "
            "10, 10, 2, 1)",
        ],
    ),
    "fct_tag_compliance": (
        f"dimension varchar, owner varchar, taggable_effective_cost {_MONEY}, tagged_effective_cost {_MONEY}, "
        f"invalid_effective_cost {_MONEY}, untagged_effective_cost {_MONEY}, resource_count bigint, "
        f"new_resource_count bigint, new_resource_tagged_count bigint, new_resource_taggable_effective_cost {_MONEY}, "
        f"new_resource_tagged_effective_cost {_MONEY}, tag_coverage {_MONEY}, new_resource_tag_coverage {_MONEY}",
        [
            "('team', 'web', 10, 6, 1, 3, 4, 2, 1, 5, 2, 0.6, 0.4)",
            "('team', 'search', 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null)",
            "('team', 'data', 10, 11, 0, -1, 3, 0, 0, 0, 0, 1.1, null)",
        ],
    ),
    "fct_untagged_resources": (
        f"billing_period_start timestamp, billing_currency varchar, dimension varchar, resource_id varchar, "
        f"owner varchar, untagged_effective_cost {_MONEY}, invalid_effective_cost {_MONEY}, "
        f"noncompliant_effective_cost {_MONEY}, cost_rank bigint",
        [
            "('2026-07-01', 'USD', 'team', 'i-1', 'web', 5, 1, 6, 1)",
            "('2026-07-01', 'USD', 'team', 'i-2', 'web', 3, 0, 3, 2)",
            "('2026-07-01', 'USD', 'team', 'i-3', 'search', 0, 3, 3, 3)",
            "('2026-07-01', 'USD', 'product', 'i-1', 'web', 6, 0, 6, 1)",
        ],
    ),
    "fct_unit_costs": (
        f"period_grain varchar, period_start date, owner varchar, driver_name varchar, billing_currency varchar, "
        f"allocated_effective_cost {_MONEY}, driver_quantity {_MONEY}, missing_driver_days hugeint, "
        f"unit_cost {_MONEY}, previous_unit_cost {_MONEY}, unit_cost_change {_MONEY}, unit_cost_change_ratio {_MONEY}",
        [
            "('day', '2026-07-01', 'web', 'requests', 'USD', 10, 100, 0, 0.1, null, null, null)",
            "('day', '2026-07-02', 'web', 'requests', 'USD', 12, 100, 0, 0.12, 0.1, 0.02, 0.2)",
            "('day', '2026-07-03', 'web', 'requests', 'USD', 12, null, 1, null, 0.12, null, null)",
            "('day', '2026-07-05', 'web', 'requests', 'USD', 5, 50, 0, 0.1, null, null, null)",
            "('month', '2026-07-01', 'web', 'requests', 'USD', 39, 250, 1, null, null, null, null)",
            "('day', '2026-08-01', 'web', 'requests', 'USD', -2, 10, 0, -0.2, null, null, null)",
            "('month', '2026-08-01', 'web', 'requests', 'USD', -2, 10, 0, -0.2, null, null, null)",
        ],
    ),
}


@pytest.fixture
def allocation_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "allocation.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        for table, (columns, rows) in ALLOCATION_MARTS.items():
            con.execute(f"create table marts.{table} ({columns})")
            con.execute(f"insert into marts.{table} values {', '.join(rows)}")
    finally:
        con.close()
    return path


def _change(path: Path, sql: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_allocation_suites_pass_on_a_small_warehouse_and_check_every_row_kind(allocation_warehouse: Path) -> None:
    from finops.checks.allocation import ALLOCATION_SUITES
    from finops.checks.runner import run_suites

    results = run_suites(allocation_warehouse, ALLOCATION_SUITES)
    failures = _failures(results)
    assert failures == [], "\n".join(failures)
    # No expectation passes for want of rows: each looks at one value at least.
    con = duckdb.connect(str(allocation_warehouse), read_only=True)
    try:
        for suite in ALLOCATION_SUITES:
            frame = con.execute(suite.query).df()
            for expectation in suite.expectations:
                assert frame[expectation.column].notna().any(), (suite.name, expectation.column)
    finally:
        con.close()


BROKEN_ALLOCATIONS = [
    pytest.param("cost_allocated",
                 "update marts.fct_cost_allocated set allocation_rule_id = null where direct_owner = 'platform'",
                 {"rule_id_exactly_on_shared_pieces"}, id="shared piece without its rule"),
    pytest.param("cost_allocated",
                 "update marts.fct_cost_allocated set owner = 'unallocated' "
                 "where allocation_rule_id = 'orbital-untagged'",
                 {"bucket_exactly_on_unallocated_pieces"}, id="rule sends cost to the bucket"),
    pytest.param("cost_allocated",
                 "update marts.fct_cost_allocated set owner = 'search' where allocation_method = 'tag'",
                 {"unshared_piece_keeps_its_direct_owner"}, id="unshared piece changes owner"),
    pytest.param("cost_allocated",
                 "update marts.fct_cost_allocated set allocation_step = 0 where allocation_step = 2",
                 {"step_0_exactly_on_unshared_pieces"}, id="shared piece at step 0"),
    pytest.param("showback_monthly",
                 "update marts.fct_showback_monthly set previous_total_billed_cost = 80, "
                 "previous_total_effective_cost = 80, total_billed_cost_change = 10, total_effective_cost_change = 10, "
                 "total_effective_cost_change_ratio = 0.125 where billing_period_start = '2026-10-01'",
                 {"previous_totals_are_the_month_before"}, id="showback compared across a gap"),
    pytest.param("showback_monthly",
                 "update marts.fct_showback_monthly set total_effective_cost_change_ratio = null "
                 "where owner = 'web' and billing_period_start = '2026-08-01'",
                 {"change_ratio_exactly_when_previous_month_nonzero"}, id="change ratio missing"),
    pytest.param("showback_monthly",
                 "update marts.fct_showback_monthly set total_effective_cost_change_ratio = -1.5 "
                 "where owner = 'web' and billing_period_start = '2026-08-01'",
                 {"change_ratio_of_non_negative_totals"}, id="non-negative total falls by 150 %"),
    pytest.param("showback_monthly",
                 "update marts.fct_showback_monthly set shared_effective_cost = 1 where is_unallocated",
                 {"bucket_receives_no_shared_cost"}, id="bucket receives shared cost"),
    pytest.param("allocation_coverage",
                 "update marts.fct_allocation_coverage set allocated_effective_cost_coverage = 1.2 "
                 "where billing_account_id = 'A'",
                 {"effective_coverage_of_non_negative_parts"}, id="coverage above 1 without credits"),
    pytest.param("allocation_coverage",
                 "update marts.fct_allocation_coverage set is_all_accounts = true where billing_account_id = 'C'",
                 {"one_all_accounts_row_per_bill"}, id="two whole-bill rows"),
    pytest.param("allocation_audit",
                 "update marts.fct_allocation_audit set share_ratio = 1.5 "
                 "where target_owner = 'web' and rule_id = 'tax'",
                 {"share_ratio_of_pools_without_offsets"}, id="share above 1 of a one-signed pool"),
    pytest.param("allocation_audit",
                 "update marts.fct_allocation_audit set target_owner = 'platform' where pool_owner = 'platform'",
                 {"owner_pool_moves_from_its_owner_to_others"}, id="owner pool back to its owner"),
    pytest.param("allocation_audit",
                 "update marts.fct_allocation_audit set target_owner = 'unallocated' where target_owner = 'web' "
                 "and rule_id = 'tax'",
                 {"target_is_not_the_bucket"}, id="rule targets the bucket"),
    pytest.param("allocation_audit",
                 "update marts.fct_allocation_audit set driver_name = null where method = 'driver'",
                 {"driver_exactly_on_driver_rules"}, id="driver rule without driver"),
    pytest.param("tag_compliance",
                 "update marts.fct_tag_compliance set tag_coverage = 1.2 where owner = 'web'",
                 {"tag_coverage_of_non_negative_parts"}, id="tag coverage above 1 without negative parts"),
    pytest.param("tag_compliance",
                 "update marts.fct_tag_compliance set new_resource_tagged_count = 3 where owner = 'web'",
                 {"resource_counts_nest"}, id="more tagged new resources than new resources"),
    pytest.param("untagged_resources",
                 "update marts.fct_untagged_resources set cost_rank = 2 where resource_id = 'i-3'",
                 {"rank_is_1_2_3_without_gaps_or_ties"}, id="tied rank"),
    pytest.param("untagged_resources",
                 "update marts.fct_untagged_resources set untagged_effective_cost = 5, noncompliant_effective_cost = 8 "
                 "where resource_id = 'i-3'",
                 {"costs_no_more_than_the_rank_above"}, id="costlier resource ranked lower"),
    pytest.param("untagged_resources",
                 "update marts.fct_untagged_resources set noncompliant_effective_cost = 7 "
                 "where resource_id = 'i-1' and dimension = 'team'",
                 {"noncompliant_is_untagged_plus_invalid"}, id="noncompliant is not untagged plus invalid"),
    pytest.param("unit_costs",
                 "update marts.fct_unit_costs set unit_cost = 0.12, unit_cost_change = 0, unit_cost_change_ratio = 0 "
                 "where period_start = '2026-07-03'",
                 {"unit_cost_exactly_when_every_day_has_a_driver"}, id="unit cost without a driver value"),
    pytest.param("unit_costs",
                 "update marts.fct_unit_costs set previous_unit_cost = 0.12, unit_cost_change = -0.02, "
                 "unit_cost_change_ratio = -0.166666666666 where period_start = '2026-07-05'",
                 {"previous_unit_cost_is_the_period_before"}, id="unit cost compared across a gap"),
    pytest.param("unit_costs",
                 "update marts.fct_unit_costs set missing_driver_days = 0 where period_start = '2026-07-03'",
                 {"day_misses_its_driver_exactly_when_it_has_none"}, id="missing day not counted"),
    pytest.param("unit_costs",
                 "update marts.fct_unit_costs set unit_cost = -0.1 where period_start = '2026-07-05'",
                 {"unit_cost_of_non_negative_cost"}, id="negative unit cost of a positive cost"),
    pytest.param("unit_costs",
                 "update marts.fct_unit_costs set period_grain = 'week' where period_start = '2026-08-01' "
                 "and period_grain = 'day'",
                 {"period_grain"}, id="unknown period grain"),
]


@pytest.mark.parametrize(("suite_name", "sql", "failed_columns"), BROKEN_ALLOCATIONS)
def test_a_broken_allocation_mart_fails_exactly_the_expectation_that_guards_it(
    allocation_warehouse: Path, suite_name: str, sql: str, failed_columns: set[str]
) -> None:
    from finops.checks.allocation import ALLOCATION_SUITES
    from finops.checks.runner import run_suites

    suite = next(suite for suite in ALLOCATION_SUITES if suite.name == suite_name)
    _change(allocation_warehouse, sql)
    (result,) = run_suites(allocation_warehouse, [suite])

    assert result.error is None, result.error
    assert {failed.kwargs["column"] for failed in result.failed} == failed_columns, _failures([result])
    assert all(failed.description and failed.unexpected_count for failed in result.failed), _failures([result])


def test_a_suite_on_distinct_rows_counts_every_row_and_takes_only_row_by_row_expectations(tmp_path: Path) -> None:
    """fct_cost_allocated is validated on its distinct rows (tens of millions of rows in pandas would
    take gigabytes): the summary still counts every row, a failure says how many distinct rows broke
    the rule, and an expectation over the whole column (uniqueness, `mostly`) is refused."""
    import great_expectations as gx

    from finops.checks.runner import run_suites
    from finops.checks.suite import Suite

    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create table t as select case when i % 1000 = 0 then 'bad' else 'good' end as v "
                "from range(100000) as r(i)")
    con.close()
    in_set = gx.expectations.ExpectColumnValuesToBeInSet(column="v", value_set=["good"])
    (result,) = run_suites(database, [Suite("t", "t", [in_set], distinct_rows=True)])
    assert (result.rows, result.distinct_rows) == (100000, 2)
    assert "on 100,000 rows (2 distinct)" in result.summary_line()
    assert [failed.observed for failed in result.failed] == ["1 of 2 distinct rows unexpected, e.g. ['bad']"]
    for refused in (gx.expectations.ExpectColumnValuesToBeUnique(column="v"),
                    gx.expectations.ExpectColumnValuesToBeInSet(column="v", value_set=["good"], mostly=0.9)):
        with pytest.raises(ValueError, match="cannot be validated on distinct rows"):
            Suite("t", "t", [refused], distinct_rows=True)
