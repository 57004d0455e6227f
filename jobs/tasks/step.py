"""What every ETL task file does: parse --domain, run one pipeline step on the configured engine, exit non-zero on failure."""

import argparse
import signal
import sys


def parse(argv: list[str], description: str) -> argparse.Namespace:
    """--domain movies|songs|all and an optional --batch-id."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--domain", choices=("movies", "songs", "all"), default="all")
    parser.add_argument("--batch-id", default="", help="stamped on bronze rows (e.g. {{job.run_id}})")
    parser.add_argument("--max-drop-ratio", type=float, default=0.25, help="quality gate: largest share of rows a drop rule may reject")
    return parser.parse_args(argv)


def run(step: str, argv: list[str]) -> int:
    """Run one step and print its summary; SIGTERM (a task timeout) rolls the step back."""
    from jobs.pipeline import run_step
    from jobs.quality_gate import run_gate
    from jobs.spark import get_spark, stop_spark
    from medialake.log import get_logger
    from medialake.settings import load_settings

    args = parse(argv, f"medialake {step} step")
    settings = load_settings({"batch_id": args.batch_id} if args.batch_id else None)
    log = get_logger(f"medialake.task.{step}", settings.log_level)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if step == "quality_gate":
            print("\n".join(run_gate(get_spark(settings), settings, args.domain, args.max_drop_ratio)))
            return 0
        summary = run_step(get_spark(settings), settings, step, args.domain)
    except Exception as error:
        log.error(f"{step} step failed", extra={"fields": {"domain": args.domain, "error": str(error)[:4000]}})
        print(f"{step} ({args.domain}) failed: {error}", file=sys.stderr)
        return 1
    finally:
        stop_spark()
    print(summary.render())
    return 0
