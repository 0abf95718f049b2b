"""Mapping files (FINOPS_MAPPINGS_DIR): a file that breaks its rules stops `finops load` with one
sentence naming the file, the row and the fix; a good file loads typed; an absent file is empty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from finops.mappings import ACCOUNTS, COMMITMENTS, MAPPING_FILES, MappingError, load_mappings, read_mapping
from finops.settings import SAMPLE_MAPPINGS_DIR

HEADER = ("commitment_discount_id,term_start,term_end,term_months,payment_option,scope,"
          "committed_quantity_per_hour,committed_unit,note\n")


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "commitments.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_a_good_file_is_typed(tmp_path: Path) -> None:
    path = _write(tmp_path, "ri-1,2026-07-01,2027-07-01T00:00:00Z,,All Upfront,us-east-1 m5,2.5,Hours,bought by ops\n"
                            "sp-1,,,36,,,,,\n")
    rows = read_mapping(path, COMMITMENTS)
    assert rows[0]["term_start"] == dt.datetime(2026, 7, 1)
    assert rows[0]["term_end"] == dt.datetime(2027, 7, 1)
    assert rows[0]["committed_quantity_per_hour"] == Decimal("2.5")
    assert rows[1] == {**{c.name: None for c in COMMITMENTS.columns}, "commitment_discount_id": "sp-1",
                       "term_months": 36}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ri-1,2026-13-01,,,,,,,\n", "row 2: term_start '2026-13-01' is not an ISO date"),
        ("ri-1,2026-07-01,2026-06-01,,,,,,\n", "row 2: term_end 2026-06-01 00:00 is not after term_start"),
        ("ri-1,,,,Half Upfront,,,,\n", "row 2: payment_option 'Half Upfront' is not one of"),
        ("ri-1,,,,,,1.5,,\n", "row 2: committed_quantity_per_hour and committed_unit go together"),
        ("ri-1,,,,,,abc,Hours,\n", "row 2: committed_quantity_per_hour 'abc' is not a number"),
        ("ri-1,,,twelve,,,,,\n", "row 2: term_months 'twelve' is not a positive whole number"),
        ("ri-1,,2027-01-01,12,,,,,\n", "row 2: give term_end or term_months, not both"),
        ("ri-1,,,,,,,,\nri-1,,,,,,,,\n", "row 3: commitment_discount_id ri-1 is already on row 2"),
        (",,,12,,,,,\n", "row 2: commitment_discount_id is empty"),
        ("ri-1,,,,,,,,,extra\n", "row 2: more fields than the header has columns"),
    ],
)
def test_a_broken_row_is_named(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(MappingError) as err:
        read_mapping(path, COMMITMENTS)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_an_unknown_or_missing_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="unknown column\\(s\\) term_lenght"):
        read_mapping(_write(tmp_path, "ri-1,12\n", header="commitment_discount_id,term_lenght\n"), COMMITMENTS)
    with pytest.raises(MappingError, match="lacks the required column\\(s\\) commitment_discount_id"):
        read_mapping(_write(tmp_path, "12\n", header="term_months\n"), COMMITMENTS)


def test_load_writes_typed_tables_and_empty_ones_for_absent_files(tmp_path: Path) -> None:
    import duckdb

    database = tmp_path / "w.duckdb"
    every_file_empty = {spec.name: 0 for spec in MAPPING_FILES}
    assert load_mappings(tmp_path, database) == every_file_empty
    _write(tmp_path, "ri-1,2026-07-01,,12,No Upfront,,,,\n")
    assert load_mappings(tmp_path, database) == {**every_file_empty, "commitments": 1}
    con = duckdb.connect(str(database), read_only=True)
    try:
        assert con.execute("select commitment_discount_id, term_start, term_months, typeof(committed_quantity_per_hour) "
                           "from raw.mapping_commitments").fetchall() == [
            ("ri-1", dt.datetime(2026, 7, 1), 12, "DECIMAL(38,12)")]
    finally:
        con.close()


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="does not exist"):
        load_mappings(tmp_path / "nowhere", tmp_path / "w.duckdb")


def test_the_shipped_samples_are_valid() -> None:
    assert read_mapping(SAMPLE_MAPPINGS_DIR / "commitments.csv", COMMITMENTS)
    assert read_mapping(SAMPLE_MAPPINGS_DIR / "accounts.csv", ACCOUNTS)


def test_an_accounts_file_names_accounts_by_id(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,account_name\n 111111111111 , Globex Payer \nAB12-CD34-EF5-GH6,Fabrikam\n",
                    encoding="utf-8")
    assert read_mapping(path, ACCOUNTS) == [
        {"account_id": "111111111111", "account_name": "Globex Payer"},
        {"account_id": "AB12-CD34-EF5-GH6", "account_name": "Fabrikam"},
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("111111111111,\n", "row 2: account_name is empty; every row needs one."),
        (",Globex\n", "row 2: account_id is empty; every row needs one."),
        ("111111111111,Globex\n111111111111,Globex again\n", "row 3: account_id 111111111111 is already on row 2"),
        ("1.11111E+11,Globex\n", "row 2: account_id '1.11111E+11' is a number a spreadsheet rewrote in scientific "
                                  "notation; format the column as text and write the id in full"),
    ],
)
def test_a_broken_accounts_row_is_named(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,account_name\n" + body, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        read_mapping(path, ACCOUNTS)
    assert str(err.value).startswith(f"{path}, row ")
    assert message in str(err.value)


def test_finops_load_stops_on_a_broken_mapping_file(tmp_path: Path) -> None:
    from finops.tests.conftest import run_finops

    landing = tmp_path / "landing" / "focus" / "x" / "billing_period=2026-07"
    landing.mkdir(parents=True)
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    _write(mappings, "ri-1,,,,Half Upfront,,,,\n")
    proc = run_finops("load", "--landing", str(tmp_path / "landing"), "--duckdb", str(tmp_path / "w.duckdb"),
                      env={"FINOPS_MAPPINGS_DIR": str(mappings)})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{mappings / 'commitments.csv'}, row 2: payment_option 'Half Upfront'" in proc.stderr
