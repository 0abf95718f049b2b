"""`finops`: generate sample exports, load a landing folder, build and publish the warehouse, benchmark it.

    finops generate --out DIR [--seed N] [--months M] [--rows-per-month R] [--history-months H]
    finops load     [--landing DIR] [--duckdb PATH] [--full-refresh]
                                                      landing folder -> the working database (no publication):
                                                      only deliveries that are new or changed are read
    finops build    [--landing DIR] [--duckdb PATH] [--no-docs] [--full-refresh]
                                                      load + dbt build + docs + checks, then publish + summary;
                                                      incremental unless --full-refresh (DECISIONLOG D61)
    finops summary  [--duckdb PATH]                   what the published warehouse holds
    finops validate [--duckdb PATH]                   focus-validator on the published FOCUS dataset
    finops expect   [--duckdb PATH]                   great-expectations suites on the published marts
    finops bench    [--rows N] [--months M] [--resume]
    finops --debug ...                                tracebacks for internal faults

Sources read (finops/landing/providers.py): aws_cur, aws_cur2 (CUR 2.0), focus (native FOCUS exports),
azure, gcp.
A build publishes only when load, build and checks all succeed; otherwise the warehouse readers
open keeps its previous state (finops/warehouse.py). One run at a time per warehouse.

Exit codes:
    0    done (build: the new warehouse is published)
    1    internal fault: the warehouse's own models or checks failed; not a problem of your input
    2    bad input: a landing file, a mapping file or the bill itself; the message names it and what to do
    3    busy: another run holds this warehouse, or its working database is open in another program
    130  interrupted (Ctrl-C); 143 terminated (SIGTERM). Nothing is published by an interrupted run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import traceback
from contextlib import closing
from pathlib import Path

from .landing.providers import SOURCES
from .settings import (
    GENERATED_MARKER,
    SAMPLE_HISTORY_MONTHS,
    SAMPLE_MAPPINGS_DIR,
    SAMPLE_MONTHS,
    SAMPLE_ROWS_PER_MONTH,
    SAMPLE_SEED,
    load_settings,
)
from .warehouse import WarehouseBusy, _in_use, current_snapshot, publish, remove_old_snapshots, run_lock

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_BUSY = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class ChecksFailed(Exception):
    """The build's own checks failed after dbt: nothing is published (the message says what to do)."""


class NotBuilt(Exception):
    """A command that reads the published warehouse found none."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so dbt cancels its queries the same way."""


def _generate(args: argparse.Namespace) -> int:
    from .sample_data import generate

    summary = generate(Path(args.out).resolve(), seed=args.seed, months=args.months, rows_per_month=args.rows_per_month,
                       history_months=args.history_months)
    reports = ", ".join(f"{name} {rows:,}" for name, rows in summary.rows_by_report.items())
    print(f"wrote {summary.total_rows:,} current rows ({reports}) plus {summary.stale_rows:,} in superseded "
          f"delivery, {len(summary.files)} files, in {summary.seconds:.1f} s to {summary.out_dir}")
    return 0


def _ensure_sample(settings) -> None:  # noqa: ANN001
    """Generate the sample landing data once when no FINOPS_LANDING_DIR is given (again when the sample
    was written by a version of the generator without Azure and Google Cloud exports)."""
    marker = settings.landing_dir / GENERATED_MARKER
    complete = marker.is_file() and all((settings.landing_dir / source).is_dir() for source in ("azure", "gcp"))
    if settings.landing_is_sample and not complete:
        from .sample_data import generate

        print(f"FINOPS_LANDING_DIR is not set: generating sample exports into {settings.landing_dir}")
        generate(settings.landing_dir, seed=SAMPLE_SEED, months=SAMPLE_MONTHS, rows_per_month=SAMPLE_ROWS_PER_MONTH)


def _mapping_files_used(settings, mapped: dict[str, list]) -> str:  # noqa: ANN001
    if settings.mappings_dir is None:
        return "none (FINOPS_MAPPINGS_DIR is not set)"
    used = [f"{name}.csv ({len(rows)} rows)" for name, rows in mapped.items() if rows]
    where = "the samples in " if settings.landing_is_sample and settings.mappings_dir == SAMPLE_MAPPINGS_DIR else ""
    return f"{where}{settings.mappings_dir}: {', '.join(used) if used else 'no mapping file'}"


def _load(settings, full_refresh: bool = False) -> str:  # noqa: ANN001
    """Check the mapping files, then load the landing folder into the working database; returns the
    line that says which mapping files were used."""
    from .landing.loading import load_landing
    from .mappings import read_mappings, write_mappings

    work = settings.warehouse.work
    if _in_use(work):
        raise WarehouseBusy(
            f"{work}: the working database is open in another program (a DuckDB shell or a notebook?); close it "
            "and run again (BI tools should open the published warehouse instead)."
        )
    # Mapping files are checked before anything is loaded, so a broken one changes nothing.
    mapped = read_mappings(settings.mappings_dir)

    result = load_landing(settings.landing_dir, work, full_refresh=full_refresh)
    for warning in result.warnings:
        print(f"warning: {warning}")
    superseded = sum(1 for f in result.files if f.status != "current")
    counts = result.deliveries
    print(
        f"loaded {sum(result.rows.values()):,} rows from {result.files_read} of {len(result.files) - superseded} "
        f"current files ({superseded} superseded by newer deliveries, {result.rejected_lines} unreadable CSV lines "
        "quarantined): " + ", ".join(f"{source} {rows:,}" for source, rows in result.rows.items())
        + f"; deliveries: {counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged "
        f"(not read again), {counts['missing']} missing"
    )
    write_mappings(mapped, work)
    used = _mapping_files_used(settings, mapped)
    # Shown now, not when dbt next writes: a user (or a test) watching a piped run sees the load is done.
    print(f"mapping files: {used}", flush=True)
    return used


def _build(args: argparse.Namespace) -> int:
    from .build_state import mark_built, mark_building, mark_published, open_work, plan_build
    from .dbt_runner import run_dbt

    settings = load_settings(args.landing, args.duckdb)
    paths = settings.warehouse
    with run_lock(paths, "build"):
        remove_old_snapshots(paths)
        _ensure_sample(settings)
        mapping_files = _load(settings, args.full_refresh)
        # Incremental unless asked otherwise or something besides the deliveries changed (build_state.py).
        with closing(open_work(paths.work)) as con:
            plan = plan_build(con, args.full_refresh, str(settings.landing_dir))
            if not plan.up_to_date:
                mark_building(con, plan)
        print(f"dbt build: {'full refresh, ' if plan.full_refresh else ''}{plan.reason}", flush=True)
        published = current_snapshot(paths)
        if plan.up_to_date and published is not None:
            from .summary import print_summary

            print_summary(published / "catalog.duckdb", settings.duckdb_path)
            return EXIT_OK
        run_dbt(["build", "--full-refresh"] if plan.full_refresh else ["build"], paths.work)
        with closing(open_work(paths.work)) as con:
            mark_built(con, plan)
        if not args.no_docs:
            run_dbt(["docs", "generate"], paths.work)
        # Distributions last: great-expectations suites over the marts (finops/checks/).
        if not _print_expectations(paths.work):
            raise ChecksFailed(
                "the great-expectations suites above failed, so this build was not published and the warehouse "
                f"keeps its previous state; the working database {paths.work} holds the failed build for inspection."
            )
        if _INTERRUPTED:
            # A Ctrl-C that code below us swallowed (dbt can, when it lands between two of its steps)
            # still stops the run before it publishes.
            raise KeyboardInterrupt()
        catalog = publish(paths, {
            "landing_dir": str(settings.landing_dir),
            "mapping_files": mapping_files,
            "published_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }, reuse=not plan.full_refresh)
        with closing(open_work(paths.work)) as con:
            mark_published(con, plan)
        remove_old_snapshots(paths)
        from .summary import print_summary

        print_summary(catalog, settings.duckdb_path)
    return EXIT_OK


def _print_expectations(duckdb_path: Path) -> bool:
    from .checks.runner import run_suites  # imports great_expectations: slow, so only here

    results = run_suites(duckdb_path)
    for suite in results:
        print(suite.summary_line())
        for failed in suite.failed:
            print(f"  failed: expected {failed.expected}; {failed.observed}")
    return all(suite.success for suite in results)


def _published(settings) -> Path:  # noqa: ANN001
    if not settings.duckdb_path.is_file():
        raise NotBuilt(f"{settings.duckdb_path}: no warehouse has been published here yet; build it first (make run, "
                       "or finops build).")
    return settings.duckdb_path


def _load_command(args: argparse.Namespace) -> int:
    settings = load_settings(args.landing, args.duckdb)
    with run_lock(settings.warehouse, "load"):
        _load(settings, args.full_refresh)
    print(f"loaded into the working database {settings.warehouse.work}; `finops build` builds and publishes it.")
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    from .summary import print_summary

    settings = load_settings(None, args.duckdb)
    print_summary(_published(settings), settings.duckdb_path)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from .checks.focus_validation import main as validate_main

    return validate_main([str(_published(load_settings(None, args.duckdb)))])


def _expect(args: argparse.Namespace) -> int:
    if not _print_expectations(_published(load_settings(None, args.duckdb))):
        print("error: great-expectations suites failed (above): the published marts break an expected distribution.",
              file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_benchmark

    return run_benchmark(args.rows, args.months, args.resume)


def _on_sigterm(signum, frame) -> None:  # noqa: ANN001, ARG001 - signal handler signature
    raise Terminated()


_INTERRUPTED = False  # a SIGINT reached this run (checked again before publishing)


def _on_sigint(signum, frame) -> None:  # noqa: ANN001 - signal handler signature
    global _INTERRUPTED
    _INTERRUPTED = True
    signal.default_int_handler(signum, frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="finops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", default=bool(os.environ.get("FINOPS_DEBUG")),
                        help="print the traceback of an internal fault (also FINOPS_DEBUG=1)")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write realistic sample billing exports in the landing layout")
    generate.add_argument("--out", required=True,
                          help=f"landing folder to write ({', '.join(f'{s}/' for s in SOURCES)}, _truth/)")
    generate.add_argument("--seed", type=int, default=SAMPLE_SEED)
    generate.add_argument("--months", type=int, default=SAMPLE_MONTHS)
    generate.add_argument("--rows-per-month", type=int, default=SAMPLE_ROWS_PER_MONTH)
    generate.add_argument("--history-months", type=int, default=SAMPLE_HISTORY_MONTHS,
                          help="months of the daily-grain FOCUS export to forecast from, ending with the last month "
                               "(0: none)")
    generate.set_defaults(func=_generate)

    for name, func, help_text in (
        ("load", _load_command, "load the landing folder into the working database (nothing is published)"),
        ("build", _build, "load, dbt build (models and tests), docs and checks; publish only if all succeed"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--landing", help="landing folder (default: $FINOPS_LANDING_DIR, else generated sample data)")
        sub.add_argument("--duckdb", help="published warehouse file (default: $FINOPS_DUCKDB_PATH, else ./warehouse.duckdb)")
        sub.add_argument("--full-refresh", action="store_true",
                         help="read every delivery again (dropping those no longer landed) and rebuild every model")
        if name == "build":
            sub.add_argument("--no-docs", action="store_true", help="skip generating the dbt docs site")
        sub.set_defaults(func=func)

    for name, func, help_text in (
        ("summary", _summary, "print what the published warehouse holds: rows, totals, reconciliation"),
        ("validate", _validate, "run the FinOps Foundation's focus-validator on the published FOCUS dataset"),
        ("expect", _expect, "run the great-expectations suites on the published marts (distributions)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--duckdb", help="published warehouse file (default: $FINOPS_DUCKDB_PATH, else ./warehouse.duckdb)")
        sub.set_defaults(func=func)

    bench = commands.add_parser("bench", help="benchmark a full build, an incremental refresh and a no-change "
                                "refresh against one plain DuckDB pass")
    bench.add_argument("--rows", type=int, default=10_000_000)
    bench.add_argument("--months", type=int, default=3)
    bench.add_argument("--resume", action="store_true",
                       help="go on from the last run a stopped bench recorded (same commit, warehouse and landing)")
    bench.set_defaults(func=_bench)

    args = parser.parse_args(argv)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run one command; every way it can stop becomes one sentence per problem and an exit code."""
    from .dbt_runner import DbtFailed
    from .errors import InputError

    from .database import configure

    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    global _INTERRUPTED
    _INTERRUPTED = False
    previous_int = signal.signal(signal.SIGINT, _on_sigint)
    try:
        # One memory limit and spill folder for this process, dbt and every child (finops/database.py).
        configure(load_settings(None, getattr(args, "duckdb", None)).warehouse.data_dir)
        return args.func(args)
    except InputError as exc:  # landing and mapping files
        _error(str(exc))
        return EXIT_BAD_INPUT
    except DbtFailed as exc:
        if exc.input_problems:
            for problem in exc.input_problems:
                _error(problem)
            if exc.internal_problems:
                print(f"({len(exc.internal_problems)} other check(s) failed too; they may follow from the input "
                      "above: see the dbt log.)", file=sys.stderr)
            _nothing_published(args)
            return EXIT_BAD_INPUT
        for problem in exc.internal_problems:
            _error(f"the warehouse's own {problem}; this is a fault in the warehouse, not in your input as far as "
                   "it can tell (the dbt log above has the details; please report it).")
        _nothing_published(args)
        return EXIT_INTERNAL
    except ChecksFailed as exc:
        _error(str(exc))
        return EXIT_INTERNAL
    except WarehouseBusy as exc:
        _error(str(exc))
        return EXIT_BUSY
    except NotBuilt as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        _error(("terminated" if isinstance(exc, Terminated) else "interrupted")
               + ": nothing was published, so the warehouse keeps its previous state; run again to refresh it.")
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - any other exception is our fault: one sentence, traceback on request
        if args.debug:
            traceback.print_exc()
        _error(f"internal fault ({exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else 'no message'}); "
               "nothing was published. This is a fault in the warehouse, not in your input: run again with "
               "--debug for the traceback and report it.")
        return EXIT_INTERNAL
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _error(sentence: str) -> None:
    print(f"error: {sentence}", file=sys.stderr)


def _nothing_published(args: argparse.Namespace) -> None:
    if args.func is _build:
        print("Nothing was published: the warehouse keeps its previous state.", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
