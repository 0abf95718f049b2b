"""The commitment marts reproduce the FOCUS specification's worked commitment discount examples.

The FOCUS spec illustrates commitments with one $1.00/hour, one-year spend commitment
(`../shared/sample_exports/focus_spec_examples/commitment_discount_scenarios/`):

* three ways to pay for it: purchase scenario 1 All Upfront (one One-Time purchase of 8,760.00
  whose charge period is the term, 2023-01-01 to 2024-01-01), 2 No Upfront (a Recurring purchase
  of 1.00 every hour), 3 Partial Upfront (One-Time 4,380.00 over the term + Recurring 0.50 an hour);
* four ways to use one hour of it: usage scenario 1 fully used (Used, EffectiveCost 1.00), 2 not
  used at all (Unused 1.00), 3 used at 75 % (Used 0.75 + Unused 0.25), 4 overage (Used 1.00 and
  one more hour billed on demand at 0.50).

Every purchase scenario is combined with every usage scenario (3 x 4 = 12 commitments, each with
its own CommitmentDiscountId `spec-<purchase>-<usage>`, billing account and sub account, so the
marts can be read per combination) into one native FOCUS 1.2 export, written at test time into a
temporary landing folder (the sample files are read, never copied into the repository) and built
like a user's export. Every value of a row (costs, quantities, categories, statuses, pricing
category, frequency) is the sample file's; only the placeholders (`<my-commitment-discount-id>`,
`<my-resource-id>`) and the dates are replaced, and the FOCUS 1.2 columns the files lack are filled
with plain values (see `_focus_row`). The marts must then give the spec's answers: utilisation
100 / 0 / 75 / 100 %, 24 committed hours of $1.00 a day, an effective cost that adds up over the
term to exactly what was paid, and the unused commitment cost.

Two liberties are taken with the files:

1. The recurring purchase rows of scenarios 2 and 3 have malformed charge periods
   (`2023-01-01T20:00:00Z` to `2023-02-01T30:00:00Z`); their meaning is one row per hour, which is
   what is written: the hour being written is the charge period.
2. The files show one hour (a few hours for the recurring fee); the export repeats that hour for
   every hour of the one-year term, so that the whole term is observed and amortisation over the
   term can be checked end to end. Each row's billing period is its calendar month of 2023 (a
   one-year export spans 12 billing periods, one folder `billing_period=2023-MM` each); the
   one-time purchase is billed in January, with the term as its charge period, as in the file.
"""

from __future__ import annotations

import csv
import re
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from finops.landing.focus import FOCUS_COLUMNS

from .conftest import SHARED_SAMPLES, Build, build_warehouse
from .validator_helpers import failed_must_rules, needs_validator

SPEC_EXAMPLES = SHARED_SAMPLES / "focus_spec_examples"
SCENARIOS = SPEC_EXAMPLES / "commitment_discount_scenarios"

pytestmark = pytest.mark.skipif(
    not SPEC_EXAMPLES.is_dir(),
    reason=f"FOCUS specification examples not found at {SPEC_EXAMPLES} "
    "(they live beside the repository in shared/sample_exports/)",
)

EXPORT = "focus-spec-commitment-examples"
PROVIDER = "FOCUS spec examples"
TERM_START = dt.datetime(2023, 1, 1)
TERM_END = dt.datetime(2024, 1, 1)
TERM_HOURS = 8760
TERM_DAYS = 365
ZERO = Decimal(0)


@dataclass(frozen=True)
class Purchase:
    """What a purchase scenario's file says, as the spec's answers for the whole term."""

    payment_option: str
    upfront: Decimal  # the One-Time purchase, billed on 2023-01-01
    recurring_per_hour: Decimal  # the Recurring purchase, billed every hour


@dataclass(frozen=True)
class Usage:
    """One hour of a usage scenario: the commitment's used and unused dollars, and on-demand cost."""

    name: str
    used: Decimal
    unused: Decimal
    on_demand: Decimal
    utilization: Decimal


PURCHASES = {
    1: Purchase("All Upfront", Decimal("8760.00"), ZERO),
    2: Purchase("No Upfront", ZERO, Decimal("1.00")),
    3: Purchase("Partial Upfront", Decimal("4380.00"), Decimal("0.50")),
}
USAGES = {
    1: Usage("100 % utilization", Decimal("1.00"), ZERO, ZERO, Decimal(1)),
    2: Usage("0 % utilization", ZERO, Decimal("1.00"), ZERO, ZERO),
    3: Usage("75 % utilization", Decimal("0.75"), Decimal("0.25"), ZERO, Decimal("0.75")),
    4: Usage("overage", Decimal("1.00"), ZERO, Decimal("0.50"), Decimal(1)),
}
COMBINATIONS = [(p, u) for p in PURCHASES for u in USAGES]


def commitment_id(purchase: int, usage: int) -> str:
    return f"spec-{purchase}-{usage}"


def account_id(purchase: int, usage: int) -> str:
    return f"spec-account-{purchase}-{usage}"


def label(purchase: int, usage: int) -> str:
    """The combination, as an assertion message names it."""
    return f"{commitment_id(purchase, usage)}: {PURCHASES[purchase].payment_option}, {USAGES[usage].name}"


# --------------------------------------------------------------------------------------------
# Writing the export


def _read_sample(name: str) -> list[dict[str, str | None]]:
    """A sample file's rows; its literal `null` cells (and empty ones) are None."""
    with open(SCENARIOS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return [
            {key: None if value.strip().lower() in ("", "null") else value.strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _focus_row(sample: dict[str, str | None], purchase: int, usage: int) -> dict[str, str | None]:
    """One FOCUS 1.2 row of combination (purchase, usage) from one sample row: the sample's values,
    placeholders replaced, and the columns the spec's files leave out filled with plain values.
    Dates are set when the row is written (hour by hour, or once for the one-time purchase)."""
    cid = commitment_id(purchase, usage)
    placeholders = {"<my-commitment-discount-id>": cid, "<my-resource-id>": f"spec-vm-{purchase}-{usage}"}
    row: dict[str, str | None] = dict.fromkeys(name for name, _ in FOCUS_COLUMNS)
    for column, value in sample.items():
        assert column in row, f"{column} is not a FOCUS column"
        row[column] = placeholders.get(value, value) if value is not None else None
    billed, effective = Decimal(row["BilledCost"]), Decimal(row["EffectiveCost"])
    status, category = row["CommitmentDiscountStatus"], row["ChargeCategory"]

    row |= {
        "ProviderName": PROVIDER,
        "PublisherName": PROVIDER,
        "InvoiceIssuerName": PROVIDER,
        "BillingAccountId": account_id(purchase, usage),
        "BillingAccountName": f"FOCUS spec example, purchase scenario {purchase}, usage scenario {usage}",
        "BillingAccountType": "Billing Account",
        "SubAccountId": f"spec-subaccount-{purchase}-{usage}",
        "SubAccountName": f"FOCUS spec example {purchase}-{usage}",
        "SubAccountType": "Sub Account",
        "BillingCurrency": "USD",
        "PricingCurrency": "USD",
        "PricingCurrencyEffectiveCost": row["EffectiveCost"],
        "ServiceName": "Compute",
        "ServiceCategory": "Compute",
        "ServiceSubcategory": "Virtual Machines",
    }
    if row["CommitmentDiscountId"] is not None:
        row |= {
            "CommitmentDiscountCategory": "Spend",
            "CommitmentDiscountType": "Commitment",
            "CommitmentDiscountName": f"$1.00/hour one-year commitment, {PURCHASES[purchase].payment_option}",
        }

    if category == "Purchase":
        # A purchase is charged at what is billed; it buys CommitmentDiscountQuantity dollars of
        # commitment at 1.00 a dollar.
        description = f"{row['ChargeFrequency']} purchase of the $1.00/hour commitment"
        list_cost = billed
        pricing_quantity, pricing_unit = row["CommitmentDiscountQuantity"], row["CommitmentDiscountUnit"]
    elif status == "Used":
        # Covered usage: the spec states no on-demand price for it, so its on-demand equivalent
        # (ListCost = ContractedCost) is taken to be its EffectiveCost; no commitment savings are claimed.
        description = "Virtual machine hour covered by the commitment"
        list_cost = effective
        pricing_quantity, pricing_unit = row["ConsumedQuantity"], row["ConsumedUnit"]
    elif status == "Unused":
        # The unused part of the commitment consumes nothing: no list or contracted cost and no
        # pricing quantity (as the warehouse conforms AWS's unused commitment rows).
        description = "Unused hour of the commitment"
        list_cost = ZERO
        pricing_quantity = pricing_unit = None
    else:
        description = "Virtual machine hour at the on-demand rate"
        list_cost = billed
        pricing_quantity, pricing_unit = row["ConsumedQuantity"], row["ConsumedUnit"]
    unit_price = (
        _decimal_text(list_cost / Decimal(pricing_quantity)) if pricing_quantity is not None else None
    )
    row |= {
        "ChargeDescription": description,
        "ListCost": _decimal_text(list_cost),
        "ContractedCost": _decimal_text(list_cost),
        "PricingQuantity": pricing_quantity,
        "PricingUnit": pricing_unit,
        "ListUnitPrice": unit_price,
        "ContractedUnitPrice": unit_price,
        "PricingCurrencyListUnitPrice": unit_price,
        "PricingCurrencyContractedUnitPrice": unit_price,
    }
    return row


def _templates() -> list[tuple[bool, dict[str, str | None]]]:
    """(hourly, row) for every combination: the rows written every hour of the term, and the
    one-time purchases written once."""
    templates: list[tuple[bool, dict[str, str | None]]] = []
    for purchase in PURCHASES:
        rows = _read_sample(f"commitment_discount_purchase_scenario_{purchase}")
        one_time = [r for r in rows if r["ChargeFrequency"] == "One-Time"]
        recurring = [r for r in rows if r["ChargeFrequency"] == "Recurring"]
        assert len(one_time) + len(recurring) == len(rows)
        # The file's recurring rows are the same hourly fee shown for several (malformed) hours.
        dateless = {
            tuple((k, v) for k, v in r.items() if not k.startswith("ChargePeriod")) for r in recurring
        }
        assert len(dateless) <= 1, f"purchase scenario {purchase}: recurring rows differ beyond their dates"
        for row in one_time:
            assert (_timestamp(row["ChargePeriodStart"]), _timestamp(row["ChargePeriodEnd"])) == (TERM_START, TERM_END)
        for usage in USAGES:
            templates += [(False, _focus_row(r, purchase, usage)) for r in one_time]
            templates += [(True, _focus_row(r, purchase, usage)) for r in recurring[:1]]
    for usage in USAGES:
        rows = _read_sample(f"commitment_discount_usage_scenario_{usage}")
        for row in rows:
            hour = _timestamp(row["ChargePeriodEnd"]) - _timestamp(row["ChargePeriodStart"])
            assert hour == dt.timedelta(hours=1), f"usage scenario {usage}: a row is not one hour"
        for purchase in PURCHASES:
            templates += [(True, _focus_row(r, purchase, usage)) for r in rows]
    return templates


def _sql_text(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def write_export(export_dir: Path) -> int:
    """Write the export, one CSV per billing period; returns the number of rows written."""
    import duckdb

    columns = [name for name, _ in FOCUS_COLUMNS]
    templates = _templates()
    con = duckdb.connect()
    try:
        con.execute(
            "create table templates (hourly boolean, "
            + ", ".join(f'"{c}" varchar' for c in columns) + ")"
        )
        con.execute("insert into templates values " + ", ".join(
            f"({hourly}, {', '.join(_sql_text(row[c]) for c in columns)})" for hourly, row in templates
        ))
        # Hourly rows are dated to each hour of the term; a one-time row keeps its charge period (the
        # term) and is billed in the term's first month.
        iso = "'%Y-%m-%dT%H:%M:%SZ'"
        con.execute(f"""
            create table export as
            with dated as (
                select templates.*, hours.hour
                from templates
                inner join generate_series(
                    timestamp '{TERM_START}', timestamp '{TERM_END}' - interval 1 hour, interval 1 hour
                ) as hours (hour) on templates.hourly
                union all
                select templates.*, timestamp '{TERM_START}' as hour
                from templates
                where not templates.hourly
            )
            select
                * exclude (hourly) replace (
                    strftime(date_trunc('month', hour), {iso}) as BillingPeriodStart,
                    strftime(date_trunc('month', hour) + interval 1 month, {iso}) as BillingPeriodEnd,
                    case when hourly then strftime(hour, {iso}) else ChargePeriodStart end as ChargePeriodStart,
                    case when hourly then strftime(hour + interval 1 hour, {iso}) else ChargePeriodEnd end
                        as ChargePeriodEnd
                )
            from dated
            order by hour, BillingAccountId, ChargeCategory, CommitmentDiscountStatus
        """)
        for month in range(1, 13):
            period = f"2023-{month:02d}"
            folder = export_dir / f"billing_period={period}"
            folder.mkdir(parents=True)
            target = str(folder / f"{EXPORT}-{period}.csv").replace("'", "''")
            select = ", ".join(f'"{c}"' for c in columns)
            con.execute(
                f"copy (select {select} from export where BillingPeriodStart = '{period}-01T00:00:00Z') "
                f"to '{target}' (header, delimiter ',')"
            )
        return con.execute("select count(*) from export").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def spec_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("focus_spec_commitments")
    landing = root / "landing"
    rows = write_export(landing / "focus" / EXPORT)
    (root / "expected_rows").write_text(str(rows))
    # The commitments.csv names no commitment of the export (only one that does not exist, which the
    # build must flag): everything the marts know about the commitments comes from the export.
    mappings = root / "mappings"
    mappings.mkdir()
    (mappings / "commitments.csv").write_text(
        "commitment_discount_id,term_months,note\nspec-9-9,12,a typo: no such commitment\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINOPS_MAPPINGS_DIR", str(mappings))
        return build_warehouse(landing, root / "warehouse.duckdb")


@pytest.fixture(scope="module")
def built(spec_build: Build) -> Build:
    """The build, for tests that read its marts: they cannot say anything if the build failed."""
    assert spec_build.returncode == 0, spec_build.output[-8000:]
    return spec_build


# --------------------------------------------------------------------------------------------
# The build


def test_spec_examples_build_with_every_dbt_test_passing(spec_build: Build) -> None:
    assert spec_build.returncode == 0, spec_build.output[-8000:]


@needs_validator
def test_spec_examples_pass_every_focus_validator_must_rule(built: Build, tmp_path: Path) -> None:
    assert failed_must_rules(built, tmp_path) == {}


def test_a_commitments_csv_row_that_names_no_commitment_is_flagged(spec_build: Build) -> None:
    assert re.search(r"WARN 1\S* warn_commitments_csv_names_unknown_commitments", spec_build.output), (
        spec_build.output[-8000:]
    )


def test_every_row_is_loaded_and_reconciles(built: Build) -> None:
    expected_rows = int((built.landing.parent / "expected_rows").read_text())
    # 12 combinations x 8,760 hours x (usage rows + recurring purchase row), + 8 one-time purchases
    per_hour = sum(len(_read_sample(f"commitment_discount_usage_scenario_{u}")) for u in USAGES) * len(PURCHASES)
    per_hour += sum(1 for p in PURCHASES if PURCHASES[p].recurring_per_hour) * len(USAGES)
    assert expected_rows == per_hour * TERM_HOURS + sum(1 for p in PURCHASES if PURCHASES[p].upfront) * len(USAGES)
    assert built.query("select sum(rows_loaded), count(*) from raw.landing_files") == [(expected_rows, 12)]
    assert built.query("select count(*) from marts.quarantine_line_items") == [(0,)]
    periods = built.query(
        "select count(*), count(distinct billing_period_start), count(distinct billing_account_id), "
        "bool_and(is_reconciled) from marts.fct_billing_reconciliation"
    )
    assert periods == [(12 * 12, 12, 12, True)]


# --------------------------------------------------------------------------------------------
# dim_commitments


def test_one_commitment_per_combination_with_its_payment_option_and_term(built: Build) -> None:
    rows = built.query(
        "select commitment_discount_id, billing_account_id, provider_name, billing_currency, "
        "commitment_discount_type, commitment_discount_category, payment_option, payment_option_source, "
        "term_start, term_end, term_hours, term_source from marts.dim_commitments"
    )
    actual = {row[0]: row[1:] for row in rows}
    assert len(rows) == len(actual) == len(COMBINATIONS)
    for purchase, usage in COMBINATIONS:
        # The term is stated by the one-time purchase's charge period (scenarios 1 and 3). A No Upfront
        # commitment's rows say nothing about its term (only hourly fees, no commitments.csv): unknown.
        if PURCHASES[purchase].upfront:
            term = (TERM_START, TERM_END, TERM_HOURS, "one-time purchase charge period")
        else:
            term = (None, None, None, None)
        assert actual[commitment_id(purchase, usage)] == (
            account_id(purchase, usage), PROVIDER, "USD", "Commitment", "Spend",
            PURCHASES[purchase].payment_option, "purchases observed", *term,
        ), label(purchase, usage)


def test_what_each_commitment_costs_and_commits_to(built: Build) -> None:
    rows = built.query(
        "select commitment_discount_id, upfront_amount, recurring_amount_per_hour, "
        "committed_quantity_per_hour, committed_unit, committed_quantity_source, utilization_basis, "
        "utilization_unit, one_time_purchase_cost, recurring_purchase_cost from marts.dim_commitments"
    )
    actual = {row[0]: row[1:] for row in rows}
    for purchase, usage in COMBINATIONS:
        p = PURCHASES[purchase]
        # recurring_amount_per_hour is recurring purchase cost / hours those purchases cover; an All
        # Upfront commitment (upfront paid, nothing recurring seen) recurs at 0.
        recurring = p.recurring_per_hour
        # Every purchase row states its quantity of USD: one-time 8,760 (or 4,380) over 8,760 hours
        # and/or recurring 1.00 (or 0.50) an hour add up to 1.00 USD of commitment per hour.
        assert actual[commitment_id(purchase, usage)] == (
            p.upfront, recurring, Decimal("1.00"), "USD", "purchase rows", "quantity", "USD",
            p.upfront, p.recurring_per_hour * TERM_HOURS,
        ), label(purchase, usage)


@pytest.mark.parametrize("purchase", [1, 2, 3])
def test_amortized_cost_per_hour(built: Build, purchase: int) -> None:
    """The spec's commitment costs 1.00 an hour on the amortised basis whatever the payment option
    (upfront_amount / term_hours + recurring_amount_per_hour)."""
    rows = built.query(
        "select commitment_discount_id, amortized_cost_per_hour from marts.dim_commitments "
        f"where commitment_discount_id like 'spec-{purchase}-%'"
    )
    # No Upfront: the term is unknown (see above), but without an upfront payment it does not matter.
    assert dict(rows) == {commitment_id(purchase, u): Decimal("1.00") for u in USAGES}


def test_effective_cost_over_the_term_equals_what_was_paid(built: Build) -> None:
    """The spec's point of amortisation: Σ EffectiveCost of the Used and Unused rows = 8,760.00,
    exactly what each payment option pays over the year."""
    rows = built.query(
        "select commitment_discount_id, used_effective_cost, unused_effective_cost, "
        "one_time_purchase_cost + recurring_purchase_cost from marts.dim_commitments"
    )
    actual = {row[0]: row[1:] for row in rows}
    for purchase, usage in COMBINATIONS:
        u = USAGES[usage]
        used, unused, paid = actual[commitment_id(purchase, usage)]
        assert (used, unused) == (u.used * TERM_HOURS, u.unused * TERM_HOURS), label(purchase, usage)
        assert used + unused == paid == Decimal("8760.00"), label(purchase, usage)


# --------------------------------------------------------------------------------------------
# Utilisation


def test_daily_utilization_every_day_of_the_term(built: Build) -> None:
    rows = built.query(
        "select commitment_discount_id, count(*), count(distinct charge_date), min(charge_date), max(charge_date), "
        "list(distinct {'committed': committed_quantity, 'used': used_quantity, 'unused': unused_quantity, "
        "'utilization': utilization, 'used_cost': used_effective_cost, 'unused_cost': unused_effective_cost}), "
        "bool_and(used_quantity + unused_quantity = committed_quantity), min(committed_quantity_source) "
        "from marts.fct_commitment_utilization group by 1"
    )
    actual = {row[0]: row[1:] for row in rows}
    assert set(actual) == {commitment_id(p, u) for p, u in COMBINATIONS}
    for purchase, usage in COMBINATIONS:
        u = USAGES[usage]
        days, distinct_days, first, last, values, adds_up, source = actual[commitment_id(purchase, usage)]
        assert (days, distinct_days, first, last) == (TERM_DAYS, TERM_DAYS, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
        # every day: 24 committed dollars-hours, used and unused as the hour of the scenario, 24 times
        day = {
            "committed": Decimal(24), "used": u.used * 24, "unused": u.unused * 24,
            "utilization": u.utilization, "used_cost": u.used * 24, "unused_cost": u.unused * 24,
        }
        assert values == [day], label(purchase, usage)
        assert adds_up and source == "purchase rows", label(purchase, usage)


def test_monthly_utilization(built: Build) -> None:
    rows = built.query(
        "select commitment_discount_id, charge_month, days_observed, committed_quantity, used_quantity, "
        "unused_quantity, utilization from marts.fct_commitment_utilization_monthly"
    )
    actual = {(row[0], row[1]): row[2:] for row in rows}
    assert len(actual) == 12 * len(COMBINATIONS)
    for purchase, usage in COMBINATIONS:
        u = USAGES[usage]
        january = actual[(commitment_id(purchase, usage), dt.date(2023, 1, 1))]
        assert january == (31, Decimal(744), u.used * 744, u.unused * 744, u.utilization), label(purchase, usage)
        for month in range(1, 13):
            start = dt.date(2023, month, 1)
            days = ((dt.date(2023 + month // 12, month % 12 + 1, 1)) - start).days
            hours = Decimal(24 * days)
            assert actual[(commitment_id(purchase, usage), start)] == (
                days, hours, u.used * hours, u.unused * hours, u.utilization,
            ), (label(purchase, usage), month)


# --------------------------------------------------------------------------------------------
# Costs: billed vs amortised, and the cost of the unused commitment


def test_daily_billed_and_effective_cost_per_account(built: Build) -> None:
    """Every day costs 24.00 effective (1.00 an hour, used or not) plus 12.00 of on-demand overage
    (scenario 4); billed is the upfront payment on 2023-01-01, the recurring fee every day, and
    the overage."""
    rows = built.query(
        "select billing_account_id, charge_date, sum(billed_cost), sum(effective_cost) "
        "from marts.fct_amortized_costs group by 1, 2"
    )
    actual = {(row[0], row[1]): row[2:] for row in rows}
    assert len(actual) == TERM_DAYS * len(COMBINATIONS)
    for purchase, usage in COMBINATIONS:
        p, u = PURCHASES[purchase], USAGES[usage]
        for offset in range(TERM_DAYS):
            day = dt.date(2023, 1, 1) + dt.timedelta(days=offset)
            billed = 24 * (p.recurring_per_hour + u.on_demand) + (p.upfront if offset == 0 else ZERO)
            effective = 24 * (u.used + u.unused + u.on_demand)
            assert actual[(account_id(purchase, usage), day)] == (billed, effective), (label(purchase, usage), day)
    # the examples the spec spells out, for the reader
    assert actual[(account_id(1, 1), dt.date(2023, 1, 1))] == (Decimal("8760.00"), Decimal("24.00"))
    assert actual[(account_id(1, 4), dt.date(2023, 6, 1))] == (Decimal("12.00"), Decimal("36.00"))
    assert actual[(account_id(2, 1), dt.date(2023, 6, 1))] == (Decimal("24.00"), Decimal("24.00"))
    assert actual[(account_id(3, 1), dt.date(2023, 1, 1))] == (Decimal("4392.00"), Decimal("24.00"))


def test_unused_commitment_cost_over_the_year(built: Build) -> None:
    rows = built.query(
        "select billing_account_id, sum(unused_commitment_cost), sum(covered_effective_cost) "
        "from marts.fct_commitment_savings group by 1"
    )
    actual = {row[0]: row[1:] for row in rows}
    expected_unused = {1: Decimal("0"), 2: Decimal("8760.00"), 3: Decimal("2190.00"), 4: Decimal("0")}
    for purchase, usage in COMBINATIONS:
        assert actual[account_id(purchase, usage)] == (
            expected_unused[usage], USAGES[usage].used * TERM_HOURS,
        ), label(purchase, usage)


def test_commitments_that_end_inside_the_forecast_horizon_show_their_change_from_the_first_day_without(
        built: Build) -> None:
    """Every commitment's term ends on 2024-01-01, the day after the export's last day, so the forecast
    shows, from that day, what its end changes, measured on its last 28 days: the covered usage priced at its
    contracted rate again (here 1.00 an hour, the commitment's own price: no discount comes back) and its fee
    and unused cost gone. Effective basis: the unused cost goes (-24 x unused per hour); billed basis: the
    covered usage is billed again and the recurring fee stops (24 x (used - fee per hour)): an all-upfront
    commitment fully used costs 24.00 a day more to pay for, a partial-upfront one 12.00. The no-upfront
    commitments (purchase scenario 2) state no term in the export (only hourly fees), so they have no known end
    and no line."""
    rows = built.query(
        "select series_value, cost_basis, min(forecast_date), count(distinct forecast_date), "
        "min(commitment_expiry_cost), max(commitment_expiry_cost), any_value(expiring_commitment_ids) "
        "from marts.fct_cost_forecast where series_grain = 'billing_account' group by all"
    )
    actual = {(value.split(" / ", 1)[1], basis): rest for value, basis, *rest in rows}
    horizon_days = len({row[3] for row in rows})
    assert horizon_days == 1, "every series is forecast over the same days"
    for purchase, usage in COMBINATIONS:
        p, u = PURCHASES[purchase], USAGES[usage]
        known_end = purchase != 2
        expected = {"effective": -24 * u.unused, "billed": 24 * (u.used - p.recurring_per_hour)}
        for basis, change in expected.items():
            first, _, low, high, ids = actual[(account_id(purchase, usage), basis)]
            assert first == dt.date(2024, 1, 1), label(purchase, usage)
            assert low == high == (change if known_end else 0), (label(purchase, usage), basis, low, high, change)
            assert ids == (commitment_id(purchase, usage) if known_end else None)
    (total_effective, total_billed), = built.query(
        "select sum(commitment_expiry_cost) filter (where cost_basis = 'effective'), "
        "sum(commitment_expiry_cost) filter (where cost_basis = 'billed') "
        "from marts.fct_cost_forecast where series_id = 'total:all' and forecast_date = '2024-01-01'")
    assert total_effective == sum(-24 * USAGES[u].unused for p, u in COMBINATIONS if p != 2)
    assert total_billed == sum(24 * (USAGES[u].used - PURCHASES[p].recurring_per_hour)
                               for p, u in COMBINATIONS if p != 2)
