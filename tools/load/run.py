"""make loadtest: Locust headless against the production server over the demo lakehouse; exit 1 on a missed threshold.

python -m tools.load.run [--users 100] [--seconds 30] [--max-failure-ratio 0] [--max-p95-ms 50] [--min-rps 100]
Locust's CSV stats land in docs/load/ (locust_stats.csv, locust_stats_history.csv, locust_failures.csv), for make report.
"""

import argparse
import os
import subprocess
import sys

from tools.load.server import ROOT, demo_lakehouse, serve

OUT = os.path.join(ROOT, "docs", "load")


def main(argv=None) -> int:
    """Run Locust and return its exit code (1 when a threshold is missed)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--max-failure-ratio", default="0")
    parser.add_argument("--max-p95-ms", default="50")
    parser.add_argument("--min-rps", default="100")
    parser.add_argument("--lakehouse", default=None, help="default: the demo lakehouse under bench-data/demo")
    parser.add_argument("--csv-dir", default=OUT)
    args = parser.parse_args(argv)
    server, port = serve(args.lakehouse or demo_lakehouse())
    os.makedirs(args.csv_dir, exist_ok=True)
    command = [sys.executable, "-m", "locust", "-f", os.path.join(ROOT, "tools", "load", "locustfile.py"), "--headless",
               "-u", str(args.users), "-r", str(max(1, args.users // 2)), "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}",
               "--csv", os.path.join(args.csv_dir, "locust"), "--csv-full-history", "--only-summary",
               "--max-failure-ratio", args.max_failure_ratio,
               "--max-p95-ms", args.max_p95_ms, "--min-rps", args.min_rps]  # fmt: skip
    try:
        return subprocess.run(command, cwd=ROOT).returncode
    finally:
        server.terminate()
        server.wait(15)


if __name__ == "__main__":
    sys.exit(main())
