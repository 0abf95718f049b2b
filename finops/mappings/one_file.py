"""Reading one mapping file: each cell typed, each row checked on its own, then the whole file
(one owner dimension, priorities, spellings, dated periods, rules, one reporting currency)."""

from __future__ import annotations

import csv
import re
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .specs import (
    ACTION_SCOPE_FILTERS,
    ACTION_TYPES,
    ANOMALY_ID_PATTERN,
    ANOMALY_STATUSES,
    BUDGET_PERIODS,
    BUDGET_SCOPES,
    CHARGE_CATEGORIES,
    COST_BASES,
    DATE_PATTERN,
    DIMENSION_PATTERN,
    FALSE_WORDS,
    METHODS,
    MONTH_PATTERN,
    PAYMENT_OPTIONS,
    POOL_FILTERS,
    RULE_ID_PATTERN,
    SPREADSHEET_NUMBER_PATTERN,
    THRESHOLD_PATTERN,
    TRUE_WORDS,
    Column,
    MappingError,
    MappingFile,
    iso_currencies,
    normalize_tag_key,
    normalize_value,
)


@dataclass
class Rows:
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
    if column.signed:
        if not number.is_finite() or number == 0:
            raise MappingError(f"{where}: {column.name} '{value}' must be a number other than 0 "
                               "(a negative one lowers cost).")
        return number
    if not number.is_finite() or number < 0 or (number == 0 and not column.allow_zero):
        bound = "zero or a positive number" if column.allow_zero else "a positive number"
        raise MappingError(f"{where}: {column.name} '{value}' must be {bound}.")
    return number


def dates(row: dict) -> tuple[dt.date, dt.date]:
    """A row's [effective_from, effective_to) with open ends as the widest dates."""
    return row["effective_from"] or dt.date.min, row["effective_to"] or dt.date.max


def overlap(a: dict, b: dict) -> bool:
    (a_from, a_to), (b_from, b_to) = dates(a), dates(b)
    return a_from < b_to and b_from < a_to


def _check_dates(row: dict, where: str) -> None:
    if row["effective_from"] and row["effective_to"] and row["effective_to"] <= row["effective_from"]:
        raise MappingError(f"{where}: effective_to {row['effective_to']} is not after effective_from "
                           f"{row['effective_from']}; effective_to is the first day the row no longer applies.")


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
    if not normalize_tag_key(row["tag_key"]):
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


def _check_scope(row: dict, where: str, what: str) -> None:
    """The scope a budget or a planned forecast change covers: a scope_type and, but for the whole bill, a value."""
    if row["scope_type"] not in BUDGET_SCOPES:
        raise MappingError(f"{where}: scope_type '{row['scope_type']}' of {what} is not one of "
                           f"{', '.join(BUDGET_SCOPES)}.")
    if row["scope_type"] == "whole_bill" and row["scope_value"] is not None:
        raise MappingError(f"{where}: {what} covers the whole bill but names scope_value "
                           f"'{row['scope_value']}'; empty scope_value or choose another scope_type.")
    if row["scope_type"] != "whole_bill" and row["scope_value"] is None:
        raise MappingError(f"{where}: {what} has scope_type {row['scope_type']} but no scope_value; name "
                           f"the {row['scope_type'].replace('_', ' ')} it covers.")
    if row["scope_type"] == "tag" and not re.fullmatch(r"[a-z][a-z0-9_]*=.+", row["scope_value"]):
        raise MappingError(f"{where}: scope_value '{row['scope_value']}' of tag {what} is not "
                           "dimension=value; write it like environment=prod.")


def _check_currency(currency: str, where: str, what: str) -> None:
    if currency not in iso_currencies():
        raise MappingError(f"{where}: currency '{currency}' of {what} is not an ISO 4217 currency "
                           "code; write three capital letters such as USD, EUR or CAD.")


def _check_budget(row: dict, where: str) -> None:
    budget = row["budget_id"]
    if not RULE_ID_PATTERN.fullmatch(budget):
        raise MappingError(f"{where}: budget_id '{budget}' may only hold letters, digits, _ . and -; rename the budget.")
    _check_scope(row, where, f"budget {budget}")
    for column, words in (("period", BUDGET_PERIODS), ("cost_basis", COST_BASES)):
        if row[column] not in words:
            raise MappingError(f"{where}: {column} '{row[column]}' of budget {budget} is not one of {', '.join(words)}.")
    _check_currency(row["currency"], where, f"budget {budget}")
    items = row["thresholds"].split("|")
    bad = [item for item in items if not THRESHOLD_PATTERN.fullmatch(item.strip())]
    if bad:
        raise MappingError(f"{where}: threshold '{bad[0]}' of budget {budget} is not <percent>:actual or "
                           "<percent>:forecast; write the thresholds like 50:actual|80:actual|100:forecast.")
    seen = [item.strip() for item in items]
    if len(set(seen)) != len(seen) or any(float(item.split(":")[0]) <= 0 for item in seen):
        raise MappingError(f"{where}: budget {budget} repeats a threshold or has one of 0 %; give each percent and "
                           "basis once, above 0.")
    _check_dates(row, where)


def _check_forecast_adjustment(row: dict, where: str) -> None:
    change = row["adjustment_id"]
    if not RULE_ID_PATTERN.fullmatch(change):
        raise MappingError(f"{where}: adjustment_id '{change}' may only hold letters, digits, _ . and -; rename it.")
    what = f"planned change {change}"
    _check_scope(row, where, what)
    if (row["monthly_amount"] is None) == (row["percent"] is None):
        raise MappingError(f"{where}: {what} must give either monthly_amount (with its currency) or percent, "
                           "not both and not neither; fill exactly one.")
    if row["monthly_amount"] is not None:
        if row["currency"] is None:
            raise MappingError(f"{where}: {what} gives monthly_amount {row['monthly_amount']} but no currency; "
                               "fill currency (e.g. USD).")
        _check_currency(row["currency"], where, what)
    elif row["currency"] is not None:
        raise MappingError(f"{where}: {what} is a percent change but names currency {row['currency']}; "
                           "empty currency (a percent has none).")
    elif row["percent"] < -100:
        raise MappingError(f"{where}: {what} lowers cost by {-row['percent']} %, more than all of it; "
                           "write a percent of -100 or more (-100 = the scope's usage stops).")
    _check_dates(row, where)


def _check_anomaly_feedback(row: dict, where: str) -> None:
    if not ANOMALY_ID_PATTERN.fullmatch(row["anomaly_id"]):
        raise MappingError(f"{where}: anomaly_id '{row['anomaly_id']}' is not an id of marts.fct_cost_anomalies "
                           "(16 characters 0-9 and a-f); copy it from there.")
    if row["status"] not in ANOMALY_STATUSES:
        raise MappingError(f"{where}: status '{row['status']}' of anomaly {row['anomaly_id']} is not one of "
                           f"{', '.join(ANOMALY_STATUSES)}.")


def _check_optimisation_action(row: dict, where: str) -> None:
    action = row["action_id"]
    if not RULE_ID_PATTERN.fullmatch(action):
        raise MappingError(f"{where}: action_id '{action}' may only hold letters, digits, _ . and -; rename it.")
    what = f"optimisation action {action}"
    if row["action_type"] not in ACTION_TYPES:
        raise MappingError(f"{where}: action_type '{row['action_type']}' of {what} is not one of "
                           f"{', '.join(ACTION_TYPES)}.")
    _check_currency(row["currency"], where, what)
    for column in ("billing_account_id", "sub_account_id"):
        if row[column] is not None and SPREADSHEET_NUMBER_PATTERN.fullmatch(row[column]):
            raise MappingError(f"{where}: {column} '{row[column]}' of {what} is a number a spreadsheet rewrote in "
                               "scientific notation; format the column as text and write the id in full.")
    if row["tag"] is not None and not re.fullmatch(r"[a-z][a-z0-9_]*=.+", row["tag"]):
        raise MappingError(f"{where}: tag '{row['tag']}' of {what} is not dimension=value; write it like "
                           "environment=prod.")
    if row["action_type"] == "commitment_purchase":
        if row["commitment_discount_id"] is None:
            raise MappingError(f"{where}: {what} is a commitment_purchase but names no commitment_discount_id; "
                               "copy the commitment's id from marts.dim_commitments.")
        filled = [column for column in ACTION_SCOPE_FILTERS if row[column] is not None]
        if filled:
            raise MappingError(f"{where}: {what} is a commitment_purchase, measured on its commitment, but also fills "
                               f"{', '.join(filled)}; empty the scope columns (the commitment is its scope).")
    elif row["commitment_discount_id"] is not None:
        raise MappingError(f"{where}: {what} is a {row['action_type']} action but names commitment_discount_id "
                           f"{row['commitment_discount_id']}; only a commitment_purchase names one, empty it.")
    elif all(row[column] is None for column in ACTION_SCOPE_FILTERS):
        raise MappingError(f"{where}: {what} has no scope; fill at least one of {', '.join(ACTION_SCOPE_FILTERS)} "
                           "with the cost it changed.")


CHECKS = {
    "commitments": _check_commitment,
    "accounts": _check_account,
    "tag_dimensions": _check_tag_dimension,
    "tag_keys": _check_tag_key,
    "tag_values": _check_tag_value,
    "account_owners": _check_account_owner,
    "shared_cost_rules": _check_rule,
    "exchange_rates": _check_exchange_rate,
    "budgets": _check_budget,
    "forecast_adjustments": _check_forecast_adjustment,
    "anomaly_feedback": _check_anomaly_feedback,
    "optimisation_actions": _check_optimisation_action,
}


def _check_owner_dimension(file: Rows) -> None:
    owners = [i for i, row in enumerate(file.rows) if row["is_owner"]]
    if file.rows and not owners:
        raise MappingError(f"{file.path}, row {file.lines[0]}: no dimension has is_owner true; "
                           "set is_owner to true on the one dimension whose value is the owner (e.g. team).")
    if len(owners) > 1:
        first, second = owners[:2]
        raise MappingError(f"{file.where(second)}: dimension {file.rows[second]['dimension']} has is_owner true "
                           f"as does {file.rows[first]['dimension']} on row {file.lines[first]}; "
                           "only one dimension can be the owner, set the other to false.")


def _check_key_priorities(file: Rows) -> None:
    seen: dict[tuple[str, int], int] = {}
    for i, row in enumerate(file.rows):
        key = (row["dimension"], row["priority"])
        if key in seen:
            raise MappingError(f"{file.where(i)}: priority {row['priority']} of dimension {row['dimension']} "
                               f"is already on row {file.lines[seen[key]]}; give each key of a dimension "
                               "its own priority (the lowest wins).")
        seen[key] = i


def _check_value_spellings(file: Rows) -> None:
    """Every normalised value and alias of a dimension means one value."""
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(file.rows):
        spellings = [("value", row["value"])] + [("alias", a.strip()) for a in (row["aliases"] or "").split("|")
                                                  if a.strip()]
        for kind, text in spellings:
            key = (row["dimension"], normalize_value(text))
            if key in seen:
                other = seen[key]
                place = "this row" if other == i else f"row {file.lines[other]}"
                raise MappingError(f"{file.where(i)}: {kind} '{text}' of dimension {row['dimension']} is already "
                                   f"a spelling on {place} ('{key[1]}' once normalised); each value and alias "
                                   "of a dimension must be unique, remove one.")
            seen[key] = i


def _check_account_periods(file: Rows) -> None:
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


def contains(a: dict, b: dict) -> bool:
    """Every cost in rule b's pool is in rule a's pool (filter pools): a's filters are b's or empty,
    a's dates cover b's, and a is not limited to unallocated cost unless b is too."""
    (a_from, a_to), (b_from, b_to) = dates(a), dates(b)
    return (all(a[f] is None or a[f] == b[f] for f in POOL_FILTERS)
            and (not a["pool_unallocated_only"] or b["pool_unallocated_only"])
            and a_from <= b_from and b_to <= a_to)


def _check_rule_file(file: Rows) -> None:
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
            if contains(a, b):
                raise MappingError(f"{file.where(j)}: the pool of rule {b['rule_id']} overlaps the pool of rule "
                                   f"{a['rule_id']} on row {file.lines[i]} entirely, and {a['rule_id']} applies "
                                   f"first (rule_order {a['rule_order']}), so {b['rule_id']} would never take any "
                                   f"cost; give {b['rule_id']} a lower rule_order or narrow {a['rule_id']}'s pool.")


def _check_one_reporting_currency(file: Rows) -> None:
    """Every rate converts to the same currency: the reporting currency."""
    for i, row in enumerate(file.rows):
        first = file.rows[0]["to_currency"]
        if row["to_currency"] != first:
            raise MappingError(f"{file.where(i)}: to_currency {row['to_currency']} differs from {first} on row "
                               f"{file.lines[0]}; all rates convert to one reporting currency, so use {first} "
                               "or change the other rows.")


def _check_one_action_per_commitment(file: Rows) -> None:
    """A commitment's savings are claimed by one action: two would count them twice."""
    seen: dict[str, int] = {}
    for i, row in enumerate(file.rows):
        commitment = row["commitment_discount_id"]
        if commitment is None:
            continue
        if commitment in seen:
            first = file.rows[seen[commitment]]["action_id"]
            raise MappingError(f"{file.where(i)}: optimisation action {row['action_id']} buys commitment {commitment}, "
                               f"as does {first} on row {file.lines[seen[commitment]]}; its savings can be claimed "
                               "once, keep one of the two.")
        seen[commitment] = i


FILE_CHECKS: dict[str, Callable[[Rows], None]] = {
    "tag_dimensions": _check_owner_dimension,
    "tag_keys": _check_key_priorities,
    "tag_values": _check_value_spellings,
    "account_owners": _check_account_periods,
    "shared_cost_rules": _check_rule_file,
    "exchange_rates": _check_one_reporting_currency,
    "optimisation_actions": _check_one_action_per_commitment,
}


def read_rows(path: Path, spec: MappingFile) -> Rows:
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
    file = Rows(path, rows, lines)
    if spec.name in FILE_CHECKS:
        FILE_CHECKS[spec.name](file)
    return file


def read_mapping(path: Path, spec: MappingFile) -> list[dict]:
    """Rows of one mapping file, typed and checked on their own; MappingError names the file and row."""
    return read_rows(path, spec).rows
