"""The FOCUS dataset answers the FinOps Foundation's use-case library queries the same in any client.

The FOCUS use-case library (focus.finops.org) writes its queries against a FOCUS table with
`DATE(ChargePeriodStart)`, `MONTH(...)`, `DATE_TRUNC('month', ...)`, date literals and `Tags['key']`.
A laptop's duckdb CLI or a BI tool runs them in its own session TimeZone, not UTC. The queries below
are written that way and run against the warehouse built from generated data in three sessions (UTC,
America/Los_Angeles, Asia/Tokyo): the answers must be identical, because the FOCUS Date/Time columns
hold UTC wall-clock TIMESTAMPs without a zone (DECISIONLOG D49). The same queries over the columns
stored the old way (TIMESTAMP WITH TIME ZONE) must give other answers outside UTC for at least one of
them, so the test can tell the two storages apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from .conftest import Build

ZONES = ("UTC", "America/Los_Angeles", "Asia/Tokyo")

# Written the way the library writes them; {focus} is the FOCUS table.
USE_CASES = {
    "service costs month over month": """
        SELECT MONTH(ChargePeriodStart) AS ChargeMonth, ServiceName, BillingCurrency,
               SUM(EffectiveCost) AS MonthlyEffectiveCost
        FROM {focus}
        GROUP BY MONTH(ChargePeriodStart), ServiceName, BillingCurrency
        ORDER BY ChargeMonth, ServiceName, BillingCurrency""",
    "daily cost by service": """
        SELECT DATE(ChargePeriodStart) AS ChargeDate, ServiceName, BillingCurrency, SUM(BilledCost) AS DailyBilledCost
        FROM {focus}
        GROUP BY DATE(ChargePeriodStart), ServiceName, BillingCurrency
        ORDER BY ChargeDate, ServiceName, BillingCurrency""",
    "cost by tag value in August": """
        SELECT Tags['Team'] AS Team, BillingCurrency, SUM(EffectiveCost) AS EffectiveCost
        FROM {focus}
        WHERE ChargePeriodStart >= DATE '2026-08-01' AND ChargePeriodStart < DATE '2026-09-01'
          AND Tags['Team'] IS NOT NULL
        GROUP BY Tags['Team'], BillingCurrency
        ORDER BY Team, BillingCurrency""",
    "amortized cost per month": """
        SELECT DATE_TRUNC('month', ChargePeriodStart) AS ChargeMonth, BillingAccountId, BillingCurrency,
               SUM(EffectiveCost) AS AmortizedCost
        FROM {focus}
        GROUP BY DATE_TRUNC('month', ChargePeriodStart), BillingAccountId, BillingCurrency
        ORDER BY ChargeMonth, BillingAccountId, BillingCurrency""",
    "billing accounts with names for the August invoice": """
        SELECT BillingAccountId, BillingAccountName, BillingCurrency, SUM(BilledCost) AS BilledCost
        FROM {focus}
        WHERE BillingPeriodStart = DATE '2026-08-01'
        GROUP BY BillingAccountId, BillingAccountName, BillingCurrency
        ORDER BY BillingAccountId, BillingCurrency""",
    "daily change by sub account": """
        WITH daily AS (
            SELECT DATE(ChargePeriodStart) AS ChargeDate, SubAccountId, BillingCurrency, SUM(EffectiveCost) AS Cost
            FROM {focus}
            WHERE SubAccountId IS NOT NULL
            GROUP BY DATE(ChargePeriodStart), SubAccountId, BillingCurrency
        )
        SELECT ChargeDate, SubAccountId, BillingCurrency, Cost,
               Cost - LAG(Cost) OVER (PARTITION BY SubAccountId, BillingCurrency ORDER BY ChargeDate) AS Change
        FROM daily
        ORDER BY ChargeDate, SubAccountId, BillingCurrency""",
    "commitment discount utilization per month": """
        SELECT MONTH(ChargePeriodStart) AS ChargeMonth, CommitmentDiscountId,
               SUM(CASE WHEN CommitmentDiscountStatus = 'Used' THEN EffectiveCost ELSE 0 END) AS UsedCost,
               SUM(CASE WHEN CommitmentDiscountStatus = 'Unused' THEN EffectiveCost ELSE 0 END) AS UnusedCost
        FROM {focus}
        WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL
        GROUP BY MONTH(ChargePeriodStart), CommitmentDiscountId
        ORDER BY ChargeMonth, CommitmentDiscountId""",
}

COLUMNS = (
    "BilledCost, EffectiveCost, BillingAccountId, BillingAccountName, BillingCurrency, BillingPeriodStart, "
    "BillingPeriodEnd, ChargeCategory, ChargePeriodStart, ChargePeriodEnd, CommitmentDiscountId, "
    "CommitmentDiscountStatus, ServiceName, SubAccountId, Tags"
)


@pytest.fixture(scope="module")
def session(generated_build: Build) -> Iterator[duckdb.DuckDBPyConnection]:
    """A client session on the warehouse (attached read-only), with the four Date/Time columns also
    stored the old way, as TIMESTAMP WITH TIME ZONE, in the table `old_focus`."""
    assert generated_build.returncode == 0, generated_build.output[-4000:]
    con = duckdb.connect()
    path = str(generated_build.duckdb_path).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
    con.execute("SET TimeZone = 'UTC'")
    as_timestamptz = ", ".join(
        f"CAST({name} AS TIMESTAMPTZ) AS {name}"
        for name in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
    )
    con.execute(
        f"CREATE TABLE old_focus AS SELECT * REPLACE ({as_timestamptz}) "
        f"FROM (SELECT {COLUMNS} FROM warehouse.marts.focus_cost_and_usage)"
    )
    yield con
    con.close()


def _answers(con: duckdb.DuckDBPyConnection, zone: str, relation: str) -> dict[str, list[tuple]]:
    con.execute(f"SET TimeZone = '{zone}'")
    return {name: con.execute(sql.format(focus=relation)).fetchall() for name, sql in USE_CASES.items()}


def test_use_case_queries_answer_the_same_in_every_session_time_zone(session: duckdb.DuckDBPyConnection) -> None:
    answers = {zone: _answers(session, zone, "warehouse.marts.focus_cost_and_usage") for zone in ZONES}
    for name in USE_CASES:
        assert answers["UTC"][name], f"{name}: no rows"
        for zone in ZONES[1:]:
            assert answers[zone][name] == answers["UTC"][name], f"{name} differs in {zone}"


def test_the_old_time_zone_storage_would_have_shifted_days_and_months(session: duckdb.DuckDBPyConnection) -> None:
    """With TIMESTAMP WITH TIME ZONE columns the same queries agree with today's in UTC, but not elsewhere."""
    utc = _answers(session, "UTC", "old_focus")
    assert _utc_wall_clock(utc) == _answers(session, "UTC", "warehouse.marts.focus_cost_and_usage")
    for zone in ZONES[1:]:
        shifted = _answers(session, zone, "old_focus")
        differing = {name for name in USE_CASES if _utc_wall_clock(shifted[name]) != _utc_wall_clock(utc[name])}
        assert {"daily cost by service", "billing accounts with names for the August invoice"} <= differing, zone


def _utc_wall_clock(value: object) -> object:
    """Answers with any zoned timestamp (DATE_TRUNC of a TIMESTAMPTZ) as the UTC wall-clock time."""
    if isinstance(value, dict):
        return {key: _utc_wall_clock(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_utc_wall_clock(item) for item in value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def test_tags_read_as_the_library_reads_them(session: duckdb.DuckDBPyConnection) -> None:
    """`Tags['key']` is the tag's plain value; a row without the tag gives NULL."""
    session.execute("SET TimeZone = 'UTC'")
    teams = {
        team for (team,) in session.execute(
            "SELECT DISTINCT Tags['Team'] FROM warehouse.marts.focus_cost_and_usage WHERE Tags['Team'] IS NOT NULL"
        ).fetchall()
    }
    assert "platform" in teams and not any(team.startswith('"') for team in teams)
    (untagged,) = session.execute(
        "SELECT count(*) FROM warehouse.marts.focus_cost_and_usage WHERE Tags IS NULL AND Tags['Team'] IS NULL"
    ).fetchone()
    assert untagged > 0
