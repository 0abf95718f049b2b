"""End to end: the warehouse built from generated exports gives the answers the generator knows."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from finops.landing.focus import FOCUS_COLUMNS
from finops.sample_data import config as C
from finops.sample_data.aws import stable_uuid
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


def test_effective_cost_of_commitments_equals_the_fees_amortized(generated_build: Build) -> None:
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


def test_every_aws_flavor_names_a_service_the_same_way(generated_build: Build) -> None:
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


# --------------------------------------------------------------------------------------------
# Known answers for the Azure and Google Cloud rows of the warehouse built from generated data
# (conftest's `generated_build`: seed 7, 3 months, 6,000 rows a month).
# 
# The generator writes Azure cost details exports (an EA account in USD, an MCA billing profile in
# EUR; actual and amortised; the second month exported twice) and Google Cloud billing extracts (USD
# and GBP billing accounts; the second invoice month extracted twice), with their totals in
# `_truth/expected_totals.csv`. Every amount is compared exactly, as Decimal.
# --------------------------------------------------------------------------------------------

SEED = 7
ROWS_PER_MONTH = 6000
RE_EXPORTED_MONTH = "2026-08-01"  # month index min(1, months - 1) is delivered twice

AZURE = "x_source_name = 'azure'"
GCP = "x_source_name = 'gcp'"


def money(value: object) -> Decimal:
    """An amount as the warehouse keeps it: DECIMAL(38, 12), rounded half away from zero."""
    return Decimal(str(value)).quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def build(generated_build: Build) -> Build:
    assert generated_build.returncode == 0, generated_build.output[-6000:]
    return generated_build


@pytest.fixture(scope="module")
def truth(build: Build) -> list[dict[str, str]]:
    with (build.landing / "_truth" / "expected_totals.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["source"] in ("azure", "gcp")]
    assert {row["source"] for row in rows} == {"azure", "gcp"}
    return rows


# ---------------------------------------------------------------- reconciliation against the truth


def test_truth_totals_reconcile_exactly(build: Build, truth: list[dict[str, str]]) -> None:
    """Per truth row: raw and FOCUS totals = the truth's billed and amortised totals, reconciled, none quarantined."""
    actual = {
        (source, account, str(period), currency): rest
        for source, account, period, currency, *rest in build.query(
            "select source_name, billing_account_id, cast(billing_period_start as date), billing_currency, "
            "raw_billed_cost, raw_amortized_cost, focus_billed_cost, focus_effective_cost, raw_row_count, "
            "is_reconciled, quarantined_row_count, quarantined_billed_cost, quarantined_amortized_cost "
            "from marts.fct_billing_reconciliation where source_name in ('azure', 'gcp')")
    }
    expected = {}
    for row in truth:
        billed, amortized = Decimal(row["billed_cost"]), Decimal(row["amortized_cost"])
        expected[(row["source"], row["billing_account_id"], row["billing_period_start"], row["currency"])] = [
            billed, amortized, billed, amortized, int(row["row_count"]), True, 0, Decimal(0), Decimal(0)]
    assert actual == expected


def test_google_billed_is_cost_plus_credits_on_both_bases(truth: list[dict[str, str]]) -> None:
    """Google Cloud's truth is Σ cost + Σ credits on both bases (no amortisation), so FOCUS Billed = Effective."""
    gcp = [row for row in truth if row["source"] == "gcp"]
    assert gcp and all(row["billed_cost"] == row["amortized_cost"] for row in gcp)


# ---------------------------------------------------------------- re-deliveries


def test_re_exported_azure_month_counts_only_the_newest_run(build: Build, truth: list[dict[str, str]]) -> None:
    """Each Azure export's re-exported month has one superseded run (not loaded) and one current run,
    whose rows (actual + amortised) are the truth's row count; no other month is superseded."""
    files = build.query(
        "select export_name, file_path, status, rows_loaded, reason from raw.landing_files where source = 'azure'")
    superseded = [f for f in files if f[2] == "superseded"]
    exports = {f[0] for f in files}
    assert len(exports) == 4 and len(superseded) == 4
    assert {(f[0], f[1].split("/")[2]) for f in superseded} == {(e, "20260801-20260831") for e in exports}
    assert all(f[3] == 0 and f[4].startswith("replaced by the newer export run") for f in superseded)
    for row in truth:
        if row["source"] != "azure":
            continue
        period = row["billing_period_start"].replace("-", "")
        current = [f for f in files if f[0].startswith(row["report"] + "-") and f[1].split("/")[2].startswith(period)
                   and f[2] == "current"]
        assert len(current) == 2, current
        assert sum(f[3] for f in current) == int(row["row_count"]), row


def test_re_extracted_google_month_counts_only_the_newest_extract(build: Build, truth: list[dict[str, str]]) -> None:
    """Each Google export's re-extracted invoice month has one superseded extract (not loaded); the current
    extract's rows are the truth's row count, and more than the stale extract held."""
    import gzip

    files = build.query(
        "select export_name, file_path, status, rows_loaded, reason from raw.landing_files where source = 'gcp'")
    superseded = [f for f in files if f[2] == "superseded"]
    assert {f[0] for f in superseded} == {spec.export for spec in C.GCP_ACCOUNTS} and len(superseded) == 2
    assert all("/invoice_month=202608/" in f[1] and f[3] == 0 for f in superseded)
    for row in truth:
        if row["source"] != "gcp":
            continue
        month = row["billing_period_start"][:7].replace("-", "")
        current = [f for f in files if f[0] == row["report"] and f"/invoice_month={month}/" in f[1]
                   and f[2] == "current"]
        assert len(current) == 1 and current[0][3] == int(row["row_count"]), row
        for stale in (f for f in superseded if f[0] == row["report"] and f"/invoice_month={month}/" in f[1]):
            with gzip.open(build.landing / stale[1], "rt", encoding="utf-8") as handle:
                stale_rows = sum(1 for line in handle if line.strip())
            assert 0 < stale_rows < int(row["row_count"])


# ---------------------------------------------------------------- Azure mapping


def test_azure_covered_usage_bills_zero_and_costs_its_amortized_share(build: Build) -> None:
    """Covered usage (CommitmentDiscountStatus Used) has BilledCost 0 and EffectiveCost > 0."""
    rows = build.query(f"select BilledCost, EffectiveCost from marts.focus_cost_and_usage "
                       f"where {AZURE} and CommitmentDiscountStatus = 'Used'")
    assert rows and all(billed == 0 and effective > 0 for billed, effective in rows)


def test_azure_unused_commitment_rows_name_the_commitment_as_resource(build: Build) -> None:
    """Unused rows exist (reservations and savings plans), bill 0, and have ResourceId = CommitmentDiscountId."""
    rows = build.query(f"select x_source_line_item_type, ResourceId, CommitmentDiscountId, BilledCost, EffectiveCost "
                       f"from marts.focus_cost_and_usage where {AZURE} and CommitmentDiscountStatus = 'Unused'")
    assert {row[0] for row in rows} == {"UnusedReservation", "UnusedSavingsPlan"}
    assert all(row[1] == row[2] is not None and row[3] == 0 and row[4] > 0 for row in rows)


def test_azure_purchases_from_the_actual_export_are_effective_zero(build: Build) -> None:
    """The actual export gives only commitment purchases and refunds: Purchase rows with EffectiveCost 0 and the
    commitment's id (per account: 2 monthly payments × 3 months + 1 upfront purchase, and 1 refund)."""
    rows = build.query(
        f"select x_source_line_item_type, ChargeCategory, EffectiveCost, BilledCost, CommitmentDiscountId "
        f"from marts.focus_cost_and_usage where {AZURE} and x_source_export like '%-actual'")
    assert sorted(row[0] for row in rows) == ["Purchase"] * 14 + ["Refund"] * 2
    assert all(row[1] == "Purchase" and row[2] == 0 and row[3] != 0 and row[4] for row in rows), rows


def test_azure_refund_is_a_purchase_correction(build: Build) -> None:
    """The refund of the returned reservation is a Purchase, ChargeClass Correction, negative BilledCost."""
    rows = build.query(f"select ChargeCategory, ChargeClass, BilledCost < 0, EffectiveCost "
                       f"from marts.focus_cost_and_usage where {AZURE} and x_source_line_item_type = 'Refund'")
    assert rows == [("Purchase", "Correction", True, Decimal(0))] * 2


def test_azure_rounding_adjustment_is_an_adjustment(build: Build) -> None:
    """RoundingAdjustment (MCA, one a month) → ChargeCategory Adjustment."""
    rows = build.query(f"select ChargeCategory, count(*) from marts.focus_cost_and_usage "
                       f"where {AZURE} and x_source_line_item_type = 'RoundingAdjustment' group by 1")
    assert rows == [("Adjustment", 3)]


def test_azure_billing_account_is_the_billing_profile(build: Build) -> None:
    """MCA rows: BillingAccountType 'Billing Profile', BillingAccountId the billing profile; EA rows: the enrollment."""
    rows = set(build.query(f"select split_part(x_source_export, '-', 1), BillingAccountId, BillingAccountType "
                           f"from marts.focus_cost_and_usage where {AZURE}"))
    ea, mca = (next(s for s in C.AZURE_ACCOUNTS if s.key == key) for key in ("EA", "MCA"))
    assert rows == {(mca.company, mca.billing_profile_id, "Billing Profile"),
                    (ea.company, ea.billing_account_id, "Billing Account")}
    assert mca.billing_profile_id != mca.billing_account_id


def _block_size(unit_of_measure: str) -> int:
    match = re.match(r"^\s*(\d+)\s*(K?)", unit_of_measure or "")
    return int(match.group(1)) * (1000 if match.group(2) else 1) if match else 1


def test_azure_list_unit_price_is_per_pricing_block(build: Build) -> None:
    """On usage priced in blocks (`100 Hours`, `10 Hours`, `10K`): PricingQuantity × ListUnitPrice = ListCost."""
    rows = build.query_work(
        "select r.unit_of_measure, f.PricingQuantity, f.ListUnitPrice, f.ListCost "
        "from marts.focus_cost_and_usage as f join raw.azure_cost_details as r "
        "on r._source_file = f.x_source_file and r._source_row_number = f.x_source_row_number "
        f"where f.{AZURE} and f.ChargeCategory = 'Usage' and f.ListUnitPrice is not null")
    blocked = [row for row in rows if _block_size(row[0]) > 1]
    assert {row[0] for row in blocked} >= {"100 Hours", "10 Hours", "10K"}
    mismatched = [row for row in blocked if row[1] * row[2] != row[3]]
    assert not mismatched, mismatched[:5]


def _azure_daily_commitment_cost() -> dict[str, Decimal]:
    """Per commitment id, what the generator spreads over each active day: units × 24 h × amortised hourly
    rate (list price × account price factor × commitment rate factor); covered + unused hours = units × 24."""
    k = max(1, ROWS_PER_MONTH // 250_000)
    payg = {meter.key: meter.payg for meter in C.AZURE_METERS}
    expected = {}
    for account in C.AZURE_ACCOUNTS:
        for commitment in C.AZURE_COMMITMENTS:
            order = stable_uuid(SEED, account.key, commitment.key, "order")
            # the warehouse names a commitment by its order (the reservation or plan inside it is not needed)
            path = ("Microsoft.Capacity/reservationOrders/{}" if commitment.kind == "Reservation"
                    else "Microsoft.BillingBenefits/savingsPlanOrders/{}")
            rate = payg[commitment.meter_key] * account.price_factor * commitment.rate_factor
            expected["/providers/" + path.format(order)] = commitment.units_per_k * k * 24 * rate
    return expected


def test_azure_commitments_amortize_evenly_every_day(build: Build) -> None:
    """Per Azure commitment and day, Σ EffectiveCost of its Used + Unused rows is the same every day:
    units × 24 × the amortised hourly rate, as the generator defines it."""
    daily: dict[str, set[Decimal]] = defaultdict(set)
    days: dict[str, int] = defaultdict(int)
    for commitment, _, total in build.query(
            f"select CommitmentDiscountId, ChargePeriodStart, sum(EffectiveCost) from marts.focus_cost_and_usage "
            f"where {AZURE} and CommitmentDiscountStatus in ('Used', 'Unused') group by 1, 2"):
        daily[commitment].add(total)
        days[commitment] += 1
    expected = _azure_daily_commitment_cost()
    assert {commitment: totals for commitment, totals in daily.items()} == {c: {v} for c, v in expected.items()}
    assert min(days.values()) >= 10


# ---------------------------------------------------------------- Google Cloud mapping


@pytest.fixture(scope="module")
def gcp_rows(build: Build) -> list[dict]:
    """Every Google Cloud FOCUS row with the raw export row it came from (credits and labels parsed)."""
    columns = ("BilledCost", "EffectiveCost", "ChargeCategory", "ChargeClass", "ChargeFrequency",
               "CommitmentDiscountId", "CommitmentDiscountStatus", "PricingCategory", "Tags",
               "cost", "credits", "cost_type", "subscription_instance_id", "labels", "system_labels",
               "project_labels", "usage_start_time", "invoice_month", "adjustment_info_id")
    rows = build.query_work(
        "select f.BilledCost, f.EffectiveCost, f.ChargeCategory, f.ChargeClass, f.ChargeFrequency, "
        "f.CommitmentDiscountId, f.CommitmentDiscountStatus, f.PricingCategory, f.Tags, r.cost, r.credits, "
        "r.cost_type, r.subscription_instance_id, r.labels, r.system_labels, r.project_labels, r.usage_start_time, "
        "r.invoice_month, r.adjustment_info_id "
        "from marts.focus_cost_and_usage as f join raw.gcp_billing_export as r "
        f"on r._source_file = f.x_source_file and r._source_row_number = f.x_source_row_number where f.{GCP}")
    parsed = []
    for row in rows:
        record = dict(zip(columns, row))
        for field in ("credits", "labels", "system_labels", "project_labels"):
            record[field] = json.loads(record[field], parse_float=Decimal) if record[field] else []
        parsed.append(record)
    assert len(parsed) == build.query(f"select count(*) from marts.focus_cost_and_usage where {GCP}")[0][0]
    return parsed


def test_gcp_every_credit_type_lowers_its_row(gcp_rows: list[dict]) -> None:
    """Every credit type appears, and each row's BilledCost = EffectiveCost = cost + Σ credits.amount, exactly."""
    types = {credit["type"] for row in gcp_rows for credit in row["credits"]}
    assert types == {"COMMITTED_USAGE_DISCOUNT", "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE", "SUSTAINED_USAGE_DISCOUNT",
                     "FREE_TIER", "PROMOTION", "DISCOUNT"}
    wrong = [row for row in gcp_rows
             if not row["BilledCost"] == row["EffectiveCost"]
             == money(row["cost"]) + sum((money(c["amount"]) for c in row["credits"]), Decimal(0))]
    assert not wrong, wrong[:3]


def test_gcp_cud_covered_usage_names_its_commitment(gcp_rows: list[dict]) -> None:
    """Usage with a committed use discount credit: CommitmentDiscountId = the credit's id (resource-based first),
    status Used, PricingCategory Committed; no other row is Used."""
    covered = 0
    for row in gcp_rows:
        cuds = sorted((c for c in row["credits"] if c["type"].startswith("COMMITTED_USAGE_DISCOUNT")),
                      key=lambda c: c["type"] != "COMMITTED_USAGE_DISCOUNT")
        if cuds and row["cost_type"] == "regular" and not row["subscription_instance_id"]:
            covered += 1
            assert (row["ChargeCategory"], row["CommitmentDiscountId"], row["CommitmentDiscountStatus"],
                    row["PricingCategory"]) == ("Usage", cuds[0]["id"], "Used", "Committed"), row
        else:
            assert row["CommitmentDiscountStatus"] is None, row
    assert covered > 0


def test_gcp_commitment_fees_are_recurring_purchases(gcp_rows: list[dict]) -> None:
    """Commitment fee rows (subscription.instance_id) are Purchase / Recurring with CommitmentDiscountId = the
    instance id, which is the id the covered usage's credits name."""
    fees = [row for row in gcp_rows if row["subscription_instance_id"]]
    assert fees
    assert all((row["ChargeCategory"], row["ChargeFrequency"], row["CommitmentDiscountId"])
               == ("Purchase", "Recurring", row["subscription_instance_id"]) for row in fees)
    credited = {c["id"] for row in gcp_rows for c in row["credits"] if c["type"].startswith("COMMITTED_USAGE_DISCOUNT")}
    assert {row["subscription_instance_id"] for row in fees} == credited


def test_gcp_resources_have_the_type_their_global_name_names(build: Build) -> None:
    """ResourceType is the service host and collection of resource.global_name (D47): every Google Cloud
    row with a resource has one, and no row without a resource does."""
    rows = build.query(f"select ResourceId, ResourceType from marts.focus_cost_and_usage where {GCP}")
    with_resource = [(resource, kind) for resource, kind in rows if resource is not None]
    assert with_resource and all(kind is None for resource, kind in rows if resource is None)
    for resource, kind in with_resource:
        host, *path = resource.removeprefix("//").split("/")
        assert kind == f"{host}/{path[-2]}", resource
    assert {kind for _, kind in with_resource} >= {"compute.googleapis.com/instances"}


def test_gcp_tax_rows_are_tax(gcp_rows: list[dict]) -> None:
    """cost_type tax → ChargeCategory Tax (one per account and month)."""
    categories = [row["ChargeCategory"] for row in gcp_rows if row["cost_type"] == "tax"]
    assert categories == ["Tax"] * 6


def test_gcp_correction_of_an_earlier_month_is_a_correction(gcp_rows: list[dict]) -> None:
    """An adjustment of usage before its invoice month is Adjustment / Correction; one of its own month is not."""
    adjustments = [row for row in gcp_rows if row["cost_type"] == "adjustment"]
    for row in adjustments:
        earlier = row["usage_start_time"][:7].replace("-", "") < row["invoice_month"]
        assert row["adjustment_info_id"]
        assert (row["ChargeCategory"], row["ChargeClass"]) == ("Adjustment", "Correction" if earlier else None), row
    assert sorted(row["ChargeClass"] or "" for row in adjustments) == [""] * 6 + ["Correction"] * 6


def _expected_tags(row: dict) -> dict[str, str] | None:
    tags: dict[str, str] = {}
    for field, prefix in (("labels", ""), ("project_labels", "goog-project:"), ("system_labels", "goog-system:")):
        for label in sorted(row[field], key=lambda label: (label["key"], label["value"] or "")):
            if label["value"]:
                tags.setdefault(prefix + label["key"].strip(), label["value"])
    return tags or None


def test_gcp_labels_become_tags_with_prefixed_project_and_system_labels(gcp_rows: list[dict]) -> None:
    """Tags = resource labels by key, project labels as goog-project:<key>, system labels as goog-system:<key>."""
    wrong = [row for row in gcp_rows if row["Tags"] != _expected_tags(row)]
    assert not wrong, wrong[:3]
    keys = {key for row in gcp_rows if row["Tags"] for key in row["Tags"]}
    assert any(key.startswith("goog-system:") for key in keys) and any(key.startswith("goog-project:") for key in keys)


# ---------------------------------------------------------------- currencies


def test_three_billing_currencies_each_converted_on_every_row(build: Build) -> None:
    """The FOCUS dataset is billed in USD, EUR and GBP, and every row has its x_ reporting-currency columns filled."""
    currencies = {row[0] for row in build.query("select distinct BillingCurrency from marts.focus_cost_and_usage")}
    assert currencies == {"USD", "EUR", "GBP"}
    missing = build.query(
        "select count(*) from marts.focus_cost_and_usage where x_reporting_currency is null or x_exchange_rate is null "
        "or x_billed_cost_in_reporting_currency is null or x_effective_cost_in_reporting_currency is null "
        "or x_list_cost_in_reporting_currency is null or x_contracted_cost_in_reporting_currency is null")
    assert missing == [(0,)]
    assert build.query("select distinct x_reporting_currency from marts.focus_cost_and_usage") == [("USD",)]
