"""What each mapping file holds: its columns, key and the words and patterns its cells may use."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import InputError
from ..settings import ISO_CURRENCIES_SEED

PAYMENT_OPTIONS = ("All Upfront", "Partial Upfront", "No Upfront")
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
METHODS = ("proportional", "even", "fixed", "driver")
UNALLOCATED_OWNER = "unallocated"  # the bucket for cost nobody owns (dbt macro unallocated_owner)
POOL_FILTERS = ("pool_provider", "pool_billing_account_id", "pool_sub_account_id", "pool_service_name",
                "pool_service_category", "pool_charge_category")
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")
DIMENSION_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
RULE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH_PATTERN = re.compile(r"\d{4}-\d{2}")
BUDGET_SCOPES = ("whole_bill", "provider", "billing_account", "owner", "service_category", "tag")
BUDGET_PERIODS = ("month", "quarter", "year")
COST_BASES = ("billed", "effective")
ANOMALY_STATUSES = ("acknowledged", "expected", "planned", "resolved", "false_positive")
ANOMALY_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
# what an optimisation action did; commitment_purchase saves on rate, every other type on usage
ACTION_TYPES = ("rightsizing", "termination", "scheduling", "storage_tiering", "architecture", "commitment_purchase",
                "other")
ACTION_SCOPE_FILTERS = ("provider_name", "billing_account_id", "sub_account_id", "service_name", "region_id",
                        "resource_id", "tag")
THRESHOLD_PATTERN = re.compile(r"(\d+(\.\d+)?):(actual|forecast)")  # 80:actual, 100:forecast
SPREADSHEET_NUMBER_PATTERN = re.compile(r"\d(\.\d+)?[eE]\+\d+")  # 1.11111E+11: an id Excel rewrote


@functools.cache
def iso_currencies() -> frozenset[str]:
    """The ISO 4217 codes of the project's seed (the same list staging checks billing currencies with)."""
    with open(ISO_CURRENCIES_SEED, newline="", encoding="utf-8") as fh:
        return frozenset(row["currency_code"] for row in csv.DictReader(fh))


class MappingError(InputError):
    """A mapping file breaks its rules; the message names the file, the row and the fix."""


def normalize_tag_key(key: str) -> str:
    """A tag key as compared: lower case, letters and digits only (`Cost-Center` -> `costcenter`)."""
    return "".join(ch for ch in key.lower() if ch.isalnum())


def normalize_value(value: str) -> str:
    """A tag value, alias or owner as compared: lower case, trimmed, inner whitespace collapsed."""
    return " ".join(value.lower().split())


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # VARCHAR | TIMESTAMP | DATE | BOOLEAN | INTEGER | DECIMAL
    required: bool = False
    allow_zero: bool = False  # DECIMAL: >= 0 instead of > 0
    signed: bool = False  # DECIMAL: any number but 0 (a planned change may lower cost)
    default: object = None  # the value of an empty optional cell


@dataclass(frozen=True)
class MappingFile:
    name: str  # file stem; the raw table is raw.mapping_<name>
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    key_forms: dict[str, Callable[[str], str]] = field(default_factory=dict)  # key columns compared normalised


COMMITMENTS = MappingFile(
    name="commitments",
    columns=(
        Column("commitment_discount_id", "VARCHAR", required=True),
        Column("term_start", "TIMESTAMP"),
        Column("term_end", "TIMESTAMP"),
        Column("term_months", "INTEGER"),
        Column("payment_option", "VARCHAR"),
        Column("scope", "VARCHAR"),
        Column("committed_quantity_per_hour", "DECIMAL"),
        Column("committed_unit", "VARCHAR"),
        Column("note", "VARCHAR"),
    ),
    key=("commitment_discount_id",),
)


ACCOUNTS = MappingFile(
    name="accounts",
    columns=(
        Column("account_id", "VARCHAR", required=True),
        Column("account_name", "VARCHAR", required=True),
    ),
    key=("account_id",),
)


TAG_DIMENSIONS = MappingFile(
    name="tag_dimensions",
    columns=(
        Column("dimension", "VARCHAR", required=True),
        Column("is_required", "BOOLEAN", required=True),
        Column("is_owner", "BOOLEAN", required=True),
        Column("description", "VARCHAR"),
    ),
    key=("dimension",),
)


TAG_KEYS = MappingFile(
    name="tag_keys",
    columns=(
        Column("dimension", "VARCHAR", required=True),
        Column("tag_key", "VARCHAR", required=True),
        Column("priority", "INTEGER", required=True),
    ),
    key=("tag_key",),
    key_forms={"tag_key": normalize_tag_key},
)


TAG_VALUES = MappingFile(
    name="tag_values",
    columns=(
        Column("dimension", "VARCHAR", required=True),
        Column("value", "VARCHAR", required=True),
        Column("aliases", "VARCHAR"),  # raw `|`-separated text; SQL splits it
    ),
    key=("dimension", "value"),
    key_forms={"value": normalize_value},
)


ACCOUNT_OWNERS = MappingFile(
    name="account_owners",
    columns=(
        Column("account_id", "VARCHAR", required=True),
        Column("owner", "VARCHAR", required=True),
        Column("effective_from", "DATE", required=True),
        Column("effective_to", "DATE"),
    ),
    key=("account_id", "effective_from"),
)


SHARED_COST_RULES = MappingFile(
    name="shared_cost_rules",
    columns=(
        Column("rule_id", "VARCHAR", required=True),
        Column("rule_order", "INTEGER", required=True),
        Column("description", "VARCHAR"),
        Column("pool_provider", "VARCHAR"),
        Column("pool_billing_account_id", "VARCHAR"),
        Column("pool_sub_account_id", "VARCHAR"),
        Column("pool_service_name", "VARCHAR"),
        Column("pool_service_category", "VARCHAR"),
        Column("pool_charge_category", "VARCHAR"),
        Column("pool_unallocated_only", "BOOLEAN", default=False),
        Column("pool_owner", "VARCHAR"),
        Column("method", "VARCHAR", required=True),
        Column("driver_name", "VARCHAR"),
        Column("effective_from", "DATE"),
        Column("effective_to", "DATE"),
    ),
    key=("rule_id",),
)


SHARED_COST_RULE_TARGETS = MappingFile(
    name="shared_cost_rule_targets",
    columns=(
        Column("rule_id", "VARCHAR", required=True),
        Column("target_owner", "VARCHAR", required=True),
        Column("weight_percent", "DECIMAL"),
    ),
    key=("rule_id", "target_owner"),
    key_forms={"target_owner": normalize_value},
)


BUSINESS_DRIVERS = MappingFile(
    name="business_drivers",
    columns=(
        Column("date", "DATE", required=True),
        Column("owner", "VARCHAR", required=True),
        Column("driver_name", "VARCHAR", required=True),
        Column("quantity", "DECIMAL", required=True, allow_zero=True),
    ),
    key=("date", "owner", "driver_name"),
    key_forms={"owner": normalize_value},
)


EXCHANGE_RATES = MappingFile(
    name="exchange_rates",
    columns=(
        Column("from_currency", "VARCHAR", required=True),
        Column("to_currency", "VARCHAR", required=True),
        Column("month", "MONTH", required=True),
        Column("rate", "DECIMAL", required=True),
    ),
    key=("from_currency", "month"),
)


BUDGETS = MappingFile(
    name="budgets",
    columns=(
        Column("budget_id", "VARCHAR", required=True),
        Column("scope_type", "VARCHAR", required=True),
        Column("scope_value", "VARCHAR"),
        Column("period", "VARCHAR", required=True),
        Column("amount", "DECIMAL", required=True),
        Column("currency", "VARCHAR", required=True),
        Column("cost_basis", "VARCHAR", required=True),
        Column("thresholds", "VARCHAR", required=True),  # raw `|`-separated `<percent>:<actual|forecast>`
        Column("effective_from", "DATE"),
        Column("effective_to", "DATE"),
        Column("note", "VARCHAR"),
    ),
    key=("budget_id",),
)


FORECAST_ADJUSTMENTS = MappingFile(
    name="forecast_adjustments",
    columns=(
        Column("adjustment_id", "VARCHAR", required=True),
        Column("scope_type", "VARCHAR", required=True),
        Column("scope_value", "VARCHAR"),
        Column("effective_from", "DATE", required=True),
        Column("effective_to", "DATE"),
        Column("monthly_amount", "DECIMAL", signed=True),  # per calendar month, spread evenly over its days
        Column("currency", "VARCHAR"),
        Column("percent", "DECIMAL", signed=True),  # of the scope's usage forecast; -30 = 30 % less
        Column("note", "VARCHAR", required=True),
    ),
    key=("adjustment_id",),
)


ANOMALY_FEEDBACK = MappingFile(
    name="anomaly_feedback",
    columns=(
        Column("anomaly_id", "VARCHAR", required=True),
        Column("status", "VARCHAR", required=True),
        Column("reviewed_by", "VARCHAR", required=True),
        Column("reviewed_at", "TIMESTAMP", required=True),
        Column("note", "VARCHAR"),
    ),
    key=("anomaly_id", "reviewed_at"),
)


OPTIMISATION_ACTIONS = MappingFile(
    name="optimisation_actions",
    columns=(
        Column("action_id", "VARCHAR", required=True),
        Column("description", "VARCHAR", required=True),
        Column("owner", "VARCHAR", required=True),
        Column("action_type", "VARCHAR", required=True),
        Column("implemented_on", "DATE", required=True),  # the first day the scope costs what the action left
        Column("expected_monthly_saving", "DECIMAL", required=True),
        Column("currency", "VARCHAR", required=True),
        # the scope, a filter on the cost rows: every filled column must match (at least one for a usage action)
        Column("provider_name", "VARCHAR"),
        Column("billing_account_id", "VARCHAR"),
        Column("sub_account_id", "VARCHAR"),
        Column("service_name", "VARCHAR"),
        Column("region_id", "VARCHAR"),
        Column("resource_id", "VARCHAR"),
        Column("tag", "VARCHAR"),  # dimension=value, like environment=prod
        Column("commitment_discount_id", "VARCHAR"),  # the commitment a commitment_purchase bought
    ),
    key=("action_id",),
)


MAPPING_FILES = (COMMITMENTS, ACCOUNTS, TAG_DIMENSIONS, TAG_KEYS, TAG_VALUES, ACCOUNT_OWNERS, SHARED_COST_RULES,
                 SHARED_COST_RULE_TARGETS, BUSINESS_DRIVERS, EXCHANGE_RATES, BUDGETS, FORECAST_ADJUSTMENTS,
                 ANOMALY_FEEDBACK, OPTIMISATION_ACTIONS)
