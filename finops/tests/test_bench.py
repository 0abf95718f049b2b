"""`finops bench`: a stopped bench goes on from its recorded runs (`--resume`) only when they were
measured on the same code and warehouse, otherwise one sentence says why not and what to do; a bench
over more months than the sample's mapping files cover gets an exchange rate for every month."""

from __future__ import annotations

import csv
import json

import pytest

from finops import bench

RUN = {"seconds": 12.5, "peak_mib": 900.0, "plan": "dbt build: full refresh", "forecasting": 1.0,
       "anomalies": 0.5, "savings": 0.25, "measured_at": "2026-12-07 08:15 UTC"}


@pytest.fixture
def bench_files(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_commit", lambda: "a" * 40)
    database = tmp_path / "warehouse-100-2.duckdb"
    record = tmp_path / "warehouse-100-2.runs.json"
    return database, record


def _write(record, commit, runs):
    record.write_text(json.dumps({"commit": commit, "runs": runs}), encoding="utf-8")


def test_a_bench_without_resume_forgets_what_was_recorded(bench_files):
    database, record = bench_files
    _write(record, "a" * 40, {"full build": RUN})
    database.write_bytes(b"")
    assert bench._recorded_runs(record, database, resume=False) == {}
    assert not record.exists()


def test_resume_goes_on_after_the_runs_of_the_same_commit(bench_files):
    database, record = bench_files
    _write(record, "a" * 40, {"full build": RUN})
    database.write_bytes(b"")
    assert bench._recorded_runs(record, database, resume=True) == {"full build": RUN}


def test_resume_with_nothing_recorded_starts_from_nothing(bench_files):
    database, record = bench_files
    assert bench._recorded_runs(record, database, resume=True) == {}


@pytest.mark.parametrize("case", ["another commit", "uncommitted changes", "warehouse gone"])
def test_resume_refuses_runs_it_cannot_vouch_for_in_one_sentence(bench_files, monkeypatch, capsys, case):
    database, record = bench_files
    _write(record, "b" * 40 if case == "another commit" else "a" * 40, {"full build": RUN})
    if case != "warehouse gone":
        database.write_bytes(b"")
    if case == "uncommitted changes":
        monkeypatch.setattr(bench, "_commit", lambda: "a" * 40 + "+changes")
    assert bench._recorded_runs(record, database, resume=True) is None
    message = capsys.readouterr().err.strip()
    assert message.startswith("error: ") and message.count("\n") == 0 and "RESUME=1" in message
    expected = {"another commit": "b" * 40, "uncommitted changes": "commit the changes",
                "warehouse gone": "is gone"}[case]
    assert expected in message
    assert record.exists()  # the recorded runs are kept for a resume that can use them


def test_a_bench_over_a_year_has_an_exchange_rate_for_every_generated_month(tmp_path, monkeypatch):
    from finops.sample_data.aws import build_months

    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path)
    assert bench._mappings(3) == bench.SAMPLE_MAPPINGS_DIR  # the sample's three months: its own files

    folder = bench._mappings(12)
    assert folder == tmp_path / "mappings-12"
    with (bench.SAMPLE_MAPPINGS_DIR / "exchange_rates.csv").open(newline="", encoding="utf-8") as handle:
        sample = list(csv.DictReader(handle))
    with (folder / "exchange_rates.csv").open(newline="", encoding="utf-8") as handle:
        rates = list(csv.DictReader(handle))
    assert rates[: len(sample)] == sample  # the sample's rates as they are
    pairs = {(r["from_currency"], r["to_currency"]) for r in sample}
    months = [m.start.strftime("%Y-%m") for m in build_months("2026-07", 12)]
    assert {(r["from_currency"], r["to_currency"], r["month"]) for r in rates} == {
        (*pair, month) for pair in pairs for month in months}
    last = {pair: max((r for r in sample if (r["from_currency"], r["to_currency"]) == pair),
                      key=lambda r: r["month"])["rate"] for pair in pairs}
    assert all(r["rate"] == last[(r["from_currency"], r["to_currency"])] for r in rates[len(sample):])
    # every other mapping file is the sample's
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in bench.SAMPLE_MAPPINGS_DIR.iterdir())
