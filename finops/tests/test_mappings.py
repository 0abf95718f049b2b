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



def _assert_refused(tmp_path: Path, spec, text: str, message: str, where: str = "row ") -> None:  # noqa: ANN001
    """`text` written as the spec's file is refused with a message that starts with the file and `where` (the
    row) and holds `message`: the one-sentence rule every mapping file keeps."""
    path = tmp_path / f"{spec.name}.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        read_mapping(path, spec)
    assert str(err.value).startswith(f"{path}, {where}")
    assert message in str(err.value)

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
    _assert_refused(tmp_path, ACCOUNTS, "account_id,account_name\n" + body, message)


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


BUDGET_HEADER = ("budget_id,scope_type,scope_value,period,amount,currency,cost_basis,thresholds,effective_from,"
                 "effective_to,note\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("b1,team,payments,month,100,USD,effective,80:actual,,,\n",
         "scope_type 'team' of budget b1 is not one of whole_bill, provider"),
        ("b1,whole_bill,all,month,100,USD,effective,80:actual,,,\n",
         "budget b1 covers the whole bill but names scope_value 'all'"),
        ("b1,owner,,month,100,USD,effective,80:actual,,,\n", "budget b1 has scope_type owner but no scope_value"),
        ("b1,tag,prod,month,100,USD,effective,80:actual,,,\n", "scope_value 'prod' of tag budget b1 is not "
                                                               "dimension=value"),
        ("b1,whole_bill,,week,100,USD,effective,80:actual,,,\n", "period 'week' of budget b1 is not one of month"),
        ("b1,whole_bill,,month,100,usd,effective,80:actual,,,\n", "currency 'usd' of budget b1 is not an ISO 4217"),
        ("b1,whole_bill,,month,100,USD,amortized,80:actual,,,\n", "cost_basis 'amortized' of budget b1 is not one of"),
        ("b1,whole_bill,,month,100,USD,effective,80%:actual,,,\n", "threshold '80%:actual' of budget b1 is not "
                                                                  "<percent>:actual"),
        ("b1,whole_bill,,month,100,USD,effective,80:actual|80:actual,,,\n", "budget b1 repeats a threshold"),
        ("b1,whole_bill,,month,-5,USD,effective,80:actual,,,\n", "row 2: amount"),
        ("b1,whole_bill,,month,100,USD,effective,80:actual,2026-07-01,2026-07-01,\n",
         "effective_to 2026-07-01 is not after effective_from"),
    ],
)
def test_a_broken_budget_row_is_named(tmp_path: Path, body: str, message: str) -> None:
    from finops.mappings.specs import BUDGETS

    _assert_refused(tmp_path, BUDGETS, BUDGET_HEADER + body, message)


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("owner,paymnts", "budget b1 names 'paymnts', not a value or alias of dimension team"),
        ("tag,colour=blue", "budget b1 names tag dimension 'colour', which is unknown"),
        ("tag,team=payments", "budget b1 is on the owner dimension team; use scope_type owner"),
        ("tag,environment=qa", "budget b1 names 'qa', not a value or alias of dimension environment"),
    ],
)
def test_a_budget_names_owners_and_tag_values_the_tag_files_know(tmp_path: Path, scope: str, message: str) -> None:
    import shutil

    from finops.mappings import read_mappings

    folder = tmp_path / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, folder)
    (folder / "budgets.csv").write_text(BUDGET_HEADER + f"b1,{scope},month,100,USD,effective,80:actual,,,\n",
                                        encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        read_mappings(folder)


def test_budget_owners_and_tag_values_are_stored_canonical(tmp_path: Path) -> None:
    import shutil

    from finops.mappings import read_mappings

    folder = tmp_path / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, folder)
    (folder / "budgets.csv").write_text(
        BUDGET_HEADER + "b1,owner,Platfrom,month,100,USD,effective,80:actual,,,\n"
                        "b2,tag,environment=Production,month,100,USD,effective,80:actual|100:forecast,,,\n"
                        "b3,owner,unallocated,quarter,100,USD,billed,50:actual,,,\n", encoding="utf-8")
    rows = read_mappings(folder)["budgets"]
    assert [r["scope_value"] for r in rows] == ["platform", "environment=prod", "unallocated"]


ADJUSTMENT_HEADER = "adjustment_id,scope_type,scope_value,effective_from,effective_to,monthly_amount,currency,percent,note\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a 1,whole_bill,,2026-11-01,,100,USD,,launch\n", "adjustment_id 'a 1' may only hold letters"),
        ("a1,team,web,2026-11-01,,100,USD,,launch\n", "scope_type 'team' of planned change a1 is not one of"),
        ("a1,provider,,2026-11-01,,100,USD,,launch\n", "planned change a1 has scope_type provider but no scope_value"),
        ("a1,whole_bill,,,,100,USD,,launch\n", "row 2: effective_from"),
        ("a1,whole_bill,,2026-11-01,,100,USD,-10,launch\n", "must give either monthly_amount (with its currency) or "
                                                           "percent, not both"),
        ("a1,whole_bill,,2026-11-01,,,,,launch\n", "must give either monthly_amount"),
        ("a1,whole_bill,,2026-11-01,,100,,,launch\n", "gives monthly_amount 100 but no currency"),
        ("a1,whole_bill,,2026-11-01,,100,Dollar,,launch\n", "currency 'Dollar' of planned change a1 is not an ISO"),
        ("a1,whole_bill,,2026-11-01,,,USD,-10,launch\n", "is a percent change but names currency USD"),
        ("a1,whole_bill,,2026-11-01,,,,-120,launch\n", "lowers cost by 120 %, more than all of it"),
        ("a1,whole_bill,,2026-11-01,,0,USD,,launch\n", "monthly_amount '0' must be a number other than 0"),
        ("a1,whole_bill,,2026-11-01,,,,ten,launch\n", "percent 'ten' is not a number"),
        ("a1,whole_bill,,2026-11-01,2026-10-01,100,USD,,launch\n", "effective_to 2026-10-01 is not after"),
        ("a1,whole_bill,,2026-11-01,,100,USD,,\n", "row 2: note"),
    ],
)
def test_a_broken_planned_change_row_is_named(tmp_path: Path, body: str, message: str) -> None:
    from finops.mappings.specs import FORECAST_ADJUSTMENTS

    _assert_refused(tmp_path, FORECAST_ADJUSTMENTS, ADJUSTMENT_HEADER + body, message, where="row 2: ")


def test_planned_changes_take_negative_amounts_and_canonical_owners_and_tag_values(tmp_path: Path) -> None:
    import shutil

    from finops.mappings import read_mappings

    folder = tmp_path / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, folder)
    (folder / "forecast_adjustments.csv").write_text(
        ADJUSTMENT_HEADER + "a1,owner,Platfrom,2026-11-01,,-2500.50,EUR,,decommission\n"
                            "a2,tag,environment=Production,2026-12-01,2027-01-01,,,-100,switch-off\n",
        encoding="utf-8")
    rows = read_mappings(folder)["forecast_adjustments"]
    assert [(r["scope_value"], r["monthly_amount"], r["percent"]) for r in rows] == [
        ("platform", Decimal("-2500.50"), None), ("environment=prod", None, Decimal("-100"))]
    (folder / "forecast_adjustments.csv").write_text(
        ADJUSTMENT_HEADER + "a1,owner,paymnts,2026-11-01,,100,USD,,launch\n", encoding="utf-8")
    with pytest.raises(MappingError, match="planned change a1 names 'paymnts', not a value or alias of dimension team"):
        read_mappings(folder)


FEEDBACK_HEADER = "anomaly_id,status,reviewed_by,reviewed_at,note\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("A86413376B1D161E,resolved,alice,2026-06-25T16:30:00Z,\n", "anomaly_id 'A86413376B1D161E' is not an id"),
        ("a86413376b1d161e,fixed,alice,2026-06-25T16:30:00Z,\n", "status 'fixed' of anomaly a86413376b1d161e is not "
                                                                "one of acknowledged, expected, planned, resolved"),
        ("a86413376b1d161e,resolved,,2026-06-25T16:30:00Z,\n", "row 2: reviewed_by"),
        ("a86413376b1d161e,resolved,alice,yesterday,\n", "reviewed_at 'yesterday' is not an ISO date"),
        ("a86413376b1d161e,acknowledged,alice,2026-06-25,\na86413376b1d161e,resolved,bob,2026-06-25,\n",
         "row 3: anomaly_id, reviewed_at a86413376b1d161e, 2026-06-25 00:00:00 is already on row 2"),
    ],
)
def test_a_broken_anomaly_feedback_row_is_named(tmp_path: Path, body: str, message: str) -> None:
    from finops.mappings.specs import ANOMALY_FEEDBACK

    _assert_refused(tmp_path, ANOMALY_FEEDBACK, FEEDBACK_HEADER + body, message)


def test_the_sample_anomaly_feedback_is_valid() -> None:
    from finops.mappings.specs import ANOMALY_FEEDBACK

    rows = read_mapping(SAMPLE_MAPPINGS_DIR / "anomaly_feedback.csv", ANOMALY_FEEDBACK)
    assert {r["status"] for r in rows} == {"acknowledged", "resolved", "expected"}


ACTION_HEADER = ("action_id,description,owner,action_type,implemented_on,expected_monthly_saving,currency,provider_name,"
                 "billing_account_id,sub_account_id,service_name,region_id,resource_id,tag,commitment_discount_id\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a 1,VMs off,web,termination,2026-05-10,100,USD,,,,,,vm-1,,\n", "action_id 'a 1' may only hold letters"),
        ("a1,VMs off,web,shutdown,2026-05-10,100,USD,,,,,,vm-1,,\n",
         "action_type 'shutdown' of optimisation action a1 is not one of rightsizing, termination"),
        ("a1,VMs off,web,termination,2026-05-10,100,Dollar,,,,,,vm-1,,\n", "currency 'Dollar' of optimisation action "
                                                                         "a1 is not an ISO"),
        ("a1,VMs off,web,termination,2026-05-10,100,USD,,,,,,,,\n", "optimisation action a1 has no scope; fill at "
                                                                   "least one of provider_name"),
        ("a1,VMs off,web,termination,2026-05-10,100,USD,,1.11111E+11,,,,,,\n", "billing_account_id '1.11111E+11' of "
                                                                              "optimisation action a1 is a number"),
        ("a1,VMs off,web,termination,2026-05-10,100,USD,,,,,,,environment,\n", "tag 'environment' of optimisation "
                                                                              "action a1 is not dimension=value"),
        ("a1,VMs off,web,termination,2026-05-10,100,USD,,,,,,vm-1,,arn:sp/1\n", "is a termination action but names "
                                                                               "commitment_discount_id arn:sp/1"),
        ("a1,Savings plan,web,commitment_purchase,2026-05-10,100,USD,,,,,,,,\n", "is a commitment_purchase but names "
                                                                                "no commitment_discount_id"),
        ("a1,SP,web,commitment_purchase,2026-05-10,100,USD,AWS,,,,,,,arn:sp/1\n", "is a commitment_purchase, "
                                                                                  "measured on its commitment, but "
                                                                                  "also fills provider_name"),
        ("a1,VMs off,web,termination,,100,USD,,,,,,vm-1,,\n", "row 2: implemented_on"),
        ("a1,VMs off,web,termination,2026-05-10,0,USD,,,,,,vm-1,,\n", "expected_monthly_saving '0' must be"),
        ("a1,VMs off,,termination,2026-05-10,100,USD,,,,,,vm-1,,\n", "row 2: owner"),
        ("a1,SP,web,commitment_purchase,2026-05-10,100,USD,,,,,,,,arn:sp/1\n"
         "a2,SP again,data,commitment_purchase,2026-06-01,50,USD,,,,,,,,arn:sp/1\n",
         "row 3: optimisation action a2 buys commitment arn:sp/1, as does a1 on row 2; its savings can be claimed once"),
    ],
)
def test_a_broken_optimisation_action_row_is_named(tmp_path: Path, body: str, message: str) -> None:
    from finops.mappings.specs import OPTIMISATION_ACTIONS

    _assert_refused(tmp_path, OPTIMISATION_ACTIONS, ACTION_HEADER + body, message)


def test_optimisation_actions_take_canonical_owners_and_tag_values(tmp_path: Path) -> None:
    import shutil

    from finops.mappings import read_mappings

    folder = tmp_path / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, folder)
    (folder / "optimisation_actions.csv").write_text(
        ACTION_HEADER + "a1,VMs off,Platfrom,termination,2026-05-10,100,USD,,,,,,,environment=Production,\n"
                        "a2,GPU at night,machine-learning,scheduling,2026-05-10,100,EUR,,,,,,,team=équipe-α,\n",
        encoding="utf-8")
    rows = read_mappings(folder)["optimisation_actions"]
    assert [(r["owner"], r["tag"]) for r in rows] == [("platform", "environment=prod"), ("ml", "team=ml")]
    for body, message in (
        ("a1,VMs off,paymnts,termination,2026-05-10,100,USD,,,,,,vm-1,,\n", "owner 'paymnts' is an unknown owner"),
        ("a1,VMs off,web,termination,2026-05-10,100,USD,,,,,,,colour=red,\n",
         "optimisation action a1 names tag dimension 'colour', which is unknown"),
        ("a1,VMs off,web,termination,2026-05-10,100,USD,,,,,,,environment=qa,\n",
         "optimisation action a1 names 'qa', not a value or alias of dimension environment"),
    ):
        (folder / "optimisation_actions.csv").write_text(ACTION_HEADER + body, encoding="utf-8")
        with pytest.raises(MappingError, match=message):
            read_mappings(folder)


def test_the_sample_optimisation_actions_are_valid() -> None:
    from finops.mappings import read_mappings

    rows = read_mappings(SAMPLE_MAPPINGS_DIR)["optimisation_actions"]
    assert {r["action_type"] for r in rows} >= {"termination", "rightsizing", "scheduling", "commitment_purchase"}
    assert next(r for r in rows if r["action_id"] == "gpu-night-schedule")["tag"] == "team=ml"
