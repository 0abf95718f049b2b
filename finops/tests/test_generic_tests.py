"""Our generic dbt tests (macros/generic_tests/) find what they guard: each test's SQL is rendered
from its macro (the body of its `{% test %}` block, plain Jinja) and run on small tables."""

from __future__ import annotations

import re

import duckdb
import jinja2
import pytest

from finops.settings import REPO_ROOT


def _render(test: str, **arguments: object) -> str:
    text = (REPO_ROOT / "macros" / "generic_tests" / f"{test}.sql").read_text()
    body = re.search(r"\{%\s*test\s+" + test + r"\(.*?\)\s*%\}(.*?)\{%\s*endtest\s*%\}", text, re.S)
    assert body, f"no test block in {test}.sql"
    return jinja2.Environment().from_string(body.group(1)).render(**arguments)


@pytest.mark.parametrize(("rows", "duplicates"), [
    ("select i as a, 'x' || i as b from range(100000) as r(i)", []),
    ("select i % 50000 as a, 'x' || (i % 50000) as b from range(100000) as r(i) where i < 50001", [(0, "x0", 2)]),
    # NULL counts as a value: two rows with the same NULL key are a duplicate
    ("select * from (values (1, null), (1, null), (2, 'y')) as t(a, b)", [(1, None, 2)]),
    ("select * from (values (null, null), (null, null), (null, 'y')) as t(a, b)", [(None, None, 2)]),
], ids=["unique", "one duplicate among many", "null in a key column", "all-null key"])
def test_unique_combination_finds_every_duplicate_key(rows: str, duplicates: list[tuple]) -> None:
    con = duckdb.connect()
    con.execute(f"create table t as {rows}")
    # Every row is tested (a full refresh): which rows an incremental build tests is the step test's
    # business (test_incremental_refresh.py).
    sql = _render("unique_combination", model="t", columns=["a", "b"], stored_in=None, stored_where="true",
                  rows_written_this_run=lambda model, key: "true")
    found = con.execute(sql + " order by all").fetchall()
    assert found == duplicates


def test_unique_combination_tests_only_the_rows_it_is_given() -> None:
    con = duckdb.connect()
    con.execute("create table t as select * from (values (1, 'old'), (1, 'old'), (2, 'new'), (2, 'new')) as t(a, b)")
    sql = _render("unique_combination", model="t", columns=["a", "b"], stored_in=None, stored_where="true",
                  rows_written_this_run=lambda model, key: "b = 'new'")
    assert con.execute(sql).fetchall() == [(2, "new", 2)]


def test_unique_combination_of_a_view_checks_the_rows_a_table_stores_of_it() -> None:
    """A view whose rows a table stores (D73): the key is checked on the table's rows that
    `stored_where` picks, and the view itself is not read (here it could not be)."""
    con = duckdb.connect()
    con.execute("create table stored as select * from (values ('p', 1, 'x'), ('p', 1, 'x'), ('q', 2, 'y'), "
                "('q', 2, 'y')) as t(source, a, b)")
    rendered = {}
    for source in ("p", "q"):
        rendered[source] = _render(
            "unique_combination", model="view_that_does_not_exist", columns=["a", "b"], stored_in="stored",
            stored_where=f"source = '{source}'", rows_written_this_run=lambda model, key: "true")
        assert "view_that_does_not_exist" not in rendered[source]
    assert con.execute(rendered["p"]).fetchall() == [(1, "x", 2)]
    assert con.execute(rendered["q"]).fetchall() == [(2, "y", 2)]
    con.execute("delete from stored where source = 'q' and rowid = (select max(rowid) from stored)")
    assert con.execute(rendered["q"]).fetchall() == []
