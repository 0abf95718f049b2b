"""Azure and Google Cloud bad input: a clear error naming the file, or the rows quarantined with
their reason and the totals still reconciled (the house rule of test_bad_input.py, for the two
providers' exports). Small hand-written exports, three warehouse builds:

* `azure_build`: one consistent actual + amortised pair per billing account (EA enrollment),
  most of them carrying one defect, plus a re-exported range with manifests;
* `azure_unparseable_cost_build`: an amortised on-demand row whose cost does not parse, the one
  case where the two exports are designed to disagree (the billed basis does not reconcile);
* `gcp_build`: one billing account per defect, plus a month extracted twice.
"""

from __future__ import annotations

import csv
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from finops.sample_data.azure import EA_HEADER  # the header of the public EA samples

from .conftest import Build, build_warehouse

# --------------------------------------------------------------------------------------------
# Azure: EA cost details exports, header as in ../shared/sample_exports/azure/*_Small.csv
# --------------------------------------------------------------------------------------------

SUBSCRIPTION = "1caaa5a3-2b66-438e-8ab4-bce37d518c5d"
ORDER = "/providers/Microsoft.Capacity/reservationOrders/49ed0e4d-8e0c-4f1f-af2c-67c865056615"
RESERVATION = f"{ORDER}/reservations/f39d1c73-af74-4308-9083-fbf5efab37d1"
VM = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-app-1"
DISK = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/stapp1"
VM_RI = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-ri-1"
MONTHS = {  # month -> (BillingPeriodStartDate, BillingPeriodEndDate, range folder, a day in it)
    "2026-07": ("07/01/2026", "07/31/2026", "20260701-20260731", "07/14/2026"),
    "2026-08": ("08/01/2026", "08/31/2026", "20260801-20260831", "08/14/2026"),
    "2026-09": ("09/01/2026", "09/30/2026", "20260901-20260930", "09/14/2026"),
}


def az_row(account: str, month: str, **values: str) -> dict[str, str]:
    start, end, _, day = MONTHS[month]
    row = dict.fromkeys(EA_HEADER, "")
    row.update({
        "BillingAccountId": account, "BillingAccountName": f"Enrollment {account}",
        "BillingPeriodStartDate": start, "BillingPeriodEndDate": end,
        "BillingProfileId": account, "BillingProfileName": f"Enrollment {account}",
        "AccountName": "Platform", "SubscriptionId": SUBSCRIPTION, "SubscriptionName": "Production",
        "Date": day, "ServiceFamily": "Compute", "MeterCategory": "Virtual Machines", "MeterRegion": "US East",
        "BillingCurrency": "USD", "ResourceLocation": "eastus", "ConsumedService": "Microsoft.Compute",
        "UnitOfMeasure": "1 Hour", "ResourceGroup": "rg-app", "OfferId": "MS-AZR-0017P",
        "IsAzureCreditEligible": "True", "ChargeType": "Usage", "Frequency": "UsageBased",
        "PublisherType": "Azure", "PricingModel": "OnDemand",
    })
    row.update(values)
    return row


def az_pair(account: str, month: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A consistent actual + amortised pair of one account and month: two on-demand charges in both
    (the VM's tags without braces, as EA exports write them, with a key given twice and an empty
    value), a reservation purchase in the actual
    export, the usage it covered at 0 in the actual and at its amortised cost in the amortised
    export, and the reservation's unused part in the amortised export."""
    vm = az_row(account, month, Product="Virtual Machines D2 v3 - US East", MeterName="D2 v3", Quantity="24",
                EffectivePrice="0.4375", UnitPrice="0.4375", PayGPrice="0.4375", Cost="10.5",
                ResourceId=VM, ResourceName="vm-app-1",
                Tags='"team": "platform","env": "prod","env": "dev","owner": ""')
    disk = az_row(account, month, Product="Standard SSD Managed Disks - E10", ServiceFamily="Storage",
                  MeterCategory="Storage", MeterName="E10 LRS Disk", ConsumedService="Microsoft.Storage",
                  UnitOfMeasure="1/Month", Quantity="0.5", EffectivePrice="4.5", UnitPrice="4.5", PayGPrice="4.5",
                  Cost="2.25", ResourceId=DISK, ResourceName="stapp1", Tags='{"team": "data"}')
    commitment = {"ReservationId": RESERVATION.rsplit("/", 1)[1], "ReservationName": "VM_RI_D2v3",
                  "ProductOrderId": ORDER.rsplit("/", 1)[1], "Term": "12", "PricingModel": "Reservation",
                  "benefitId": RESERVATION, "benefitName": "VM_RI_D2v3"}
    covered = {"Product": "Virtual Machines D2 v3 - US East", "MeterName": "D2 v3", "Quantity": "20",
               "ResourceId": VM_RI, "ResourceName": "vm-ri-1", "PayGPrice": "0.4375", **commitment}
    purchase = az_row(account, month, **commitment, Product="Reserved VM Instance, Standard_D2_v3, US East, 1 Year",
                      Date=MONTHS[month][0], ChargeType="Purchase", Frequency="Recurring", Quantity="1",
                      EffectivePrice="73", UnitPrice="73", Cost="73", ConsumedService="Microsoft.Capacity",
                      ResourceId=RESERVATION, PayGPrice="0")
    actual = [vm, disk, purchase, az_row(account, month, **covered, EffectivePrice="0", UnitPrice="0.09", Cost="0")]
    amortized = [
        dict(vm), dict(disk),
        az_row(account, month, **covered, EffectivePrice="0.09", UnitPrice="0.09", Cost="1.8"),
        az_row(account, month, **commitment, Product="Reserved VM Instance, Standard_D2_v3, US East, 1 Year",
               MeterName="D2 v3", ChargeType="UnusedReservation", Quantity="4", EffectivePrice="0.09",
               UnitPrice="0.09", Cost="0.36", ResourceId=RESERVATION, PayGPrice="0"),
    ]
    return actual, amortized


def write_az(path: Path, rows: list[dict[str, str]], mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EA_HEADER, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_az_pair(landing: Path, name: str, month: str, actual: list[dict[str, str]],
                  amortized: list[dict[str, str]]) -> None:
    """Both exports of one scope, as Cost Management writes a run without a manifest."""
    folder = MONTHS[month][2]
    write_az(landing / "azure" / f"{name}-actual" / folder / "run-1" / "part_0_0001.csv", actual)
    write_az(landing / "azure" / f"{name}-amortized" / folder / "run-1" / "part_0_0001.csv", amortized)


def write_az_run(export_dir: Path, month: str, run: str, export_type: str, submitted: str,
                 rows: list[dict[str, str]], mtime: float) -> None:
    """One export run with its manifest (the type and submission time come from the manifest)."""
    run_dir = export_dir / MONTHS[month][2] / run
    write_az(run_dir / "part_0_0001.csv", rows, mtime)
    manifest = {
        "manifestVersion": "2024-04-01",
        "exportConfig": {"exportName": export_dir.name, "type": export_type, "granularity": "Daily"},
        "runInfo": {"executionType": "Scheduled", "submittedTime": submitted, "runId": run},
        "blobs": [{"blobName": f"azure/{export_dir.name}/{MONTHS[month][2]}/{run}/part_0_0001.csv"}],
    }
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def total(rows: list[dict[str, str]]) -> Decimal:
    return sum((Decimal(r["Cost"]) for r in rows), Decimal(0))


def reconciliation(build: Build, source: str) -> dict[tuple[str, str, str], tuple]:
    """(account, YYYY-MM, currency) -> (raw billed, raw amortised, FOCUS billed, FOCUS effective,
    quarantined rows, quarantined billed, quarantined amortised, billed difference, effective
    difference, is_reconciled)."""
    rows = build.query_work(
        "select billing_account_id, strftime(billing_period_start, '%Y-%m'), billing_currency, raw_billed_cost, "
        "raw_amortized_cost, focus_billed_cost, focus_effective_cost, quarantined_row_count, "
        "quarantined_billed_cost, quarantined_amortized_cost, billed_cost_difference, effective_cost_difference, "
        f"is_reconciled from marts.fct_billing_reconciliation where source_name = '{source}'"
    )
    return {tuple(r[:3]): tuple(r[3:]) for r in rows}


def quarantine(build: Build, source: str) -> list[tuple]:
    return build.query_work(
        "select billing_account_id, source_file, source_row_number, quarantine_reason, provider_billed_cost, "
        f"provider_amortized_cost from marts.quarantine_line_items where source_name = '{source}' "
        "order by billing_account_id, source_file, source_row_number"
    )


# Accounts of the shared Azure build, one defect each (besides GOOD and REEXPORT).
GOOD, CHARGE_TYPE, CURRENCY, DAY_FIRST, TAGS, COVERED_COST, REEXPORT, DAY_FIRST_AMBIGUOUS = (
    "1000001", "1000002", "1000003", "1000004", "1000005", "1000006", "1000007", "1000008")
AZ_DEFECT_ROW = 2  # the row (data rows numbered from 1) of the amortised file each defect is put in


@pytest.fixture(scope="module")
def azure_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[list, list]]]:
    landing = tmp_path_factory.mktemp("azure") / "landing"
    exports: dict[str, tuple[list, list]] = {}

    def add(account: str, month: str, name: str, edit=None) -> None:  # noqa: ANN001
        actual, amortized = az_pair(account, month)
        if edit:
            edit(actual, amortized)
        write_az_pair(landing, name, month, actual, amortized)
        exports[account] = (actual, amortized)

    add(GOOD, "2026-08", "good")

    def unknown_charge_type(actual: list, amortized: list) -> None:
        # the disk charge, in both exports (the actual one is not carried: only its cost counts)
        actual[1]["ChargeType"] = amortized[1]["ChargeType"] = "MysteryCharge"
    add(CHARGE_TYPE, "2026-08", "chargetype", unknown_charge_type)

    def unknown_currency(actual: list, amortized: list) -> None:
        actual[1]["BillingCurrency"] = amortized[1]["BillingCurrency"] = "XXQ"
    add(CURRENCY, "2026-08", "currency", unknown_currency)

    def day_first(actual: list, amortized: list) -> None:
        actual[1]["Date"] = amortized[1]["Date"] = "30/07/2026"
    add(DAY_FIRST, "2026-07", "dayfirst", day_first)

    def day_first_ambiguous(actual: list, amortized: list) -> None:
        # 3 August written day first: it parses as 8 March, outside the August billing period
        actual[1]["Date"] = amortized[1]["Date"] = "03/08/2026"
    add(DAY_FIRST_AMBIGUOUS, "2026-08", "dayfirstambiguous", day_first_ambiguous)

    def malformed_tags(actual: list, amortized: list) -> None:
        actual[1]["Tags"] = amortized[1]["Tags"] = '"team": "data", broken'
    add(TAGS, "2026-08", "tags", malformed_tags)

    def unparseable_covered_cost(actual: list, amortized: list) -> None:
        amortized[2]["Cost"] = "1.8.0"  # covered usage: the actual export bills it 0
        amortized[1], amortized[2] = amortized[2], amortized[1]  # put it on AZ_DEFECT_ROW
    add(COVERED_COST, "2026-08", "coveredcost", unparseable_covered_cost)

    # Re-export: two runs of September in each export, types stated by the manifests only. The
    # older run (by submittedTime) has other rows and the newer file time; only the newest counts.
    actual, amortized = az_pair(REEXPORT, "2026-09")
    stale_actual = [dict(r, Cost=str(Decimal(r["Cost"]) * 3)) for r in actual] + [dict(actual[0])]
    stale_amortized = [dict(r, Cost=str(Decimal(r["Cost"]) * 3)) for r in amortized]
    for export, export_type, rows, stale in (
        ("reexport-costs-a", "ActualCost", actual, stale_actual),
        ("reexport-costs-b", "AmortizedCost", amortized, stale_amortized),
    ):
        export_dir = landing / "azure" / export
        write_az_run(export_dir, "2026-09", "run-old", export_type, "2026-09-20T06:00:00.0000000Z", stale,
                     mtime=2_000_000_000)
        write_az_run(export_dir, "2026-09", "run-new", export_type, "2026-10-01T06:00:00.0000000Z", rows,
                     mtime=1_900_000_000)
    exports[REEXPORT] = (actual, amortized)
    return landing, exports


@pytest.fixture(scope="module")
def azure_build(azure_landing, tmp_path_factory: pytest.TempPathFactory) -> Build:  # noqa: ANN001
    landing, _ = azure_landing
    return build_warehouse(landing, tmp_path_factory.mktemp("azure-wh") / "w.duckdb")


def test_azure_consistent_pairs_build_and_every_dbt_test_passes(azure_build: Build) -> None:
    assert azure_build.returncode == 0, azure_build.output[-3000:]
    assert "Traceback" not in azure_build.output


def test_azure_raw_totals_equal_focus_billed_and_effective_cost(azure_build: Build, azure_landing) -> None:  # noqa: ANN001
    _, exports = azure_landing
    rec = reconciliation(azure_build, "azure")
    for account in (GOOD, REEXPORT):
        actual, amortized = exports[account]
        month = "2026-09" if account == REEXPORT else "2026-08"
        raw_billed, raw_amortized, focus_billed, focus_effective, q_rows, q_billed, q_amortized, *_, ok = (
            rec[(account, month, "USD")])
        assert (raw_billed, focus_billed) == (total(actual), total(actual)), account
        assert (raw_amortized, focus_effective) == (total(amortized), total(amortized)), account
        assert (q_rows, q_billed, q_amortized, ok) == (0, 0, 0, True), account
    # the numbers, once, by hand: 10.5 + 2.25 + 73 + 0 billed; 10.5 + 2.25 + 1.8 + 0.36 amortised
    assert rec[(GOOD, "2026-08", "USD")][:4] == (
        Decimal("85.75"), Decimal("14.91"), Decimal("85.75"), Decimal("14.91"))
    # FOCUS carries the amortised rows and the actual export's purchase: 5 rows
    rows = azure_build.query(
        "select ChargeCategory, CommitmentDiscountStatus, BilledCost, EffectiveCost from marts.focus_cost_and_usage "
        f"where BillingAccountId = '{GOOD}' order by ChargeCategory, CommitmentDiscountStatus nulls first, BilledCost"
    )
    assert rows == [
        ("Purchase", None, Decimal("73"), Decimal("0")),
        ("Usage", None, Decimal("2.25"), Decimal("2.25")),
        ("Usage", None, Decimal("10.5"), Decimal("10.5")),
        ("Usage", "Unused", Decimal("0"), Decimal("0.36")),
        ("Usage", "Used", Decimal("0"), Decimal("1.8")),
    ]


def test_azure_nothing_is_lost_every_row_is_loaded_and_carried_or_quarantined(azure_build: Build, azure_landing) -> None:  # noqa: ANN001
    """Every written row is in the raw table; every row FOCUS should carry (the amortised rows and the
    actual export's commitment purchases) is a FOCUS row or a quarantined one."""
    _, exports = azure_landing
    loaded = dict(((a, t), n) for a, t, n in azure_build.query_work(
        "select billing_account_id, _export_type, count(*) from raw.azure_cost_details group by 1, 2"))
    focus = dict(azure_build.query(
        "select BillingAccountId, count(*) from marts.focus_cost_and_usage where x_source_name = 'azure' group by 1"))
    quarantined = dict(azure_build.query(
        "select billing_account_id, count(*) from marts.quarantine_line_items where source_name = 'azure' group by 1"))
    for account, (actual, amortized) in exports.items():
        assert (loaded[(account, "actual")], loaded[(account, "amortized")]) == (len(actual), len(amortized)), account
        purchases = sum(1 for r in actual if r["ChargeType"] == "Purchase" and r["PricingModel"] == "Reservation")
        assert focus.get(account, 0) + quarantined.get(account, 0) == len(amortized) + purchases, account


def test_azure_tags_without_braces_parse(azure_build: Build) -> None:
    """Members without braces are read; a key given twice keeps its first value (the row is not lost
    and the build does not stop); an empty value is dropped (D44)."""
    tags = dict(azure_build.query(
        "select ResourceName, Tags from marts.focus_cost_and_usage "
        f"where BillingAccountId = '{GOOD}' and ResourceName in ('vm-app-1', 'stapp1')"
    ))
    assert tags["vm-app-1"] == {"env": "prod", "team": "platform"}
    assert tags["stapp1"] == {"team": "data"}


def test_azure_reexport_only_the_newest_run_counts(azure_build: Build, azure_landing) -> None:  # noqa: ANN001
    _, exports = azure_landing
    files = azure_build.query(
        "select export_name, assembly_id, status, reason, rows_loaded from raw.landing_files "
        "where export_name like 'reexport-%' order by 1, 2"
    )
    assert files == [
        ("reexport-costs-a", "run-new", "current", "", 4),
        ("reexport-costs-a", "run-old", "superseded", "replaced by the newer export run run-new of 20260901-20260930", 0),
        ("reexport-costs-b", "run-new", "current", "", 4),
        ("reexport-costs-b", "run-old", "superseded", "replaced by the newer export run run-new of 20260901-20260930", 0),
    ]
    flavours = azure_build.query_work(
        "select distinct _export_name, _export_type from raw.azure_cost_details "
        "where _export_name like 'reexport-%' order by 1")
    assert flavours == [("reexport-costs-a", "actual"), ("reexport-costs-b", "amortized")]
    actual, amortized = exports[REEXPORT]
    assert rec_row(azure_build, REEXPORT, "2026-09")[:4] == (
        total(actual), total(amortized), total(actual), total(amortized))


def rec_row(build: Build, account: str, month: str, currency: str = "USD", source: str = "azure") -> tuple:
    return reconciliation(build, source)[(account, month, currency)]


@pytest.mark.parametrize(
    ("account", "month", "currency", "reason"),
    [
        (CHARGE_TYPE, "2026-08", "USD", "unknown charge type MysteryCharge"),
        (CURRENCY, "2026-08", "XXQ", "unknown currency code XXQ"),
        (DAY_FIRST, "2026-07", "USD", "unparseable or missing Date"),
        (DAY_FIRST_AMBIGUOUS, "2026-08", "USD", "Date outside the billing period (is it written day first?)"),
        (TAGS, "2026-08", "USD", "Tags is not a JSON object (with or without braces)"),
    ],
)
def test_azure_bad_amortised_row_is_quarantined_and_both_bases_reconcile(
    azure_build: Build, azure_landing, account: str, month: str, currency: str, reason: str,  # noqa: ANN001
) -> None:
    _, exports = azure_landing
    actual, amortized = exports[account]
    bad = Decimal(amortized[AZ_DEFECT_ROW - 1]["Cost"])
    assert [row for row in quarantine(azure_build, "azure") if row[0] == account] == [(account, f"azure/{exports_name(account)}-amortized/{MONTHS[month][2]}/run-1/part_0_0001.csv",
           AZ_DEFECT_ROW, reason, bad, bad)]
    rec = reconciliation(azure_build, "azure")
    # the bad charge's currency group: the whole bill when it is the bill's currency
    in_group = [r for r in (actual if currency == "USD" else [actual[AZ_DEFECT_ROW - 1]])
                if r["BillingCurrency"] == currency]
    in_group_amortized = [r for r in amortized if r["BillingCurrency"] == currency]
    raw_billed, raw_amortized, focus_billed, focus_effective, q_rows, q_billed, q_amortized, d_billed, d_eff, ok = (
        rec[(account, month, currency)])
    assert (raw_billed, raw_amortized) == (total(in_group), total(in_group_amortized))
    assert (q_rows, q_billed, q_amortized) == (1, bad, bad)
    assert (focus_billed, focus_effective) == (raw_billed - bad, raw_amortized - bad)
    assert (d_billed, d_eff, ok) == (0, 0, True)
    if currency != "USD":  # the rest of the bill, in USD, reconciles on its own
        assert rec[(account, month, "USD")][-1] is True


def exports_name(account: str) -> str:
    return {CHARGE_TYPE: "chargetype", CURRENCY: "currency", DAY_FIRST: "dayfirst", TAGS: "tags",
            COVERED_COST: "coveredcost", DAY_FIRST_AMBIGUOUS: "dayfirstambiguous"}[account]


def test_azure_unparseable_covered_usage_cost_is_quarantined_and_reconciles(azure_build: Build, azure_landing) -> None:  # noqa: ANN001
    """The amount of an unparseable cost is unknown, so it counts on neither side; covered usage
    bills 0 in the actual export, so both bases still reconcile."""
    _, exports = azure_landing
    actual, amortized = exports[COVERED_COST]
    assert [row for row in quarantine(azure_build, "azure") if row[0] == COVERED_COST] == [
        (COVERED_COST, "azure/coveredcost-amortized/20260801-20260831/run-1/part_0_0001.csv", AZ_DEFECT_ROW,
         "unparseable or missing cost (CostInBillingCurrency / Cost)", Decimal(0), None)]  # covered usage bills 0
    good_amortized = [r for i, r in enumerate(amortized) if i != AZ_DEFECT_ROW - 1]
    assert rec_row(azure_build, COVERED_COST, "2026-08") == (
        total(actual), total(good_amortized), total(actual), total(good_amortized), 1, 0, 0, 0, 0, True)


@pytest.fixture(scope="module")
def azure_unparseable_cost_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, list, list]:
    root = tmp_path_factory.mktemp("azure-cost")
    actual, amortized = az_pair(GOOD, "2026-08")
    amortized[1]["Cost"] = "2,25"  # the disk, an on-demand charge: the actual export still bills 2.25
    write_az_pair(root / "landing", "ondemand", "2026-08", actual, amortized)
    return build_warehouse(root / "landing", root / "w.duckdb"), actual, amortized


def test_azure_unparseable_on_demand_cost_fails_the_billed_basis_by_that_row(azure_unparseable_cost_build) -> None:  # noqa: ANN001
    """Designed behaviour (D41): the row is quarantined and the amortised basis reconciles, but the
    actual export still bills the charge, so the billed basis misses exactly its actual amount and
    the reconciliation test stops the build: the two exports disagree about a charge."""
    build, actual, amortized = azure_unparseable_cost_build
    assert build.returncode == 2, build.output[-3000:]
    assert "reconciliation_raw_equals_focus_plus_quarantine" in build.output
    assert not build.duckdb_path.exists()  # nothing published
    assert quarantine(build, "azure") == [
        (GOOD, "azure/ondemand-amortized/20260801-20260831/run-1/part_0_0001.csv", 2,
         "unparseable or missing cost (CostInBillingCurrency / Cost)", None, None)]
    good_amortized = [r for i, r in enumerate(amortized) if i != 1]
    disk_actual = Decimal(actual[1]["Cost"])
    assert rec_row(build, GOOD, "2026-08") == (
        total(actual), total(good_amortized), total(actual) - disk_actual, total(good_amortized),
        1, 0, 0, disk_actual, 0, False)


def test_azure_file_without_a_cost_column_stops_the_load_naming_it(tmp_path: Path) -> None:
    actual, amortized = az_pair(GOOD, "2026-08")
    write_az_pair(tmp_path / "landing", "nocost", "2026-08", actual, amortized)
    path = tmp_path / "landing" / "azure" / "nocost-amortized" / "20260801-20260831" / "run-1" / "part_0_0001.csv"
    header = [h for h in EA_HEADER if h != "Cost"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(amortized)
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    errors = [line for line in build.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in build.output
    assert errors[0] == (
        "error: azure/nocost-amortized/20260801-20260831/run-1/part_0_0001.csv: this file lacks the cost details "
        "column(s) CostInBillingCurrency (or Cost), so it is not an Azure cost details export we can read; export it again as "
        "\"Cost and usage details\" (actual or amortized cost) in CSV or parquet."
    )
    assert not (tmp_path / "w.duckdb").exists() or build.query(
        "select count(*) from information_schema.tables where table_schema = 'raw'") == [(0,)]


def test_azure_only_one_export_type_stops_the_load(tmp_path: Path) -> None:
    actual, _ = az_pair(GOOD, "2026-08")
    write_az(tmp_path / "landing" / "azure" / "good-actual" / "20260801-20260831" / "run-1" / "part_0_0001.csv",
             actual)
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    assert (
        "error: azure/: only actual-cost exports are landed; FOCUS needs both (amortised rows and the actual "
        "export's commitment purchases), so add the amortized-cost export of the same scope."
    ) in build.output.splitlines()


# --------------------------------------------------------------------------------------------
# Google Cloud: billing export rows as JSON lines, in the export table's nested shape
# --------------------------------------------------------------------------------------------


def gcp_row(account: str, month: str, cost: float | str | None, credits: list | dict | None = None, *,
            cost_type: str = "regular", currency: str = "USD", sku: str = "N2 Instance Core running in Americas",
            project: str = "proj-app", day: int = 3) -> dict:
    year, mon = month.split("-")
    row = {
        "billing_account_id": account,
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "sku": {"id": "2D2A-A1BC-7E0F", "description": sku},
        "usage_start_time": f"{year}-{mon}-{day:02d}T00:00:00Z",
        "usage_end_time": f"{year}-{mon}-{day:02d}T01:00:00Z",
        "project": {"id": project, "name": project, "labels": [{"key": "team", "value": "platform"}]},
        "labels": [{"key": "env", "value": "prod"}],
        "system_labels": [{"key": "compute.googleapis.com/machine_spec", "value": "n2-standard-2"}],
        "location": {"location": "us-central1", "country": "US", "region": "us-central1", "zone": "us-central1-a"},
        "cost": cost,
        "currency": currency,
        "usage": {"amount": 7200, "unit": "seconds", "amount_in_pricing_units": 2, "pricing_unit": "hour"},
        "credits": credits if credits is not None else [],
        "invoice": {"month": f"{year}{mon}"},
        "cost_type": cost_type,
    }
    if cost is None:
        del row["cost"]
    return row


def sud(amount: float | str) -> dict:
    return {"name": "Sustained Usage Discount", "amount": amount, "type": "SUSTAINED_USAGE_DISCOUNT",
            "id": "", "full_name": ""}


def gcp_good_rows(account: str, month: str) -> list[dict]:
    return [
        gcp_row(account, month, 1.25, [sud(-0.125)]),
        gcp_row(account, month, 3.5, [sud(-0.5), {"name": "Free trial", "amount": -1.0, "type": "FREE_TIER",
                                                  "id": "ft-1", "full_name": "Free tier"}], day=4),
        gcp_row(account, month, 0.07, cost_type="tax", sku="Tax"),
        gcp_row(account, month, -0.01, cost_type="rounding_error", sku="Rounding"),
    ]


def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    return path


def gcp_billed(rows: list[dict]) -> Decimal:
    """Σ cost + Σ credits, from the rows as written (the JSON numbers' own text)."""
    return sum((Decimal(str(r["cost"])) + sum((Decimal(str(c["amount"])) for c in r["credits"]), Decimal(0))
                for r in rows), Decimal(0))


G_GOOD, G_BADLINE, G_NOCOST, G_BADCREDIT, G_CREDITSHAPE, G_COSTTYPE, G_CURRENCY, G_REEXTRACT = (
    f"01A2B3-C4D5E6-00000{i}" for i in range(1, 9))
GCP_DEFECTS = {  # account -> (bad row, reason, its billed amount as quarantined)
    G_NOCOST: (gcp_row(G_NOCOST, "2026-08", None, [sud(-0.1)]), "unparseable or missing cost", None),
    G_BADCREDIT: (gcp_row(G_BADCREDIT, "2026-08", 2.0, [sud("minus one")]), "unparseable credit amount", None),
    G_CREDITSHAPE: (gcp_row(G_CREDITSHAPE, "2026-08", 2.0, sud(-1.0)), "malformed credits JSON", None),
    G_COSTTYPE: (gcp_row(G_COSTTYPE, "2026-08", 2.0, [sud(-0.25)], cost_type="mystery"), "unknown cost_type mystery",
                 Decimal("1.75")),
    G_CURRENCY: (gcp_row(G_CURRENCY, "2026-08", 2.0, [sud(-0.25)], currency="XXQ"), "unknown currency code XXQ",
                 Decimal("1.75")),
}
GCP_FILE = "gcp/billing/invoice_month=202608/20260903T0600Z/billing-00000.jsonl"


@pytest.fixture(scope="module")
def gcp_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    landing = tmp_path_factory.mktemp("gcp") / "landing"
    good: dict[str, list[dict]] = {}
    lines: list[dict | str] = []
    for account in (G_GOOD, G_BADLINE, *GCP_DEFECTS):
        good[account] = gcp_good_rows(account, "2026-08")
        lines.extend(good[account])
        if account in GCP_DEFECTS:
            lines.append(GCP_DEFECTS[account][0])
    lines.insert(6, '{"billing_account_id": "' + G_BADLINE + '", "cost": 1.0,')  # cut off mid-line: not JSON
    write_jsonl(landing / GCP_FILE, lines)
    # September of G_REEXTRACT extracted twice: the extract whose name sorts last counts, whatever
    # the file times say.
    month_dir = landing / "gcp" / "billing" / "invoice_month=202609"
    good[G_REEXTRACT] = gcp_good_rows(G_REEXTRACT, "2026-09")
    old = write_jsonl(month_dir / "20261002T0600Z" / "billing-00000.jsonl",
                      good[G_REEXTRACT][:2] + [gcp_row(G_REEXTRACT, "2026-09", 99.0)])
    new = write_jsonl(month_dir / "20261005T0600Z" / "billing-00000.jsonl", good[G_REEXTRACT])
    os.utime(old, (2_000_000_000, 2_000_000_000))
    os.utime(new, (1_900_000_000, 1_900_000_000))
    return landing, good


@pytest.fixture(scope="module")
def gcp_build(gcp_landing, tmp_path_factory: pytest.TempPathFactory) -> Build:  # noqa: ANN001
    landing, _ = gcp_landing
    return build_warehouse(landing, tmp_path_factory.mktemp("gcp-wh") / "w.duckdb")


def test_gcp_build_passes_every_dbt_test(gcp_build: Build) -> None:
    assert gcp_build.returncode == 0, gcp_build.output[-3000:]


def test_gcp_focus_billed_cost_is_cost_plus_credits_per_account_and_month(gcp_build: Build, gcp_landing) -> None:  # noqa: ANN001
    _, good = gcp_landing
    focus = dict(((a, m), (b, e)) for a, m, b, e in gcp_build.query(
        "select BillingAccountId, strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost), sum(EffectiveCost) "
        "from marts.focus_cost_and_usage where x_source_name = 'gcp' group by 1, 2"
    ))
    for account, rows in good.items():
        month = "2026-09" if account == G_REEXTRACT else "2026-08"
        assert focus[(account, month)] == (gcp_billed(rows), gcp_billed(rows)), account
    # by hand, once: 1.25 - 0.125 + 3.5 - 0.5 - 1 + 0.07 - 0.01
    assert focus[(G_GOOD, "2026-08")] == (Decimal("3.185"), Decimal("3.185"))
    rec = reconciliation(gcp_build, "gcp")
    assert rec[(G_GOOD, "2026-08", "USD")] == (
        Decimal("3.185"), Decimal("3.185"), Decimal("3.185"), Decimal("3.185"), 0, 0, 0, 0, 0, True)


def test_gcp_line_that_is_not_json_is_quarantined_and_the_rest_loads(gcp_build: Build, gcp_landing) -> None:  # noqa: ANN001
    _, good = gcp_landing
    rejected = gcp_build.query(
        "select source_file, source_line_number, quarantine_reason, raw_line, billing_account_id "
        "from marts.quarantine_line_items where source_name = 'gcp' and raw_line is not null"
    )
    # what is left of the line names its billing account, whose only bill in the file is August's in USD
    assert rejected == [(GCP_FILE, 7, "unreadable JSON line: the line is not valid JSON",
                         '{"billing_account_id": "' + G_BADLINE + '", "cost": 1.0,', G_BADLINE)]
    assert gcp_build.query_work("select rows_loaded, lines_rejected from raw.landing_files "
                                f"where file_path = '{GCP_FILE}'") == [(33, 1)]
    rec = reconciliation(gcp_build, "gcp")
    billed = gcp_billed(good[G_BADLINE])
    # the line's amount is unknown: the known amounts add up, but the bill is not called reconciled
    assert rec[(G_BADLINE, "2026-08", "USD")] == (billed, billed, billed, billed, 1, 0, 0, 0, 0, False)
    assert gcp_build.query("select unknown_amount_line_count, reconciliation_status from marts.fct_billing_reconciliation "
                           f"where billing_account_id = '{G_BADLINE}'") == [(1, "incomplete")]
    assert (None, None, None) not in rec


@pytest.mark.parametrize("account", list(GCP_DEFECTS))
def test_gcp_bad_row_is_quarantined_with_its_reason_and_totals_reconcile(
    gcp_build: Build, gcp_landing, account: str,  # noqa: ANN001
) -> None:
    _, good = gcp_landing
    row, reason, amount = GCP_DEFECTS[account]
    assert [r[3:] for r in quarantine(gcp_build, "gcp") if r[0] == account] == [(reason, amount, amount)]
    rec = reconciliation(gcp_build, "gcp")
    billed = gcp_billed(good[account])
    if row["currency"] == "USD":
        # a row whose amount is unknown (cost or credit unreadable) leaves its bill incomplete, never
        # reconciled: the known amounts add up, but the bill may lack that row's money
        q = amount or 0
        assert rec[(account, "2026-08", "USD")] == (
            billed + q, billed + q, billed, billed, 1, q, q, 0, 0, amount is not None)
    else:  # its own currency group, wholly quarantined; the USD bill reconciles on its own
        assert rec[(account, "2026-08", row["currency"])] == (amount, amount, 0, 0, 1, amount, amount, 0, 0, True)
        assert rec[(account, "2026-08", "USD")] == (billed, billed, billed, billed, 0, 0, 0, 0, 0, True)


def test_gcp_month_extracted_twice_counts_the_extract_that_sorts_last(gcp_build: Build, gcp_landing) -> None:  # noqa: ANN001
    _, good = gcp_landing
    files = gcp_build.query(
        "select file_path, status, reason, rows_loaded from raw.landing_files "
        "where file_path like '%invoice_month=202609%' order by 1")
    assert files == [
        ("gcp/billing/invoice_month=202609/20261002T0600Z/billing-00000.jsonl", "superseded",
         "replaced by the newer extract 20261005T0600Z of invoice_month=202609", 0),
        ("gcp/billing/invoice_month=202609/20261005T0600Z/billing-00000.jsonl", "current", "", 4),
    ]
    billed = gcp_billed(good[G_REEXTRACT])
    assert rec_row(gcp_build, G_REEXTRACT, "2026-09", source="gcp") == (
        billed, billed, billed, billed, 0, 0, 0, 0, 0, True)


def test_gcp_file_directly_under_gcp_stops_the_load_naming_it(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "landing" / "gcp" / "billing-00000.jsonl", gcp_good_rows(G_GOOD, "2026-08"))
    build = build_warehouse(tmp_path / "landing", tmp_path / "w.duckdb")
    assert build.returncode == 2, build.output
    assert (
        "error: gcp/billing-00000.jsonl: billing export files go in one subfolder per export (gcp/<export>/); "
        "move it there."
    ) in build.output.splitlines()
