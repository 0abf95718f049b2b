"""try_to_money (macros/to_money.sql) gives what DuckDB's own cast of the text to the money type gives,
on every path it takes (D80): text that fits DECIMAL(18, scale), plain decimal text too large for it
(put together from its parts), and anything else (DuckDB's 128-bit parse), exponents included. The macro is rendered with
plain Jinja, with the project's money precision and scale."""

from __future__ import annotations

import random

import duckdb
import jinja2
import yaml

from finops.settings import REPO_ROOT


def _try_to_money(expr: str) -> tuple[str, str]:
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    variables = project["vars"]
    macros = jinja2.Environment().from_string((REPO_ROOT / "macros" / "to_money.sql").read_text(),
                                               globals={"var": lambda name: variables[name]}).module
    return str(macros.try_to_money(expr)), str(macros.money_type()).strip()


EDGES = [
    # fit DECIMAL(18, 12)
    "0", "-0", "1", "-0.5", "+3", "5.", "1.", "-1.", ".5", "-.5", " 7 ", "123456.123456789012",
    # too large for it: the path from parts
    "926785223000064", "18535704460001280", "146125095331.4304", "-146125095331.4304", "+146125095331.4304",
    "1234567", "-1234567.000000000001", "12345678901234567890123456.123456789012",
    "-99999999999999999999999999.999999999999", "99999999999999999999999999", "4633926115000320.",
    # DuckDB's own parse: too many digits, more decimals than the scale (rounded), an exponent, leading zeros
    "123456789012345678901234567", "1.1234567890125", "-1234567.1234567890125", "1e5", "-2.5E+20",
    "00000000000000000000000000001.5",
    # an exponent: short text fits DECIMAL(18, 12); with more than 18 digits DuckDB 1.5 truncates it there,
    # so it must take the 128-bit parse, which rounds
    "4.2E-7", "-1.5e3", "7675.7848288957476606e3", "99999.99999999999999e1", "0.1234567890123456789e6",
    "-3657.8488077983528377e+3",
    # not a number
    "", "   ", None, "abc", "1,5", "--1", "+-1", "1.2.3", "١٢٣", "1 000", "0x10", "NaN", "inf",
]


def _random_text(rng: random.Random) -> str:
    sign = rng.choice(["", "", "-", "+"])
    whole = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 28)))
    decimals = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 14)))
    text = sign + whole + (("." + decimals) if decimals or rng.random() < 0.1 else "")
    if rng.random() < 0.2:  # an exponent, as some exports print small usage amounts
        text = sign + whole[:rng.randint(1, 6)] + "." + decimals + rng.choice("eE") + rng.choice(["", "-", "+"]) \
            + str(rng.randint(0, 15))
    return text


def test_try_to_money_is_duckdbs_own_cast_on_every_path() -> None:
    expression, money_type = _try_to_money("x")
    rng = random.Random(80)
    texts = EDGES + [_random_text(rng) for _ in range(20000)]
    con = duckdb.connect()
    con.execute("create table t (i integer, x varchar)")
    con.executemany("insert into t values (?, ?)", list(enumerate(texts)))
    rows = con.execute(
        f"select x, {expression} as ours, try_cast(nullif(trim(x), '') as {money_type}) as duckdbs, "
        f"typeof({expression}) from t order by i"
    ).fetchall()
    assert {row[3] for row in rows} == {money_type.upper().replace(" ", "")}
    assert [(x, ours) for x, ours, duckdbs, _ in rows if ours != duckdbs] == []
    # Each path was taken: values past DECIMAL(18, 12) that are plain text, and ones only DuckDB's parse reads.
    parsed = {x: ours for x, ours, _, _ in rows}
    assert str(parsed["-146125095331.4304"]) == "-146125095331.430400000000"
    assert str(parsed["12345678901234567890123456.123456789012"]) == "12345678901234567890123456.123456789012"
    assert str(parsed["1.1234567890125"]) == str(con.execute(f"select cast('1.1234567890125' as {money_type})").fetchone()[0])
    assert parsed["123456789012345678901234567"] is None and parsed["abc"] is None
    assert str(parsed["7675.7848288957476606e3"]) == "7675784.828895747661"  # rounded, not truncated
