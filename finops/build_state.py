"""Whether the next dbt build can be incremental, and what a successful build records (DECISIONLOG D61).

An incremental build rewrites only the deliveries (one billing period of one export) whose current
load no build has finished with: `raw.deliveries.built_fingerprint` differs from `fingerprint`. That
is right only while everything else a row depends on is what the last build used. So `finops build`
rebuilds everything (dbt `--full-refresh`) when:
- it is asked to (`finops build --full-refresh`), or no build has finished in this working database;
- the last build did not finish (it stopped on bad input, failed or was killed part way: some
  incremental models may hold rows the others do not);
- the project changed since (models, macros, seeds, dbt_project.yml, the locked packages), or the
  mapping files' contents did (owners, rules, rates and names apply to every row);
- a delivery the last build holds is no longer in the ledger (a full load dropped it).
The data-dependent answers that span deliveries (one ServiceCategory per ServiceName, the reporting
currency and rates) are handled inside the models, which rebuild the deliveries they change.

Kept in the working database beside the loader's tables: `raw.build_state` (setting, value) and
`raw.built_deliveries` (the delivery ids the last finished build holds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .database import connect
from .settings import REPO_ROOT

# What the models' output depends on besides the landed data and the mapping files.
PROJECT_INPUTS = ("models", "macros", "seeds", "dbt_project.yml", "profiles.yml", "uv.lock")


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    reason: str  # why a full refresh, or which deliveries an incremental build rewrites
    fingerprint: str  # of the project and mapping files, recorded when the build finishes
    warehouse_key: str = ""  # of that and every delivery's fingerprint: what a publication is made of
    up_to_date: bool = False  # nothing changed since the last publication: no build, no publication


def project_fingerprint(con) -> str:  # noqa: ANN001 - duckdb connection to the working database
    """SHA-256 of the project files the models depend on and of the mapping tables' contents."""
    digest = hashlib.sha256()
    for name in PROJECT_INPUTS:
        root = REPO_ROOT / name
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    tables = [name for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'raw' and table_name like 'mapping\\_%' escape '\\' order by 1"
    ).fetchall()]
    for table in tables:
        (rows,) = con.execute(
            f"select coalesce(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar)), '') "
            f"from raw.{table} as t"
        ).fetchone()
        digest.update(table.encode() + b"\0" + rows.encode() + b"\0")
    return digest.hexdigest()


def _create_tables(con) -> None:  # noqa: ANN001
    con.execute("create schema if not exists raw")
    con.execute("create table if not exists raw.build_state (setting varchar primary key, value varchar)")
    con.execute("create table if not exists raw.built_deliveries (delivery_id varchar)")


def _setting(con, name: str) -> str | None:  # noqa: ANN001
    row = con.execute("select value from raw.build_state where setting = ?", [name]).fetchone()
    return row[0] if row else None


def _set(con, name: str, value: str) -> None:  # noqa: ANN001
    con.execute("insert or replace into raw.build_state values (?, ?)", [name, value])


def plan_build(con, asked_full_refresh: bool, landing: str = "") -> BuildPlan:  # noqa: ANN001
    """Decide how the next dbt build runs, from the working database's state after the load."""
    _create_tables(con)
    fingerprint = project_fingerprint(con)
    landed = f"{fingerprint}|{landing}"  # the same files in another landing folder publish another lineage

    def full(reason: str) -> BuildPlan:
        return BuildPlan(True, reason, fingerprint, warehouse_key(con, landed))

    if asked_full_refresh:
        return full("full refresh asked for (--full-refresh)")
    state = _setting(con, "state")
    if state is None:
        return full("first build of this working database")
    if state != "built":
        return full("the last build did not finish, so its incremental models may disagree")
    if _setting(con, "project_fingerprint") != fingerprint:
        return full("the project or the mapping files changed since the last build")
    (dropped,) = con.execute(
        "select count(*) from raw.built_deliveries where delivery_id not in (select delivery_id from raw.deliveries)"
    ).fetchone()
    if dropped:
        return full(f"{dropped} delivery(ies) the last build holds are no longer loaded")
    (changed, total) = con.execute(
        "select count(*) filter (where built_fingerprint is distinct from fingerprint), count(*) from raw.deliveries"
    ).fetchone()
    key = warehouse_key(con, landed)
    if not changed and _setting(con, "published_key") == key:
        return BuildPlan(False, f"nothing changed since the last publication ({total} deliveries unchanged): "
                         "the published warehouse is up to date", fingerprint, key, up_to_date=True)
    return BuildPlan(False, f"incremental: {changed} of {total} deliveries to rebuild", fingerprint, key)


def warehouse_key(con, project: str) -> str:  # noqa: ANN001
    """What a published warehouse is made of: the project, mapping files and landing folder, and each
    delivery's files."""
    (deliveries,) = con.execute(
        "select coalesce(string_agg(delivery_id || ':' || fingerprint, ',' order by delivery_id), '') from raw.deliveries"
    ).fetchone()
    return hashlib.sha256(f"{project}|{deliveries}".encode()).hexdigest()


def mark_published(con, plan: BuildPlan) -> None:  # noqa: ANN001
    """After publication: a next run that finds the same deliveries and project has nothing to do."""
    _set(con, "published_key", plan.warehouse_key)


def mark_building(con, plan: BuildPlan) -> None:  # noqa: ANN001, ARG001
    """Before dbt runs: until mark_built, the working database is in an unfinished state."""
    _create_tables(con)
    _set(con, "state", "building")
    _set(con, "published_key", "")


def mark_built(con, plan: BuildPlan) -> None:  # noqa: ANN001
    """After dbt built every model and passed every test: each delivery's current load is built."""
    con.execute("begin transaction")
    con.execute("update raw.deliveries set built_fingerprint = fingerprint "
                "where built_fingerprint is distinct from fingerprint")
    con.execute("delete from raw.built_deliveries")
    con.execute("insert into raw.built_deliveries select delivery_id from raw.deliveries")
    _set(con, "project_fingerprint", plan.fingerprint)
    _set(con, "built_at", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"))
    _set(con, "state", "built")
    con.execute("commit")


def open_work(path: Path):  # noqa: ANN201

    return connect(path)
