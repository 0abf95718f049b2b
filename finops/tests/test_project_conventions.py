"""The house style that keeps the docs site a governed data dictionary (../shared/CONVENTIONS.md),
checked over dbt's manifest and the built warehouse."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, Build

DOC_REFERENCE = re.compile(r"""\{\{\s*doc\(\s*["']([a-z0-9_]+)["']\s*\)\s*\}\}""")


@pytest.fixture(scope="module")
def manifest(generated_build: Build) -> dict:
    assert generated_build.returncode == 0, generated_build.output[-4000:]
    return json.loads((REPO_ROOT / "target" / "manifest.json").read_text())


def _models(manifest: dict) -> list[dict]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


def test_every_column_of_every_model_is_described(manifest: dict, generated_build: Build) -> None:
    built = {}
    for schema, table, column in generated_build.query_work(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts')"
    ):
        built.setdefault((schema, table), []).append(column)
    missing = []
    for model in _models(manifest):
        documented = {name for name, column in model["columns"].items() if column["description"].strip()}
        for column in built[(model["schema"], model["alias"])]:
            if column not in documented:
                missing.append(f"{model['name']}.{column}")
        if not model["description"].strip():
            missing.append(f"{model['name']} (model description)")
    assert missing == []


def test_intermediate_and_mart_columns_use_doc_blocks(manifest: dict) -> None:
    inline = []
    for model in _models(manifest):
        if model["schema"] not in ("intermediate", "marts"):
            continue
        path = (REPO_ROOT / model["original_file_path"]).with_suffix(".yml")  # beside a .sql or a Python model
        text = path.read_text()
        for name in model["columns"]:
            block = re.search(rf"- name: {re.escape(name)}\n\s+description: (.*)\n", text)
            if not block or not DOC_REFERENCE.search(block.group(1)):
                inline.append(f"{model['name']}.{name}")
    assert inline == []


def test_public_marts_are_contracted_typed_and_owned(manifest: dict) -> None:
    problems = []
    for model in _models(manifest):
        if model["schema"] != "marts":
            continue
        if model.get("access") != "public":
            problems.append(f"{model['name']}: access is not public")
        if not model["config"]["contract"]["enforced"]:
            problems.append(f"{model['name']}: contract not enforced")
        if not model["config"].get("meta", {}).get("owner"):
            problems.append(f"{model['name']}: no meta.owner")
        untyped = [name for name, column in model["columns"].items() if not column.get("data_type")]
        if untyped:
            problems.append(f"{model['name']}: no data_type on {untyped}")
    assert problems == []


def test_every_model_has_a_primary_key_test(manifest: dict) -> None:
    keyed = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        name = node.get("test_metadata", {}).get("name")
        if name in ("unique", "unique_combination"):
            keyed.update(node["depends_on"]["nodes"])
    unkeyed = [model["name"] for model in _models(manifest) if model["unique_id"] not in keyed]
    assert unkeyed == []


def test_only_staging_reads_sources_and_marts_never_read_staging(manifest: dict) -> None:
    problems = []
    for model in _models(manifest):
        parents = model["depends_on"]["nodes"]
        if model["schema"] != "staging" and any(p.startswith("source.") for p in parents):
            problems.append(f"{model['name']} reads a source")
        if model["schema"] == "marts":
            staging = [p for p in parents if p.startswith("model.") and ".stg_" in p]
            if staging:
                problems.append(f"{model['name']} reads {staging}")
    assert problems == []


# The folders in the order data flows through them (README "How the project is laid out"): a model
# reads only from its own folder or an earlier one, so the tree reads top to bottom.
FLOW = [
    "staging",
    "intermediate/providers",
    "intermediate/charges",
    "intermediate/commitments",
    "intermediate/daily",
    "intermediate/allocation",
    "intermediate/forecasting",
    "intermediate/anomalies",
    "intermediate/savings",
    "marts/focus",
    "marts/audit",
    "marts/commitments",
    "marts/allocation",
    "marts/forecasting",
    "marts/anomalies",
    "marts/savings",
    "marts/kpis",
]
LAYER_PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_", "focus_", "quarantine_")}


def _flow_folder(node: dict) -> str:
    path = node["original_file_path"].removeprefix("models/")
    matches = [folder for folder in FLOW if path.startswith(folder + "/")]
    assert matches, f"{node['original_file_path']}: its folder is not in the flow order (FLOW); add it in its place"
    return matches[0]


def test_models_read_only_from_their_own_or_earlier_folders(manifest: dict) -> None:
    nodes = manifest["nodes"]
    backwards = []
    for model in _models(manifest):
        rank = FLOW.index(_flow_folder(model))
        for parent in model["depends_on"]["nodes"]:
            if parent.startswith("model.") and FLOW.index(_flow_folder(nodes[parent])) > rank:
                backwards.append(f"{model['name']} ({_flow_folder(model)}) reads {nodes[parent]['name']} "
                                 f"({_flow_folder(nodes[parent])})")
    assert backwards == []


def test_each_model_is_named_for_its_layer_and_providers_keep_their_own_folder(manifest: dict) -> None:
    problems = []
    for model in _models(manifest):
        layer = _flow_folder(model).split("/")[0]
        if not model["name"].startswith(LAYER_PREFIXES[layer]):
            problems.append(f"{model['name']} is under {layer}/ but not named {LAYER_PREFIXES[layer]}")
        path = model["original_file_path"]
        if path.startswith("models/intermediate/providers/"):
            provider = path.split("/")[3]
            if not model["name"].startswith(f"int_{provider}__"):
                problems.append(f"{model['name']} is in the {provider} provider folder but not named int_{provider}__...")
    assert problems == []


def test_materialisations_are_set_per_folder_not_in_models() -> None:
    """Folder defaults and their listed exceptions live in dbt_project.yml (D23), never in a model."""
    configured = [str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "models").rglob("*.sql")
                  if re.search(r"config\([^)]*materialized", path.read_text())]
    assert configured == []


def test_the_provider_contract_test_names_a_column_a_provider_adds_or_retypes(
    generated_build: Build, tmp_path,  # noqa: ANN001
) -> None:
    """The unions select the contract's columns by name, so a column a provider adds (a misspelt
    name) would vanish silently and a retyped one would be coerced: the contract test names both."""
    import shutil
    import subprocess
    import sys

    import duckdb

    work = tmp_path / "work.duckdb"
    shutil.copy(generated_build.work_path, work)
    con = duckdb.connect(str(work))
    con.execute("drop table intermediate.int_gcp__source_amounts")  # an incremental table (D61)
    con.execute("create view intermediate.int_gcp__source_amounts as "
                "select * exclude (billing_currency), 1 as billing_curency, billing_currency::blob as billing_currency "
                "from staging.stg_gcp__billing_export limit 0")
    con.close()
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt), "test", "--select", "assert_every_provider_meets_its_contract", "--project-dir", str(REPO_ROOT),
         "--profiles-dir", str(REPO_ROOT), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)],
        env={**os.environ, "FINOPS_WORK_DUCKDB_PATH": str(work)}, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "FAIL" in proc.stdout
    failures = duckdb.connect(str(work), read_only=True)
    try:
        compiled = next((tmp_path / "target" / "compiled").rglob("assert_every_provider_meets_its_contract.sql")).read_text()
        rows = set(failures.execute(compiled).fetchall())
    finally:
        failures.close()
    assert ("int_gcp__source_amounts", "billing_curency", "not in the contract") in rows
    assert ("int_gcp__source_amounts", "billing_currency", "BLOB, the contract says varchar") in rows
def _module_imports(package_dir: Path) -> dict[str, set[str]]:
    """Every module of the package under `package_dir` and the package modules it imports (at the top
    or inside a function: a lazy import is still an edge), read with ast, nothing imported."""
    package = package_dir.name
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        modules[name] = (path, name if is_package else name.rpartition(".")[0])
    graph: dict[str, set[str]] = {}
    for name, (path, here) in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = here.split(".")[: len(here.split(".")) - node.level + 1] if node.level else []
                origin = ".".join(base + ([node.module] if node.module else []))
                # `from . import config` imports the submodule; `from .runner import run` the module runner.
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names]
            edges.update(t for t in targets if t in modules and t != name and t.split(".")[0] == package)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph (its modules in order, the first repeated at the end), or []."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_package_has_no_import_cycle() -> None:
    graph = _module_imports(REPO_ROOT / "finops")
    assert "finops.landing.loading" in graph and graph["finops.landing.loading"], "the import graph was not read"
    assert _cycle(graph) == []


def test_the_import_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "finops"
    (package / "checks").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "checks" / "__init__.py").write_text("")
    (package / "checks" / "runner.py").write_text("def suites():\n    from .suites import SUITES\n    return SUITES\n")
    (package / "checks" / "suites.py").write_text("from finops.checks.runner import suites\nSUITES = []\n")
    assert _cycle(_module_imports(package)) == ["finops.checks.runner", "finops.checks.suites", "finops.checks.runner"]
