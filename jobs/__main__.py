"""Command line: python -m jobs etl."""

import argparse
import signal
import sys

from jobs.expectations import ExpectationFailed
from jobs.log import get_logger
from jobs.settings import load_settings
from jobs.sources import UnknownFormatError


def main(argv=None) -> int:
    """Parse the command and run it; non-zero exit on failure."""
    parser = argparse.ArgumentParser(prog="python -m jobs", description="medialake jobs")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("etl", help="ingest every raw file and build bronze, silver and gold")
    args = parser.parse_args(argv)
    if args.command == "etl":
        return etl()
    return 2


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


if __name__ == "__main__":
    sys.exit(main())
