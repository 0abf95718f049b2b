"""Legacy AWS Cost and Usage Report (CUR): folder layout, column set and how a file is read.

Layout (under aws_cur/):
    <report>/<yyyymmdd-yyyymmdd>/<assembly-id>/<report>-<n>.csv.gz  (.csv, .parquet too)
    <report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json            names the current assembly
    <report>/<report>/year=YYYY/month=M/*.parquet                  Athena-integration flavour

Re-delivery rule: AWS re-delivers a billing period many times until it closes, each time into a
new assembly folder, and rewrites the period's manifest to name the newest. Only the files of the
assembly that the manifest names count; the other assemblies are recorded as `superseded`. Without
a manifest, the assembly folder whose files were written last (modification time, then folder name)
counts. Files written straight into the period folder (the "overwrite" report versioning) count as
they are. The Athena flavour is overwritten in place by AWS, so every data file under it counts. A
period folder holding both direct files and assembly folders without a manifest is ambiguous and
stops the load.

Columns: AWS exports come in three flavours that name the same fields differently: legacy CUR CSV
(`lineItem/UnblendedCost`), its parquet "Athena integration" flavour and CUR 2.0
(`line_item_unblended_cost`, aws_cur2.py, which reads into this module's column set). The loader
renames the CSV headers the way AWS's Athena integration does (see `athena_name`), so every AWS
flavour lands in one raw column set. Every raw column is VARCHAR: typing happens in staging with
`try_cast`, so that a value that does not parse becomes a quarantined row instead of a failed load.
"""

from __future__ import annotations

import json
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
from .reading import CAMEL_BOUNDARY, CsvSpec, csv_header, ident, map_expr, sql_str

SOURCE = "aws_cur"
RAW_TABLE = "aws_cur_line_items"
SUFFIXES = DATA_SUFFIXES
ATHENA_STATUS_FOLDER = "cost_and_usage_data_status"

# (raw column, required in every file). A file that lacks a required column is rejected with a
# message naming the file and the columns; optional columns that a file lacks load as NULL.
AWS_CUR_COLUMNS: list[tuple[str, bool]] = [
    ("identity_line_item_id", False),
    ("identity_time_interval", False),
    ("bill_invoice_id", False),
    ("bill_invoicing_entity", False),
    ("bill_billing_entity", False),
    ("bill_bill_type", False),
    ("bill_payer_account_id", True),
    ("bill_payer_account_name", False),
    ("bill_billing_period_start_date", True),
    ("bill_billing_period_end_date", True),
    ("line_item_usage_account_id", True),
    ("line_item_usage_account_name", False),
    ("line_item_line_item_type", True),
    ("line_item_usage_start_date", True),
    ("line_item_usage_end_date", True),
    ("line_item_product_code", True),
    ("line_item_usage_type", False),
    ("line_item_operation", False),
    ("line_item_availability_zone", False),
    ("line_item_resource_id", False),
    ("line_item_usage_amount", False),
    ("line_item_normalization_factor", False),
    ("line_item_normalized_usage_amount", False),
    ("line_item_currency_code", True),
    ("line_item_unblended_rate", False),
    ("line_item_unblended_cost", True),
    ("line_item_net_unblended_cost", False),
    ("line_item_line_item_description", False),
    ("line_item_tax_type", False),
    ("line_item_legal_entity", False),
    ("product_product_name", False),
    ("product_product_family", False),
    ("product_region", False),
    ("product_region_code", False),
    ("product_location", False),
    ("product_servicecode", False),
    ("product_instance_type", False),
    ("product_sku", False),
    ("pricing_rate_code", False),
    ("pricing_public_on_demand_cost", False),
    ("pricing_public_on_demand_rate", False),
    ("pricing_term", False),
    ("pricing_unit", False),
    ("pricing_purchase_option", False),
    ("pricing_lease_contract_length", False),
    ("reservation_reservation_a_r_n", False),
    ("reservation_amortized_upfront_cost_for_usage", False),
    ("reservation_amortized_upfront_fee_for_billing_period", False),
    ("reservation_effective_cost", False),
    ("reservation_net_effective_cost", False),
    ("reservation_recurring_fee_for_usage", False),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", False),
    ("reservation_net_unused_amortized_upfront_fee_for_billing_period", False),
    ("reservation_unused_quantity", False),
    ("reservation_unused_recurring_fee", False),
    ("reservation_net_unused_recurring_fee", False),
    ("reservation_total_reserved_units", False),
    ("reservation_number_of_reservations", False),
    ("reservation_upfront_value", False),
    ("reservation_start_time", False),
    ("reservation_end_time", False),
    ("savings_plan_savings_plan_a_r_n", False),
    ("savings_plan_savings_plan_rate", False),
    ("savings_plan_savings_plan_effective_cost", False),
    ("savings_plan_net_savings_plan_effective_cost", False),
    ("savings_plan_total_commitment_to_date", False),
    ("savings_plan_used_commitment", False),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", False),
    ("savings_plan_recurring_commitment_for_billing_period", False),
    ("savings_plan_start_time", False),
    ("savings_plan_end_time", False),
    ("savings_plan_payment_option", False),
    ("savings_plan_purchase_term", False),
    ("savings_plan_offering_type", False),
]


AWS_MAP_COLUMNS = ["resource_tags", "cost_category"]
AWS_RAW_COLUMNS = [name for name, _ in AWS_CUR_COLUMNS]


def athena_name(header: str) -> str:
    """Name a legacy CUR CSV header the way AWS's Athena integration names the column.

    `lineItem/UnblendedCost` -> `line_item_unblended_cost`,
    `savingsPlan/SavingsPlanARN` -> `savings_plan_savings_plan_a_r_n`.
    """
    parts = header.strip().split("/", 1)
    return "_".join(CAMEL_BOUNDARY.sub("_", part).lower() for part in parts)


def _focus_tag_key(aws_key: str) -> str:
    """The FOCUS Tags key of an AWS cost allocation tag: user-defined tags by their own name
    (`user:Team` -> `Team`), AWS-generated tags keep their provider prefix (`aws:createdBy`)."""
    return aws_key.removeprefix("user:")


def _athena_tag_key(suffix: str) -> str:
    """`resource_tags_<suffix>` (Athena flavour, lowercased by AWS): `user_team` -> `team`,
    `aws_created_by` -> `aws:created_by`."""
    prefix, _, rest = suffix.partition("_")
    return _focus_tag_key(f"{prefix}:{rest}") if rest else suffix


def _cur_period(report_dir: Path, period_dir: Path, landing: Path) -> list[LandingFile]:
    """Files of one legacy CUR billing period, with the re-delivery rule applied."""
    report = report_dir.name
    direct = sorted(p for p in period_dir.iterdir() if is_data_file(p))
    assemblies = sorted(p for p in period_dir.iterdir() if p.is_dir() and visible(p))
    manifests = sorted(period_dir.glob("*Manifest.json"))
    found: list[LandingFile] = []

    def flavor(p: Path) -> str:
        return "cur_parquet" if p.name.lower().endswith(".parquet") else "cur_csv"

    current_assembly: str | None = None
    if manifests:
        manifest = manifests[0]
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
            current_assembly = str(content["assemblyId"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LandingError(
                f"{relative(manifest, landing)}: the CUR manifest cannot be read ({exc.__class__.__name__}); "
                "re-download it from the report's S3 bucket or delete it to fall back to the newest assembly folder."
            ) from None
        if not (period_dir / current_assembly).is_dir():
            raise LandingError(
                f"{relative(manifest, landing)}: the manifest names assembly {current_assembly}, but the folder "
                f"{relative(period_dir / current_assembly, landing)} does not exist; copy that delivery from S3."
            )
        for key in content.get("reportKeys") or []:
            # reportKeys are S3 keys ending in <assembly>/<file>; the file must be in the landing copy.
            expected = period_dir / current_assembly / Path(key).name
            if not expected.is_file():
                raise LandingError(
                    f"{relative(manifest, landing)}: the manifest lists {Path(key).name}, which is missing from "
                    f"{relative(period_dir / current_assembly, landing)}; copy the complete delivery from S3."
                )
    elif assemblies:
        def written(folder: Path) -> tuple[float, str]:
            files = data_files(folder)
            return (max((f.stat().st_mtime for f in files), default=0.0), folder.name)

        current_assembly = max(assemblies, key=written).name

    for folder in assemblies:
        files = data_files(folder)
        is_current = folder.name == current_assembly
        for f in files:
            found.append(
                LandingFile(
                    "aws_cur", report, f, flavor(f),
                    "current" if is_current else "superseded",
                    folder.name,
                    "" if is_current else f"superseded by assembly {current_assembly}",
                )
            )
    if direct and assemblies and not manifests:
        raise LandingError(
            f"{relative(period_dir, landing)}: this billing period holds both files written straight into it and "
            "assembly folders, with no manifest to say which delivery is current; copy the period's "
            "Manifest.json from S3, or remove the delivery that is not current."
        )
    if direct and current_assembly and manifests:
        for f in direct:
            found.append(LandingFile("aws_cur", report, f, flavor(f), "superseded", None,
                                     f"the manifest names assembly {current_assembly}"))
    else:
        found.extend(LandingFile("aws_cur", report, f, flavor(f), "current") for f in direct)
    if not any(f.status == "current" for f in found):
        raise LandingError(
            f"{relative(period_dir, landing)}: this billing period folder holds no CUR data file "
            "(.csv, .csv.gz or .parquet); copy the delivery from S3 or remove the empty folder."
        )
    return found


def find_files(source_dir: Path, landing: Path) -> list[LandingFile]:
    found: list[LandingFile] = []
    for report_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and visible(p)):
        periods = sorted(p for p in report_dir.iterdir() if p.is_dir() and PERIOD_FOLDER.match(p.name))
        for period_dir in periods:
            found.extend(_cur_period(report_dir, period_dir, landing))
        others = [p for p in report_dir.iterdir() if visible(p) and p not in periods and not p.name.endswith(".json")]
        for other in sorted(others):
            files = [other] if is_data_file(other) else data_files(other) if other.is_dir() else []
            # The Athena integration writes a refresh-status table beside the data: not billing data.
            files = [f for f in files if ATHENA_STATUS_FOLDER not in f.parts]
            for f in files:
                if "year=" not in str(f.relative_to(report_dir)) or not f.name.lower().endswith(".parquet"):
                    raise LandingError(
                        f"{relative(f, landing)}: not in a CUR delivery layout (<report>/<yyyymmdd-yyyymmdd>/"
                        "<assembly>/ or the Athena flavour's <report>/<report>/year=YYYY/month=M/*.parquet); "
                        "move it into one of those layouts."
                    )
                found.append(LandingFile("aws_cur", report_dir.name, f, "cur_parquet", "current"))
    return found


def is_read_metadata(path: Path) -> bool:
    """A period folder's manifest (the first one, as _cur_period reads it) is read, not billing data."""
    if PERIOD_FOLDER.match(path.parent.name):
        return path == next(iter(sorted(path.parent.glob("*Manifest.json"))), None)
    return False


def not_read_reason(path: Path) -> tuple[str, bool] | None:
    """Why a file the loader leaves alone is not read, and whether it deserves a warning (None: not
    one of this source's own kinds of file)."""
    name = path.name.lower()
    if ATHENA_STATUS_FOLDER in path.parts:
        return "the Athena integration's refresh-status table, not billing data", False
    if name == "crawler-cfn.yml":
        return "the Athena integration's CloudFormation template, not billing data", False
    if name.endswith("manifest.json"):
        if PERIOD_FOLDER.match(path.parent.name):
            return "a second manifest in the period folder; the first by name decides which delivery counts", True
        return "an assembly folder's copy of the CUR manifest; the period folder's manifest decides which " \
               "delivery counts", False
    return None


def raw_columns() -> str:
    """The raw table's columns (before the lineage columns every raw table has)."""
    aws = ", ".join(f"{c} VARCHAR" for c in AWS_RAW_COLUMNS)
    maps = ", ".join(f"{c} MAP(VARCHAR, VARCHAR)" for c in AWS_MAP_COLUMNS)
    return f"{aws}, {maps}"


def select(loader, f: LandingFile) -> tuple[str, str, CsvSpec | None]:
    """(select list, relation, CSV settings) reading one AWS file into the raw AWS column set."""
    spec = None
    if f.flavor == "cur_csv":
        header = csv_header(f.path, loader.rel(f))
        by_name: dict[str, str] = {}
        tags: list[tuple[str, str]] = []
        categories: list[tuple[str, str]] = []
        for i, raw in enumerate(header):
            name = raw.strip()
            if name.startswith("resourceTags/"):
                tags.append((_focus_tag_key(name.split("/", 1)[1]), f"c{i}"))
            elif name.startswith("costCategory/"):
                categories.append((name.split("/", 1)[1], f"c{i}"))
            else:
                by_name.setdefault(athena_name(name), f"c{i}")
        spec = CsvSpec(header, [""])
        relation = loader.csv_relation(f.path, spec)
    else:
        types = loader.parquet_columns(f)
        by_name = {name.lower(): ident(name) for name in types}
        tags, categories = [], []
        for name in types:
            lower = name.lower()
            if lower.startswith("resource_tags_"):
                tags.append((_athena_tag_key(lower.removeprefix("resource_tags_")), ident(name)))
            elif lower.startswith("cost_category_"):
                categories.append((lower.removeprefix("cost_category_"), ident(name)))
        relation = f"read_parquet({sql_str(str(f.path))}, file_row_number = true)"
        # CUR 2.0 keeps most product attributes in the `product` map (`product['product_name']`):
        # a product column that is not a column of its own is read from there.
        product = next((name for name, ctype in types.items() if name.lower() == "product"
                        and ctype.upper().startswith("MAP(")), None)
        if product:
            for name, _ in AWS_CUR_COLUMNS:
                if name.startswith("product_") and name not in by_name:
                    by_name[name] = f"map_extract_value({ident(product)}, {sql_str(name.removeprefix('product_'))})"
    missing = [name for name, required in AWS_CUR_COLUMNS if required and name not in by_name]
    if missing:
        raise LandingError(
            f"{loader.rel(f)}: this file lacks the CUR column(s) {', '.join(missing)}, so it is not a Cost and "
            "Usage Report we can read; check the report's settings (it must include resource IDs) and re-export it."
        )
    cols = [f"cast({by_name[n]} as varchar) as {n}" if n in by_name else f"null as {n}" for n in AWS_RAW_COLUMNS]
    if "resource_tags" in by_name:  # CUR 2.0 map: keys like user_Team / aws_createdBy
        tag_expr = (
            "map_from_entries(list_transform(list_filter(map_entries(resource_tags), "
            "e -> nullif(trim(e.value), '') is not null), "
            "e -> {'k': case when starts_with(e.key, 'user_') then e.key[6:] "
            "when starts_with(e.key, 'aws_') then 'aws:' || e.key[5:] else e.key end, 'v': trim(e.value)}))"
        )
    else:
        tag_expr = map_expr(tags)
    if "cost_category" in by_name:
        category_expr = (
            "map_from_entries(list_transform(list_filter(map_entries(cost_category), "
            "e -> nullif(trim(e.value), '') is not null), e -> {'k': e.key, 'v': trim(e.value)}))"
        )
    else:
        category_expr = map_expr(categories)
    cols += [f"{tag_expr} as resource_tags", f"{category_expr} as cost_category"]
    return ", ".join(cols), relation, spec
