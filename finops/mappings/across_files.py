"""Checks between mapping files, once every file is read: known dimensions, owners, rules and drivers,
fixed weights, cycles and order between owner pools; owners become canonical."""

from __future__ import annotations

from pathlib import Path

from ..settings import default_owner_dimension
from .one_file import Rows, overlap, read_rows
from .specs import MAPPING_FILES, UNALLOCATED_OWNER, MappingError, normalize_value


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _owner_dimension(files: dict[str, Rows]) -> str:
    """The owner dimension; tag_keys.csv and tag_values.csv name dimensions of tag_dimensions.csv."""
    dims = files["tag_dimensions"]
    if dims.rows:
        dimensions = [row["dimension"] for row in dims.rows]
        owner_dimension = next(row["dimension"] for row in dims.rows if row["is_owner"])
    else:
        owner_dimension = default_owner_dimension()  # when tag_dimensions.csv has no rows
        dimensions = [owner_dimension]
    for file in (files["tag_keys"], files["tag_values"]):
        for i, row in enumerate(file.rows):
            if row["dimension"] not in dimensions:
                raise MappingError(f"{file.where(i)}: dimension '{row['dimension']}' is unknown (the dimensions "
                                   f"are {', '.join(dimensions)}); add it to {dims.path.name} or fix the name.")
    return owner_dimension


def _canonical_owners(files: dict[str, Rows], owner_dimension: str) -> None:
    """Every owner column names a known owner; rewrite it to the canonical value (or normalised text)."""
    values = files["tag_values"]
    canonical: dict[str, str] = {}  # normalised value or alias -> value as written
    for i, row in enumerate(values.rows):
        if row["dimension"] != owner_dimension:
            continue
        for text in [row["value"]] + (row["aliases"] or "").split("|"):
            if normalize_value(text) == UNALLOCATED_OWNER:
                raise MappingError(f"{values.where(i)}: owner '{text.strip()}' is the name of the bucket for "
                                   f"unallocated cost; no owner may be called {UNALLOCATED_OWNER}, rename it.")
            if text.strip():
                canonical[normalize_value(text)] = row["value"]
    listed = sorted(set(canonical.values()))
    shown = ", ".join(listed[:12]) + (", …" if len(listed) > 12 else "")
    for name, column in (("account_owners", "owner"), ("shared_cost_rules", "pool_owner"),
                         ("shared_cost_rule_targets", "target_owner"), ("business_drivers", "owner"),
                         ("optimisation_actions", "owner")):
        file = files[name]
        for i, row in enumerate(file.rows):
            if row[column] is None:
                continue
            spelled = normalize_value(row[column])
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


def _check_rules_across(files: dict[str, Rows]) -> None:
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
            if a["pool_owner"] == b["pool_owner"] and overlap(a, b):
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


def _check_owner_pools(files: dict[str, Rows]) -> None:
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


def _check_no_cycle(edges: dict[str, list[tuple[str, int]]], rules: Rows) -> None:
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
                raise MappingError(f"{rules.where(cycle[0][1])}: rules {and_list(names)} pass cost round in a "
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
        files[spec.name] = read_rows(path, spec) if mappings_dir is not None and path.is_file() else Rows(path, [], [])
    check_across_files(files)
    return {name: file.rows for name, file in files.items()}


def _check_scopes_across(files: dict[str, Rows], owner_dimension: str) -> None:
    """A budget's or planned forecast change's owner or tag value, and an optimisation action's tag filter, is
    one the tag files know; it becomes canonical in place (the form the allocation and the resolved tags use).
    The unallocated bucket may have a budget too."""
    values, dims = files["tag_values"], files["tag_dimensions"]
    dimensions = [row["dimension"] for row in dims.rows] or [owner_dimension]
    listed: dict[str, dict[str, str]] = {}  # dimension -> normalised value or alias -> value as written
    for row in values.rows:
        for text in [row["value"]] + (row["aliases"] or "").split("|"):
            if text.strip():
                listed.setdefault(row["dimension"], {})[normalize_value(text)] = row["value"]

    def canonical(dimension: str, value: str, where: str, what: str, is_owner: bool = False) -> str:
        spelled, known = normalize_value(value), listed.get(dimension, {})
        if is_owner and spelled == UNALLOCATED_OWNER:
            return UNALLOCATED_OWNER
        if known and spelled not in known:
            shown = ", ".join(sorted(set(known.values()))[:12])
            raise MappingError(f"{where}: {what} names '{value}', not a value or alias of dimension {dimension} in "
                               f"{values.path.name} ({shown}); fix the name or add it there.")
        return known.get(spelled, spelled)

    def tag_dimension(text: str, where: str, what: str) -> tuple[str, str]:
        dimension, value = text.split("=", 1)
        if dimension not in dimensions:
            raise MappingError(f"{where}: {what} names tag dimension '{dimension}', which is unknown (the dimensions "
                               f"are {', '.join(dimensions)}); fix the name or add it to {dims.path.name}.")
        return dimension, value

    for name, id_column, kind in (("budgets", "budget_id", "budget"),
                                  ("forecast_adjustments", "adjustment_id", "planned change")):
        scoped = files[name]
        for i, row in enumerate(scoped.rows):
            where, what = scoped.where(i), f"{kind} {row[id_column]}"
            if row["scope_type"] == "owner":
                row["scope_value"] = canonical(owner_dimension, row["scope_value"], where, what, is_owner=True)
            elif row["scope_type"] == "tag":
                dimension, value = tag_dimension(row["scope_value"], where, what)
                if dimension == owner_dimension:
                    raise MappingError(f"{where}: {what} is on the owner dimension {owner_dimension}; use scope_type "
                                       f"owner and scope_value {value.strip()}, which also counts the shared cost the "
                                       "owner receives.")
                row["scope_value"] = f"{dimension}={canonical(dimension, value, where, what)}"
    actions = files["optimisation_actions"]
    for i, row in enumerate(actions.rows):
        if row["tag"] is not None:  # a filter on the rows' own tags: the owner dimension is a tag like any other
            where, what = actions.where(i), f"optimisation action {row['action_id']}"
            dimension, value = tag_dimension(row["tag"], where, what)
            row["tag"] = f"{dimension}={canonical(dimension, value, where, what)}"


def check_across_files(files: dict[str, Rows]) -> None:
    """The rules between allocation files, once all are read; owners become canonical in place."""
    owner_dimension = _owner_dimension(files)
    _check_scopes_across(files, owner_dimension)
    _canonical_owners(files, owner_dimension)
    _check_rules_across(files)
    _check_owner_pools(files)
