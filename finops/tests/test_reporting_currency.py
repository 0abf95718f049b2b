"""Reporting currency: rows keep their billing currency; exchange_rates.csv (FINOPS_MAPPINGS_DIR)
gives the x_ reporting-currency costs, exactly; a missing rate stops the build with one sentence
naming the currency and the month; a broken rates file is named at load."""

from __future__ import annotations

import shutil
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pytest

from finops.mappings import EXCHANGE_RATES, MappingError, read_mapping
from finops.settings import SAMPLE_MAPPINGS_DIR

from .conftest import Build, run_finops
from .test_aws_cur_input import usage_row, write_cur

HEADER = "from_currency,to_currency,month,rate\n"


def _build(tmp_path: Path, rates: str | None) -> Build:
    """A one-bill landing billed in CAD (August 2026), built with the sample rule files (no budgets, planned
    changes or optimisation actions) and the given exchange_rates.csv body (None: no file)."""
    landing = tmp_path / "landing"
    write_cur(landing, [usage_row("a", "10.00", currency="CAD"), usage_row("b", "0.333333", currency="CAD")])
    mappings = tmp_path / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, mappings)
    (mappings / "exchange_rates.csv").unlink()
    # the sample budgets, planned changes and optimisation actions are in USD and EUR; this bill may report in CAD
    (mappings / "budgets.csv").unlink()
    (mappings / "forecast_adjustments.csv").unlink()
    (mappings / "optimisation_actions.csv").unlink()
    if rates is not None:
        (mappings / "exchange_rates.csv").write_text(HEADER + rates, encoding="utf-8")
    database = tmp_path / "w.duckdb"
    proc = run_finops("build", "--landing", str(landing), "--duckdb", str(database), "--no-docs",
                      env={"FINOPS_MAPPINGS_DIR": str(mappings)})
    return Build(landing, database, proc.returncode, proc.stdout + proc.stderr)


def test_costs_convert_at_the_month_s_rate_exactly(tmp_path: Path) -> None:
    build = _build(tmp_path, "CAD,USD,2026-07,0.7310\nCAD,USD,2026-08,0.7260\n")
    assert build.returncode == 0, build.output[-3000:]
    rows = build.query(
        "select BillingCurrency, BilledCost, EffectiveCost, x_reporting_currency, x_exchange_rate, "
        "x_billed_cost_in_reporting_currency, x_effective_cost_in_reporting_currency "
        "from marts.focus_cost_and_usage order by BilledCost"
    )
    unit = Decimal("0.000000000001")
    for currency, billed, effective, reporting, rate, billed_usd, effective_usd in rows:
        assert (currency, reporting, rate) == ("CAD", "USD", Decimal("0.7260"))
        assert billed_usd == (billed * rate).quantize(unit, rounding=ROUND_DOWN)
        assert effective_usd == (effective * rate).quantize(unit, rounding=ROUND_DOWN)
    assert [row[5] for row in rows] == [Decimal("0.241999758000"), Decimal("7.260000000000")]
    statement = build.query(
        "select billing_currency, reporting_currency, sum(total_effective_cost), "
        "sum(total_effective_cost_in_reporting_currency) from marts.fct_showback_monthly group by 1, 2"
    )
    assert statement == [("CAD", "USD", Decimal("10.333333"), Decimal("7.501999758000"))]


def test_a_missing_rate_stops_the_build_naming_currency_and_month(tmp_path: Path) -> None:
    build = _build(tmp_path, "CAD,USD,2026-07,0.7310\nCAD,USD,2026-09,0.7340\n")
    assert build.returncode == 2, build.output[-3000:]
    assert [line for line in build.output.splitlines() if line.startswith("error:")] == [
        'error: No exchange rate from CAD to USD for 2026-08: add the row "CAD,USD,2026-08,<rate>" to '
        "exchange_rates.csv (FINOPS_MAPPINGS_DIR) and run again."]
    assert not build.duckdb_path.exists()  # nothing published


def test_one_currency_needs_no_rates_file(tmp_path: Path) -> None:
    """Without exchange_rates.csv a warehouse billed in one currency reports in it, at rate 1."""
    build = _build(tmp_path, None)
    assert build.returncode == 0, build.output[-3000:]
    assert build.query("select distinct x_reporting_currency, x_exchange_rate from marts.focus_cost_and_usage") == [
        ("CAD", Decimal("1"))]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("CAD,USD,2026-13,0.73\n", "row 2: month '2026-13' is not a month; write it like 2026-07"),
        ("CAD,USD,2026-08-01,0.73\n", "row 2: month '2026-08-01' is not a month"),
        ("CAD,USD,2026-08,0\n", "row 2: rate '0' must be a positive number"),
        ("CAD,USD,2026-08,abc\n", "row 2: rate 'abc' is not a number"),
        ("CA,USD,2026-08,0.73\n", "row 2: from_currency 'CA' is not an ISO 4217 currency code"),
        ("CAD,usd,2026-08,0.73\n", "row 2: to_currency 'usd' is not an ISO 4217 currency code"),
        ("USD,USD,2026-08,1\n", "row 2: from_currency and to_currency are both USD"),
        ("CAD,USD,2026-08,0.73\nCAD,USD,2026-08,0.74\n", "row 3: from_currency, month CAD, 2026-08-01 is already on row 2"),
        ("CAD,USD,2026-08,0.73\nEUR,GBP,2026-08,0.86\n", "row 3: to_currency GBP differs from USD on row 2"),
    ],
)
def test_a_broken_rates_file_is_named(tmp_path: Path, body: str, message: str) -> None:
    from finops.mappings import read_mappings

    path = tmp_path / "exchange_rates.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        read_mappings(tmp_path)
    assert str(err.value).startswith(str(path)), str(err.value)
    assert message in str(err.value), str(err.value)


def test_the_sample_rates_are_valid() -> None:
    rows = read_mapping(SAMPLE_MAPPINGS_DIR / "exchange_rates.csv", EXCHANGE_RATES)
    assert {row["to_currency"] for row in rows} == {"USD"} and len(rows) == 9


@pytest.mark.parametrize(
    ("file", "body", "message"),
    [
        ("budgets.csv",
         "budget_id,scope_type,scope_value,period,amount,currency,cost_basis,thresholds,effective_from,effective_to,"
         "note\nmonthly,whole_bill,,month,100,USD,effective,80:actual,,,\n",
         "error: Budget monthly is in USD but exchange_rates.csv (FINOPS_MAPPINGS_DIR) has no rate from USD to "
         "the reporting currency CAD: add monthly rates for it or give the budget in CAD."),
        ("forecast_adjustments.csv",
         "adjustment_id,scope_type,scope_value,effective_from,effective_to,monthly_amount,currency,percent,note\n"
         "launch,whole_bill,,2026-01-01,,500,USD,,a launch\n",
         "error: Planned change launch of forecast_adjustments.csv is in USD but exchange_rates.csv "
         "(FINOPS_MAPPINGS_DIR) has no rate from USD to the reporting currency CAD: add monthly rates for it or give "
         "the amount in CAD."),
        ("optimisation_actions.csv",
         "action_id,description,owner,action_type,implemented_on,expected_monthly_saving,currency,provider_name,"
         "billing_account_id,sub_account_id,service_name,region_id,resource_id,tag,commitment_discount_id\n"
         "vm-off,VMs off,web,termination,2026-08-01,500,USD,AWS,,,,,,,\n",
         "error: Optimisation action vm-off of optimisation_actions.csv is in USD but exchange_rates.csv "
         "(FINOPS_MAPPINGS_DIR) has no rate from USD to the reporting currency CAD: add monthly rates for it or give "
         "its expected saving in CAD."),
    ],
)
def test_a_budget_or_planned_change_in_a_currency_without_rates_is_one_sentence(
        tmp_path: Path, file: str, body: str, message: str) -> None:
    """The CAD bill reports in CAD (no rates file); a budget or a planned amount in USD cannot be converted: the
    build stops and says which row, which currencies and what to do."""
    landing = tmp_path / "landing"
    write_cur(landing, [usage_row("a", "10.00", currency="CAD")])
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / file).write_text(body, encoding="utf-8")
    proc = run_finops("build", "--landing", str(landing), "--duckdb", str(tmp_path / "w.duckdb"), "--no-docs",
                      env={"FINOPS_MAPPINGS_DIR": str(mappings)})
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert message in proc.stderr
