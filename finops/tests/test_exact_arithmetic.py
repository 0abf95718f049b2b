"""truncated_div (macros/exact_arithmetic.sql) gives exactly what DuckDB's `//` gives (D88): the same
quotient, truncated toward zero, on every sign, at the edges of its fast path and of HUGEINT, NULL for a
0 or NULL denominator. And split_exactly, built on it, gives what its `//` form gave on random money.
The macros are rendered with plain Jinja, with the project's money precision and scale."""

from __future__ import annotations

import random

import duckdb
import jinja2
import yaml

from finops.settings import REPO_ROOT

HUGEINT_MAX = 2 ** 127 - 1


def _macros():  # noqa: ANN202 - a Jinja module
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    variables = project["vars"]
    # convert_money.sql calls the macros of exact_arithmetic.sql and to_money.sql: one template holds all three.
    text = "\n".join((REPO_ROOT / "macros" / name).read_text()
                     for name in ["to_money.sql", "exact_arithmetic.sql", "convert_money.sql"])
    return jinja2.Environment().from_string(text, globals={"var": lambda name: variables[name]}).module


NUMERATORS = [
    0, 1, -1, 2, -2, 3, 7, -7, 10 ** 12, -(10 ** 12), 2 ** 52, 2 ** 53 + 1, 2 ** 62 - 1, 2 ** 62, -(2 ** 62),
    2 ** 63 - 1, 2 ** 63, 2 ** 64 + 3, -(2 ** 64 + 3), 10 ** 30 + 1, 10 ** 37, -(10 ** 37), 17 * 10 ** 37,
    -(17 * 10 ** 37), HUGEINT_MAX, -HUGEINT_MAX, 123456789012345678901234567890,
    -98765432109876543210987654321, None,
]
DENOMINATORS = [
    1, -1, 2, -2, 3, -3, 7, 10 ** 12, -(10 ** 12), 2 ** 62 - 1, 2 ** 62, 2 ** 62 + 1, -(2 ** 62 + 1), 2 ** 63 - 1,
    10 ** 20 + 7, -(10 ** 20 + 7), 10 ** 30 + 11, 2 ** 126, -(2 ** 126), HUGEINT_MAX, 0, None,
]


def _hugeint(value: int | None) -> str:
    return "null::hugeint" if value is None else f"{value}::hugeint"


def test_truncated_div_equals_duckdbs_integer_division_on_edges() -> None:
    div = _macros().truncated_div("n", "d")
    pairs = [(n, d) for n in NUMERATORS for d in DENOMINATORS]
    # Each quotient near a multiple of the denominator too, where a DOUBLE estimate is off by one.
    for d in [3, 7, 10 ** 12, 2 ** 40 + 5, 10 ** 15 + 37]:
        for q in [2 ** 50, 2 ** 53 - 1, 10 ** 17, 10 ** 22]:
            for offset in [-1, 0, 1]:
                pairs += [(q * d + offset, d), (-(q * d + offset), d), (q * d + offset, -d)]
    values = ", ".join(f"({_hugeint(n)}, {_hugeint(d)})" for n, d in pairs)
    con = duckdb.connect()
    rows = con.execute(f"select n, d, n // d, {div} from (values {values}) as t(n, d)").fetchall()
    wrong = [row for row in rows if row[2] != row[3]]
    assert not wrong, f"{len(wrong)} of {len(rows)} quotients differ from //, e.g. {wrong[:3]}"


def test_truncated_div_equals_duckdbs_integer_division_on_random_values() -> None:
    rng = random.Random(20261207)
    pairs = []
    for _ in range(20000):
        n = rng.choice([-1, 1]) * rng.randrange(0, 10 ** rng.randint(1, 38))
        d = rng.choice([-1, 1]) * rng.randrange(1, 10 ** rng.randint(1, 30))
        if abs(n) <= HUGEINT_MAX:
            pairs.append((n, d))
    con = duckdb.connect()
    con.execute("create table t (n hugeint, d hugeint)")
    con.executemany("insert into t values (?::hugeint, ?::hugeint)", [(str(n), str(d)) for n, d in pairs])
    div = _macros().truncated_div("n", "d")
    wrong = con.execute(f"select n, d from t where n // d is distinct from {div}").fetchall()
    assert not wrong, f"{len(wrong)} of {len(pairs)} random quotients differ from //, e.g. {wrong[:3]}"
    # Python's own arithmetic agrees (truncation toward zero), so neither side is wrong the same way.
    for n, d in pairs[:2000]:
        expected = abs(n) // abs(d) * (1 if (n < 0) == (d < 0) else -1)
        got = con.execute(f"select {div} from (select {n}::hugeint as n, {d}::hugeint as d)").fetchone()[0]
        assert got == expected, (n, d)


def test_split_exactly_gives_what_its_integer_division_form_gave() -> None:
    m = _macros()
    money = str(m.money_type()).strip()
    units = 10 ** 12
    con = duckdb.connect()
    rng = random.Random(7)
    rows = []
    for _ in range(20000):
        amount = f"{rng.choice(['', '-'])}{rng.randrange(0, 10 ** rng.randint(1, 13))}.{rng.randrange(0, units):012d}"
        total = rng.randrange(1, 10 ** rng.randint(1, 12))
        before = rng.randrange(0, total)
        rows.append((amount, before, rng.randrange(before, total + 1), total))
    con.execute(f"create table t (amount {money}, weight_before hugeint, weight_through hugeint, total hugeint)")
    con.executemany(f"insert into t values (?::{money}, ?, ?, ?)", rows)
    amount_units = f"cast(amount * {units} as hugeint)"
    macro_sql = m.split_exactly(amount_units, "weight_before", "weight_through", "total")
    integer_division_sql = (f"({amount_units} * weight_through) // total - ({amount_units} * weight_before) // total")
    wrong = con.execute(f"select amount, weight_before, weight_through, total from t "
                        f"where ({macro_sql}) is distinct from ({integer_division_sql})").fetchall()
    assert not wrong, f"{len(wrong)} rows differ, e.g. {wrong[:3]}"
