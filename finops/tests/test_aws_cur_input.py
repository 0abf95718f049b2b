"""Bad input gets a clear error naming the file, or quarantined rows with totals intact."""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import Build, build_warehouse, run_finops, write_cur2
from .validator_helpers import failed_must_rules, needs_validator

COLUMNS = [
    "identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
    "lineItem/ProductCode", "lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedRate",
    "lineItem/UnblendedCost", "pricing/publicOnDemandRate", "pricing/publicOnDemandCost", "pricing/unit",
]
PERIOD = ("2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z")


def usage_row(line_id: str, cost: str, *, line_type: str = "Usage", currency: str = "USD") -> list[str]:
    return [line_id, "999999999999", *PERIOD, "999999999999", line_type, "2026-08-03T00:00:00Z",
            "2026-08-03T01:00:00Z", "AmazonEC2", "1", currency, cost, cost, cost, cost, "Hrs"]


def write_cur(landing: Path, rows: list[list[str]], columns: list[str] = COLUMNS, raw_tail: str = "") -> Path:
    path = landing / "aws_cur" / "rep" / "20260801-20260901" / "asm-1" / "rep-1.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(buffer.getvalue() + raw_tail)
    return path


def test_corrupt_gzip_is_one_clear_line_naming_the_file(tmp_path: Path) -> None:
    path = write_cur(tmp_path / "landing", [usage_row("a", "1.00")])
    path.write_bytes(path.read_bytes()[:40])  # truncated download
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    errors = [line for line in build.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "aws_cur/rep/20260801-20260901/asm-1/rep-1.csv.gz" in errors[0]
    assert "re-download" in errors[0]


def test_missing_required_column_is_one_clear_line_naming_file_and_column(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "lineItem/UnblendedCost"]
    rows = [[v for c, v in zip(COLUMNS, usage_row("a", "1.00")) if c != "lineItem/UnblendedCost"]]
    write_cur(tmp_path / "landing", rows, columns)
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    assert "rep-1.csv.gz: this file lacks the CUR column(s) line_item_unblended_cost" in build.output


def test_corrupt_parquet_is_one_clear_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "landing" / "aws_cur2" / "exp" / "data" / "BILLING_PERIOD=2026-08" / "exp-00001.snappy.parquet"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 this is not a parquet file")
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    errors = [line for line in build.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in build.output
    assert "aws_cur2/exp/data/BILLING_PERIOD=2026-08/exp-00001.snappy.parquet: cannot be loaded" in errors[0]


def test_parquet_damaged_past_its_footer_is_one_clear_line_naming_the_file(tmp_path: Path) -> None:
    """A parquet file whose footer is whole but whose data pages are not: its rows are read only by the
    COPY that writes its delivery's partition (D77), and the sentence still names the file."""
    import duckdb

    path = tmp_path / "landing" / "aws_cur2" / "exp" / "data" / "BILLING_PERIOD=2026-08" / "exp-00001.snappy.parquet"
    write_cur2(path, "111111111111", "(i % 997) / 100", rows=20000)
    data = bytearray(path.read_bytes())
    data[len(data) // 4:len(data) // 4 + 2000] = b"\xab" * 2000  # a data page, far from the footer
    path.write_bytes(bytes(data))
    with duckdb.connect() as con:  # the footer reads
        assert con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0] == 20000
    load = run_finops("load", "--landing", str(tmp_path / "landing"), "--duckdb", str(tmp_path / "w.duckdb"))
    output = load.stdout + load.stderr
    assert load.returncode == 2, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in output, output
    assert "aws_cur2/exp/data/BILLING_PERIOD=2026-08/exp-00001.snappy.parquet: cannot be loaded" in errors[0]


def test_bad_rows_are_quarantined_and_totals_still_reconcile(tmp_path: Path) -> None:
    rows = [
        usage_row("good-1", "10.50"),
        usage_row("good-2", "0.25"),
        usage_row("bad-cost", "12.3.4"),
        usage_row("bad-currency", "7.00", currency="XXQ"),
        usage_row("bad-type", "3.00", line_type="MysteryCharge"),
    ]
    write_cur(tmp_path / "landing", rows, raw_tail="too,few,fields\n")
    second = tmp_path / "landing" / "aws_cur" / "rep" / "20260801-20260901" / "asm-1" / "rep-2.csv.gz"
    with gzip.open(second, "wt", encoding="utf-8") as handle:
        handle.write(",".join(COLUMNS) + "\n" + ",".join(usage_row("good-3", "0.00")) + "\nshort,line\n")
    (tmp_path / "landing" / "focus").mkdir()  # an empty source folder: a warning, not an error
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 0, build.output
    assert "warning: focus/: the folder is empty" in build.output

    # rows are numbered as they stand in their file (data rows, header excluded)
    numbered = dict(build.query_work("select identity_line_item_id, _source_row_number from raw.aws_cur_line_items"))
    assert numbered == {"good-1": 1, "good-2": 2, "bad-cost": 3, "bad-currency": 4, "bad-type": 5, "good-3": 1}

    quarantined = dict(build.query(
        "select coalesce(source_line_item_id, raw_line), quarantine_reason from marts.quarantine_line_items"
    ))
    assert quarantined["bad-cost"] == "unparseable or missing lineItem/UnblendedCost"
    assert quarantined["bad-currency"] == "unknown currency code XXQ"
    assert quarantined["bad-type"] == "unknown line item type MysteryCharge"
    assert quarantined["too,few,fields"].startswith("unreadable CSV line (missing columns)")
    assert quarantined["short,line"].startswith("unreadable CSV line (missing columns)")
    assert len(quarantined) == 5
    # each file keeps its own rejected lines, once
    rejected = build.query_work("select _source_file, count(*) from raw.rejected_lines group by 1 order by 1")
    assert [(path.rsplit("/", 1)[1], n) for path, n in rejected] == [("rep-1.csv.gz", 1), ("rep-2.csv.gz", 1)]

    focus = build.query("select x_source_line_item_id, BilledCost from marts.focus_cost_and_usage order by 1")
    assert focus == [("good-1", Decimal("10.5")), ("good-2", Decimal("0.25")), ("good-3", Decimal("0"))]

    reconciliation = build.query(
        "select billing_currency, raw_billed_cost, focus_billed_cost, quarantined_billed_cost, "
        "unknown_amount_line_count, reconciliation_status, is_reconciled "
        "from marts.fct_billing_reconciliation order by 1 nulls last"
    )
    # The unparseable cost counts nowhere: its amount is unknown, so its USD bill is incomplete. The
    # unknown line item type keeps its amount in quarantine; the unknown currency is its own currency
    # group. The known amounts add up, but three lines' amounts are unknown, so no bill is
    # reconciled: the bad cost and rep-2's unreadable line belong to the USD bill (rep-2's only
    # bill); rep-1's unreadable line could be USD or XXQ (its file holds both), so both may have
    # lost it, and the line itself is in the payer's August group of unknown currency.
    assert reconciliation == [
        ("USD", Decimal("13.75"), Decimal("10.75"), Decimal("3"), 3, "incomplete", False),
        ("XXQ", Decimal("7"), Decimal("0"), Decimal("7"), 1, "incomplete", False),
        (None, Decimal("0"), Decimal("0"), Decimal("0"), 1, "incomplete", False),
    ]
    placed = build.query(
        "select raw_line, billing_account_id, strftime(billing_period_start, '%Y-%m'), billing_currency "
        "from marts.quarantine_line_items where raw_line is not null order by 1"
    )
    assert placed == [("short,line", "999999999999", "2026-08", "USD"),
                      ("too,few,fields", "999999999999", "2026-08", None)]


def test_files_not_read_are_named_and_links_resolved_in_lineage(tmp_path: Path) -> None:
    """A Google Cloud CSV is listed as not read with the reason and a warning (not "the folder is
    empty"); a CUR linked from inside the landing folder is read and its rows' lineage is the target."""
    landing = tmp_path / "landing"
    store = write_cur(landing / "_store", [usage_row("linked-1", "4.25")])  # landing/_store/aws_cur/rep/...
    delivery = landing / "aws_cur" / "rep" / "20260801-20260901" / "asm-1"
    delivery.mkdir(parents=True)
    (delivery / "rep-1.csv.gz").symlink_to(store)
    csv_export = landing / "gcp" / "billing" / "invoice_month=202608" / "20260903T0600Z" / "billing-00000.csv"
    csv_export.parent.mkdir(parents=True)
    csv_export.write_text("billing_account_id,service.description,cost,currency\n"
                          "01A2B3-C4D5E6-000001,Compute,1.5,USD\n")
    build = build_warehouse(landing, tmp_path / "w.duckdb")
    assert build.returncode == 0, build.output
    assert (
        "warning: gcp/billing/invoice_month=202608/20260903T0600Z/billing-00000.csv: not read: a Google Cloud CSV is "
        "not a BigQuery billing export extract; extract the table as JSON lines (bq extract --destination_format "
        "NEWLINE_DELIMITED_JSON) or parquet."
    ) in build.output.splitlines()
    assert "warning: gcp/: no file in it is read (see above), so this source contributes no rows." in build.output
    assert build.query_work("select source, file_path, status, link_path, rows_loaded from raw.landing_files "
                            "order by 1") == [
        ("aws_cur", "_store/aws_cur/rep/20260801-20260901/asm-1/rep-1.csv.gz", "current",
         "aws_cur/rep/20260801-20260901/asm-1/rep-1.csv.gz", 1),
        ("gcp", "gcp/billing/invoice_month=202608/20260903T0600Z/billing-00000.csv", "not read", None, 0),
    ]
    assert build.query("select x_source_file, BilledCost from marts.focus_cost_and_usage") == [
        ("_store/aws_cur/rep/20260801-20260901/asm-1/rep-1.csv.gz", Decimal("4.25"))]


def test_a_link_leaving_the_landing_folder_stops_the_load_in_one_sentence(tmp_path: Path) -> None:
    outside = write_cur(tmp_path / "s3-sync", [usage_row("a", "1.00")])
    delivery = tmp_path / "landing" / "aws_cur" / "rep" / "20260801-20260901" / "asm-1"
    delivery.mkdir(parents=True)
    (delivery / "rep-1.csv.gz").symlink_to(outside)
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    errors = [line for line in build.output.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: aws_cur/rep/20260801-20260901/asm-1/rep-1.csv.gz: is a link to {outside}, outside the landing "
        "folder, so its files would be read as if they had been delivered here; copy them into the landing folder "
        "instead of linking them (or set FINOPS_LANDING_DIR to the folder that holds them) and run again."
    ]


# ---------------------------------------------------------------- a single odd row never fails the build
# A hand-written CUR of three payers whose rows each break a FOCUS row rule as delivered. Each row is
# either conformed to valid FOCUS or quarantined naming the rule (int_charges_rule_breaks, DECISIONLOG
# D46); the build passes every dbt test, the bill reconciles to the cent, and focus-validator finds
# no failed MUST rule. The payers also show where account names come from (accounts.csv, else the
# export's bill/PayerAccountName, else the id; D45).

ODD_COLUMNS = COLUMNS + [
    "bill/PayerAccountName", "lineItem/ResourceId", "product/productFamily", "reservation/ReservationARN",
    "reservation/EffectiveCost", "reservation/UnusedQuantity", "reservation/UnusedRecurringFee",
]
RI_ARN = "arn:aws:ec2:us-east-1:999999999999:reserved-instances/ri-odd"
MONTH = ("2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z")


def odd_row(line_id: str, line_type: str, *, payer: str = "999999999999", payer_name: str = "", amount: str = "1",
            rate: str = "", cost: str = "0", period: tuple[str, str] = ("2026-08-03T00:00:00Z", "2026-08-03T01:00:00Z"),
            resource: str = "", family: str = "", arn: str = "", ri_effective: str = "", unused_quantity: str = "",
            unused_fee: str = "", public: tuple[str, str] = ("", "")) -> list[str]:
    values = {
        "identity/LineItemId": line_id, "bill/PayerAccountId": payer, "bill/BillingPeriodStartDate": PERIOD[0],
        "bill/BillingPeriodEndDate": PERIOD[1], "lineItem/UsageAccountId": "123456789012",
        "lineItem/LineItemType": line_type, "lineItem/UsageStartDate": period[0], "lineItem/UsageEndDate": period[1],
        "lineItem/ProductCode": "AmazonEC2", "lineItem/UsageAmount": amount, "lineItem/CurrencyCode": "USD",
        "lineItem/UnblendedRate": rate, "lineItem/UnblendedCost": cost, "pricing/publicOnDemandRate": public[0],
        "pricing/publicOnDemandCost": public[1], "pricing/unit": "Hrs", "bill/PayerAccountName": payer_name,
        "lineItem/ResourceId": resource, "product/productFamily": family, "reservation/ReservationARN": arn,
        "reservation/EffectiveCost": ri_effective, "reservation/UnusedQuantity": unused_quantity,
        "reservation/UnusedRecurringFee": unused_fee,
    }
    return [values[column] for column in ODD_COLUMNS]


ODD_ROWS = [
    # usable as delivered; its resource id is an ARN and the CUR states no product family
    odd_row("good", "Usage", rate="0.25", cost="0.25", public=("0.25", "0.25"),
            resource="arn:aws:ec2:us-east-1:999999999999:instance/i-0abc"),
    # a monthly recurring RI fee without lineItem/UsageAmount or reservation/UnusedQuantity: the hours it
    # buys and leaves unused are unknown, so CommitmentDiscountQuantity and its unit are NULL together
    odd_row("rifee-without-quantity", "RIFee", amount="", rate="0.10", cost="72.00", period=MONTH, arn=RI_ARN,
            unused_fee="7.20"),
    # a usage line with a negative rate: FOCUS unit prices are never negative (ContractedUnitPrice-C-009-C)
    odd_row("negative-rate", "Usage", rate="-0.50", cost="-0.50", public=("-0.50", "-0.50")),
    # a usage line whose cost is not its rate × quantity (1 hour at 0.10 costs 5.00)
    odd_row("cost-not-rate-times-quantity", "Usage", amount="1", rate="0.10", cost="5.00", public=("0.10", "5.00")),
    # usage an RI covers that AWS bills anyway (DiscountedUsage is billed through the RIFee, at 0)
    odd_row("covered-usage-billed", "DiscountedUsage", rate="0.30", cost="0.30", public=("0.40", "0.40"), arn=RI_ARN,
            ri_effective="0.20"),
    # two more payers: one named by accounts.csv over its export name, one by its export name only
    odd_row("mapped-payer", "Usage", payer="888888888888", payer_name="name in the export", rate="1", cost="1",
            public=("1", "1")),
    odd_row("export-named-payer", "Usage", payer="777777777777", payer_name="Seven Export", rate="2", cost="2",
            public=("2", "2")),
]


@pytest.fixture(scope="module")
def odd_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("odd_rows")
    write_cur(root / "landing", ODD_ROWS, ODD_COLUMNS)
    mappings = root / "mappings"
    mappings.mkdir()
    (mappings / "accounts.csv").write_text(
        "account_id,account_name\n888888888888,Mapped Payer\n123456789012,sandbox\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINOPS_MAPPINGS_DIR", str(mappings))
        return build_warehouse(root / "landing", root / "w.duckdb")


def test_odd_rows_build_with_every_dbt_test_passing(odd_build: Build) -> None:
    assert odd_build.returncode == 0, odd_build.output[-6000:]


def test_each_odd_row_is_quarantined_naming_the_focus_rule_it_breaks(odd_build: Build) -> None:
    quarantined = dict(odd_build.query(
        "select source_line_item_id, quarantine_reason from marts.quarantine_line_items"
    ))
    rule = "breaks FOCUS rule {} (macros/focus_row_rules.sql)".format
    assert quarantined == {
        "negative-rate": rule("unit_prices_not_negative"),
        "cost-not-rate-times-quantity": rule("list_cost_is_unit_price_times_quantity"),
        "covered-usage-billed": rule("covered_usage_billed_cost_zero"),
    }


def test_a_recurring_fee_without_quantity_is_conformed(odd_build: Build) -> None:
    rows = odd_build.query(
        "select x_row_kind, ChargeCategory, BilledCost, EffectiveCost, CommitmentDiscountQuantity, "
        "CommitmentDiscountUnit, CommitmentDiscountStatus from marts.focus_cost_and_usage "
        "where x_source_line_item_id = 'rifee-without-quantity' order by 1"
    )
    assert rows == [
        ("charge", "Purchase", Decimal("72"), Decimal("0"), None, None, None),
        ("unused_commitment", "Usage", Decimal("0"), Decimal("7.2"), None, None, "Unused"),
    ]


def test_odd_rows_reconcile_to_the_cent(odd_build: Build) -> None:
    rows = odd_build.query(
        "select billing_account_id, raw_billed_cost, focus_billed_cost, quarantined_billed_cost, raw_amortized_cost, "
        "focus_effective_cost, quarantined_amortized_cost, quarantined_row_count, is_reconciled "
        "from marts.fct_billing_reconciliation order by 1"
    )
    # 999999999999: billed 0.25 + 72 − 0.50 + 5 + 0.30 = 77.05, of which 4.80 is quarantined; amortised
    # 0.25 + 7.20 (the RIFee's unused fee) − 0.50 + 5 + 0.20 (the covered usage's effective cost) = 12.15,
    # of which 4.70 is quarantined.
    assert rows == [
        ("777777777777", Decimal("2"), Decimal("2"), Decimal("0"), Decimal("2"), Decimal("2"), Decimal("0"), 0, True),
        ("888888888888", Decimal("1"), Decimal("1"), Decimal("0"), Decimal("1"), Decimal("1"), Decimal("0"), 0, True),
        ("999999999999", Decimal("77.05"), Decimal("72.25"), Decimal("4.8"), Decimal("12.15"), Decimal("7.45"),
         Decimal("4.7"), 3, True),
    ]


def test_account_names_come_from_the_mapping_file_then_the_export_then_the_id(odd_build: Build) -> None:
    names = odd_build.query(
        "select distinct BillingAccountId, BillingAccountName, SubAccountId, SubAccountName "
        "from marts.focus_cost_and_usage order by 1"
    )
    assert names == [
        ("777777777777", "Seven Export", "123456789012", "sandbox"),
        ("888888888888", "Mapped Payer", "123456789012", "sandbox"),
        ("999999999999", "999999999999", "123456789012", "sandbox"),
    ]


def test_resource_type_comes_from_the_arn_when_the_cur_states_no_product_family(odd_build: Build) -> None:
    types = odd_build.query(
        "select x_source_line_item_id, x_row_kind, ResourceId, ResourceType from marts.focus_cost_and_usage "
        "where ResourceId is not null order by 1, 2"
    )
    assert types == [
        ("good", "charge", "arn:aws:ec2:us-east-1:999999999999:instance/i-0abc", "ec2:instance"),
        ("rifee-without-quantity", "unused_commitment", RI_ARN, "Reserved Instance"),
    ]


@needs_validator
def test_odd_rows_pass_every_focus_validator_must_rule(odd_build: Build, tmp_path: Path) -> None:
    assert odd_build.returncode == 0, odd_build.output[-4000:]
    assert failed_must_rules(odd_build, tmp_path) == {}
