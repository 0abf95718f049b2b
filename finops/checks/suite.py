"""What a great-expectations suite is here: a named list of expectations over one mart. The suites
(commitments.py, allocation.py) define them, the runner runs them; neither imports the other back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Suite:
    """A named list of GX expectations over one table, or over the rows of `sql` when given
    (to add computed columns such as bands or booleans a distribution check needs)."""

    name: str
    table: str
    expectations: list[Any]
    description: str = ""
    sql: str | None = None

    @property
    def query(self) -> str:
        return self.sql or f"select * from {self.table}"
