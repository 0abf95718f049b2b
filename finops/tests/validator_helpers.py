"""focus-validator in the tests that build a warehouse: one marker and one check, shared by the test
modules of the generated data, the public samples and hand-written input (DECISIONLOG D45)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from finops.checks.focus_validation import VALIDATOR_PYTHON, validate_warehouse

from .conftest import Build

needs_validator = pytest.mark.skipif(
    not VALIDATOR_PYTHON.exists() and not os.environ.get("CI"),
    reason="focus-validator environment missing: run `make validator-env` (required, and created, on CI)",
)


def failed_must_rules(build: Build, workdir: Path, relation: str = "marts.focus_cost_and_usage", *,
                      published: bool = True) -> dict[str, str]:
    """The MUST rules focus-validator fails on a built warehouse's FOCUS dataset (rule id -> message);
    checks that the rules ran. The caller says whether the build itself had to pass; a build that
    stopped published nothing, so its FOCUS rows are read from the working database
    (`published=False`)."""
    database = build.duckdb_path if published else build.work_path
    _, result = validate_warehouse(str(database), str(workdir), relation)
    assert len(result.passed) > 300, "rules were skipped: check the applicability criteria"
    return {rule: result.failed[rule] for rule in sorted(result.failed_must)}
