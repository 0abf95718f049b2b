"""Where things are: every path the warehouse uses, from environment variables with defaults.

| variable             | default                                  | meaning                                   |
|----------------------|------------------------------------------|-------------------------------------------|
| FINOPS_LANDING_DIR   | <repo>/landing/sample (generated)        | folder with aws_cur/, aws_cur2/, focus/   |
| FINOPS_DUCKDB_PATH   | <repo>/warehouse.duckdb                  | the warehouse file dbt builds             |
| FINOPS_MAPPINGS_DIR  | <repo>/seeds/mappings (samples)          | user mapping files (python_checks/mappings.py) |

Paths are made absolute here, because dbt-duckdb resolves relative paths from the current directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LANDING_DIR = REPO_ROOT / "landing" / "sample"
SAMPLE_MAPPINGS_DIR = REPO_ROOT / "seeds" / "mappings"
# What `make run` generates when FINOPS_LANDING_DIR is not set.
SAMPLE_SEED = 42
SAMPLE_MONTHS = 3
SAMPLE_ROWS_PER_MONTH = 20_000


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    duckdb_path: Path
    landing_is_sample: bool
    mappings_dir: Path


def load_settings(landing_dir: str | None = None, duckdb_path: str | None = None) -> Settings:
    landing = landing_dir or os.environ.get("FINOPS_LANDING_DIR")
    database = duckdb_path or os.environ.get("FINOPS_DUCKDB_PATH") or str(REPO_ROOT / "warehouse.duckdb")
    mappings = os.environ.get("FINOPS_MAPPINGS_DIR")
    return Settings(
        landing_dir=Path(landing).expanduser().resolve() if landing else SAMPLE_LANDING_DIR,
        duckdb_path=Path(database).expanduser().resolve(),
        landing_is_sample=not landing,
        mappings_dir=Path(mappings).expanduser().resolve() if mappings else SAMPLE_MAPPINGS_DIR,
    )
