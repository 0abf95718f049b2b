"""Run great-expectations suites over DataFrames read from the warehouse.

great-expectations' SQL data sources do not work with DuckDB, so each suite's SQL runs on a
read-only DuckDB connection, the result becomes a pandas DataFrame (`.df()`), and GX validates
that DataFrame through an ephemeral (in-memory) context:

    context = gx.get_context(mode="ephemeral")
    batch_definition = (context.data_sources.add_pandas(...)
                        .add_dataframe_asset(...).add_batch_definition_whole_dataframe(...))
    suite = context.suites.add(gx.ExpectationSuite(name=..., expectations=[copies of the suite's]))
    validation = context.validation_definitions.add(gx.ValidationDefinition(data=..., suite=...))
    validation.run(batch_parameters={"dataframe": df})

DuckDB hands DECIMAL columns to pandas as float64 (this duckdb version) or as objects of
decimal.Decimal (others); the suites therefore cast in their SQL what an expectation needs (to
DOUBLE for ranges and means), so the DataFrame's types do not depend on the driver. Money
identities are dbt tests, computed exactly in DuckDB, never here.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ..database import connect
from .suite import ROW_COUNT_COLUMN, Suite

if TYPE_CHECKING:
    import pandas as pd

@dataclass(frozen=True)
class ExpectationResult:
    expectation_type: str
    description: str | None
    kwargs: dict[str, Any]
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    element_count: int | None = None
    unexpected_examples: list[Any] = field(default_factory=list)
    exception: str | None = None
    unit: str = "rows"  # what element_count counts: rows, or distinct rows (Suite.distinct_rows)

    @property
    def expected(self) -> str:
        """What was expected, in words when the expectation has a description."""
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        call = f"{self.expectation_type}({arguments})"
        return f"{self.description} [{call}]" if self.description else call

    @property
    def observed(self) -> str:
        if self.exception:
            return f"error: {self.exception}"
        if self.unexpected_count is not None:
            examples = f", e.g. {self.unexpected_examples[:5]}" if self.unexpected_examples else ""
            return f"{self.unexpected_count} of {self.element_count} {self.unit} unexpected{examples}"
        return f"observed {self.observed_value!r}"


@dataclass(frozen=True)
class SuiteResult:
    name: str
    table: str
    description: str
    rows: int
    seconds: float
    results: list[ExpectationResult]
    error: str | None = None  # the suite could not run (e.g. the table is missing)
    distinct_rows: int | None = None  # with Suite.distinct_rows: how many distinct rows were validated

    @property
    def success(self) -> bool:
        return self.error is None and all(result.success for result in self.results)

    @property
    def failed(self) -> list[ExpectationResult]:
        return [result for result in self.results if not result.success]

    def summary_line(self) -> str:
        if self.error:
            return f"FAILED {self.name} ({self.table}): could not run: {self.error}"
        passed = len(self.results) - len(self.failed)
        status = "passed" if self.success else "FAILED"
        distinct = f" ({self.distinct_rows:,} distinct)" if self.distinct_rows is not None else ""
        return (f"{status} {self.name} ({self.table}): {passed}/{len(self.results)} expectations passed "
                f"on {self.rows:,} rows{distinct} in {self.seconds:.2f} s")


def default_suites() -> list[Suite]:
    """Every suite this package defines."""
    from .allocation import ALLOCATION_SUITES
    from .anomalies import ANOMALY_SUITES
    from .commitments import COMMITMENT_SUITES
    from .forecasting import FORECASTING_SUITES
    from .savings import SAVINGS_SUITES

    return (list(COMMITMENT_SUITES) + list(ALLOCATION_SUITES) + list(FORECASTING_SUITES) + list(ANOMALY_SUITES)
            + list(SAVINGS_SUITES))


def run_suites(duckdb_path: Path, suites: list[Suite] | None = None) -> list[SuiteResult]:
    """Open the warehouse read-only, read each suite's rows and validate them with GX, one suite at
    a time (only one DataFrame is held at once)."""
    suites = default_suites() if suites is None else suites
    context = _ephemeral_context()
    results = []
    con = connect(duckdb_path, read_only=True)
    try:
        for suite in suites:
            started = time.perf_counter()
            try:
                frame = con.execute(suite.query).df()
            except duckdb.Error as exc:
                results.append(SuiteResult(suite.name, suite.table, suite.description, 0, 0.0, [],
                                           str(exc).splitlines()[0]))
                continue
            read_seconds = time.perf_counter() - started
            result = validate_dataframe(suite, frame, context)
            del frame
            results.append(dataclasses.replace(result, seconds=result.seconds + read_seconds))
    finally:
        con.close()
    return results


def validate_dataframe(suite: Suite, frame: pd.DataFrame, context: Any = None) -> SuiteResult:
    """Validate one DataFrame (rows of `suite.query`) against the suite's expectations."""
    import great_expectations as gx

    started = time.perf_counter()
    context = context or _ephemeral_context()
    batch_definition = (
        context.data_sources.add_pandas(name=f"{suite.name}_source")
        .add_dataframe_asset(name=suite.name)
        .add_batch_definition_whole_dataframe(name=f"{suite.name}_whole_table")
    )
    # An expectation belongs to one GX suite: add copies (copy.copy clears the id), so a Suite's
    # definitions can be validated again, in another context.
    gx_suite = context.suites.add(
        gx.ExpectationSuite(name=suite.name, expectations=[copy.copy(e) for e in suite.expectations])
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name}_validation", data=batch_definition, suite=gx_suite)
    )
    outcome = validation.run(batch_parameters={"dataframe": frame})
    unit = "distinct rows" if suite.distinct_rows else "rows"
    return SuiteResult(
        name=suite.name,
        table=suite.table,
        description=suite.description,
        rows=int(frame[ROW_COUNT_COLUMN].sum()) if suite.distinct_rows else len(frame),
        seconds=time.perf_counter() - started,
        results=[_expectation_result(result, unit) for result in outcome.results],
        distinct_rows=len(frame) if suite.distinct_rows else None,
    )


def _ephemeral_context() -> Any:
    import logging

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX logs at INFO where a temporary docs site goes; our output is the suite lines.
    logging.disable(logging.INFO)
    try:
        context = gx.get_context(mode="ephemeral")
    finally:
        logging.disable(logging.NOTSET)
    context.config.analytics_enabled = False
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _expectation_result(result: Any, unit: str = "rows") -> ExpectationResult:
    config = result.expectation_config
    details = result.result or {}
    # exception_info is one {"raised_exception": ..., "exception_message": ...} dict, or a dict of
    # them keyed by metric when a metric raised.
    info = result.exception_info or {}
    infos = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    messages = [i.get("exception_message") or "exception" for i in infos if i.get("raised_exception")]
    exception = "; ".join(messages) or None
    return ExpectationResult(
        expectation_type=config.type,
        description=config.description,
        kwargs={key: value for key, value in config.kwargs.items() if key != "batch_id"},
        success=bool(result.success),
        observed_value=_plain(details.get("observed_value")),
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        unexpected_examples=[_plain(value) for value in details.get("partial_unexpected_list") or []],
        exception=exception,
        unit=unit,
    )


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, for readable messages."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (list, dict, str)) else value
