"""End to end: the warehouse built from generated exports gives the answers the generator knows."""

from __future__ import annotations

import csv
from decimal import Decimal

from finops.landing.focus import FOCUS_COLUMNS
from finops.settings import SAMPLE_MAPPINGS_DIR

from .conftest import Build

CUR_LINE_ITEM_TYPES = {
    "Usage", "DiscountedUsage", "RIFee", "Fee", "SavingsPlanCoveredUsage", "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee", "Tax", "Credit", "Refund", "EdpDiscount", "BundledDiscount",
}


def test_build_passes_every_dbt_test(generated_build: Build) -> None:
    assert generated_build.returncode == 0, generated_build.output[-8000:]
    assert "Completed successfully" in generated_build.output


def test_reconciliation_matches_the_generators_own_totals(generated_build: Build) -> None:
    """Billed and amortised totals per report, account and period equal what the generator computed
    independently from what it wrote (current deliveries only), to the last decimal."""
    with open(generated_build.landing / "_truth" / "expected_totals.csv", newline="") as handle:
        expected = {
            (row["source"], row["billing_account_id"], row["billing_period_start"]): (
                Decimal(row["billed_cost"]), Decimal(row["amortized_cost"]), int(row["row_count"]),
            )
            for row in csv.DictReader(handle)
            if row["source"] in ("aws_cur", "aws_cur2")
        }
    actual = {
        (source, account, str(period)): (billed, effective, rows)
        for source, account, period, billed, effective, rows, reconciled in generated_build.query(
            "select source_name, billing_account_id, cast(billing_period_start as date), focus_billed_cost, "
            "focus_effective_cost, raw_row_count, is_reconciled "
            "from marts.fct_billing_reconciliation where source_name in ('aws_cur', 'aws_cur2')"
        )
        if reconciled
    }
    assert actual == expected


def test_only_the_current_delivery_of_a_redelivered_month_counts(generated_build: Build) -> None:
    superseded = generated_build.query(
        "select file_path from raw.landing_files where status = 'superseded'"
    )
    assert superseded, "the generator writes a stale delivery; the loader must mark it superseded"
    stale_files = [row[0] for row in superseded]
    leaked = generated_build.query(
        f"select count(*) from marts.focus_cost_and_usage where x_source_file in ({', '.join(repr(f) for f in stale_files)})"
    )[0][0]
    assert leaked == 0


def test_every_cost_line_item_type_reaches_focus_in_every_report(generated_build: Build) -> None:
    seen: dict[str, set[str]] = {}
    for export, line_item_type in generated_build.query(
        "select distinct x_source_export, x_source_line_item_type from marts.focus_cost_and_usage "
        "where x_source_name in ('aws_cur', 'aws_cur2')"
    ):
        seen.setdefault(export, set()).add(line_item_type)
    assert set(seen) == {"acme-payer-cur", "globex-payer-cur", "initech-cur2"}
    for export, types in seen.items():
        assert CUR_LINE_ITEM_TYPES <= types, f"{export} lacks {CUR_LINE_ITEM_TYPES - types}"
        assert "SavingsPlanNegation" not in types


def test_unused_commitment_rows_for_reservations_and_savings_plans(generated_build: Build) -> None:
    rows = dict(generated_build.query(
        "select CommitmentDiscountType, sum(EffectiveCost) from marts.focus_cost_and_usage "
        "where CommitmentDiscountStatus = 'Unused' and ProviderName = 'AWS' group by 1"
    ))
    assert set(rows) == {"Reserved Instance", "Savings Plan"}
    assert all(amount > 0 for amount in rows.values())


def test_effective_cost_of_commitments_equals_the_fees_amortised(generated_build: Build) -> None:
    """Per Savings Plan and hour, used + unused effective cost = the hourly commitment (FOCUS rule 13
    at the grain the CUR bills it)."""
    mismatches = generated_build.query(
        """
        with usage as (
            select CommitmentDiscountId as id, ChargePeriodStart as hour, sum(EffectiveCost) as effective
            from marts.focus_cost_and_usage
            where CommitmentDiscountCategory = 'Spend' and ChargeCategory = 'Usage'
            group by 1, 2
        ),
        fees as (
            select CommitmentDiscountId as id, ChargePeriodStart as hour, sum(CommitmentDiscountQuantity) as committed
            from marts.focus_cost_and_usage
            where x_source_line_item_type = 'SavingsPlanRecurringFee' and x_row_kind = 'charge'
            group by 1, 2
        )
        select fees.id, fees.hour, fees.committed, usage.effective
        from fees left join usage using (id, hour)
        where usage.effective is distinct from fees.committed
        """
    )
    assert mismatches == []


def test_messy_tags_keep_case_variants_and_unicode(generated_build: Build) -> None:
    keys: set[str] = set()
    values: set[str] = set()
    for (tags,) in generated_build.query(
        "select distinct Tags from marts.focus_cost_and_usage where Tags is not null and x_source_name = 'aws_cur'"
    ):
        parsed = tags  # a MAP(VARCHAR, VARCHAR): a dict in Python
        keys |= set(parsed)
        values |= set(parsed.values())
    assert {"Team", "team"} <= keys
    assert any(not value.isascii() for value in values)
    assert "" not in values


def test_public_model_has_the_focus_columns_in_order_then_extensions(generated_build: Build) -> None:
    columns = [row[0] for row in generated_build.query(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'focus_cost_and_usage' order by ordinal_position"
    )]
    focus = [name for name, _ in FOCUS_COLUMNS]
    assert columns[: len(focus)] == focus
    assert len(focus) == 57
    assert all(name.startswith("x_") for name in columns[len(focus):])


def test_money_is_decimal_everywhere(generated_build: Build) -> None:
    floating = generated_build.query(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts') and data_type in ('DOUBLE', 'FLOAT', 'REAL')"
    )
    assert floating == []


def test_every_aws_flavour_names_a_service_the_same_way(generated_build: Build) -> None:
    """CUR 2.0 keeps the product name in its `product` map; ServiceName must not fall back to the
    product code there while the legacy CUR spells it out."""
    rows = generated_build.query(
        'select distinct "ServiceName" from marts.focus_cost_and_usage '
        "where \"ProviderName\" = 'AWS' and x_source_name = 'aws_cur2'"
    )
    names = {r[0] for r in rows}
    assert "Amazon Elastic Compute Cloud" in names
    assert not names & {"AmazonEC2", "AmazonS3", "AmazonRDS", "AWSLambda"}, names


def test_accounts_are_named_by_accounts_csv_else_by_their_export(generated_build: Build) -> None:
    """The sample accounts.csv names the legacy CUR's accounts (which state no names) and the Google Cloud
    billing accounts (Google's export names none); CUR 2.0, Azure and the native FOCUS exports keep the
    names they state. Every billing and sub account has a name (D45)."""
    with open(SAMPLE_MAPPINGS_DIR / "accounts.csv", newline="", encoding="utf-8") as handle:
        mapped = {row["account_id"]: row["account_name"] for row in csv.DictReader(handle)}
    names = generated_build.query(
        "select distinct x_source_name, BillingAccountId, BillingAccountName, SubAccountId, SubAccountName "
        "from marts.focus_cost_and_usage"
    )
    billing = {(source, account): name for source, account, name, _, _ in names}
    for (source, account), name in billing.items():
        if account in mapped:
            assert name == mapped[account], (source, account)
        else:
            assert name and name != account, (source, account, name)  # the export's own name
    for _, _, _, sub_account, sub_name in names:
        if sub_account is not None:
            assert sub_name == mapped.get(sub_account, sub_name) and sub_name, sub_account
    assert {source for source, account in billing if account in mapped} == {"aws_cur", "gcp"}
