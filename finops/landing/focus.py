"""Native FOCUS exports: folder layout, column set and how a file is read.

Layout (under focus/):
    <export>/**/*.csv|.csv.gz|.parquet

Every data file of an export folder counts; export manifests are listed as not read, without a warning.
"""

from __future__ import annotations

from pathlib import Path

from .files import DATA_SUFFIXES, LandingError, LandingFile, data_files, is_data_file, relative, visible
from .reading import CAMEL_BOUNDARY, CsvSpec, csv_header, ident, sql_str

SOURCE = "focus"
RAW_TABLE = "focus_line_items"
SUFFIXES = DATA_SUFFIXES

# Native FOCUS exports: every column of FOCUS 1.0-1.2 (snake_case in the raw table). Only the
# columns that are mandatory and non-nullable in every version since 1.0 are required; columns
# that an older version lacks load as NULL and staging fills what can be derived.
FOCUS_COLUMNS: list[tuple[str, bool]] = [
    ("AvailabilityZone", False),
    ("BilledCost", True),
    ("BillingAccountId", True),
    ("BillingAccountName", False),
    ("BillingAccountType", False),
    ("BillingCurrency", True),
    ("BillingPeriodEnd", True),
    ("BillingPeriodStart", True),
    ("CapacityReservationId", False),
    ("CapacityReservationStatus", False),
    ("ChargeCategory", True),
    ("ChargeClass", False),
    ("ChargeDescription", False),
    ("ChargeFrequency", False),
    ("ChargePeriodEnd", True),
    ("ChargePeriodStart", True),
    ("CommitmentDiscountCategory", False),
    ("CommitmentDiscountId", False),
    ("CommitmentDiscountName", False),
    ("CommitmentDiscountQuantity", False),
    ("CommitmentDiscountStatus", False),
    ("CommitmentDiscountType", False),
    ("CommitmentDiscountUnit", False),
    ("ConsumedQuantity", False),
    ("ConsumedUnit", False),
    ("ContractedCost", False),
    ("ContractedUnitPrice", False),
    ("EffectiveCost", True),
    ("InvoiceId", False),
    ("InvoiceIssuerName", False),
    ("ListCost", False),
    ("ListUnitPrice", False),
    ("PricingCategory", False),
    ("PricingCurrency", False),
    ("PricingCurrencyContractedUnitPrice", False),
    ("PricingCurrencyEffectiveCost", False),
    ("PricingCurrencyListUnitPrice", False),
    ("PricingQuantity", False),
    ("PricingUnit", False),
    ("ProviderName", True),
    ("PublisherName", False),
    ("RegionId", False),
    ("RegionName", False),
    ("ResourceId", False),
    ("ResourceName", False),
    ("ResourceType", False),
    ("ServiceCategory", False),
    ("ServiceName", False),
    ("ServiceSubcategory", False),
    ("SkuId", False),
    ("SkuMeter", False),
    ("SkuPriceDetails", False),
    ("SkuPriceId", False),
    ("SubAccountId", False),
    ("SubAccountName", False),
    ("SubAccountType", False),
    ("Tags", False),
]


def snake_name(focus_column: str) -> str:
    """`BilledCost` -> `billed_cost`: raw FOCUS tables use snake_case like the rest of the warehouse."""
    return CAMEL_BOUNDARY.sub("_", focus_column).lower()


FOCUS_BY_LOWER = {name.lower(): name for name, _ in FOCUS_COLUMNS}
FOCUS_RAW_COLUMNS = [snake_name(name) for name, _ in FOCUS_COLUMNS]


def find_files(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for export_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and visible(p)):
        found.extend(LandingFile("focus", export_dir.name, f, "focus", "current") for f in data_files(export_dir))
    stray = sorted(p for p in source_dir.iterdir() if is_data_file(p))
    if stray:
        raise LandingError(
            f"{relative(stray[0], landing)}: FOCUS files go in one subfolder per export (focus/<export>/); move it there."
        )
    return found


def is_read_metadata(path: Path) -> bool:  # noqa: ARG001 - every provider answers it
    return False


def not_read_reason(path: Path) -> tuple[str, bool] | None:
    if path.name.lower().endswith("manifest.json"):
        return "an export manifest, not interpreted: every data file of the export folder counts", False
    return None


def raw_columns() -> str:
    return ", ".join(f"{c} VARCHAR" for c in FOCUS_RAW_COLUMNS)


def select(loader, f: LandingFile) -> tuple[str, str, CsvSpec | None]:
    spec = None
    if f.path.name.lower().endswith(".parquet"):
        names = list(loader.parquet_columns(f))
        refs = {n: ident(n) for n in names}
        relation = f"read_parquet({sql_str(str(f.path))}, file_row_number = true)"
    else:
        header = csv_header(f.path, loader.rel(f))
        names = [h.strip() for h in header]
        refs = {n: f"c{i}" for i, n in enumerate(names)}
        spec = CsvSpec(header, ["", "NULL"])
        relation = loader.csv_relation(f.path, spec)
    by_focus = {FOCUS_BY_LOWER[n.lower()]: refs[n] for n in names if n.lower() in FOCUS_BY_LOWER}
    missing = [name for name, required in FOCUS_COLUMNS if required and name not in by_focus]
    if missing:
        raise LandingError(
            f"{loader.rel(f)}: this FOCUS file lacks the mandatory column(s) {', '.join(missing)}; "
            "export it again with every FOCUS column (FOCUS 1.0 or later)."
        )
    cols = [
        f"cast({by_focus[name]} as varchar) as {snake_name(name)}" if name in by_focus else f"null as {snake_name(name)}"
        for name, _ in FOCUS_COLUMNS
    ]
    return ", ".join(cols), relation, spec
