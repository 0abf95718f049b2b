"""What a great-expectations suite is here: a named list of expectations over one mart. The suites
(commitments.py, allocation.py) define them, the runner runs them; neither imports the other back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


# Expectations that judge each row on its own (no `mostly`): a row's verdict depends on its values
# only, so validating the distinct rows gives the verdicts of validating every row.
ROW_BY_ROW = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set",
              "expect_column_values_to_be_between", "expect_column_values_to_not_be_in_set"}
ROW_COUNT_COLUMN = "_rows"  # with distinct_rows, how many of the suite's rows a distinct row stands for


@dataclass(frozen=True)
class Suite:
    """A named list of GX expectations over one table, or over the rows of `sql` when given
    (to add computed columns such as bands or booleans a distribution check needs).

    `distinct_rows`: validate the distinct rows of the query (each with the number of rows it stands
    for) instead of every row. For a mart at line-item grain (fct_cost_allocated: a row per FOCUS row,
    day and allocation path) the rows are tens of millions but their distinct combinations of the
    checked columns a few thousand: the verdicts are the same, and the DataFrame GX needs stays small
    (every row in pandas would take gigabytes). Only row-by-row expectations are allowed then."""

    name: str
    table: str
    expectations: list[Any]
    description: str = ""
    sql: str | None = None
    distinct_rows: bool = False

    def __post_init__(self) -> None:
        if self.distinct_rows:
            for expectation in self.expectations:
                if expectation.expectation_type not in ROW_BY_ROW or getattr(expectation, "mostly", 1) != 1:
                    raise ValueError(f"suite {self.name}: {expectation.expectation_type} does not judge each row "
                                     "on its own, so it cannot be validated on distinct rows")

    @property
    def query(self) -> str:
        query = self.sql or f"select * from {self.table}"
        if self.distinct_rows:
            return f"select *, count(*) as {ROW_COUNT_COLUMN} from ({query}) group by all"
        return query
