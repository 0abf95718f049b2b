"""Canonical line-item columns and their projection onto the three AWS delivery flavours.

Every generated line item is first expressed with *canonical* column names (typed: VARCHAR,
DECIMAL(18,10) or TIMESTAMP). A flavour projection then renames/formats them:

* ``csv``    legacy CUR CSV: ``category/Name`` headers, ISO timestamps ``...Z``, decimals printed
             exactly with 10 decimal places, NULL as empty field.
* ``athena`` legacy CUR parquet (Athena integration): snake_case names, DOUBLE amounts, TIMESTAMP.
* ``cur2``   CUR 2.0 / Data Exports parquet: snake_case names plus MAP columns.
"""

from __future__ import annotations

import re

DEC = "DECIMAL(18,10)"
CSV_TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# (canonical name, legacy CUR column "category/Name", kind: s = VARCHAR, d = decimal, t = timestamp)
CANON: tuple[tuple[str, str, str], ...] = (
    ("line_item_id", "identity/LineItemId", "s"),
    ("time_interval", "identity/TimeInterval", "x"),  # derived from usage_start/usage_end
    ("invoice_id", "bill/InvoiceId", "s"),
    ("invoicing_entity", "bill/InvoicingEntity", "s"),
    ("billing_entity", "bill/BillingEntity", "s"),
    ("bill_type", "bill/BillType", "s"),
    ("payer_account_id", "bill/PayerAccountId", "s"),
    ("bp_start", "bill/BillingPeriodStartDate", "t"),
    ("bp_end", "bill/BillingPeriodEndDate", "t"),
    ("usage_account_id", "lineItem/UsageAccountId", "s"),
    ("line_item_type", "lineItem/LineItemType", "s"),
    ("usage_start", "lineItem/UsageStartDate", "t"),
    ("usage_end", "lineItem/UsageEndDate", "t"),
    ("product_code", "lineItem/ProductCode", "s"),
    ("usage_type", "lineItem/UsageType", "s"),
    ("operation", "lineItem/Operation", "s"),
    ("availability_zone", "lineItem/AvailabilityZone", "s"),
    ("resource_id", "lineItem/ResourceId", "s"),
    ("usage_amount", "lineItem/UsageAmount", "d"),
    ("normalization_factor", "lineItem/NormalizationFactor", "d"),
    ("normalized_usage_amount", "lineItem/NormalizedUsageAmount", "d"),
    ("currency_code", "lineItem/CurrencyCode", "s"),
    ("unblended_rate", "lineItem/UnblendedRate", "d"),
    ("unblended_cost", "lineItem/UnblendedCost", "d"),
    ("blended_rate", "lineItem/BlendedRate", "x"),  # = unblended_rate
    ("blended_cost", "lineItem/BlendedCost", "x"),  # = unblended_cost
    ("net_unblended_cost", "lineItem/NetUnblendedCost", "d"),  # report A only
    ("description", "lineItem/LineItemDescription", "s"),
    ("tax_type", "lineItem/TaxType", "s"),
    ("legal_entity", "lineItem/LegalEntity", "s"),
    ("product_name", "product/ProductName", "s"),
    ("product_family", "product/productFamily", "s"),
    ("region", "product/region", "s"),
    ("location", "product/location", "s"),
    ("servicecode", "product/servicecode", "s"),
    ("instance_type", "product/instanceType", "s"),
    ("sku", "product/sku", "s"),
    ("pod_cost", "pricing/publicOnDemandCost", "d"),
    ("pod_rate", "pricing/publicOnDemandRate", "d"),
    ("term", "pricing/term", "s"),
    ("unit", "pricing/unit", "s"),
    ("purchase_option", "pricing/PurchaseOption", "s"),
    ("lease_contract_length", "pricing/LeaseContractLength", "s"),
    ("ri_arn", "reservation/ReservationARN", "s"),
    ("ri_amortized_upfront_cost_for_usage", "reservation/AmortizedUpfrontCostForUsage", "d"),
    ("ri_amortized_upfront_fee_for_bp", "reservation/AmortizedUpfrontFeeForBillingPeriod", "d"),
    ("ri_effective_cost", "reservation/EffectiveCost", "d"),
    ("ri_recurring_fee_for_usage", "reservation/RecurringFeeForUsage", "d"),
    ("ri_unused_amortized_upfront_fee_for_bp", "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "d"),
    ("ri_unused_quantity", "reservation/UnusedQuantity", "d"),
    ("ri_unused_recurring_fee", "reservation/UnusedRecurringFee", "d"),
    ("ri_total_reserved_units", "reservation/TotalReservedUnits", "d"),
    ("ri_number_of_reservations", "reservation/NumberOfReservations", "d"),
    ("ri_upfront_value", "reservation/UpfrontValue", "d"),
    ("ri_start_time", "reservation/StartTime", "t"),
    ("ri_end_time", "reservation/EndTime", "t"),
    ("sp_arn", "savingsPlan/SavingsPlanARN", "s"),
    ("sp_rate", "savingsPlan/SavingsPlanRate", "d"),
    ("sp_effective_cost", "savingsPlan/SavingsPlanEffectiveCost", "d"),
    ("sp_total_commitment_to_date", "savingsPlan/TotalCommitmentToDate", "d"),
    ("sp_used_commitment", "savingsPlan/UsedCommitment", "d"),
    ("sp_amortized_upfront_commitment_for_bp", "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "d"),
    ("sp_recurring_commitment_for_bp", "savingsPlan/RecurringCommitmentForBillingPeriod", "d"),
    ("sp_start_time", "savingsPlan/StartTime", "t"),
    ("sp_end_time", "savingsPlan/EndTime", "t"),
    ("sp_payment_option", "savingsPlan/PaymentOption", "s"),
    ("sp_purchase_term", "savingsPlan/PurchaseTerm", "s"),
    ("sp_offering_type", "savingsPlan/OfferingType", "s"),
    ("tag_team_uc", "resourceTags/user:Team", "s"),
    ("tag_team_lc", "resourceTags/user:team", "s"),
    ("tag_owner_team", "resourceTags/user:owner-team", "s"),
    ("tag_product", "resourceTags/user:Product", "s"),
    ("tag_environment", "resourceTags/user:Environment", "s"),
    ("tag_env", "resourceTags/user:env", "s"),
    ("tag_cost_center", "resourceTags/user:CostCenter", "s"),
    ("tag_created_by", "resourceTags/aws:createdBy", "s"),
    ("cc_business_unit", "costCategory/BusinessUnit", "s"),
)

# canonical columns that are physically stored (x = derived at projection time)
STORED = tuple((c, k) for c, _, k in CANON if k != "x")
KIND = {c: k for c, _, k in CANON}
LEGACY = {c: legacy for c, legacy, _ in CANON}
TAG_COLUMNS = tuple(c for c, _, _ in CANON if c.startswith("tag_"))
SQL_TYPE = {"s": "VARCHAR", "d": DEC, "t": "TIMESTAMP"}


def canonical_select(exprs: dict[str, str]) -> str:
    """Full, ordered, typed canonical SELECT list; columns missing from ``exprs`` are NULL."""
    unknown = set(exprs) - {c for c, _ in STORED}
    if unknown:
        raise KeyError(f"unknown canonical columns: {sorted(unknown)}")
    parts = []
    for col, kind in STORED:
        expr = exprs.get(col, "NULL")
        parts.append(f"CAST({expr} AS {SQL_TYPE[kind]}) AS {col}")
    return ",\n  ".join(parts)


def small_table_ddl(name: str) -> str:
    cols = ", ".join(f"{c} {SQL_TYPE[k]}" for c, k in STORED)
    return f"CREATE OR REPLACE TEMP TABLE {name} ({cols})"


# ---------------------------------------------------------------------------------------------
# Athena / CUR 2.0 naming
# ---------------------------------------------------------------------------------------------


def _snake(token: str) -> str:
    token = re.sub(r"[^0-9A-Za-z]+", "_", token)
    token = re.sub(r"([A-Z])", r"_\1", token).lower()
    return re.sub(r"_+", "_", token).strip("_")


def athena_name(legacy: str) -> str:
    """`lineItem/UnblendedCost` -> `line_item_unblended_cost`; `savingsPlan/SavingsPlanARN` ->
    `savings_plan_savings_plan_a_r_n`; tag `resourceTags/user:Team` -> `resource_tags_user_team`.
    (Tags and cost categories get the same rule: `user:CostCenter` -> `user_cost_center`.)"""
    category, name = legacy.split("/", 1)
    return f"{_snake(category)}_{_snake(name)}"


# ---------------------------------------------------------------------------------------------
# Flavour projections (outer SELECT over canonical columns)
# ---------------------------------------------------------------------------------------------


def _ts_csv(col: str) -> str:
    return f"strftime({col}, '{CSV_TS_FORMAT}')"


def csv_columns(has_net: bool) -> list[str]:
    return [legacy for c, legacy, _ in CANON if has_net or c != "net_unblended_cost"]


def project_csv(has_net: bool) -> str:
    parts = []
    for col, legacy, kind in CANON:
        if col == "net_unblended_cost" and not has_net:
            continue
        if col == "time_interval":
            expr = f"{_ts_csv('usage_start')} || '/' || {_ts_csv('usage_end')}"
        elif col == "blended_rate":
            expr = "unblended_rate"
        elif col == "blended_cost":
            expr = "unblended_cost"
        elif kind == "t":
            expr = _ts_csv(col)
        else:
            expr = col
        parts.append(f'{expr} AS "{legacy}"')
    return ",\n  ".join(parts)


def _athena_expr(col: str, kind: str) -> str:
    if col == "time_interval":
        return f"{_ts_csv('usage_start')} || '/' || {_ts_csv('usage_end')}"
    if col == "blended_rate":
        return "CAST(unblended_rate AS DOUBLE)"
    if col == "blended_cost":
        return "CAST(unblended_cost AS DOUBLE)"
    if kind == "d":
        return f"CAST({col} AS DOUBLE)"
    return col


def athena_columns(month_idx: int, months: int) -> list[tuple[str, str]]:
    """(output column, SQL over canonical columns) for report B in a given month.

    Schema drift: `resource_tags_user_cost_center` exists only from the second month on;
    `line_item_blended_rate` is missing in one month (the third, or the second when months == 2).
    Athena collapses `user:Team` and `user:team` into one column `resource_tags_user_team`
    (value: Team if present else team)."""
    drop_month = 2 if months >= 3 else (1 if months == 2 else -1)
    out: list[tuple[str, str]] = []
    for col, legacy, kind in CANON:
        if col == "net_unblended_cost":
            continue
        if col == "blended_rate" and month_idx == drop_month:
            continue
        if col == "tag_team_lc":
            continue  # merged into tag_team_uc
        if col == "tag_cost_center" and month_idx < 1:
            continue
        name = athena_name(legacy)
        expr = "coalesce(tag_team_uc, tag_team_lc)" if col == "tag_team_uc" else _athena_expr(col, kind)
        out.append((name, expr))
    return out


_CUR2_PRODUCT_FLAT = {
    "region": "product_region_code",
    "location": "product_location",
    "servicecode": "product_servicecode",
    "product_family": "product_product_family",
    "instance_type": "product_instance_type",
    "sku": "product_sku",
}
_TAG_MAP_KEYS = {
    "tag_team_uc": "user_Team",
    "tag_team_lc": "user_team",
    "tag_owner_team": "user_owner-team",
    "tag_product": "user_Product",
    "tag_environment": "user_Environment",
    "tag_env": "user_env",
    "tag_cost_center": "user_CostCenter",
    "tag_created_by": "aws_createdBy",
}


def _map_expr(pairs: list[tuple[str, str]]) -> str:
    """MAP(VARCHAR, VARCHAR) holding only the entries whose value is not NULL."""
    structs = ", ".join(f"{{'k': '{k}', 'v': {v}}}" for k, v in pairs)
    return f"map_from_entries(list_filter([{structs}], x -> x.v IS NOT NULL))"


CUR2_EXTRA = ("prod_map", "rt_map")  # extra (non-canonical) columns of the cur2 row sets, see cur2_columns
MAP_TYPE = "MAP(VARCHAR, VARCHAR)"


def map_literal(d: dict) -> str:
    def q(v: str) -> str:
        return "'" + v.replace("'", "''") + "'"
    return "MAP {" + ", ".join(f"{q(k)}: {q(v)}" for k, v in d.items()) + "}"


def cur2_columns(account_names: dict[str, str]) -> list[tuple[str, str]]:
    def name_case(col: str) -> str:
        whens = " ".join(f"WHEN '{a}' THEN '{n}'" for a, n in account_names.items())
        return f"CASE {col} {whens} END"

    out: list[tuple[str, str]] = []
    for col, legacy, kind in CANON:
        if col in ("net_unblended_cost", "product_name") or col.startswith("tag_") or col.startswith("cc_"):
            continue
        if col in _CUR2_PRODUCT_FLAT:
            out.append((_CUR2_PRODUCT_FLAT[col], _athena_expr(col, kind)))
            continue
        out.append((athena_name(legacy), _athena_expr(col, kind)))
        if col == "payer_account_id":
            out.append(("bill_payer_account_name", name_case("payer_account_id")))
        if col == "usage_account_id":
            out.append(("line_item_usage_account_name", name_case("usage_account_id")))
    # bulk rows carry the two maps precomputed (`prod_map`, `rt_map`: looked up in small constant lists, much
    # cheaper than building a MAP per row); the materialised rows (NULL there) build them here
    out.append(
        (
            "product",
            "coalesce(prod_map, " + _map_expr([("product_name", "product_name"), ("region", "region"),
                                                ("instance_type", "instance_type"),
                                                ("servicecode", "servicecode")]) + ")",
        )
    )
    out.append(("resource_tags", "coalesce(rt_map, " + _map_expr([(key, col) for col, key in _TAG_MAP_KEYS.items()])
                + ")"))
    out.append(("cost_category", _map_expr([("BusinessUnit", "cc_business_unit")])))
    return out


def project_pairs(pairs: list[tuple[str, str]]) -> str:
    return ",\n  ".join(f'{expr} AS "{name}"' for name, expr in pairs)
