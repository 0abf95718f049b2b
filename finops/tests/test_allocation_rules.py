"""Allocation rule files (FINOPS_MAPPINGS_DIR): tag dimensions, keys and values, account owners,
shared-cost rules and targets, business drivers. A good set loads typed with owners canonical;
each broken rule, within a file or between files, stops the load with one sentence that starts
with the file and row and says what to fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from finops.mappings import MappingError, load_mappings, read_mappings
from finops.settings import SAMPLE_MAPPINGS_DIR

RULES_HEADER = ("rule_id,rule_order,description,pool_provider,pool_billing_account_id,pool_sub_account_id,"
                "pool_service_name,pool_service_category,pool_charge_category,pool_unallocated_only,pool_owner,"
                "method,driver_name,effective_from,effective_to\n")

# name -> (header, body). Row numbers below count the header as row 1.
GOOD = {
    "tag_dimensions": ("dimension,is_required,is_owner,description\n",
                       "team,Yes,TRUE,who owns the cost\n"
                       "environment,1,no,\n"
                       "cost_center,false,0,\n"),
    "tag_keys": ("dimension,tag_key,priority\n",
                 "team,Team,1\n"
                 "team,owner-team,2\n"
                 "cost_center,CostCenter,1\n"),
    "tag_values": ("dimension,value,aliases\n",
                   "team,Platform,platfrom|plat form\n"
                   "team,Payments,\n"
                   "team,Data,\n"
                   "team,Search,\n"
                   "environment,prod,production|prd\n"),
    "account_owners": ("account_id,owner,effective_from,effective_to\n",
                       "111,PLATFROM,2024-01-01,2026-07-01\n"
                       "111,payments,2026-07-01,\n"
                       "222, Data ,2024-01-01,\n"),
    "shared_cost_rules": (RULES_HEADER,
                          "tax,1,Tax by direct cost,,,,,,Tax,,,proportional,,,\n"
                          "support,2,Support by agreed shares,AWS,,,Support,,Usage,,,fixed,,2026-01-01,\n"
                          "untagged,3,,Orbital,,,,,Usage,yes,,even,,,\n"
                          "platform,4,Platform by requests,,,,,,,,plat form,driver,requests,,\n"),
    "shared_cost_rule_targets": ("rule_id,target_owner,weight_percent\n",
                                 "support,platform,50\n"
                                 "support,Payments,33.33\n"
                                 "support,data,16.67\n"
                                 "platform,payments,\n"
                                 "platform,Data,\n"),
    "business_drivers": ("date,owner,driver_name,quantity\n",
                         "2026-07-01,payments,requests,100\n"
                         "2026-07-01,data,requests,0\n"),
}


def _write_set(folder: Path, **bodies: str | None) -> Path:
    """The good set with some files' bodies replaced (None: the file is absent)."""
    for name, (header, body) in GOOD.items():
        body = bodies.get(name, body)
        if body is not None:
            (folder / f"{name}.csv").write_text(header + body, encoding="utf-8")
    return folder


def test_a_good_set_is_typed_with_owners_canonical(tmp_path: Path) -> None:
    parsed = read_mappings(_write_set(tmp_path))
    assert parsed["tag_dimensions"][0] == {"dimension": "team", "is_required": True, "is_owner": True,
                                           "description": "who owns the cost"}
    assert [(r["is_required"], r["is_owner"]) for r in parsed["tag_dimensions"][1:]] == [(True, False), (False, False)]
    assert parsed["tag_keys"][1] == {"dimension": "team", "tag_key": "owner-team", "priority": 2}
    assert parsed["tag_values"][0]["aliases"] == "platfrom|plat form"  # raw text: SQL splits it
    assert parsed["account_owners"][0] == {"account_id": "111", "owner": "Platform",
                                           "effective_from": dt.date(2024, 1, 1), "effective_to": dt.date(2026, 7, 1)}
    assert [r["owner"] for r in parsed["account_owners"]] == ["Platform", "Payments", "Data"]
    rules = parsed["shared_cost_rules"]
    assert [r["pool_unallocated_only"] for r in rules] == [False, False, True, False]
    assert rules[1]["effective_from"] == dt.date(2026, 1, 1) and rules[1]["effective_to"] is None
    assert rules[3]["pool_owner"] == "Platform" and rules[3]["driver_name"] == "requests"
    assert [(r["target_owner"], r["weight_percent"]) for r in parsed["shared_cost_rule_targets"]] == [
        ("Platform", Decimal("50")), ("Payments", Decimal("33.33")), ("Data", Decimal("16.67")),
        ("Payments", None), ("Data", None)]
    assert parsed["business_drivers"][1] == {"date": dt.date(2026, 7, 1), "owner": "Data", "driver_name": "requests",
                                             "quantity": Decimal("0")}


def test_load_writes_typed_allocation_tables_and_empty_ones_for_absent_files(tmp_path: Path) -> None:
    import duckdb

    folder = tmp_path / "mappings"
    folder.mkdir()
    _write_set(folder, business_drivers=None, shared_cost_rules=None, shared_cost_rule_targets=None)
    counts = load_mappings(folder, tmp_path / "w.duckdb")
    assert counts["tag_values"] == 5 and counts["shared_cost_rules"] == 0
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        assert con.execute("select owner, typeof(effective_from), typeof(effective_to) from raw.mapping_account_owners "
                           "order by account_id, effective_from").fetchall() == [
            ("Platform", "DATE", "DATE"), ("Payments", "DATE", "DATE"), ("Data", "DATE", "DATE")]
        assert con.execute("select dimension, is_required, is_owner from raw.mapping_tag_dimensions "
                           "order by dimension").fetchall() == [
            ("cost_center", False, False), ("environment", True, False), ("team", True, True)]
        columns = con.execute("select column_name, data_type from information_schema.columns "
                              "where table_schema = 'raw' and table_name = 'mapping_business_drivers' "
                              "order by ordinal_position").fetchall()
        assert columns == [("date", "DATE"), ("owner", "VARCHAR"), ("driver_name", "VARCHAR"),
                           ("quantity", "DECIMAL(38,12)")]
        assert con.execute("select count(*) from raw.mapping_shared_cost_rules").fetchone() == (0,)
        rule_types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                      "where table_name = 'mapping_shared_cost_rules'").fetchall())
        assert rule_types["pool_unallocated_only"] == "BOOLEAN" and rule_types["rule_order"] == "INTEGER"
    finally:
        con.close()


def test_without_tag_dimensions_the_owner_dimension_is_team_and_owners_are_normalized(tmp_path: Path) -> None:
    parsed = read_mappings(_write_set(tmp_path, tag_dimensions=None, tag_keys="team,Team,1\n", tag_values="",
                                      account_owners="111,Plat  Form ,2024-01-01,\n"))
    assert parsed["tag_dimensions"] == []
    assert parsed["account_owners"][0]["owner"] == "plat form"
    assert parsed["shared_cost_rule_targets"][1]["target_owner"] == "payments"
    with pytest.raises(MappingError, match="dimension 'cost_center' is unknown \\(the dimensions are team\\);"):
        read_mappings(_write_set(tmp_path, tag_dimensions=None, tag_values=""))


@pytest.mark.parametrize(
    ("bodies", "file", "row", "words"),
    [
        # types
        ({"tag_dimensions": "team,maybe,true,\n"}, "tag_dimensions", 2, ["is_required 'maybe' is not true or false"]),
        ({"account_owners": "111,platform,2024/01/01,\n"}, "account_owners", 2,
         ["effective_from '2024/01/01' is not an ISO date", "2026-07-01"]),
        ({"business_drivers": "2026-07-01,data,requests,-1\n"}, "business_drivers", 2,
         ["quantity '-1' must be zero or a positive number"]),
        ({"shared_cost_rule_targets": "support,platform,0\n"}, "shared_cost_rule_targets", 2,
         ["weight_percent '0' must be a positive number"]),
        ({"tag_keys": "team,Team,0\n"}, "tag_keys", 2, ["priority '0' is not a positive whole number"]),
        # tag dimensions, keys and values
        ({"tag_dimensions": "Cost-Center,true,true,\n"}, "tag_dimensions", 2, ["'Cost-Center' is not a lower snake"]),
        ({"tag_dimensions": "team,true,true,\nproduct,true,true,\n"}, "tag_dimensions", 3,
         ["product has is_owner true", "team on row 2", "only one dimension"]),
        ({"tag_dimensions": "team,true,false,\n"}, "tag_dimensions", 2, ["no dimension has is_owner true"]),
        ({"tag_keys": "team,Team,1\nowner,Owner,2\n"}, "tag_keys", 3,
         ["dimension 'owner' is unknown", "tag_dimensions"]),
        ({"tag_values": "product,shop,\n"}, "tag_values", 2, ["dimension 'product' is unknown"]),
        ({"tag_keys": "team,Team,1\nteam,TEAM ,2\n"}, "tag_keys", 3, ["tag_key TEAM is already on row 2",
                                                                     "compared as 'team'"]),
        ({"tag_keys": "team,Team,1\nteam,owner,1\n"}, "tag_keys", 3,
         ["priority 1 of dimension team is already on row 2"]),
        ({"tag_keys": "team,--,1\n"}, "tag_keys", 2, ["tag_key '--' has no letter or digit"]),
        ({"tag_values": "team,Platform,\nteam,Search,PLATFORM\n"}, "tag_values", 3,
         ["alias 'PLATFORM' of dimension team is already a spelling on row 2"]),
        ({"tag_values": "team,Platform,platform\n"}, "tag_values", 2, ["alias 'platform'", "on this row"]),
        ({"tag_values": "team,Platform,plat||form\n"}, "tag_values", 2, ["has an empty alias"]),
        ({"tag_values": "team,Platform,\nteam,Unallocated,\n"}, "tag_values", 3,
         ["no owner may be called unallocated"]),
        # account owners
        ({"account_owners": "111,marketing,2024-01-01,\n"}, "account_owners", 2,
         ["owner 'marketing' is an unknown owner", "Data, Payments, Platform, Search"]),
        ({"account_owners": "111,unallocated,2024-01-01,\n"}, "account_owners", 2,
         ["owner 'unallocated' is the bucket for unallocated cost"]),
        ({"account_owners": "111,platform,2024-01-01,2026-06-01\n111,payments,2026-07-01,\n"}, "account_owners", 3,
         ["account 111 has no owner from 2026-06-01 to 2026-07-01"]),
        ({"account_owners": "111,platform,2024-01-01,2026-08-01\n111,payments,2026-07-01,\n"}, "account_owners", 3,
         ["account 111's period from 2026-07-01 overlaps row 2"]),
        ({"account_owners": "111,payments,2026-07-01,\n111,platform,2024-01-01,\n"}, "account_owners", 2,
         ["overlaps row 3 (from 2024-01-01 open-ended)"]),
        ({"account_owners": "111,platform,2026-01-01,2026-01-01\n"}, "account_owners", 2,
         ["effective_to 2026-01-01 is not after effective_from"]),
        # rules on their own
        ({"shared_cost_rules": "tax rule,1,,,,,,,Tax,,,even,,,\n"}, "shared_cost_rules", 2, ["rule_id 'tax rule'"]),
        ({"shared_cost_rules": "tax,1,,,,,,,Tax,,,split,,,\n"}, "shared_cost_rules", 2,
         ["method 'split' is not one of"]),
        ({"shared_cost_rules": "tax,1,,,,,,,Taxes,,,even,,,\n"}, "shared_cost_rules", 2,
         ["pool_charge_category 'Taxes' is not one of Usage, Purchase, Tax, Credit, Adjustment"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "all,5,,,,,,,,no,,even,,,\n"}, "shared_cost_rules", 6,
         ["rule all has no pool filter"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "mix,5,,Azure,,,,,,,data,even,,,\n"},
         "shared_cost_rules", 6, ["rule mix combines pool_owner with pool_provider"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "mix,5,,,,,,,,true,data,even,,,\n"},
         "shared_cost_rules", 6, ["rule mix combines pool_owner with pool_unallocated_only"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "d,5,,Azure,,,,,,,,driver,,,\n"}, "shared_cost_rules", 6,
         ["rule d has method driver but no driver_name"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "e,5,,Azure,,,,,,,,even,requests,,\n"},
         "shared_cost_rules", 6, ["rule e has driver_name 'requests' but method even"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "dup,4,,Azure,,,,,,,,even,,,\n"}, "shared_cost_rules", 6,
         ["rule_order 4 of rule dup is already rule platform's on row 5"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "aws-support,5,,AWS,,,Support,,Usage,,,even,,2026-02-01,\n"},
         "shared_cost_rules", 6, ["the pool of rule aws-support overlaps the pool of rule support on row 3 entirely",
                                  "would never take any cost"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "t2,5,,,,,,,Tax,true,,even,,2026-03-01,\n"},
         "shared_cost_rules", 6, ["the pool of rule t2 overlaps the pool of rule tax on row 2"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "platform-2,5,,,,,,,,,platfrom,even,,2026-01-01,\n"},
         "shared_cost_rules", 6, ["the pool of rule platform-2 overlaps the pool of rule platform on row 5",
                                  "owner Platform"]),
        # rules against other files
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "m,5,,,,,,,,,marketing,even,,,\n"},
         "shared_cost_rules", 6, ["pool_owner 'marketing' is an unknown owner"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "u,5,,,,,,,,,Unallocated,even,,,\n"},
         "shared_cost_rules", 6, ["pool_owner 'Unallocated' is the bucket", "pool_unallocated_only"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1].replace("requests", "users")}, "shared_cost_rules", 5,
         ["driver_name 'users' of rule platform is an unknown driver", "its drivers are requests"]),
        ({"business_drivers": None}, "shared_cost_rules", 5, ["unknown driver", "it has no rows"]),
        ({"business_drivers": "2026-07-01,payments,requests,1\n2026-07-01,marketing,requests,1\n"},
         "business_drivers", 3, ["owner 'marketing' is an unknown owner"]),
        ({"business_drivers": "2026-07-01,platform,requests,1\n2026-07-01,platfrom,requests,2\n"},
         "business_drivers", 3, ["is already on row 2 under another spelling of the owner"]),
        # targets
        ({"shared_cost_rule_targets": "support,marketing,100\n"}, "shared_cost_rule_targets", 2,
         ["target_owner 'marketing' is an unknown owner"]),
        ({"shared_cost_rule_targets": "support,platform,100\nsupport,plat form,\n"}, "shared_cost_rule_targets", 3,
         ["is already on row 2", "another spelling"]),
        ({"shared_cost_rule_targets": "suport,platform,100\n"}, "shared_cost_rule_targets", 2,
         ["rule_id 'suport' is an unknown rule"]),
        ({"shared_cost_rule_targets": "support,platform,50\nsupport,Payments,30\nsupport,data,16.67\n"},
         "shared_cost_rule_targets", 2, ["fixed rule support (rows 2, 3, 4) sum to 96.67, not 100"]),
        ({"shared_cost_rule_targets": "platform,payments,\n"}, "shared_cost_rules", 3,
         ["rule support is fixed but shared_cost_rule_targets.csv lists no targets"]),
        ({"shared_cost_rule_targets": "support,platform,100\nplatform,payments,50\n"}, "shared_cost_rule_targets", 3,
         ["weight_percent is only for fixed rules and rule platform is driver"]),
        ({"shared_cost_rule_targets": "support,platform,100\nsupport,data,\n"}, "shared_cost_rule_targets", 3,
         ["weight_percent is empty but rule support is fixed"]),
        ({"shared_cost_rule_targets": "support,platform,100\nplatform,Platfrom,\n"}, "shared_cost_rule_targets", 3,
         ["target_owner Platform is the pool_owner of rule platform itself"]),
        # owner pools: cycles and order
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "payments,5,,,,,,,,,Payments,even,,,\n",
          "shared_cost_rule_targets": GOOD["shared_cost_rule_targets"][1] + "payments,platform,\n"},
         "shared_cost_rules", 6, ["rules payments (row 6) and platform (row 5) pass cost round in a cycle",
                                  "(Payments -> Platform -> Payments)"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1] + "payments,5,,,,,,,,,Payments,even,,,\n"
                                                              "search,6,,,,,,,,,Search,even,,,\n",
          "shared_cost_rule_targets": GOOD["shared_cost_rule_targets"][1] + "payments,search,\nsearch,platform,\n"},
         "shared_cost_rules", 6, ["rules payments (row 6), search (row 7) and platform (row 5) pass cost round",
                                  "(Payments -> Search -> Platform -> Payments)"]),
        ({"shared_cost_rules": GOOD["shared_cost_rules"][1].replace("platform,4,", "platform,6,")
          + "payments,5,,,,,,,,,Payments,even,,,\n",
          "shared_cost_rule_targets": GOOD["shared_cost_rule_targets"][1] + "payments,search,\n"},
         "shared_cost_rules", 5, ["rule platform (row 5) sends cost to Payments after rule payments (row 6) has "
                                  "shared Payments's cost", "give payments a rule_order above platform's (6)"]),
    ],
)
def test_a_broken_rule_names_the_file_and_row(tmp_path: Path, bodies: dict, file: str, row: int,
                                              words: list[str]) -> None:
    folder = _write_set(tmp_path, **bodies)
    with pytest.raises(MappingError) as err:
        read_mappings(folder)
    message = str(err.value)
    assert message.startswith(f"{folder / f'{file}.csv'}, row {row}: "), message
    for word in words:
        assert word in message, message
    assert message.endswith(".") and "\n" not in message


def test_pools_that_do_not_overlap_are_fine(tmp_path: Path) -> None:
    """Different values in one filter, or dates that only touch, keep pools apart; so does an owner
    pool beside filter pools, and an owner pool that ends where another of the same owner starts.
    Pools that overlap in part are fine too: a cost goes to the first rule in rule_order that holds it
    (aws-usage takes the AWS Usage that support, applied first, does not hold)."""
    extra = ("aws-usage-old,5,,AWS,,,,,Usage,,,even,,,2026-01-01\n"
             "azure-credit,6,,Azure,,,,,Credit,,,even,,2020-01-01,2020-02-01\n"
             "data-old,7,,,,,,,,,data,even,,,2025-01-01\n"
             "data-new,8,,,,,,,,,Data,proportional,,2025-01-01,\n"
             "aws-usage,9,,AWS,,,,,Usage,,,even,,,\n")
    parsed = read_mappings(_write_set(tmp_path, shared_cost_rules=GOOD["shared_cost_rules"][1] + extra))
    assert [r["rule_id"] for r in parsed["shared_cost_rules"]][-5:] == ["aws-usage-old", "azure-credit", "data-old",
                                                                        "data-new", "aws-usage"]


def test_the_sample_mapping_folder_is_valid() -> None:
    parsed = read_mappings(SAMPLE_MAPPINGS_DIR)
    assert parsed["commitments"]


def test_finops_load_stops_on_a_broken_rules_file(tmp_path: Path) -> None:
    """The sample rules with the APM split edited to 30/20/20/20 stop the load: exit 2, one sentence
    naming the file, the rows and the fix; nothing else is needed to see it."""
    import shutil

    from finops.tests.conftest import run_finops

    mappings = tmp_path / "mappings"
    shutil.copytree(SAMPLE_MAPPINGS_DIR, mappings)
    targets = mappings / "shared_cost_rule_targets.csv"
    targets.write_text(targets.read_text().replace("apm-subscription,platform,40", "apm-subscription,platform,30"))
    landing = tmp_path / "landing" / "focus" / "x" / "billing_period=2026-07"
    landing.mkdir(parents=True)
    proc = run_finops("load", "--landing", str(tmp_path / "landing"), "--duckdb", str(tmp_path / "w.duckdb"),
                      env={"FINOPS_MAPPINGS_DIR": str(mappings)})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = proc.stderr.strip().splitlines()[-1]
    assert str(targets) in message and "apm-subscription" in message and "sum to 90" in message, message
