"""Where things are: every path the warehouse uses, from environment variables with defaults.

| variable             | default                                  | meaning                                   |
|----------------------|------------------------------------------|-------------------------------------------|
| FINOPS_LANDING_DIR   | <repo>/landing/sample (generated)        | folder with aws_cur/, aws_cur2/, focus/, azure/, gcp/ |
| FINOPS_DUCKDB_PATH   | <repo>/warehouse.duckdb                  | the published warehouse readers open; runs work in the folder beside it (warehouse.py) |
| FINOPS_MAPPINGS_DIR  | none; seeds/mappings with the sample      | user mapping files (finops/mappings/) |
| FINOPS_DEBUG         | unset                                    | `finops --debug`: tracebacks for internal faults |

Paths are made absolute here, because dbt-duckdb resolves relative paths from the current directory.
The sample mapping files fit the generated sample only: a landing folder of your own starts with no
mapping files unless FINOPS_MAPPINGS_DIR names a folder (DECISIONLOG D55).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from .warehouse import WarehousePaths

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LANDING_DIR = REPO_ROOT / "landing" / "sample"
SAMPLE_MAPPINGS_DIR = REPO_ROOT / "seeds" / "mappings"
DBT_PROJECT_FILE = REPO_ROOT / "dbt_project.yml"
ISO_CURRENCIES_SEED = REPO_ROOT / "seeds" / "iso_4217_currencies.csv"
# What `make run` generates when FINOPS_LANDING_DIR is not set.
SAMPLE_SEED = 42
SAMPLE_MONTHS = 3
SAMPLE_ROWS_PER_MONTH = 20_000
SAMPLE_HISTORY_MONTHS = 15  # the daily-grain FOCUS export to forecast from (sample_data/history.py)
# The generator writes its answers last: a landing folder holding this file was generated completely.
GENERATED_MARKER = Path("_truth") / "expected_totals.csv"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    duckdb_path: Path
    landing_is_sample: bool
    mappings_dir: Path | None  # None: no mapping files (a landing folder of your own without FINOPS_MAPPINGS_DIR)

    @property
    def warehouse(self) -> WarehousePaths:
        return WarehousePaths(self.duckdb_path)


def load_settings(landing_dir: str | None = None, duckdb_path: str | None = None) -> Settings:
    landing = landing_dir or os.environ.get("FINOPS_LANDING_DIR")
    database = duckdb_path or os.environ.get("FINOPS_DUCKDB_PATH") or str(REPO_ROOT / "warehouse.duckdb")
    mappings = os.environ.get("FINOPS_MAPPINGS_DIR")
    if mappings:
        mappings_dir: Path | None = Path(mappings).expanduser().resolve()
    else:
        mappings_dir = None if landing else SAMPLE_MAPPINGS_DIR
    return Settings(
        landing_dir=Path(landing).expanduser().resolve() if landing else SAMPLE_LANDING_DIR,
        duckdb_path=Path(database).expanduser().resolve(),
        landing_is_sample=not landing,
        mappings_dir=mappings_dir,
    )


@functools.cache
def dbt_vars() -> dict:
    """The dbt vars with their defaults, as dbt_project.yml declares them: settings the SQL and the
    Python both need are read from there, never restated."""
    import yaml  # a dependency of dbt-core

    return yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"]


def money_type() -> str:
    """The warehouse's one money type, `DECIMAL(money_precision, money_scale)` (the macro to_money casts
    to the same type)."""
    return f"DECIMAL({int(dbt_vars()['money_precision'])}, {int(dbt_vars()['money_scale'])})"


def default_owner_dimension() -> str:
    """The owner dimension when tag_dimensions.csv has no rows (int_allocation_settings uses the same var)."""
    return str(dbt_vars()["default_owner_dimension"])
