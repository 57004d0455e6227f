"""Command line: python -m jobs etl | recover | tables | validate | run | runs | repair | schedule | deploy | cluster."""

import argparse
import signal
import sys

from jobs.expectations import ExpectationFailed
from jobs.sources import UnknownFormatError
from medialake.log import get_logger
from medialake.settings import load_settings


def parser() -> argparse.ArgumentParser:
    """The commands and their options."""
    top = argparse.ArgumentParser(prog="python -m jobs", description="medialake jobs")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("etl", help="ingest every raw file and build bronze, silver and gold in one process")
    sub.add_parser("recover", help="undo a run that was killed midway (every run does this first), then exit")
    sub.add_parser("tables", help="list every table of the catalogue: layer.name, keys, what it holds (Markdown)")
    sub.add_parser("validate", help="check every job definition against the Jobs API types and our rules")
    run = sub.add_parser("run", help="run a job's task graph locally")
    run.add_argument("job", help="definition name (file stem under MEDIALAKE_JOBS_DIR), e.g. etl")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="job parameter")
    runs = sub.add_parser("runs", help="run history").add_subparsers(dest="runs_command", required=True)
    listing = runs.add_parser("list", help="recent runs, newest first")
    listing.add_argument("--job", help="only this job")
    listing.add_argument("--limit", type=int, default=20)
    runs.add_parser("get", help="one run as runs/get JSON").add_argument("run_id", type=int)
    sub.add_parser("repair", help="rerun a run's failed tasks and their dependents").add_argument("run_id", type=int)
    sub.add_parser("schedule", help="fire each unpaused job on its Quartz schedule until SIGTERM/SIGINT")
    deploy = sub.add_parser("deploy", help="upload the wheel and task files, then create or reset each job (databricks-sdk auth)")
    deploy.add_argument("--workspace-root", default="/Workspace/Shared/medialake", help="workspace folder of the task files")
    deploy.add_argument("--wheel-root", default="/Volumes/main/medialake/artifacts", help="Volume or workspace folder of the wheel")
    deploy.add_argument("--dry-run", action="store_true", help="print the uploads and each job's JobSettings as sent; send nothing")
    cluster = sub.add_parser("cluster", help="Apache Spark standalone cluster + Spark Connect server with Delta on 127.0.0.1")
    cluster.add_argument("action", choices=("up", "down"), help="up: start (prints the sc:// URL last); down: stop")
    return top


def main(argv=None) -> int:
    """Parse the command and run it; non-zero exit on failure."""
    args = parser().parse_args(argv)
    if args.command == "etl":
        return etl()
    if args.command == "recover":
        return recover()
    if args.command == "cluster":
        from jobs.engine.cluster import main as cluster

        return cluster(args.action)
    if args.command == "tables":
        from jobs.catalog import markdown

        print(markdown())
        return 0
    from jobs.workflow import cli

    return cli.dispatch(args)


def _exit_on_sigterm(signum, frame):
    """Turn SIGTERM into SystemExit so the run rolls back its tables before exiting."""
    raise SystemExit(143)


def etl() -> int:
    """Run the whole pipeline on the configured engine and print the summary."""
    from jobs.pipeline import run_etl
    from jobs.spark import get_spark, stop_spark

    settings = load_settings()
    log = get_logger("medialake.etl", settings.log_level)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        summary = run_etl(get_spark(settings), settings)
    except (ExpectationFailed, UnknownFormatError, FileNotFoundError) as error:
        log.error("etl failed", extra={"fields": {"error": str(error)[:4000]}})
        print(f"ETL failed: {error}", file=sys.stderr)
        return 1
    finally:
        stop_spark()
    print(summary.render())
    return 0


def recover() -> int:
    """Take the writer slot, undo a killed holder if there is one, free the slot."""
    from jobs.all_or_nothing import recover as undo_killed_run
    from jobs.spark import get_spark, stop_spark

    settings = load_settings()
    get_logger("medialake.etl", settings.log_level)
    try:
        undo_killed_run(get_spark(settings), settings)
    finally:
        stop_spark()
    return 0


if __name__ == "__main__":
    sys.exit(main())
