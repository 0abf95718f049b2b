"""great-expectations suites (python_checks/expectations) on the warehouse built from generated data,
and proof that they can fail: the same suites on a copy of it with one broken value.

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
    shutil.copyfile(generated_build.duckdb_path, broken)
    wal = generated_build.duckdb_path.with_name(generated_build.duckdb_path.name + ".wal")
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
    from python_checks.expectations.commitments import COMMITMENT_SUITES
    from python_checks.expectations.runner import run_suites

    assert generated_build.returncode == 0, generated_build.output[-4000:]
    results = run_suites(generated_build.duckdb_path)
    assert [result.name for result in results] == [suite.name for suite in COMMITMENT_SUITES]
    assert all(result.results for result in results)
    failures = _failures(results)
    assert failures == [], "\n".join(failures)


def test_a_utilization_above_1_fails_the_suite(broken_warehouse: Path) -> None:
    from python_checks.expectations.commitments import SAVINGS, UTILIZATION
    from python_checks.expectations.runner import run_suites

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
    from python_checks.expectations.commitments import COMMITMENT_SUITES

    proc = run_finops("expect", "--duckdb", str(broken_warehouse))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(COMMITMENT_SUITES) + 2, proc.stdout  # one per suite, one per failure
    assert any(line.startswith("FAILED commitment_utilization ") and "2/4 expectations passed" in line
               for line in lines), proc.stdout
    assert any("failed: expected utilisation is a share" in line and "1 of " in line and "[1.5]" in line
               for line in lines), proc.stdout
    assert "great-expectations suites failed" in proc.stderr, proc.stderr
