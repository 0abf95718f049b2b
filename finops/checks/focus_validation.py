"""Validate our FOCUS 1.2 data with the FinOps Foundation's focus-validator.

The validator (PyPI ``focus-validator==2.2.1``) needs Python 3.12 and pins duckdb/numpy/pandas
versions that clash with this project's environment, so it lives in its own uv project under
``tools/focus-validator`` and runs here as a subprocess. It exits 0 even when rules fail, so
we read its JUnit XML report instead of its exit code.

Usage: ``finops validate [--duckdb PATH]`` or ``python -m finops.checks.focus_validation DUCKDB_PATH``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..database import connect
from ..settings import REPO_ROOT

VALIDATOR_PROJECT = REPO_ROOT / "tools" / "focus-validator"
VALIDATOR_PYTHON = VALIDATOR_PROJECT / ".venv" / "bin" / "python"
FOCUS_VERSION = "1.2"

# Applicability criteria (names from the validator's model-1.2.0.1.json) that hold for our data.
# Rules gated on a criterion not listed here are skipped by the validator.
APPLICABILITY_CRITERIA = [
    # AWS Savings Plans and Reserved Instances: the CommitmentDiscount* columns are populated.
    "COMMITMENT_DISCOUNT_SUPPORTED",
    # Resource tags are exported in Tags (user tags and provider tags).
    "TAGGING_SUPPORTED",
    # Resources live in regions: RegionId/RegionName are populated.
    "REGION_SUPPORTED",
    # Some resources live in an availability zone: AvailabilityZone is populated.
    "AVAILABILITY_ZONE_SUPPORTED",
    # Linked (member) accounts: SubAccountId/SubAccountName/SubAccountType are populated.
    "SUB_ACCOUNT_SUPPORTED",
    # Usage is metered: ConsumedQuantity/ConsumedUnit are populated for usage rows.
    "USAGE_MEASUREMENT_SUPPORTED",
    # Charges are priced per unit: PricingQuantity/PricingUnit and the unit-price columns.
    "UNIT_PRICING_SUPPORTED",
    # AWS publishes public price lists: ListUnitPrice/ListCost reflect them.
    "PUBLIC_PRICE_LIST_SUPPORTED",
    # Private pricing / EDP discounts: ContractedUnitPrice/ContractedCost can differ from list.
    "NEGOTIATED_PRICING_SUPPORTED",
    # On-demand, commitment-based and spot pricing: PricingCategory takes several values.
    "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
    # "Provider supports assigning a display name for the billing account": AWS payer accounts, Azure
    # billing accounts and profiles and Google Cloud billing accounts all have display names, so
    # BillingAccountName must be set; it is (accounts.csv, else the export's name, else the id; D45).
    "ACCOUNT_NAMING_SUPPORTED",
    # "Provider supports assigning types to resources": every provider's resources have a kind (EC2
    # instance, ARM type, Google Cloud asset type), so ResourceType must be set wherever ResourceId is
    # (product family, resource id grammar, else the service; D47).
    "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED",
    # "Provider supports billing based on provisioned resources": instances, disks, buckets and
    # databases are billed per resource with ResourceId/ResourceName/ResourceType.
    "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
]

# Rules of focus-validator 2.2.1 that are wrong (checked against the rule model and the SQL it
# generates, see `--explain-mode`); their failures are reported as "excluded", not as failures.
KNOWN_WRONG_RULES = {
    "InvoiceId-C-004-C": (
        "Its condition ('charge not associated with an invoice') is empty in the model, so it "
        "demands InvoiceId IS NULL on every row, failing any dataset that has invoice ids."
    ),
    "EffectiveCost-C-005-C": (
        "It drops the 'purchase intended to cover future eligible charges' clause and demands "
        "EffectiveCost = 0 on every Purchase row, including one-time purchases that cover nothing."
    ),
    "CapacityReservationStatus-C-004-C": (
        "Its condition is written {'AND': [...]} instead of {'CheckFunction': 'AND', 'Items': [...]}, "
        "which the validator silently drops, so it demands a non-null status on every row (with "
        "CAPACITY_RESERVATION_SUPPORTED), contradicting CapacityReservationStatus-C-003-C."
    ),
    "InvoiceId-C-005-C": (
        "Its condition ('charge associated with an issued or provisional invoice') is empty in the "
        "model, so it demands InvoiceId on every row; AWS leaves bill/InvoiceId empty until a month "
        "is invoiced, so any dataset holding the open month fails it."
    ),
    "CommitmentDiscountStatus-C-004-C": (
        "Its condition is inverted (CommitmentDiscountId IS NULL instead of IS NOT NULL and "
        "ChargeCategory = 'Usage'), so it contradicts CommitmentDiscountStatus-C-003-C."
    ),
}


@dataclass
class ValidationResult:
    passed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # rule id -> message
    # Failures of KNOWN_WRONG_RULES, and of composite rules that fail only through them: rule id -> message.
    excluded: dict[str, str] = field(default_factory=dict)
    # The failed rules that are MUST requirements: a MUST (or MUST NOT) rule that fails on its own, or a
    # composite MUST whose failing parts include one (not one that fails only through a SHOULD part).
    failed_must: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failed


def export_focus_parquet(
    duckdb_path: str, out_path: str, relation: str = "marts.focus_cost_and_usage"
) -> int:
    """Write the FOCUS columns of `relation` to parquet in the shape the validator reads; return the row count.

    Provider columns (``x_*``) are dropped; ``*Id`` columns become VARCHAR (the validator wants strings,
    and a numeric AWS account id would fail its type rules); Tags/SkuPriceDetails that are not already
    text become JSON text; DECIMALs stay DECIMAL; TIMESTAMP (naive, read as UTC) and TIMESTAMPTZ both pass.
    """
    with connect(duckdb_path, read_only=True) as con:
        columns = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        select = []
        for name, type_, *_ in columns:
            if name.startswith("x_"):
                continue
            quoted = f'"{name}"'
            if name.endswith("Id") and type_ != "VARCHAR":
                select.append(f"CAST({quoted} AS VARCHAR) AS {quoted}")
            elif name in ("Tags", "SkuPriceDetails") and type_ != "VARCHAR":
                select.append(f"CAST(to_json({quoted}) AS VARCHAR) AS {quoted}")
            else:
                select.append(quoted)
        query = f"SELECT {', '.join(select)} FROM {relation}"
        out = out_path.replace("'", "''")
        con.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet)")
        (count,) = con.execute(f"SELECT count(*) FROM {relation}").fetchone()  # type: ignore[misc]
    return int(count)


def _validator_package_dir() -> Path:
    if not VALIDATOR_PYTHON.exists():
        raise RuntimeError(
            f"focus-validator environment not found at {VALIDATOR_PYTHON}. "
            "Create it with `make validator-env` from the repository root."
        )
    [package] = (VALIDATOR_PROJECT / ".venv" / "lib").glob("python3.*/site-packages/focus_validator")
    return package


def _model_rules(package: Path) -> dict[str, dict[str, Any]]:
    """The validator's FOCUS rule model: rule id -> rule definition."""
    [model] = (package / "rules").glob(f"model-{FOCUS_VERSION}*.json")
    rules: dict[str, dict[str, Any]] = json.loads(model.read_text(encoding="utf-8"))["ModelRules"]
    return rules


def _child_rules(requirement: dict[str, Any]) -> set[str]:
    """Ids of the rules a composite requirement (AND/OR of CheckModelRule items) is made of."""
    if requirement.get("CheckFunction") == "CheckModelRule":
        return {requirement["ModelRuleId"]}
    return set().union(*(_child_rules(item) for item in requirement.get("Items", [])))


def parse_junit(xml_path: Path, rules: dict[str, dict[str, Any]]) -> ValidationResult:
    """Classify each rule of the validator's JUnit report (test case name: ``RULE-ID :: check type``).

    Failures (and errors: a rule that could not run) carry the report's message plus the spec sentence
    the rule checks. A failure is excluded if the rule is in KNOWN_WRONG_RULES, or if it is a composite
    whose failing children are all excluded (else a wrong leaf would fail every composite above it).
    """
    result = ValidationResult()
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        rule_id = case.attrib["name"].split(" :: ")[0]
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if case.find("skipped") is not None:
            result.skipped.append(rule_id)
        elif problem is None:
            result.passed.append(rule_id)
        else:
            spec = rules.get(rule_id, {}).get("ValidationCriteria", {}).get("MustSatisfy", "")
            result.failed[rule_id] = f"{problem.get('message') or problem.tag}: {spec}"
    for rule_id in KNOWN_WRONG_RULES.keys() & result.failed.keys():
        result.excluded[rule_id] = f"{result.failed.pop(rule_id)} [known wrong: {KNOWN_WRONG_RULES[rule_id]}]"
    changed = True
    while changed:
        changed = False
        for rule_id in list(result.failed):
            requirement = rules.get(rule_id, {}).get("ValidationCriteria", {}).get("Requirement", {})
            failing = _child_rules(requirement) & (result.failed.keys() | result.excluded.keys())
            if failing and failing <= result.excluded.keys():
                result.excluded[rule_id] = f"{result.failed.pop(rule_id)} [fails only through {', '.join(sorted(failing))}]"
                changed = True
    result.failed_must = {rule_id for rule_id in result.failed if _fails_a_must(rule_id, result.failed, rules)}
    return result


def _fails_a_must(rule_id: str, failed: dict[str, str], rules: dict[str, dict[str, Any]]) -> bool:
    """A failed rule breaks a MUST: it is a MUST/MUST NOT rule and, if composite, a failing part does too."""
    criteria = rules.get(rule_id, {}).get("ValidationCriteria", {})
    if not criteria.get("Keyword", "MUST").startswith("MUST"):
        return False
    parts = _child_rules(criteria.get("Requirement", {})) & failed.keys()
    return not parts or any(_fails_a_must(part, failed, rules) for part in parts)


def run_validator(parquet_path: str, workdir: str) -> ValidationResult:
    """Run focus-validator (FOCUS 1.2) on a parquet file in its own environment and parse its report."""
    package = _validator_package_dir()
    work = Path(workdir)
    # The validator opens this file relative to its current directory, and logs there too.
    currency_codes = work / "focus_validator" / "rules" / "currency_codes.csv"
    currency_codes.parent.mkdir(parents=True, exist_ok=True)
    currency_codes.unlink(missing_ok=True)
    currency_codes.symlink_to(package / "rules" / "currency_codes.csv")
    report = work / "focus-validator-report.xml"
    report.unlink(missing_ok=True)
    command = [
        str(VALIDATOR_PYTHON), "-P", "-m", "focus_validator.main",
        "--data-file", str(Path(parquet_path).resolve()),
        "--validate-version", FOCUS_VERSION,
        "--block-download",
        "--applicability-criteria", ",".join(APPLICABILITY_CRITERIA),
        "--output-type", "unittest",
        "--output-destination", str(report.resolve()),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if completed.returncode != 0 or not report.exists():
        raise RuntimeError(
            f"focus-validator failed (exit {completed.returncode}); see {work / 'focus_validator_detailed.log'}\n"
            f"{completed.stderr[-4000:]}"
        )
    return parse_junit(report, _model_rules(package))


def validate_warehouse(
    duckdb_path: str, workdir: str, relation: str = "marts.focus_cost_and_usage"
) -> tuple[int, ValidationResult]:
    """Export `relation` of a warehouse to parquet in `workdir` and validate it: (rows, result)."""
    parquet = str(Path(workdir) / "focus.parquet")
    rows = export_focus_parquet(duckdb_path, parquet, relation)
    return rows, run_validator(parquet, workdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate a FOCUS 1.2 DuckDB relation with focus-validator.")
    parser.add_argument("duckdb_path")
    parser.add_argument("--relation", default="marts.focus_cost_and_usage")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="focus-validation-") as workdir:
        rows, result = validate_warehouse(args.duckdb_path, workdir, args.relation)
    print(
        f"focus-validator {FOCUS_VERSION} on {rows} rows: {len(result.passed)} passed, "
        f"{len(result.failed)} failed ({len(result.failed_must)} MUST), {len(result.excluded)} excluded, "
        f"{len(result.skipped)} skipped"
    )
    for rule_id, message in sorted(result.excluded.items()):
        print(f"EXCLUDED {rule_id}: {message}")
    for rule_id, message in sorted(result.failed.items()):
        print(f"FAILED {rule_id}: {message}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
