"""Expectation builders the suites share (commitments.py, allocation.py): the few shapes every
mart's suite uses, so that each reads as a list of what the metric means."""

from __future__ import annotations

import great_expectations as gx

E = gx.expectations


def always_true(column: str, description: str) -> E.ExpectColumnValuesToBeInSet:
    """A boolean computed in the suite's SQL; NULL (the rule does not apply to the row) is ignored."""
    return E.ExpectColumnValuesToBeInSet(column=column, value_set=[True], description=description)


def share(column: str, description: str) -> E.ExpectColumnValuesToBeBetween:
    """A ratio in [0, 1]; NULLs are ignored."""
    return E.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1, description=description)


def not_null(column: str, description: str) -> E.ExpectColumnValuesToNotBeNull:
    return E.ExpectColumnValuesToNotBeNull(column=column, description=description)
