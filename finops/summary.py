"""The short summary `finops build` prints: rows per source, totals, reconciliation, where things are."""

from __future__ import annotations

from pathlib import Path

from .database import connect
from .settings import REPO_ROOT, dbt_vars


def _share(value, spec: str = ".0%") -> str:  # noqa: ANN001 - a ratio or NULL (no actual cost to measure on)
    return "n/a" if value is None else format(value, spec)


def print_summary(duckdb_path: Path, published_as: Path) -> None:
    """Summarise the published snapshot at `duckdb_path` (shown to the user as `published_as`)."""

    con = connect(duckdb_path, read_only=True)
    try:
        publication = dict(con.execute("select setting, value from raw.publication").fetchall())
        # Lines of unknown amount are counted once per source here (a line that may belong to two
        # bills counts in each bill's unknown_amount_line_count).
        per_source = con.execute(
            """
            select r.source_name, count(distinct r.billing_account_id), count(distinct r.billing_period_start),
                   sum(r.raw_row_count), sum(r.focus_row_count), sum(r.quarantined_row_count),
                   sum(r.focus_billed_cost), sum(r.focus_effective_cost),
                   count(*) filter (where r.reconciliation_status = 'not reconciled'),
                   count(*) filter (where r.reconciliation_status = 'incomplete'),
                   coalesce(any_value(u.lines), 0)
            from marts.fct_billing_reconciliation as r
            left join (select source_name, sum(unread_line_count) as lines
                       from marts.quarantine_line_items group by 1) as u
                on r.source_name = u.source_name
            group by 1 order by 1
            """
        ).fetchall()
        currencies = con.execute(
            "select string_agg(distinct billing_currency, ', ') from marts.fct_billing_reconciliation"
        ).fetchone()[0]
        superseded, not_read = con.execute(
            "select count(*) filter (where status = 'superseded'), count(*) filter (where status = 'not read') "
            "from raw.landing_files"
        ).fetchone()
        commitments = con.execute(
            """
            select c.billing_currency, c.commitments, c.used, c.unused, v.covered, v.eligible, c.unmeasured
            from (select billing_currency, count(*) as commitments,
                         coalesce(sum(used_effective_cost) filter (where utilization_basis is not null), 0) as used,
                         coalesce(sum(unused_effective_cost) filter (where utilization_basis is not null), 0)
                             as unused,
                         count(*) filter (where utilization_basis is null) as unmeasured
                  from marts.dim_commitments group by 1) as c
            left join (select billing_currency, sum(covered_on_demand_equivalent_cost) as covered,
                              sum(eligible_on_demand_equivalent_cost) as eligible
                       from marts.fct_commitment_coverage group by 1) as v
                on c.billing_currency = v.billing_currency
            order by 1
            """
        ).fetchall()
        allocation = con.execute(
            """
            select c.billing_currency, sum(c.total_effective_cost), sum(c.allocated_effective_cost),
                   sum(c.unallocated_effective_cost), max(t.owners), max(t.rules)
            from marts.fct_allocation_coverage as c
            cross join (select count(distinct owner) filter (where allocation_method <> 'unallocated') as owners,
                               count(distinct allocation_rule_id) as rules
                        from marts.fct_cost_allocated) as t
            where c.is_all_accounts
            group by 1 order by 1
            """
        ).fetchall()
        forecast = con.execute(
            """
            select any_value(f.as_of_date), count(distinct f.series_id), count(distinct f.series_id) filter (where f.is_fallback),
                   any_value(f.reporting_currency)
            from marts.fct_cost_forecast as f where f.cost_basis = 'effective'
            """
        ).fetchone()
        accuracy = con.execute(
            """
            select series_grain, count(*), median(monthly_wape), avg(case when is_within_run_threshold then 1.0 else 0 end),
                   avg(case when skill_vs_seasonal_naive > 0 then 1.0 else 0 end)
            from marts.fct_forecast_accuracy
            where is_selected and horizon_month = 0 and cost_basis = 'effective'
            group by 1 order by 1
            """
        ).fetchall()
        next_months = con.execute(
            """
            select strftime(month_start, '%Y-%m'), forecast_total_cost, forecast_total_cost_lo_80, forecast_total_cost_hi_80,
                   run_rate_total_cost, forecast_model, planned_change_cost, commitment_expiry_cost
            from marts.fct_cost_forecast_monthly
            where series_id = 'total:all' and cost_basis = 'effective' order by month_start
            """
        ).fetchall()
        budgets = con.execute(
            """
            select budget_id, strftime(period_start, '%Y-%m-%d'), period_type, budget_currency, budget_amount,
                   actual_cost, forecast_cost,
                   string_agg(case when alert_state = 'ALARM' then cast(cast(threshold_percent as int) as varchar)
                                   || '% ' || threshold_basis
                                   || case when crossed_on > as_of_date then ' expected on ' else ' since ' end
                                   || strftime(crossed_on, '%Y-%m-%d') end,
                              ', ' order by threshold_percent, threshold_basis)
            from marts.fct_budget_status
            where period_status = 'current' or (period_status = 'future' and period_start = (
                select min(period_start) from marts.fct_budget_status as b2
                where b2.budget_id = fct_budget_status.budget_id and b2.period_status = 'future'))
                and not exists (select 1 from marts.fct_budget_status as b3
                                where b3.budget_id = fct_budget_status.budget_id and b3.period_status = 'current')
            group by all order by 1
            """
        ).fetchall()
        anomalies = con.execute(
            """
            select series_value, direction, strftime(first_seen, '%Y-%m-%d'), strftime(last_seen, '%Y-%m-%d'),
                   impact_cost, impact_percent, reporting_currency, is_ongoing,
                   count(*) over () as recent, as_of_date
            from marts.fct_cost_anomalies
            where series_grain = 'leaf' and last_seen > as_of_date - interval 30 day
            order by abs(impact_cost) desc limit 3
            """
        ).fetchall()
        triage = con.execute(
            """
            select count(*) filter (where is_open), max(age_days), count(*) filter (where resolved_at is not null),
                   avg(hours_to_resolve)
            from marts.fct_anomaly_triage
            """
        ).fetchone()
        savings = con.execute(
            """
            select action_id, any_value(action_type), any_value(owner), strftime(min(implemented_on), '%Y-%m-%d'),
                   sum(realised_saving), sum(expected_saving), arg_max(savings_status, saving_month),
                   any_value(reporting_currency)
            from marts.fct_savings_realized where saving_source = 'action'
            group by 1 order by sum(realised_saving) desc nulls last, 1
            """
        ).fetchall()
        rate_savings = con.execute(
            """
            select strftime(saving_month, '%Y-%m'), sum(realised_saving) filter (where saving_kind = 'negotiated'),
                   sum(realised_saving) filter (where saving_kind = 'commitment'), any_value(reporting_currency)
            from marts.fct_savings_realized
            where saving_source = 'rate'
              and saving_month = (select max(saving_month) from marts.fct_savings_realized where saving_source = 'rate')
            group by 1
            """
        ).fetchone()
        kpis = con.execute(
            """
            select strftime(kpi_month, '%Y-%m'), kpi, arg_max(scope, weight), arg_max(kpi_value, weight),
                   any_value(unit)
            from (select *, coalesce(denominator, 0)
                            + case when scope like '% / ' || ? then 1e18 else 0 end as weight
                  from marts.fct_finops_kpis)
            where kpi_month = (select max(kpi_month) from marts.fct_finops_kpis where kpi = 'allocated_cost_share')
              and kpi not in ('unit_cost_change', 'unallocated_cost_share')
            group by all order by 2
            """, [dbt_vars()["default_owner_dimension"]]
        ).fetchall()
    finally:
        con.close()
    print()
    print(f"Warehouse {published_as}  (published {publication['published_at']} from {publication['landing_dir']}; "
          f"currencies: {currencies})")
    print(f"Mapping files: {publication['mapping_files']}")
    header = f"{'source':<10}{'accounts':>9}{'periods':>8}{'raw rows':>12}{'FOCUS rows':>12}{'quarantined':>12}" \
             f"{'BilledCost':>18}{'EffectiveCost':>18}  reconciled"
    print(header)
    for source, accounts, periods, raw, focus, quarantined, billed, effective, differ, incomplete, unknown \
            in per_source:
        # "yes" only when every bill reconciles and no line is of unknown amount (fct_billing_reconciliation).
        state = ("NO" if differ else
                 f"incomplete: {incomplete} bill(s), {unknown:,} line(s) of unknown amount" if incomplete else "yes")
        print(f"{source:<10}{accounts:>9}{periods:>8}{raw:>12,}{focus:>12,}{quarantined:>12,}"
              f"{billed:>18,.2f}{effective:>18,.2f}  {state}")
    print(f"{superseded} superseded delivery files ignored, {not_read} files not read (see raw.landing_files).")
    for currency, count, used, unused, covered, eligible, unmeasured in commitments:
        utilization = f"{used / (used + unused):.1%}" if used + unused else "n/a"
        coverage = f"{covered / eligible:.1%}" if eligible else "n/a"
        # Google Cloud CUDs: the export states no unused part, so they have no utilisation (D42).
        without = f", {unmeasured} without a measurable utilisation" if unmeasured else ""
        print(f"Commitments ({currency}): {count}{without}; effective cost used {used:,.2f} + unused {unused:,.2f} "
              f"(utilisation {utilization}); coverage of eligible usage {coverage}")
    for currency, total, allocated, unallocated, owners, rules in allocation:
        share = f"{allocated / total:.1%}" if total else "n/a"
        print(f"Allocation ({currency}): {share} of effective cost {total:,.2f} has an owner ({owners} owners, "
              f"{rules} shared-cost rules applied); unallocated {unallocated:,.2f}")
    as_of, n_series, n_fallback, reporting = forecast
    if n_series:
        print(f"Forecast ({reporting}, effective cost) as of {as_of}: {n_series} series, {n_fallback} on the run-rate "
              "fallback; backtest accuracy of the chosen models, month 0 (marts.fct_forecast_accuracy):")
        for grain, n, error, within, skilled in accuracy:
            print(f"  {grain:<17}{n:>3} series: median monthly error {_share(error, '.1%')}, within 12 % "
                  f"{_share(within)}, beat seasonal naive {_share(skilled)}")
        for month, total, lo, hi, run_rate, model, planned, expiring in next_months:
            lines = "".join(f"; {name} {amount:+,.2f}" for name, amount in
                            (("planned changes", planned), ("commitments ending", expiring)) if amount)
            print(f"  whole bill {month}: {total:,.2f} (80 % interval {lo:,.2f} to {hi:,.2f}; run rate {run_rate:,.2f}; "
                  f"{model}{lines})")
    if budgets:
        print("Budgets (current period, or the next when the current one has closed; marts.fct_budget_status):")
    for budget, start, period, currency, amount, actual, forecast_cost, alarms in budgets:
        print(f"  {budget}: {period} from {start}, {actual:,.2f} of {amount:,.2f} {currency} so far, forecast "
              f"{forecast_cost:,.2f} ({_share(forecast_cost / amount)}); " + (f"ALARM: {alarms}" if alarms else "all OK"))
    if anomalies:
        print(f"Anomalies (marts.fct_cost_anomalies, leaf series): {anomalies[0][8]} seen in the 30 days to "
              f"{anomalies[0][9]:%Y-%m-%d}; the largest:")
    for series, direction, first, last, impact, percent, currency, ongoing, _, _ in anomalies:
        share = f", {percent:+.0f}%" if percent is not None else ""
        print(f"  {direction} {first}..{last}{' (ongoing)' if ongoing else ''}: {impact:+,.2f} {currency}{share}  "
              f"{series}")
    open_count, oldest, resolved, mttr = triage
    if open_count or resolved:
        print(f"  triage (marts.fct_anomaly_triage, anomaly_feedback.csv): {open_count} open (oldest {oldest or 0} days), "
              f"{resolved} resolved" + (f", mean time to resolve {mttr:.0f} h" if mttr is not None else ""))
    if savings:
        print(f"Realised savings to date (marts.fct_savings_realized, optimisation_actions.csv; status of the latest "
              f"month): {len(savings)} actions")
    for action, kind, owner, since, realised, expected, status, currency in savings[:6]:
        share = f" ({_share(realised / expected, '.0%')} of expected)" if realised is not None and expected else ""
        amount = f"{realised:,.2f} {currency} realised" if realised is not None else "not measurable"
        print(f"  {action} ({kind}, {owner}) since {since}: {amount} of {expected:,.2f} expected{share}; {status}")
    if rate_savings:
        month, negotiated, commitment, currency = rate_savings
        print(f"  the bill's rate savings no action claims, {month}: negotiated {negotiated or 0:,.2f}, net "
              f"commitment {commitment or 0:,.2f} {currency}")
    if kpis:
        shown = [f"{kpi.replace('_', ' ')} {_share(value, '.1%') if unit == 'ratio' else f'{value:,.0f}'}"
                 + (f" ({scope})" if not scope.startswith("reporting:") else "") for _, kpi, scope, value, unit in kpis]
        print(f"KPIs {kpis[0][0]} (marts.fct_finops_kpis; the largest currency of each, tags on the owner "
              "dimension): " + "; ".join(shown))
    print("Tables: marts.focus_cost_and_usage, marts.quarantine_line_items, marts.fct_billing_reconciliation, "
          "marts.dim_commitments, marts.fct_amortized_costs, marts.fct_commitment_* (utilization, coverage, savings, "
          "recommendations), marts.fct_cost_allocated, marts.fct_showback_monthly, marts.fct_allocation_* (coverage, "
          "audit), marts.fct_tag_compliance, marts.fct_untagged_resources, marts.fct_unit_costs, "
          "marts.fct_cost_forecast(_monthly), marts.fct_forecast_accuracy, marts.fct_budget_status, "
          "marts.fct_cost_anomalies, marts.fct_cost_anomaly_root_causes, marts.fct_anomaly_triage, "
          "marts.fct_savings_realized, marts.fct_finops_kpis")
    print(f"Docs site: {REPO_ROOT / 'target' / 'index.html'} (serve with `make docs`)")
    print(f"Open it read-only: duckdb -readonly {published_as}  (each run publishes a new snapshot; readers keep "
          "the one they opened until they reconnect)")
