"""Azure Cost Management cost details exports: folder layout, column set and how a file is read.

Layout (under azure/):
    <export>/<yyyymmdd-yyyymmdd>/<run-id>/*.csv|.csv.gz|.parquet      Azure cost details exports
    <export>/<yyyymmdd-yyyymmdd>/*.csv                               (older exports: a file per run)

Each export folder is one export definition, actual cost or amortized cost; its type comes from the
run's manifest.json (`exportConfig.type`), else from the folder name (it must contain "actual" or
"amortized"/"amortised"). Both types must be landed: FOCUS needs the amortized rows and the actual
export's commitment purchases. Every run of an export for a date range writes a new run folder
(older exports: a new file in the range folder); the newest run of a range replaces the earlier
ones (manifest `runInfo.submittedTime`, else the files' modification time, then the name). Two
date-range folders of one export that overlap without being equal stop the load: their days would
be counted twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from .files import (
    DATA_SUFFIXES,
    PERIOD_FOLDER,
    LandingError,
    LandingFile,
    data_files,
    is_data_file,
    relative,
    visible,
)
from .reading import CsvSpec, csv_header, ident, sql_str

SOURCE = "azure"
RAW_TABLE = "azure_cost_details"
SUFFIXES = DATA_SUFFIXES

# Azure Cost Management "cost details" exports (actual and amortised cost), EA and MCA. Headers are
# matched ignoring case, spaces and underscores, so `CostInBillingCurrency` (EA), `costInBillingCurrency`
# (MCA, schema 2023-05-01) and `Cost` / `PreTaxCost` (older EA exports) all land in one raw column.
# (raw column, header spellings in order of preference, required in every file)
AZURE_COLUMNS: list[tuple[str, tuple[str, ...], bool]] = [
    ("billing_account_id", ("billingaccountid", "enrollmentnumber"), True),
    ("billing_account_name", ("billingaccountname",), False),
    ("billing_profile_id", ("billingprofileid",), False),
    ("billing_profile_name", ("billingprofilename",), False),
    ("billing_period_start_date", ("billingperiodstartdate",), True),
    ("billing_period_end_date", ("billingperiodenddate",), True),
    ("invoice_id", ("invoiceid",), False),
    ("invoice_section_id", ("invoicesectionid",), False),
    ("invoice_section_name", ("invoicesectionname", "invoicesection"), False),
    ("subscription_id", ("subscriptionid", "subscriptionguid"), True),
    ("subscription_name", ("subscriptionname",), False),
    ("resource_group", ("resourcegroup", "resourcegroupname"), False),
    ("resource_id", ("resourceid", "instanceid"), False),
    ("resource_name", ("resourcename",), False),
    ("resource_location", ("resourcelocation",), False),
    ("availability_zone", ("availabilityzone",), False),
    ("date", ("date", "usagedatetime"), True),
    ("product_name", ("productname", "product"), False),
    ("product_id", ("productid",), False),
    ("part_number", ("partnumber",), False),
    ("meter_id", ("meterid",), False),
    ("meter_name", ("metername",), False),
    ("meter_category", ("metercategory",), False),
    ("meter_sub_category", ("metersubcategory",), False),
    ("meter_region", ("meterregion",), False),
    ("service_family", ("servicefamily",), False),
    ("consumed_service", ("consumedservice",), False),
    ("unit_of_measure", ("unitofmeasure",), False),
    ("quantity", ("quantity", "usagequantity"), False),
    ("effective_price", ("effectiveprice",), False),
    ("unit_price", ("unitprice",), False),
    ("payg_price", ("paygprice",), False),
    ("cost_in_billing_currency", ("costinbillingcurrency", "cost", "pretaxcost"), True),
    ("payg_cost_in_billing_currency", ("paygcostinbillingcurrency",), False),
    ("cost_in_pricing_currency", ("costinpricingcurrency",), False),
    ("exchange_rate_pricing_to_billing", ("exchangeratepricingtobilling",), False),
    ("billing_currency", ("billingcurrencycode", "billingcurrency", "currency"), True),
    ("pricing_currency", ("pricingcurrencycode", "pricingcurrency"), False),
    ("charge_type", ("chargetype",), True),
    ("pricing_model", ("pricingmodel",), False),
    ("frequency", ("frequency",), False),
    ("reservation_id", ("reservationid",), False),
    ("reservation_name", ("reservationname",), False),
    ("benefit_id", ("benefitid",), False),
    ("benefit_name", ("benefitname",), False),
    ("term", ("term",), False),
    ("publisher_type", ("publishertype",), False),
    ("publisher_name", ("publishername",), False),
    ("tags", ("tags",), False),
    ("additional_info", ("additionalinfo",), False),
    ("cost_center", ("costcenter",), False),
]
AZURE_RAW_COLUMNS = [name for name, _, _ in AZURE_COLUMNS]
# How Azure's documentation spells the columns a cost details file must have (for the error message).
AZURE_REQUIRED_NAMES = {
    "billing_account_id": "BillingAccountId",
    "billing_period_start_date": "BillingPeriodStartDate",
    "billing_period_end_date": "BillingPeriodEndDate",
    "subscription_id": "SubscriptionId",
    "date": "Date",
    "cost_in_billing_currency": "CostInBillingCurrency (or Cost)",
    "billing_currency": "BillingCurrencyCode (or BillingCurrency)",
    "charge_type": "ChargeType",
}


def header_key(header: str) -> str:
    """`CostInBillingCurrency`, `costInBillingCurrency`, `Cost In Billing Currency` -> `costinbillingcurrency`."""
    return re.sub(r"[\s_\-]", "", header.strip().lstrip("\ufeff")).lower()


def _azure_manifest(run_dir: Path, landing: Path) -> dict | None:
    manifest = run_dir / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        content = json.loads(manifest.read_text(encoding="utf-8-sig"))
        if not isinstance(content, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise LandingError(
            f"{relative(manifest, landing)}: the export manifest cannot be read ({exc.__class__.__name__}); "
            "download it again from the storage account or delete it to fall back to the files' times."
        ) from None
    for blob in content.get("blobs") or []:
        name = Path(str(blob.get("blobName", ""))).name if isinstance(blob, dict) else ""
        if name and not (run_dir / name).is_file():
            raise LandingError(
                f"{relative(manifest, landing)}: the manifest lists {name}, which is missing from "
                f"{relative(run_dir, landing)}; copy the complete export run from the storage account."
            )
    return content


def _azure_type(value: str) -> str | None:
    value = value.lower()
    if "amortized" in value or "amortised" in value:
        return "amortized"
    if "actual" in value or value == "usage":
        return "actual"
    return None


def _mtime(files: list[Path]) -> str:
    latest = max((f.stat().st_mtime for f in files), default=0.0)
    return dt.datetime.fromtimestamp(latest, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def find_files(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and visible(p)):
        ranges = sorted(p for p in export_dir.iterdir() if p.is_dir() and PERIOD_FOLDER.match(p.name))
        stray = [f for f in data_files(export_dir) if not any(r in f.parents for r in ranges)]
        if stray:
            raise LandingError(
                f"{relative(stray[0], landing)}: Azure exports write into a date-range folder "
                f"({export_dir.name}/<yyyymmdd-yyyymmdd>/); move the file into the folder of the range it covers."
            )
        spans = []
        for r in ranges:
            first, last = r.name.split("-")
            if last < first:
                raise LandingError(f"{relative(r, landing)}: the date range ends before it starts; rename the folder.")
            spans.append((first, last, r))
        for (a0, a1, ra), (b0, b1, rb) in zip(spans, spans[1:]):
            if b0 <= a1:
                raise LandingError(
                    f"{relative(rb, landing)}: overlaps {ra.name} of the same export, so the days they share would "
                    "be counted twice; keep one export run per date range (delete the older range folder)."
                )
        named_type = _azure_type(export_dir.name)
        stated_types: set[str] = set()
        range_runs: dict[Path, list[tuple[str, Path, list[Path]]]] = {}
        for r in ranges:
            candidates: list[tuple[str, Path, list[Path]]] = []
            for f in sorted(p for p in r.iterdir() if is_data_file(p)):
                candidates.append((_mtime([f]), f, [f]))
            for run_dir in sorted(p for p in r.iterdir() if p.is_dir() and visible(p)):
                files = data_files(run_dir)
                if not files:
                    continue
                manifest = _azure_manifest(run_dir, landing)
                key = _mtime(files)
                if manifest:
                    config = manifest.get("exportConfig") or {}
                    stated = str(config.get("type") or "")
                    if stated.lower().startswith("focus"):
                        raise LandingError(
                            f"{relative(run_dir, landing)}: this is a FOCUS export ({stated}); land it under "
                            "focus/<export>/ instead of azure/."
                        )
                    typed = _azure_type(stated)
                    if typed:
                        stated_types.add(typed)
                    submitted = str((manifest.get("runInfo") or {}).get("submittedTime") or "")
                    if submitted:
                        key = submitted.rstrip("Z")
                candidates.append((key, run_dir, files))
            if not candidates:
                raise LandingError(
                    f"{relative(r, landing)}: this date-range folder holds no export file (.csv, .csv.gz or "
                    ".parquet); copy the export run from the storage account or remove the empty folder."
                )
            range_runs[r] = candidates
        if len(stated_types) > 1:
            raise LandingError(
                f"azure/{export_dir.name}: its runs' manifests state both actual and amortised cost; land each "
                "export definition in its own folder."
            )
        export_type = next(iter(stated_types), named_type)
        if ranges and export_type is None:
            raise LandingError(
                f"azure/{export_dir.name}: cannot tell whether this export is actual or amortised cost (no "
                "manifest.json states it); rename the folder to include \"actual\" or \"amortized\"."
            )
        flavor = f"azure_{export_type}"
        for r, candidates in range_runs.items():
            current = max(candidates, key=lambda c: (c[0], c[1].name))
            for key, run, files in candidates:
                is_current = run == current[1]
                for f in files:
                    found.append(LandingFile(
                        "azure", export_dir.name, f, flavor, "current" if is_current else "superseded",
                        run.name if run.is_dir() else None,
                        "" if is_current else f"replaced by the newer export run {current[1].name} of {r.name}",
                    ))
    types = {f.flavor for f in found}
    if types == {"azure_actual"} or types == {"azure_amortized"}:
        have, missing = ("actual", "amortized") if types == {"azure_actual"} else ("amortized", "actual")
        raise LandingError(
            f"azure/: only {have}-cost exports are landed; FOCUS needs both (amortised rows and the actual "
            f"export's commitment purchases), so add the {missing}-cost export of the same scope."
        )
    return found


def is_read_metadata(path: Path) -> bool:
    """An export run's manifest.json is read, not billing data."""
    return path.name == "manifest.json" and PERIOD_FOLDER.match(path.parent.parent.name) is not None


def not_read_reason(path: Path) -> tuple[str, bool] | None:  # noqa: ARG001 - every provider answers it
    return None


def raw_columns() -> str:
    azure = ", ".join(f"{c} VARCHAR" for c in AZURE_RAW_COLUMNS)
    return f"{azure}, _export_type VARCHAR"


def select(loader, f: LandingFile) -> tuple[str, str, CsvSpec | None]:
    """(select list, relation, CSV settings) reading one Azure cost details file into the raw Azure
    column set."""
    spec = None
    if f.path.name.lower().endswith(".parquet"):
        names = list(loader.parquet_columns(f))
        refs = {header_key(n): ident(n) for n in reversed(names)}
        relation = f"read_parquet({sql_str(str(f.path))}, file_row_number = true)"
    else:
        names = csv_header(f.path, loader.rel(f))
        refs = {header_key(n): f"c{i}" for i, n in reversed(list(enumerate(names)))}
        spec = CsvSpec(names, [""])
        relation = loader.csv_relation(f.path, spec)
    by_raw: dict[str, str] = {}
    for raw, spellings, _ in AZURE_COLUMNS:
        ref = next((refs[s] for s in spellings if s in refs), None)
        if ref is not None:
            by_raw[raw] = ref
    missing = [AZURE_REQUIRED_NAMES[raw] for raw, _, required in AZURE_COLUMNS if required and raw not in by_raw]
    if missing:
        raise LandingError(
            f"{loader.rel(f)}: this file lacks the cost details column(s) {', '.join(missing)}, so it is not an "
            "Azure cost details export we can read; export it again as \"Cost and usage details\" "
            "(actual or amortized cost) in CSV or parquet."
        )
    cols = [f"cast({by_raw[n]} as varchar) as {n}" if n in by_raw else f"null as {n}" for n in AZURE_RAW_COLUMNS]
    cols.append(f"{sql_str(f.flavor.removeprefix('azure_'))} as _export_type")
    return ", ".join(cols), relation, spec
