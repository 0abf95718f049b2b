"""`finops`: generate sample exports, load a landing folder, build the warehouse, benchmark it.

    finops generate --out DIR [--seed N] [--months M] [--rows-per-month R]
    finops load     [--landing DIR] [--duckdb PATH]
    finops build    [--landing DIR] [--duckdb PATH] [--no-docs]   load + dbt build + docs + summary + expect
    finops summary  [--duckdb PATH]
    finops validate [--duckdb PATH]                              focus-validator on the FOCUS dataset
    finops expect   [--duckdb PATH]                              great-expectations suites on the marts
    finops bench    [--rows N]

Exit codes: 0 success, 1 the build or a test failed, 2 bad input (the message names the file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .settings import SAMPLE_MONTHS, SAMPLE_ROWS_PER_MONTH, SAMPLE_SEED, load_settings


def _generate(args: argparse.Namespace) -> int:
    from .generator import generate

    summary = generate(Path(args.out).resolve(), seed=args.seed, months=args.months, rows_per_month=args.rows_per_month)
    reports = ", ".join(f"{name} {rows:,}" for name, rows in summary.rows_by_report.items())
    print(f"wrote {summary.total_rows:,} current rows ({reports}) plus {summary.stale_rows:,} in superseded "
          f"delivery, {len(summary.files)} files, in {summary.seconds:.1f} s to {summary.out_dir}")
    return 0


def _ensure_sample(settings) -> None:  # noqa: ANN001
    """Generate the sample landing data once when no FINOPS_LANDING_DIR is given (again when the sample
    was written by a version of the generator without Azure and Google Cloud exports)."""
    marker = settings.landing_dir / "_truth" / "expected_totals.csv"
    complete = marker.is_file() and all((settings.landing_dir / source).is_dir() for source in ("azure", "gcp"))
    if settings.landing_is_sample and not complete:
        from .generator import generate

        print(f"FINOPS_LANDING_DIR is not set: generating sample exports into {settings.landing_dir}")
        generate(settings.landing_dir, seed=SAMPLE_SEED, months=SAMPLE_MONTHS, rows_per_month=SAMPLE_ROWS_PER_MONTH)


def _load(settings) -> None:  # noqa: ANN001
    from .landing.load import load_landing
    from .mappings import read_mappings, write_mappings

    # Mapping files are checked before anything is loaded, so a broken one changes nothing.
    mapped = read_mappings(settings.mappings_dir)

    result = load_landing(settings.landing_dir, settings.duckdb_path)
    for warning in result.warnings:
        print(f"warning: {warning}")
    superseded = sum(1 for f in result.files if f.status != "current")
    print(
        f"loaded {sum(result.rows.values()):,} rows from {len(result.files) - superseded} files "
        f"({superseded} superseded by newer deliveries, {result.rejected_lines} unreadable CSV lines quarantined): "
        + ", ".join(f"{source} {rows:,}" for source, rows in result.rows.items())
    )
    write_mappings(mapped, settings.duckdb_path)
    print(f"loaded mapping files from {settings.mappings_dir}: "
          + ", ".join(f"{name}.csv {len(rows)} rows" if rows else f"{name}.csv absent or empty"
                      for name, rows in mapped.items()))


def _build(args: argparse.Namespace) -> int:
    from .dbt_runner import run_dbt

    settings = load_settings(args.landing, args.duckdb)
    _ensure_sample(settings)
    _load(settings)
    # --full-refresh: every model is rebuilt from the fresh load anyway, and seeds whose columns
    # changed between versions of the project are recreated instead of failing.
    run_dbt(["build", "--full-refresh"], settings.duckdb_path)
    if not args.no_docs:
        run_dbt(["docs", "generate"], settings.duckdb_path)
    from .summary import print_summary

    print_summary(settings.duckdb_path, settings.landing_dir)
    # Distributions last: great-expectations suites over the marts (python_checks/expectations/).
    return _print_expectations(settings.duckdb_path)


def _print_expectations(duckdb_path: Path) -> int:
    from .expectations.runner import run_suites  # imports great_expectations: slow, so only here

    results = run_suites(duckdb_path)
    for suite in results:
        print(suite.summary_line())
        for failed in suite.failed:
            print(f"  failed: expected {failed.expected}; {failed.observed}")
    if not all(suite.success for suite in results):
        print("error: great-expectations suites failed (above); the warehouse is built but its marts break an "
              "expected distribution", file=sys.stderr)
        return 1
    return 0


def _load_command(args: argparse.Namespace) -> int:
    settings = load_settings(args.landing, args.duckdb)
    _load(settings)
    return 0


def _summary(args: argparse.Namespace) -> int:
    from .summary import print_summary

    settings = load_settings(args.landing, args.duckdb)
    print_summary(settings.duckdb_path, settings.landing_dir)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .focus_validation import main as validate_main

    return validate_main([str(load_settings(None, args.duckdb).duckdb_path)])


def _expect(args: argparse.Namespace) -> int:
    import duckdb

    duckdb_path = load_settings(None, args.duckdb).duckdb_path
    if not duckdb_path.is_file():
        print(f"error: no warehouse at {duckdb_path}: build it first (finops build)", file=sys.stderr)
        return 2
    try:
        return _print_expectations(duckdb_path)
    except duckdb.IOException as exc:  # e.g. locked by a build still writing it
        print(f"error: cannot open {duckdb_path}: {exc}", file=sys.stderr)
        return 2


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_benchmark

    return run_benchmark(args.rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="finops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write realistic sample billing exports in the landing layout")
    generate.add_argument("--out", required=True, help="landing folder to write (aws_cur/, aws_cur2/, focus/, _truth/)")
    generate.add_argument("--seed", type=int, default=SAMPLE_SEED)
    generate.add_argument("--months", type=int, default=SAMPLE_MONTHS)
    generate.add_argument("--rows-per-month", type=int, default=SAMPLE_ROWS_PER_MONTH)
    generate.set_defaults(func=_generate)

    for name, func, help_text in (
        ("load", _load_command, "load the landing folder into the warehouse's raw tables"),
        ("build", _build, "load, then dbt build (models and tests), docs and a summary"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--landing", help="landing folder (default: $FINOPS_LANDING_DIR, else generated sample data)")
        sub.add_argument("--duckdb", help="warehouse file (default: $FINOPS_DUCKDB_PATH, else ./warehouse.duckdb)")
        if name == "build":
            sub.add_argument("--no-docs", action="store_true", help="skip generating the dbt docs site")
        sub.set_defaults(func=func)

    summary = commands.add_parser("summary", help="print rows per source, totals and where things are")
    summary.add_argument("--duckdb")
    summary.add_argument("--landing", help="shown in the summary only")
    summary.set_defaults(func=_summary)

    validate = commands.add_parser("validate", help="run the FinOps Foundation's focus-validator on the FOCUS dataset")
    validate.add_argument("--duckdb")
    validate.set_defaults(func=_validate)

    expect = commands.add_parser("expect", help="run the great-expectations suites on the marts (distributions)")
    expect.add_argument("--duckdb")
    expect.set_defaults(func=_expect)

    bench = commands.add_parser("bench", help="benchmark a full build against one plain DuckDB pass")
    bench.add_argument("--rows", type=int, default=10_000_000)
    bench.set_defaults(func=_bench)

    args = parser.parse_args(argv)
    from .dbt_runner import DbtFailed
    from .landing.discover import LandingError

    try:
        return args.func(args)
    except LandingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DbtFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
