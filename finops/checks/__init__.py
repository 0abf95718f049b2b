"""Distribution checks with great-expectations, over DataFrames read from the built warehouse.

dbt tests guard keys and money identities; these suites guard what the metrics mean: shares in
[0, 1], signs of savings, bands of utilisation, a recommendation above its break-even. GX's SQL
path does not work with DuckDB, so each suite's SQL runs on a read-only DuckDB connection and GX
validates the resulting pandas DataFrame in an ephemeral context (suites are defined in code,
nothing is written to disk).

Suites (commitments.py, one per commitment mart):
    commitment_utilization           marts.fct_commitment_utilization
    commitment_utilization_monthly   marts.fct_commitment_utilization_monthly
    commitment_coverage              marts.fct_commitment_coverage
    commitment_savings               marts.fct_commitment_savings
    commitment_recommendations       marts.fct_commitment_recommendations
    dim_commitments                  marts.dim_commitments

Suites (allocation.py, one per allocation mart):
    cost_allocated                   marts.fct_cost_allocated
    showback_monthly                 marts.fct_showback_monthly
    allocation_coverage              marts.fct_allocation_coverage
    allocation_audit                 marts.fct_allocation_audit
    tag_compliance                   marts.fct_tag_compliance
    untagged_resources               marts.fct_untagged_resources
    unit_costs                       marts.fct_unit_costs

Run them:
    finops expect [--duckdb PATH]          one line per suite and per failed expectation; exit 1 on failure

    from finops.checks.runner import run_suites
    results = run_suites(Path("warehouse.duckdb"))          # every suite, or pass suites=[...]
    assert all(result.success for result in results)

Add a suite: a `suite.Suite(name, table, expectations=[gx.expectations.Expect...(...)], description,
sql=...)`, listed in `runner.default_suites()` (the runner imports the suites, never the other way); `builders.py` has the shapes suites share (a boolean
that must hold, a share in [0, 1], not NULL). Cast in the SQL what an expectation needs (DOUBLE
for ranges and means) and compute bands or booleans there, exactly.

Importing great_expectations takes seconds: import this package's modules lazily.
"""
