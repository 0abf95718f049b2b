"""The house style that keeps the docs site a governed data dictionary (../shared/CONVENTIONS.md),
checked over dbt's manifest and the built warehouse."""

from __future__ import annotations

import json
import re

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
        path = REPO_ROOT / model["original_file_path"].replace(".sql", ".yml")
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
