"""Azure bad input: a clear error naming the file, or the rows quarantined with
their reason and the totals still reconciled (the house rule of test_bad_input.py, for Azure's
exports). Small hand-written exports, two warehouse builds:

* `azure_build`: one consistent actual + amortised pair per billing account (EA enrollment),
  most of them carrying one defect, plus a re-exported range with manifests;
* `azure_unparseable_cost_build`: an amortised on-demand row whose cost does not parse, the one
  case where the two exports are designed to disagree (the billed basis does not reconcile);
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
    flavors = azure_build.query_work(
        "select distinct _export_name, _export_type from raw.azure_cost_details "
        "where _export_name like 'reexport-%' order by 1")
    assert flavors == [("reexport-costs-a", "actual"), ("reexport-costs-b", "amortized")]
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
def test_azure_bad_amortized_row_is_quarantined_and_both_bases_reconcile(
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
