"""The public Azure and Google Cloud samples in ../shared/sample_exports load and reconcile.

They are copies of what Microsoft's and Google's exports look like (PROVENANCE.md there), laid out in
a temporary landing folder the way a user lands them (discover.py's landing contract), never copied
into the repository:

* `azure/focus_converters_sample-anonymous-ea-export-dataset.csv`: an EA cost details export billed
  in CAD with OnDemand and Spot usage only. With no commitment rows, Cost Management's actual and
  amortised exports of it are the same rows, so the one file is landed as both
  (`azure/cad-actual/...` and `azure/cad-amortized/...`) and must reconcile on both bases.
* `gcp/*.csv` (project-koku): a *flattened* BigQuery billing export (dotted column names, the
  repeated fields `credits`, `labels`, `system_labels`, `project.labels` as Python-literal list
  strings). Each row is re-nested here into the export table's JSON shape (`gcp/koku/<stem>.jsonl`):
  dotted names become nested objects, the list strings are read with `ast.literal_eval` (an empty
  list stays `[]`, as BigQuery writes an empty repeated field), empty cells (NULL in the CSV) are
  left out and numbers are written as the same number tokens. The export is re-nested, not altered:
  the same fields and values, in the shape Google's export has (checked by
  `test_renesting_keeps_every_field_and_value`).
* `azure/finops-toolkit_EA_{Actual,Amortized}Cost_Small.csv` (landed as `azure/ea-actual/...` and
  `azure/ea-amortized/...`, run `run-1`, in a second warehouse) are NOT a consistent pair: they are
  two small extracts of different days. The actual one holds 10 on-demand rows of 09/04-09/05 and a
  reservation purchase of 09/21; the amortised one 26 on-demand rows of 09/03-09/22 (the actual
  one's 10 among them) plus reservation- and savings-plan-covered usage. What a user must see: every
  row loads; the amortised basis reconciles exactly; the purchase is a FOCUS Purchase (BilledCost
  3.25, EffectiveCost 0) and the covered rows are Used and bill 0; and the billed basis is reported
  NOT reconciled, off by exactly Σ actual on-demand Cost − Σ amortised on-demand Cost, the build
  failing on `reconciliation_raw_equals_focus_plus_quarantine` alone. The check catches two exports
  that do not describe the same charges (D41) instead of hiding it.

Amounts from the files are compared as the warehouse keeps them (DECIMAL(38, 12), see `money`).

Both warehouses use a copy of seeds/mappings whose exchange_rates.csv adds the September 2023
CAD→USD rate the EA sample needs (USD is the reporting currency, so USD bills need no rate).
"""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from finops.settings import SAMPLE_MAPPINGS_DIR

from .conftest import SHARED_SAMPLES, Build, run_finops
from .validator_helpers import failed_must_rules, needs_validator

AZURE = SHARED_SAMPLES / "azure"
GCP = SHARED_SAMPLES / "gcp"

pytestmark = pytest.mark.skipif(
    not (AZURE.is_dir() and GCP.is_dir()),
    reason=f"public Azure and Google Cloud sample exports not found at {AZURE} and {GCP} "
           "(they live beside the repository in shared/)",
)

CAD_SAMPLE = AZURE / "focus_converters_sample-anonymous-ea-export-dataset.csv"
TOOLKIT_ACTUAL = AZURE / "finops-toolkit_EA_ActualCost_Small.csv"
TOOLKIT_AMORTIZED = AZURE / "finops-toolkit_EA_AmortizedCost_Small.csv"
# An illustrative September 2023 rate (USD per CAD); the test checks the conversion, not the rate.
CAD_USD_2023_09 = Decimal("0.7400")

# The repeated fields koku wrote as Python list literals, and the FLOAT64 fields (JSON numbers).
GCP_LIST_FIELDS = {"credits", "labels", "system_labels", "project.labels"}
GCP_NUMBER_FIELDS = {"cost", "currency_conversion_rate", "usage.amount", "usage.amount_in_pricing_units"}


def money(text: str) -> Decimal:
    """An amount as the warehouse keeps it: DECIMAL(38, 12), which DuckDB's cast reaches by rounding
    half away from zero (the finops-toolkit files carry up to 28 decimals). Sums of these are exact."""
    return Decimal(text).quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _json_number(text: str) -> float:
    """The CSV's number as a JSON number written with the same token (koku wrote Python floats, whose
    repr round-trips), so the JSON says exactly what the CSV says."""
    value = float(text)
    assert repr(value) == text, f"{text!r} would not be written back unchanged"
    return value


def renest_gcp_row(row: dict[str, str]) -> dict:
    """One flattened BigQuery export row → the export table's nested record (see the module docstring)."""
    record: dict = {}
    for name, text in row.items():
        if text == "":
            continue
        if name in GCP_LIST_FIELDS:
            value = ast.literal_eval(text)
            assert isinstance(value, list), (name, text)
        elif name in GCP_NUMBER_FIELDS:
            value = _json_number(text)
        else:
            value = text
        *parents, leaf = name.split(".")
        node = record
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return record


def _write_gcp_jsonl(source: Path, target: Path) -> None:
    lines = [json.dumps(renest_gcp_row(row), ensure_ascii=False) for row in _csv_rows(source)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _mappings_with_2023_rates(root: Path) -> Path:
    mappings = root / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, mappings)
    rates = mappings / "exchange_rates.csv"
    body = rates.read_text(encoding="utf-8")
    rates.write_text(body.rstrip("\n") + f"\nCAD,USD,2023-09,{CAD_USD_2023_09}\n", encoding="utf-8")
    return mappings


def _copy(target: Path, source: Path) -> None:
    """Copied, not linked: links leaving the landing folder stop the load."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _build(root: Path, landing: Path) -> Build:
    database = root / "warehouse.duckdb"
    proc = run_finops("build", "--landing", str(landing), "--duckdb", str(database), "--no-docs",
                      env={"FINOPS_MAPPINGS_DIR": str(_mappings_with_2023_rates(root))})
    return Build(landing, database, proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="module")
def multicloud_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The CAD EA sample (as both export types) and the re-nested koku GCP export in one warehouse."""
    root = tmp_path_factory.mktemp("multicloud_samples")
    landing = root / "landing"
    for export in ("cad-actual", "cad-amortized"):
        _copy(landing / "azure" / export / "20230901-20230930" / CAD_SAMPLE.name, CAD_SAMPLE)
    (landing / "gcp" / "koku").mkdir(parents=True)
    for source in sorted(GCP.glob("*.csv")):
        _write_gcp_jsonl(source, landing / "gcp" / "koku" / f"{source.stem}.jsonl")
    return _build(root, landing)


@pytest.fixture(scope="module")
def toolkit_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The finops-toolkit actual and amortised extracts, landed as one EA export pair."""
    root = tmp_path_factory.mktemp("toolkit_samples")
    landing = root / "landing"
    _copy(landing / "azure" / "ea-actual" / "20230901-20230930" / "run-1" / TOOLKIT_ACTUAL.name, TOOLKIT_ACTUAL)
    _copy(landing / "azure" / "ea-amortized" / "20230901-20230930" / "run-1" / TOOLKIT_AMORTIZED.name,
          TOOLKIT_AMORTIZED)
    return _build(root, landing)


# ---------------------------------------------------------------- CAD EA sample + koku GCP export


def test_renesting_keeps_every_field_and_value() -> None:
    """The re-nested record holds every non-empty CSV cell at its dotted path, lists parsed, numbers equal."""
    for source in sorted(GCP.glob("*.csv")):
        for row in _csv_rows(source):
            record = renest_gcp_row(row)
            for name, text in row.items():
                node = record
                for part in name.split("."):
                    node = node.get(part) if isinstance(node, dict) else None
                if text == "":
                    assert node is None, (source.name, name)
                elif name in GCP_LIST_FIELDS:
                    assert node == ast.literal_eval(text), (source.name, name)
                elif name in GCP_NUMBER_FIELDS:
                    assert Decimal(repr(node)) == Decimal(text), (source.name, name)
                else:
                    assert node == text, (source.name, name)


def test_multicloud_samples_build_with_every_dbt_test_passing(multicloud_build: Build) -> None:
    """`finops build` exits 0: the load, every model and every dbt data and unit test pass."""
    assert multicloud_build.returncode == 0, multicloud_build.output[-6000:]


@needs_validator
def test_multicloud_samples_pass_every_focus_validator_must_rule(multicloud_build: Build, tmp_path: Path) -> None:
    assert multicloud_build.returncode == 0, multicloud_build.output[-4000:]
    assert failed_must_rules(multicloud_build, tmp_path) == {}


def test_every_multicloud_sample_row_is_loaded(multicloud_build: Build) -> None:
    """Rows loaded per landed file = data rows of the sample file it came from; nothing rejected."""
    expected = {f"azure/{export}/20230901-20230930/{CAD_SAMPLE.name}": len(_csv_rows(CAD_SAMPLE))
                for export in ("cad-actual", "cad-amortized")}
    for source in GCP.glob("*.csv"):
        expected[f"gcp/koku/{source.stem}.jsonl"] = len(_csv_rows(source))
    loaded = {path: rows for path, rows, status in multicloud_build.query(
        "select file_path, rows_loaded, status from raw.landing_files") if status == "current"}
    assert loaded == expected
    assert multicloud_build.query_work("select count(*) from raw.rejected_lines") == [(0,)]
    assert multicloud_build.query("select count(*) from marts.quarantine_line_items") == [(0,)]


def test_every_multicloud_reconciliation_row_is_reconciled(multicloud_build: Build) -> None:
    """Every (source, account, period, currency) of the reconciliation holds on both bases, no quarantine."""
    rows = multicloud_build.query(
        "select source_name, billing_account_id, billing_currency, is_reconciled, billed_cost_difference, "
        "effective_cost_difference, quarantined_row_count from marts.fct_billing_reconciliation")
    assert {row[0] for row in rows} == {"azure", "gcp"}, rows
    assert all(row[3] and row[4] == 0 and row[5] == 0 and row[6] == 0 for row in rows), rows


def test_cad_sample_reconciles_on_both_bases_to_the_file_total(multicloud_build: Build) -> None:
    """raw billed = raw amortised = FOCUS BilledCost = FOCUS EffectiveCost = Σ CostInBillingCurrency, in CAD."""
    total = sum(money(row["CostInBillingCurrency"]) for row in _csv_rows(CAD_SAMPLE))
    rows = multicloud_build.query(
        "select billing_account_id, billing_currency, cast(billing_period_start as date), raw_billed_cost, "
        "raw_amortized_cost, focus_billed_cost, focus_effective_cost "
        "from marts.fct_billing_reconciliation where source_name = 'azure'")
    assert len(rows) == 1, rows
    account, currency, period, *amounts = rows[0]
    assert (account, currency, str(period)) == ("12345678", "CAD", "2023-09-01")
    assert amounts == [total] * 4


def _gcp_expected_totals() -> dict[tuple[str, str], Decimal]:
    """Σ cost + Σ credits.amount per billing account and invoice month, from the CSVs, in Decimal."""
    totals: dict[tuple[str, str], Decimal] = {}
    for source in GCP.glob("*.csv"):
        for row in _csv_rows(source):
            key = (row["billing_account_id"], row["invoice.month"])
            credits = sum((money(repr(c["amount"])) for c in ast.literal_eval(row["credits"])), Decimal(0))
            totals[key] = totals.get(key, Decimal(0)) + money(row["cost"]) + credits
    return totals


def test_gcp_sample_billed_cost_is_cost_plus_credits(multicloud_build: Build) -> None:
    """Per billing account and invoice month: raw billed = raw amortised = FOCUS Billed = FOCUS Effective
    = Σ cost + Σ credits of the CSVs."""
    actual = {
        (account, period.strftime("%Y%m")): amounts
        for account, period, *amounts in multicloud_build.query(
            "select billing_account_id, cast(billing_period_start as date), raw_billed_cost, raw_amortized_cost, "
            "focus_billed_cost, focus_effective_cost from marts.fct_billing_reconciliation "
            "where source_name = 'gcp'")
    }
    expected = _gcp_expected_totals()
    assert set(actual) == set(expected)
    for key, total in expected.items():
        assert actual[key] == [total] * 4, (key, actual[key], total)


def test_providers_and_billing_currencies(multicloud_build: Build) -> None:
    """Azure rows are Microsoft billed in CAD, Google Cloud rows Google Cloud billed in USD, one row per sample row."""
    rows = multicloud_build.query(
        "select x_source_name, ProviderName, BillingCurrency, count(*) from marts.focus_cost_and_usage "
        "group by 1, 2, 3")
    gcp_rows = sum(len(_csv_rows(source)) for source in GCP.glob("*.csv"))
    assert sorted(rows) == [("azure", "Microsoft", "CAD", len(_csv_rows(CAD_SAMPLE))),
                            ("gcp", "Google Cloud", "USD", gcp_rows)]


def test_cad_rows_convert_to_usd_at_the_september_rate(multicloud_build: Build) -> None:
    """The CAD bill reports in USD at the 2023-09 rate of the mapping copy; USD rows at rate 1."""
    rates = set(multicloud_build.query(
        "select BillingCurrency, x_reporting_currency, x_exchange_rate from marts.focus_cost_and_usage"))
    assert rates == {("CAD", "USD", CAD_USD_2023_09), ("USD", "USD", Decimal(1))}


def test_azure_spot_rows_are_dynamic_pricing(multicloud_build: Build) -> None:
    """The sample's Spot rows are PricingCategory Dynamic, its OnDemand rows Standard."""
    expected = Counter({"Spot": 0, "OnDemand": 0})
    expected.update(row["PricingModel"] for row in _csv_rows(CAD_SAMPLE))
    actual = dict(multicloud_build.query(
        "select PricingCategory, count(*) from marts.focus_cost_and_usage "
        "where x_source_name = 'azure' group by 1"))
    assert expected["Spot"] > 0
    assert actual == {"Dynamic": expected["Spot"], "Standard": expected["OnDemand"]}


def test_azure_charge_period_is_the_day(multicloud_build: Build) -> None:
    """Azure ChargePeriodEnd = ChargePeriodStart + 1 day; the sample's `9/2/2023` is 2 September."""
    periods = multicloud_build.query(
        "select distinct cast(ChargePeriodStart as varchar), cast(ChargePeriodEnd as varchar), "
        "ChargePeriodEnd - ChargePeriodStart from marts.focus_cost_and_usage where x_source_name = 'azure'")
    assert [(start[:10], end[:10], str(delta)) for start, end, delta in periods] == [
        ("2023-09-02", "2023-09-03", "1 day, 0:00:00")]


def test_gcp_free_trial_credits_lower_billed_cost(multicloud_build: Build) -> None:
    """Rows with a PROMOTION (free trial) credit bill cost + credit: here 0, while ContractedCost keeps the cost."""
    promoted = [row for source in GCP.glob("*.csv") for row in _csv_rows(source)
                if any(c["type"] == "PROMOTION" for c in ast.literal_eval(row["credits"]))]
    assert promoted
    rows = multicloud_build.query(
        "select ContractedCost, BilledCost, EffectiveCost from marts.focus_cost_and_usage "
        "where x_source_name = 'gcp' and ContractedCost > 0 and BilledCost < ContractedCost")
    assert len(rows) == len(promoted)
    def billed(row: dict[str, str]) -> Decimal:
        return money(row["cost"]) + sum(money(repr(c["amount"])) for c in ast.literal_eval(row["credits"]))

    expected = sorted((money(row["cost"]), billed(row)) for row in promoted)
    assert sorted((contracted, billed) for contracted, billed, _ in rows) == expected
    assert all(billed == effective == 0 for _, billed, effective in rows)


def test_gcp_resource_labels_become_tags(multicloud_build: Build) -> None:
    """Resource `labels` appear in Tags under their own key (the koku rows have no project or system labels)."""
    def labels(row: dict[str, str], field: str) -> list[dict[str, str]]:
        return ast.literal_eval(row[field])

    rows = [row for source in GCP.glob("*.csv") for row in _csv_rows(source)]
    assert not any(labels(row, "system_labels") or labels(row, "project.labels") for row in rows)
    expected = Counter(json.dumps({label["key"]: label["value"] for label in labels(row, "labels")}, sort_keys=True)
                       for row in rows if labels(row, "labels"))
    actual = Counter(json.dumps(tags, sort_keys=True) for (tags,) in multicloud_build.query(
        "select Tags from marts.focus_cost_and_usage where x_source_name = 'gcp' and Tags is not null"))
    assert expected and actual == expected


def test_gcp_resource_type_falls_back_to_the_service(multicloud_build: Build) -> None:
    """koku's rows name their resource `//example`, a global name without a service and collection, so
    ResourceType is the service the resource is billed under (D47); the billing account, which the
    export does not name and no accounts.csv row names, is named by its id (D45)."""
    rows = multicloud_build.query(
        "select distinct ResourceId, ResourceType, ServiceName, BillingAccountName = BillingAccountId "
        "from marts.focus_cost_and_usage where x_source_name = 'gcp' and ResourceId is not null"
    )
    assert rows and all(resource == "//example" and kind == service and named_by_id
                        for resource, kind, service, named_by_id in rows), rows


# ---------------------------------------------------------------- finops-toolkit extracts


def _cost(rows: list[dict[str, str]]) -> Decimal:
    return sum((money(row["Cost"]) for row in rows), Decimal(0))


def _on_demand(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row for row in rows if row["PricingModel"] == "OnDemand"]


def test_toolkit_extracts_are_not_one_pair() -> None:
    """The premise of the toolkit tests: the two files' on-demand rows differ (different days)."""
    actual, amortized = _csv_rows(TOOLKIT_ACTUAL), _csv_rows(TOOLKIT_AMORTIZED)
    assert len(_on_demand(actual)) == 10 and len(_on_demand(amortized)) == 26
    assert {row["Date"] for row in _on_demand(actual)} == {"09/04/2023", "09/05/2023"}
    assert _cost(_on_demand(actual)) != _cost(_on_demand(amortized))


def test_toolkit_build_stops_on_the_billed_reconciliation_as_bad_input(toolkit_build: Build) -> None:
    """The build stops (bad input, exit 2) with one sentence: the two exports do not describe the same
    charges. Its only failing dbt tests are the two that say so (the general reconciliation, and the
    Azure pair check that names the cause); nothing else breaks, and nothing is published."""
    assert toolkit_build.returncode == 2, toolkit_build.output[-6000:]
    output = re.sub(r"\x1b\[[0-9;]*m", "", toolkit_build.output)
    failed_nodes = re.findall(r"\d+ of \d+ (?:FAIL|ERROR)\b[^A-Za-z_]*(\w+)", output)
    assert sorted(failed_nodes) == ["assert_azure_actual_and_amortized_exports_agree",
                                    "reconciliation_raw_equals_focus_plus_quarantine"], output[-6000:]
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    actual, amortized = _csv_rows(TOOLKIT_ACTUAL), _csv_rows(TOOLKIT_AMORTIZED)
    difference = _cost(_on_demand(actual)) - _cost(_on_demand(amortized))
    cent = Decimal("0.01")
    assert errors == [
        "error: The Azure actual-cost and amortized-cost exports of billing account 8611537 for 2023-09 do not "
        f"describe the same charges: the actual export bills {_cost(actual).quantize(cent)} USD, the amortized "
        f"export's rows bill {(_cost(actual) - difference).quantize(cent)} (difference {difference.normalize()}); "
        "land both exports of the same scope and dates, exported together, and run again."]
    assert not toolkit_build.duckdb_path.exists()


@needs_validator
def test_toolkit_focus_rows_pass_every_focus_validator_must_rule(toolkit_build: Build, tmp_path: Path) -> None:
    """The build fails on the billed reconciliation alone (above), so it publishes nothing; the FOCUS rows
    it built (in the working database) are valid."""
    assert failed_must_rules(toolkit_build, tmp_path, published=False) == {}


def test_every_toolkit_row_is_loaded(toolkit_build: Build) -> None:
    """Every data row of both extracts is loaded, none rejected or quarantined."""
    loaded = dict(toolkit_build.query_work("select export_name, sum(rows_loaded) from raw.landing_files group by 1"))
    assert loaded == {"ea-actual": len(_csv_rows(TOOLKIT_ACTUAL)), "ea-amortized": len(_csv_rows(TOOLKIT_AMORTIZED))}
    assert toolkit_build.query_work("select count(*) from raw.rejected_lines") == [(0,)]
    assert toolkit_build.query_work("select count(*) from marts.quarantine_line_items") == [(0,)]


def test_toolkit_amortized_basis_reconciles_and_billed_basis_shows_the_mismatch(toolkit_build: Build) -> None:
    """Σ amortised Cost = raw amortised = Σ FOCUS EffectiveCost exactly; the billed basis is NOT reconciled,
    off by exactly Σ actual on-demand Cost − Σ amortised on-demand Cost (raw − FOCUS)."""
    actual, amortized = _csv_rows(TOOLKIT_ACTUAL), _csv_rows(TOOLKIT_AMORTIZED)
    rows = toolkit_build.query_work(
        "select raw_billed_cost, raw_amortized_cost, focus_billed_cost, focus_effective_cost, "
        "billed_cost_difference, effective_cost_difference, is_reconciled "
        "from marts.fct_billing_reconciliation where source_name = 'azure'")
    assert len(rows) == 1, rows
    raw_billed, raw_amortized, focus_billed, focus_effective, billed_diff, effective_diff, reconciled = rows[0]
    assert raw_amortized == focus_effective == _cost(amortized)
    assert effective_diff == 0
    assert raw_billed == _cost(actual)
    assert billed_diff == _cost(_on_demand(actual)) - _cost(_on_demand(amortized)) != 0
    assert raw_billed - focus_billed == billed_diff
    assert reconciled is False


def test_toolkit_reservation_purchase_is_a_purchase_row(toolkit_build: Build) -> None:
    """The actual export's reservation purchase is one FOCUS Purchase row: BilledCost 3.25, EffectiveCost 0."""
    rows = toolkit_build.query_work(
        "select ChargeCategory, ChargeClass, BilledCost, EffectiveCost, CommitmentDiscountCategory "
        "from marts.focus_cost_and_usage where ChargeCategory = 'Purchase'")
    assert rows == [("Purchase", None, Decimal("3.25"), Decimal(0), "Usage")]


def test_toolkit_covered_usage_bills_zero(toolkit_build: Build) -> None:
    """Reservation- and savings-plan-covered rows are Used with BilledCost 0, EffectiveCost the amortised Cost,
    category Usage (reservation) and Spend (savings plan)."""
    covered = {row["PricingModel"]: money(row["Cost"]) for row in _csv_rows(TOOLKIT_AMORTIZED)
               if row["PricingModel"] != "OnDemand"}
    rows = toolkit_build.query_work(
        "select CommitmentDiscountCategory, CommitmentDiscountStatus, PricingCategory, BilledCost, EffectiveCost "
        "from marts.focus_cost_and_usage where CommitmentDiscountStatus is not null order by 1 desc")
    assert rows == [
        ("Usage", "Used", "Committed", Decimal(0), covered["Reservation"]),
        ("Spend", "Used", "Committed", Decimal(0), covered["SavingsPlan"]),
    ]
