"""User-maintained mapping files: what billing data lacks, supplied as CSV in FINOPS_MAPPINGS_DIR.

Each file is optional. `finops load` validates every file it finds and writes it, typed, to a
`raw.mapping_<name>` table (an empty table when the file is absent), so models never depend on
a file existing. A file that breaks its rules stops the load with one sentence naming the file,
the row and what to fix; nothing is half-loaded (one transaction). Rules within one file are
checked as it is read, rules between files (known dimension, owner, rule and driver; fixed
weights; cycles and order between owner pools) once every file is read.

| file                           | what it adds                                                   |
|--------------------------------|----------------------------------------------------------------|
| `commitments.csv`              | terms of commitments the billing data does not state (below)   |
| `accounts.csv`                 | display names of billing and sub accounts (below)              |
| `tag_dimensions.csv`           | tag dimensions: which count for compliance, which is the owner |
| `tag_keys.csv`                 | the tag keys (as billed) feeding each dimension, by priority   |
| `tag_values.csv`               | allowed values per dimension, with `|`-separated aliases       |
| `account_owners.csv`           | the owner of a billing or sub account, per dated period        |
| `shared_cost_rules.csv`        | shared-cost pools (filters or an owner) and how to split them  |
| `shared_cost_rule_targets.csv` | who receives a rule's shares; weight_percent for fixed rules   |
| `business_drivers.csv`         | daily driver quantities per owner, for driver-based splits     |
| `exchange_rates.csv`           | monthly rates from each billing currency to one reporting one   |

Tag keys compare lower case with only letters and digits kept (`Cost-Center` = `costcenter`);
values, aliases and owners compare lower case, trimmed, inner whitespace collapsed. Owners are
stored canonical: the tag_values.csv value of the owner dimension when values are listed for it,
else the normalised text. Without rows in tag_dimensions.csv the one dimension is `team`, the
owner dimension. No owner may be called `unallocated`, the bucket for cost nobody owns.

`exchange_rates.csv`: from_currency, to_currency (ISO 4217; one to_currency, the reporting
currency, for the whole file), month (YYYY-MM, the billing period) and rate (> 0: units of
to_currency per unit of from_currency). One row per currency and month.

`accounts.csv`: account_id (a billing account, billing profile, AWS account, subscription or project
id, as billed) and account_name (its display name), one row per id. A name here wins over the one
the export states; an id named nowhere is its own name (DECISIONLOG D45).

`commitments.csv` columns (only `commitment_discount_id` is required; an empty cell means "take
it from the billing data"):
  commitment_discount_id       the CommitmentDiscountId as billed
  term_start, term_end         the term, ISO date or date-time (UTC), end exclusive
  term_months                  term length, when term_end is not given
  payment_option               All Upfront | Partial Upfront | No Upfront
  scope                        free text: where the commitment applies (region, family, account)
  committed_quantity_per_hour  what the commitment provides per hour, in committed_unit
  committed_unit               the unit of committed_quantity_per_hour (e.g. Hours, USD)
  note                         free text for the reader
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .landing.discover import LandingError

PAYMENT_OPTIONS = ("All Upfront", "Partial Upfront", "No Upfront")
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
METHODS = ("proportional", "even", "fixed", "driver")
DEFAULT_OWNER_DIMENSION = "team"  # when tag_dimensions.csv has no rows
UNALLOCATED_OWNER = "unallocated"  # the bucket for cost nobody owns (dbt macro unallocated_owner)
POOL_FILTERS = ("pool_provider", "pool_billing_account_id", "pool_sub_account_id", "pool_service_name",
                "pool_service_category", "pool_charge_category")
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")
DIMENSION_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
RULE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH_PATTERN = re.compile(r"\d{4}-\d{2}")
SPREADSHEET_NUMBER_PATTERN = re.compile(r"\d(\.\d+)?[eE]\+\d+")  # 1.11111E+11: an id Excel rewrote
ISO_CURRENCIES_SEED = Path(__file__).resolve().parent.parent / "seeds" / "iso_4217_currencies.csv"


@functools.cache
def iso_currencies() -> frozenset[str]:
    """The ISO 4217 codes of the project's seed (the same list staging checks billing currencies with)."""
    with open(ISO_CURRENCIES_SEED, newline="", encoding="utf-8") as fh:
        return frozenset(row["currency_code"] for row in csv.DictReader(fh))


class MappingError(LandingError):
    """A mapping file breaks its rules; the message names the file, the row and the fix."""


def normalise_tag_key(key: str) -> str:
    """A tag key as compared: lower case, letters and digits only (`Cost-Center` -> `costcenter`)."""
    return "".join(ch for ch in key.lower() if ch.isalnum())


def normalise_value(value: str) -> str:
    """A tag value, alias or owner as compared: lower case, trimmed, inner whitespace collapsed."""
    return " ".join(value.lower().split())


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # VARCHAR | TIMESTAMP | DATE | BOOLEAN | INTEGER | DECIMAL
    required: bool = False
    allow_zero: bool = False  # DECIMAL: >= 0 instead of > 0
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
    key_forms={"tag_key": normalise_tag_key},
)

TAG_VALUES = MappingFile(
    name="tag_values",
    columns=(
        Column("dimension", "VARCHAR", required=True),
        Column("value", "VARCHAR", required=True),
        Column("aliases", "VARCHAR"),  # raw `|`-separated text; SQL splits it
    ),
    key=("dimension", "value"),
    key_forms={"value": normalise_value},
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
    key_forms={"target_owner": normalise_value},
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
    key_forms={"owner": normalise_value},
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

MAPPING_FILES = (COMMITMENTS, ACCOUNTS, TAG_DIMENSIONS, TAG_KEYS, TAG_VALUES, ACCOUNT_OWNERS, SHARED_COST_RULES,
                 SHARED_COST_RULE_TARGETS, BUSINESS_DRIVERS, EXCHANGE_RATES)


@dataclass
class _Rows:
    """One file's typed rows with the CSV row number of each (kept beside, not in, the rows)."""

    path: Path
    rows: list[dict]
    lines: list[int]

    def where(self, index: int) -> str:
        return f"{self.path}, row {self.lines[index]}"


def _parse(value: str, column: Column, where: str):  # noqa: ANN202 - typed per column
    if column.sql_type == "VARCHAR":
        return value
    if column.sql_type == "TIMESTAMP":
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MappingError(f"{where}: {column.name} '{value}' is not an ISO date or date-time; "
                               "write it like 2026-07-01 or 2026-07-01T00:00:00Z.") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return parsed
    if column.sql_type == "DATE":
        try:
            if not DATE_PATTERN.fullmatch(value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise MappingError(f"{where}: {column.name} '{value}' is not an ISO date; "
                               "write it like 2026-07-01.") from None
    if column.sql_type == "MONTH":
        if not MONTH_PATTERN.fullmatch(value) or not 1 <= int(value[5:]) <= 12:
            raise MappingError(f"{where}: {column.name} '{value}' is not a month; write it like 2026-07.")
        return dt.date(int(value[:4]), int(value[5:]), 1)
    if column.sql_type == "BOOLEAN":
        word = value.lower()
        if word not in TRUE_WORDS + FALSE_WORDS:
            raise MappingError(f"{where}: {column.name} '{value}' is not true or false; "
                               "write true, false, yes, no, 1 or 0.")
        return word in TRUE_WORDS
    if column.sql_type == "INTEGER":
        if not value.isdigit() or int(value) <= 0:
            raise MappingError(f"{where}: {column.name} '{value}' is not a positive whole number.")
        return int(value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise MappingError(f"{where}: {column.name} '{value}' is not a number; write it like 1.25.") from None
    if not number.is_finite() or number < 0 or (number == 0 and not column.allow_zero):
        bound = "zero or a positive number" if column.allow_zero else "a positive number"
        raise MappingError(f"{where}: {column.name} '{value}' must be {bound}.")
    return number


def _dates(row: dict) -> tuple[dt.date, dt.date]:
    """A row's [effective_from, effective_to) with open ends as the widest dates."""
    return row["effective_from"] or dt.date.min, row["effective_to"] or dt.date.max


def _overlap(a: dict, b: dict) -> bool:
    (a_from, a_to), (b_from, b_to) = _dates(a), _dates(b)
    return a_from < b_to and b_from < a_to


def _check_dates(row: dict, where: str) -> None:
    if row["effective_from"] and row["effective_to"] and row["effective_to"] <= row["effective_from"]:
        raise MappingError(f"{where}: effective_to {row['effective_to']} is not after effective_from "
                           f"{row['effective_from']}; effective_to is the first day the row no longer applies.")


# --- checks of one row -------------------------------------------------------------------------

def _check_commitment(row: dict, where: str) -> None:
    if row["payment_option"] is not None and row["payment_option"] not in PAYMENT_OPTIONS:
        raise MappingError(f"{where}: payment_option '{row['payment_option']}' is not one of "
                           f"{', '.join(PAYMENT_OPTIONS)}.")
    if row["term_start"] and row["term_end"] and row["term_end"] <= row["term_start"]:
        raise MappingError(f"{where}: term_end {row['term_end']:%Y-%m-%d %H:%M} is not after term_start "
                           f"{row['term_start']:%Y-%m-%d %H:%M}.")
    if row["term_end"] and row["term_months"]:
        raise MappingError(f"{where}: give term_end or term_months, not both.")
    if (row["committed_quantity_per_hour"] is None) != (row["committed_unit"] is None):
        raise MappingError(f"{where}: committed_quantity_per_hour and committed_unit go together; "
                           "fill both or neither.")


def _check_account(row: dict, where: str) -> None:
    if SPREADSHEET_NUMBER_PATTERN.fullmatch(row["account_id"]):
        raise MappingError(f"{where}: account_id '{row['account_id']}' is a number a spreadsheet rewrote in "
                           "scientific notation; format the column as text and write the id in full, like "
                           "111111111111.")


def _check_tag_dimension(row: dict, where: str) -> None:
    if not DIMENSION_PATTERN.fullmatch(row["dimension"]):
        raise MappingError(f"{where}: dimension '{row['dimension']}' is not a lower snake case name; "
                           "use lower case letters, digits and _ starting with a letter, like cost_center.")


def _check_tag_key(row: dict, where: str) -> None:
    if not normalise_tag_key(row["tag_key"]):
        raise MappingError(f"{where}: tag_key '{row['tag_key']}' has no letter or digit; "
                           "write the tag key as it appears in the billing data.")


def _check_tag_value(row: dict, where: str) -> None:
    if row["aliases"] is not None and any(not alias.strip() for alias in row["aliases"].split("|")):
        raise MappingError(f"{where}: aliases '{row['aliases']}' has an empty alias; "
                           "separate aliases with a single | and no | at either end.")


def _check_exchange_rate(row: dict, where: str) -> None:
    for column in ("from_currency", "to_currency"):
        if row[column] not in iso_currencies():
            raise MappingError(f"{where}: {column} '{row[column]}' is not an ISO 4217 currency code; write "
                               "three capital letters such as USD, EUR or CAD.")
    if row["from_currency"] == row["to_currency"]:
        raise MappingError(f"{where}: from_currency and to_currency are both {row['from_currency']}; a currency "
                           "needs no rate to itself, remove the row.")


def _check_account_owner(row: dict, where: str) -> None:
    _check_dates(row, where)


def _check_rule(row: dict, where: str) -> None:
    if not RULE_ID_PATTERN.fullmatch(row["rule_id"]):
        raise MappingError(f"{where}: rule_id '{row['rule_id']}' may only hold letters, digits, _ . and -; "
                           "rename the rule.")
    if row["method"] not in METHODS:
        raise MappingError(f"{where}: method '{row['method']}' is not one of {', '.join(METHODS)}.")
    if row["method"] == "driver" and row["driver_name"] is None:
        raise MappingError(f"{where}: rule {row['rule_id']} has method driver but no driver_name; "
                           "name the driver of business_drivers.csv to split by.")
    if row["method"] != "driver" and row["driver_name"] is not None:
        raise MappingError(f"{where}: rule {row['rule_id']} has driver_name '{row['driver_name']}' but method "
                           f"{row['method']}; empty driver_name or set method to driver.")
    if row["pool_charge_category"] is not None and row["pool_charge_category"] not in CHARGE_CATEGORIES:
        raise MappingError(f"{where}: pool_charge_category '{row['pool_charge_category']}' is not one of "
                           f"{', '.join(CHARGE_CATEGORIES)}.")
    filters = [name for name in POOL_FILTERS if row[name] is not None]
    if row["pool_unallocated_only"]:
        filters.append("pool_unallocated_only")
    if row["pool_owner"] is not None and filters:
        raise MappingError(f"{where}: rule {row['rule_id']} combines pool_owner with {', '.join(filters)}; "
                           "an owner pool takes all the owner's cost, so empty the other pool filters "
                           "or pool_owner.")
    if row["pool_owner"] is None and not filters:
        raise MappingError(f"{where}: rule {row['rule_id']} has no pool filter, so its pool would be all cost; "
                           "fill at least one pool_* column (or set pool_unallocated_only to true).")
    _check_dates(row, where)


CHECKS = {
    "commitments": _check_commitment,
    "accounts": _check_account,
    "tag_dimensions": _check_tag_dimension,
    "tag_keys": _check_tag_key,
    "tag_values": _check_tag_value,
    "account_owners": _check_account_owner,
    "shared_cost_rules": _check_rule,
    "exchange_rates": _check_exchange_rate,
}


# --- checks of one whole file ------------------------------------------------------------------

def _check_owner_dimension(file: _Rows) -> None:
    owners = [i for i, row in enumerate(file.rows) if row["is_owner"]]
    if file.rows and not owners:
        raise MappingError(f"{file.path}, row {file.lines[0]}: no dimension has is_owner true; "
                           "set is_owner to true on the one dimension whose value is the owner (e.g. team).")
    if len(owners) > 1:
        first, second = owners[:2]
        raise MappingError(f"{file.where(second)}: dimension {file.rows[second]['dimension']} has is_owner true "
                           f"as does {file.rows[first]['dimension']} on row {file.lines[first]}; "
                           "only one dimension can be the owner, set the other to false.")


def _check_key_priorities(file: _Rows) -> None:
    seen: dict[tuple[str, int], int] = {}
    for i, row in enumerate(file.rows):
        key = (row["dimension"], row["priority"])
        if key in seen:
            raise MappingError(f"{file.where(i)}: priority {row['priority']} of dimension {row['dimension']} "
                               f"is already on row {file.lines[seen[key]]}; give each key of a dimension "
                               "its own priority (the lowest wins).")
        seen[key] = i


def _check_value_spellings(file: _Rows) -> None:
    """Every normalised value and alias of a dimension means one value."""
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(file.rows):
        spellings = [("value", row["value"])] + [("alias", a.strip()) for a in (row["aliases"] or "").split("|")
                                                  if a.strip()]
        for kind, text in spellings:
            key = (row["dimension"], normalise_value(text))
            if key in seen:
                other = seen[key]
                place = "this row" if other == i else f"row {file.lines[other]}"
                raise MappingError(f"{file.where(i)}: {kind} '{text}' of dimension {row['dimension']} is already "
                                   f"a spelling on {place} ('{key[1]}' once normalised); each value and alias "
                                   "of a dimension must be unique, remove one.")
            seen[key] = i


def _check_account_periods(file: _Rows) -> None:
    """Per account the periods follow each other without overlap or gap; only the last is open."""
    by_account: dict[str, list[int]] = {}
    for i, row in enumerate(file.rows):
        by_account.setdefault(row["account_id"], []).append(i)
    for account, indexes in by_account.items():
        indexes.sort(key=lambda i: file.rows[i]["effective_from"])
        for previous, current in zip(indexes, indexes[1:]):
            before, after = file.rows[previous], file.rows[current]
            end = before["effective_to"]
            if end is None or end > after["effective_from"]:
                until = "open-ended" if end is None else f"to {end}"
                raise MappingError(f"{file.where(current)}: account {account}'s period from "
                                   f"{after['effective_from']} overlaps row {file.lines[previous]} "
                                   f"(from {before['effective_from']} {until}); end row {file.lines[previous]} "
                                   f"on {after['effective_from']} so each day has one owner.")
            if end < after["effective_from"]:
                raise MappingError(f"{file.where(current)}: account {account} has no owner from {end} to "
                                   f"{after['effective_from']} (row {file.lines[previous]} ends on {end}); "
                                   f"start this period on {end} or add a row for the gap.")


def _contains(a: dict, b: dict) -> bool:
    """Every cost in rule b's pool is in rule a's pool (filter pools): a's filters are b's or empty,
    a's dates cover b's, and a is not limited to unallocated cost unless b is too."""
    (a_from, a_to), (b_from, b_to) = _dates(a), _dates(b)
    return (all(a[f] is None or a[f] == b[f] for f in POOL_FILTERS)
            and (not a["pool_unallocated_only"] or b["pool_unallocated_only"])
            and a_from <= b_from and b_to <= a_to)


def _check_rule_file(file: _Rows) -> None:
    """Unique rule_order. Filter pools may overlap in part (a cost goes to the first rule in
    rule_order that holds it), but a rule whose whole pool lies in an earlier rule's pool would
    never take anything: that overlap is an error (owner pools: across files)."""
    orders: dict[int, int] = {}
    for i, row in enumerate(file.rows):
        if row["rule_order"] in orders:
            raise MappingError(f"{file.where(i)}: rule_order {row['rule_order']} of rule {row['rule_id']} is "
                               f"already rule {file.rows[orders[row['rule_order']]]['rule_id']}'s on row "
                               f"{file.lines[orders[row['rule_order']]]}; give every rule its own rule_order.")
        orders[row["rule_order"]] = i
    filtered = sorted((i for i, row in enumerate(file.rows) if row["pool_owner"] is None),
                      key=lambda i: file.rows[i]["rule_order"])
    for n, j in enumerate(filtered):
        for i in filtered[:n]:
            a, b = file.rows[i], file.rows[j]
            if _contains(a, b):
                raise MappingError(f"{file.where(j)}: the pool of rule {b['rule_id']} overlaps the pool of rule "
                                   f"{a['rule_id']} on row {file.lines[i]} entirely, and {a['rule_id']} applies "
                                   f"first (rule_order {a['rule_order']}), so {b['rule_id']} would never take any "
                                   f"cost; give {b['rule_id']} a lower rule_order or narrow {a['rule_id']}'s pool.")


def _check_one_reporting_currency(file: _Rows) -> None:
    """Every rate converts to the same currency: the reporting currency."""
    for i, row in enumerate(file.rows):
        first = file.rows[0]["to_currency"]
        if row["to_currency"] != first:
            raise MappingError(f"{file.where(i)}: to_currency {row['to_currency']} differs from {first} on row "
                               f"{file.lines[0]}; all rates convert to one reporting currency, so use {first} "
                               "or change the other rows.")


FILE_CHECKS: dict[str, Callable[[_Rows], None]] = {
    "tag_dimensions": _check_owner_dimension,
    "tag_keys": _check_key_priorities,
    "tag_values": _check_value_spellings,
    "account_owners": _check_account_periods,
    "shared_cost_rules": _check_rule_file,
    "exchange_rates": _check_one_reporting_currency,
}


def _read_rows(path: Path, spec: MappingFile) -> _Rows:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            known = {c.name for c in spec.columns}
            missing = [c.name for c in spec.columns if c.required and c.name not in header]
            if missing:
                raise MappingError(f"{path}: the header lacks the required column(s) {', '.join(missing)}; "
                                   f"the columns are {', '.join(c.name for c in spec.columns)}.")
            unknown = [h for h in header if h not in known]
            if unknown:
                raise MappingError(f"{path}: unknown column(s) {', '.join(unknown)}; "
                                   f"the columns are {', '.join(c.name for c in spec.columns)}.")
            rows, lines, seen = [], [], {}
            for line_number, raw in enumerate(reader, start=2):
                where = f"{path}, row {line_number}"
                if None in raw:
                    raise MappingError(f"{where}: more fields than the header has columns.")
                values = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
                if not any(values.values()):
                    continue
                row = {}
                for column in spec.columns:
                    text = values.get(column.name, "")
                    if not text:
                        if column.required:
                            raise MappingError(f"{where}: {column.name} is empty; every row needs one.")
                        row[column.name] = column.default
                    else:
                        row[column.name] = _parse(text, column, where)
                if spec.name in CHECKS:
                    CHECKS[spec.name](row, where)
                key = tuple(spec.key_forms[k](row[k]) if k in spec.key_forms else row[k] for k in spec.key)
                if key in seen:
                    forms = [f"'{spec.key_forms[k](row[k])}'" for k in spec.key if k in spec.key_forms]
                    compared = f" (compared as {', '.join(forms)})" if forms else ""
                    raise MappingError(f"{where}: {', '.join(spec.key)} {', '.join(str(row[k]) for k in spec.key)} "
                                       f"is already on row {seen[key]}{compared}; keep one row per "
                                       f"{', '.join(spec.key)}.")
                seen[key] = line_number
                rows.append(row)
                lines.append(line_number)
    except UnicodeDecodeError:
        raise MappingError(f"{path}: not UTF-8 text; save it as UTF-8 CSV.") from None
    except csv.Error as exc:
        raise MappingError(f"{path}: not a readable CSV file ({exc}).") from None
    file = _Rows(path, rows, lines)
    if spec.name in FILE_CHECKS:
        FILE_CHECKS[spec.name](file)
    return file


def read_mapping(path: Path, spec: MappingFile) -> list[dict]:
    """Rows of one mapping file, typed and checked on their own; MappingError names the file and row."""
    return _read_rows(path, spec).rows


# --- checks between files ----------------------------------------------------------------------

def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _owner_dimension(files: dict[str, _Rows]) -> str:
    """The owner dimension; tag_keys.csv and tag_values.csv name dimensions of tag_dimensions.csv."""
    dims = files["tag_dimensions"]
    if dims.rows:
        dimensions = [row["dimension"] for row in dims.rows]
        owner_dimension = next(row["dimension"] for row in dims.rows if row["is_owner"])
    else:
        dimensions, owner_dimension = [DEFAULT_OWNER_DIMENSION], DEFAULT_OWNER_DIMENSION
    for file in (files["tag_keys"], files["tag_values"]):
        for i, row in enumerate(file.rows):
            if row["dimension"] not in dimensions:
                raise MappingError(f"{file.where(i)}: dimension '{row['dimension']}' is unknown (the dimensions "
                                   f"are {', '.join(dimensions)}); add it to {dims.path.name} or fix the name.")
    return owner_dimension


def _canonical_owners(files: dict[str, _Rows], owner_dimension: str) -> None:
    """Every owner column names a known owner; rewrite it to the canonical value (or normalised text)."""
    values = files["tag_values"]
    canonical: dict[str, str] = {}  # normalised value or alias -> value as written
    for i, row in enumerate(values.rows):
        if row["dimension"] != owner_dimension:
            continue
        for text in [row["value"]] + (row["aliases"] or "").split("|"):
            if normalise_value(text) == UNALLOCATED_OWNER:
                raise MappingError(f"{values.where(i)}: owner '{text.strip()}' is the name of the bucket for "
                                   f"unallocated cost; no owner may be called {UNALLOCATED_OWNER}, rename it.")
            if text.strip():
                canonical[normalise_value(text)] = row["value"]
    listed = sorted(set(canonical.values()))
    shown = ", ".join(listed[:12]) + (", …" if len(listed) > 12 else "")
    for name, column in (("account_owners", "owner"), ("shared_cost_rules", "pool_owner"),
                         ("shared_cost_rule_targets", "target_owner"), ("business_drivers", "owner")):
        file = files[name]
        for i, row in enumerate(file.rows):
            if row[column] is None:
                continue
            spelled = normalise_value(row[column])
            if spelled == UNALLOCATED_OWNER:
                hint = " (for unallocated cost set pool_unallocated_only to true)" if column == "pool_owner" else ""
                raise MappingError(f"{file.where(i)}: {column} '{row[column]}' is the bucket for unallocated cost, "
                                   f"not an owner{hint}; name an owner.")
            if canonical and spelled not in canonical:
                raise MappingError(f"{file.where(i)}: {column} '{row[column]}' is an unknown owner, not a value or "
                                   f"alias of dimension {owner_dimension} in {values.path.name} ({shown}); fix the "
                                   "name or add it there.")
            row[column] = canonical.get(spelled, spelled)
    # Two spellings of one owner are one owner: keys holding an owner stay unique once canonical.
    for name, key in (("shared_cost_rule_targets", ("rule_id", "target_owner")),
                      ("business_drivers", ("date", "owner", "driver_name"))):
        file, seen = files[name], {}
        for i, row in enumerate(file.rows):
            k = tuple(row[c] for c in key)
            if k in seen:
                raise MappingError(f"{file.where(i)}: {', '.join(key)} {', '.join(map(str, k))} is already on row "
                                   f"{file.lines[seen[k]]} under another spelling of the owner; keep one row.")
            seen[k] = i


def _check_rules_across(files: dict[str, _Rows]) -> None:
    """Drivers exist; owner pools do not overlap; targets belong to a rule and carry weights only
    (and exactly) for fixed rules; no rule names its own pool owner."""
    rules, targets, drivers = files["shared_cost_rules"], files["shared_cost_rule_targets"], files["business_drivers"]
    driver_names = sorted({row["driver_name"] for row in drivers.rows})
    for i, row in enumerate(rules.rows):
        if row["driver_name"] is not None and row["driver_name"] not in driver_names:
            known = f"its drivers are {', '.join(driver_names)}" if driver_names else "it has no rows"
            raise MappingError(f"{rules.where(i)}: driver_name '{row['driver_name']}' of rule {row['rule_id']} is "
                               f"an unknown driver, not in {drivers.path.name} ({known}); fix the name or add "
                               "its quantities there.")
    pools = [i for i, row in enumerate(rules.rows) if row["pool_owner"] is not None]
    for n, j in enumerate(pools):
        for i in pools[:n]:
            a, b = rules.rows[i], rules.rows[j]
            if a["pool_owner"] == b["pool_owner"] and _overlap(a, b):
                raise MappingError(f"{rules.where(j)}: the pool of rule {b['rule_id']} overlaps the pool of rule "
                                   f"{a['rule_id']} on row {rules.lines[i]} (both take owner {a['pool_owner']}'s "
                                   "cost on the same dates); merge the rules or make their effective dates "
                                   "not overlap.")
    rule_of = {row["rule_id"]: row for row in rules.rows}
    for t, row in enumerate(targets.rows):
        rule = rule_of.get(row["rule_id"])
        if rule is None:
            raise MappingError(f"{targets.where(t)}: rule_id '{row['rule_id']}' is an unknown rule, not in "
                               f"{rules.path.name}; fix the rule_id or add the rule there.")
        if rule["method"] == "fixed" and row["weight_percent"] is None:
            raise MappingError(f"{targets.where(t)}: weight_percent is empty but rule {rule['rule_id']} is fixed; "
                               "give every target of a fixed rule its percentage.")
        if rule["method"] != "fixed" and row["weight_percent"] is not None:
            raise MappingError(f"{targets.where(t)}: weight_percent is only for fixed rules and rule "
                               f"{rule['rule_id']} is {rule['method']}; empty weight_percent or make the rule "
                               "fixed.")
        if rule["pool_owner"] is not None and row["target_owner"] == rule["pool_owner"]:
            raise MappingError(f"{targets.where(t)}: target_owner {row['target_owner']} is the pool_owner of rule "
                               f"{rule['rule_id']} itself; a rule cannot send its own pool owner's cost back to "
                               "it, remove this target.")
    for i, rule in enumerate(rules.rows):
        if rule["method"] != "fixed":
            continue
        listed = [t for t, row in enumerate(targets.rows) if row["rule_id"] == rule["rule_id"]]
        if not listed:
            raise MappingError(f"{rules.where(i)}: rule {rule['rule_id']} is fixed but {targets.path.name} lists no "
                               "targets for it; add its targets with a weight_percent each.")
        total = sum(targets.rows[t]["weight_percent"] for t in listed)
        if total != 100:
            rows = ", ".join(str(targets.lines[t]) for t in listed)
            raise MappingError(f"{targets.where(listed[0])}: the weight_percent values of fixed rule {rule['rule_id']} "
                               f"(rows {rows}) sum to {total.normalize():f}, not 100; make them sum to exactly 100.")


def _check_owner_pools(files: dict[str, _Rows]) -> None:
    """Cost moves pool_owner -> target_owner: no cycle, and an owner's pool is shared only after
    every rule that sends the owner cost."""
    rules, targets = files["shared_cost_rules"], files["shared_cost_rule_targets"]
    index = {row["rule_id"]: i for i, row in enumerate(rules.rows)}
    edges: dict[str, list[tuple[str, int]]] = {}  # pool owner -> (target owner, rule index)
    for row in targets.rows:
        r = index[row["rule_id"]]
        if rules.rows[r]["pool_owner"] is not None:
            edges.setdefault(rules.rows[r]["pool_owner"], []).append((row["target_owner"], r))
    _check_no_cycle(edges, rules)
    for row in targets.rows:
        r = index[row["rule_id"]]
        rule = rules.rows[r]
        for s, earlier in enumerate(rules.rows):
            if earlier["pool_owner"] == row["target_owner"] and earlier["rule_order"] < rule["rule_order"]:
                raise MappingError(f"{rules.where(r)}: rule {rule['rule_id']} (row {rules.lines[r]}) sends cost to "
                                   f"{row['target_owner']} after rule {earlier['rule_id']} (row {rules.lines[s]}) "
                                   f"has shared {row['target_owner']}'s cost; give {earlier['rule_id']} a "
                                   f"rule_order above {rule['rule_id']}'s ({rule['rule_order']}).")


def _check_no_cycle(edges: dict[str, list[tuple[str, int]]], rules: _Rows) -> None:
    """Depth-first search over owners; an edge back to an owner on the current path is a cycle."""
    state: dict[str, str] = {}  # owner -> "open" (on the current path) | "done"
    for start in sorted(edges):
        if start in state:
            continue
        state[start] = "open"
        stack: list[tuple[str, int]] = [(start, 0)]  # (owner, next edge to follow)
        path: list[tuple[str, int]] = []  # (owner, rule index) of each edge taken along the stack
        while stack:
            node, k = stack[-1]
            out = edges.get(node, [])
            if k == len(out):
                state[node] = "done"
                stack.pop()
                if path:
                    path.pop()
                continue
            stack[-1] = (node, k + 1)
            target, r = out[k]
            if state.get(target) == "open":
                path.append((node, r))
                cycle = path[[owner for owner, _ in path].index(target):]
                names = [f"{rules.rows[i]['rule_id']} (row {rules.lines[i]})" for _, i in cycle]
                route = " -> ".join([owner for owner, _ in cycle] + [target])
                raise MappingError(f"{rules.where(cycle[0][1])}: rules {_and_list(names)} pass cost round in a "
                                   f"cycle between owner pools ({route}); remove one of these targets from "
                                   "shared_cost_rule_targets.csv.")
            if target not in state:
                state[target] = "open"
                path.append((node, r))
                stack.append((target, 0))


def read_mappings(mappings_dir: Path | None) -> dict[str, list[dict]]:
    """Every mapping file of mappings_dir, read and checked (an absent file gives no rows; no folder
    at all, None, gives no rows for every file).

    Each file is checked on its own as it is read, then the files against each other (owner
    columns come back in canonical form)."""
    if mappings_dir is not None and not mappings_dir.is_dir():
        raise MappingError(f"{mappings_dir}: the mappings folder (FINOPS_MAPPINGS_DIR) does not exist; create it "
                           "or unset FINOPS_MAPPINGS_DIR to build without mapping files.")
    files = {}
    for spec in MAPPING_FILES:
        path = mappings_dir / f"{spec.name}.csv" if mappings_dir is not None else Path(f"{spec.name}.csv")
        files[spec.name] = _read_rows(path, spec) if mappings_dir is not None and path.is_file() else _Rows(path, [], [])
    check_across_files(files)
    return {name: file.rows for name, file in files.items()}


def check_across_files(files: dict[str, _Rows]) -> None:
    """The rules between allocation files, once all are read; owners become canonical in place."""
    _canonical_owners(files, _owner_dimension(files))
    _check_rules_across(files)
    _check_owner_pools(files)


def _sql_type(column: Column, money_type: str) -> str:
    return {"DECIMAL": money_type, "MONTH": "DATE"}.get(column.sql_type, column.sql_type)


def write_mappings(parsed: dict[str, list[dict]], duckdb_path: Path, money_type: str = "DECIMAL(38, 12)") -> None:
    """(Re)write the raw.mapping_* tables from read_mappings' result, in one transaction."""
    import duckdb

    con = duckdb.connect(str(duckdb_path))
    try:
        con.execute("begin transaction")
        con.execute("create schema if not exists raw")
        for spec in MAPPING_FILES:
            columns = ", ".join(f"{c.name} {_sql_type(c, money_type)}" for c in spec.columns)
            con.execute(f"create or replace table raw.mapping_{spec.name} ({columns})")
            rows = parsed[spec.name]
            if rows:
                marks = ", ".join("?" for _ in spec.columns)
                con.executemany(f"insert into raw.mapping_{spec.name} values ({marks})",
                                [[row[c.name] for c in spec.columns] for row in rows])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()


def load_mappings(mappings_dir: Path, duckdb_path: Path) -> dict[str, int]:
    """Read, check and write every mapping file; returns rows per file."""
    parsed = read_mappings(mappings_dir)
    write_mappings(parsed, duckdb_path)
    return {name: len(rows) for name, rows in parsed.items()}
