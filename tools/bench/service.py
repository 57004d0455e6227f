"""make bench-service: wrk against the production server on loopback, and cold local-warehouse queries, as printed figures."""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from medialake.settings import load_settings
from medialake.tables import location
from service import queries
from service.warehouse.local import LocalWarehouse, delta_connection

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHED = "/api/movies/genres-by-year?year_from=1990&year_to=2000"
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(lakehouse: str, port: int, **settings: str) -> subprocess.Popen:
    """The production server as `make serve` runs it (extra settings by environment name), waited for until /health answers."""
    env = dict(os.environ, MEDIALAKE_LAKEHOUSE_DIR=lakehouse, MEDIALAKE_PORT=str(port), MEDIALAKE_ACCESS_LOG="0") | settings
    process = subprocess.Popen(
        [sys.executable, "-m", "service.serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def wrk(url: str, seconds: int, connections: int, threads: int) -> dict:
    """One wrk run: requests/s, p50, p90, p99 (ms) and errors."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        figures[f"p{pct}"] = float(value) * UNIT_MS[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = int(errors.group(1)) if errors else 0
    return figures


def cold_queries(lakehouse: str, runs: int) -> list[float]:
    """Milliseconds of the genres-by-year query on the local warehouse (the release copied in memory), a different year
    range each time (no answer cache)."""
    warehouse = LocalWarehouse(lakehouse)
    warehouse.versions(("genre_counts_by_year",))  # loads the release
    return timed_queries(lambda a, b: warehouse.execute("genre_counts_by_year", {"year_from": a, "year_to": b}), runs)


def delta_scan_queries(lakehouse: str, runs: int) -> list[float]:
    """The same query as the backend ran it before releases: on the Delta table ATTACHed, scanned by every query."""
    con = delta_connection()
    con.execute(f"ATTACH '{location(lakehouse, 'gold', 'genre_counts_by_year')}' AS gold__genre_counts_by_year (TYPE delta)")
    sql = queries.transpile(queries.load("genre_counts_by_year"), "duckdb", lambda table: f"gold__{table}")
    return timed_queries(lambda a, b: con.execute(sql, {"year_from": a, "year_to": b}).fetchall(), runs)


def timed_queries(run, runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls run(year_from, year_to) after one warm-up call."""
    run(1990, 2000)
    timings = []
    for i in range(runs):
        started = time.perf_counter()
        run(1900 + i % 100, 2020)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def print_cold(lakehouse: str, rounds: int = 3, runs: int = 200) -> None:
    """Both ways side by side, alternating, in this one process: p50 of each round, and the median ratio."""
    p50s = {"release copy in memory": [], "Delta scan per query": []}
    for _ in range(rounds):
        p50s["release copy in memory"].append(statistics.median(cold_queries(lakehouse, runs)))
        p50s["Delta scan per query"].append(statistics.median(delta_scan_queries(lakehouse, runs)))
    for name, values in p50s.items():
        rounds_text = ", ".join(f"{v:.2f}" for v in values)
        print(f"cold genres-by-year, {name:24}: p50 median {statistics.median(values):6.2f} ms   rounds {rounds_text}")
    ratio = statistics.median(p50s["Delta scan per query"]) / statistics.median(p50s["release copy in memory"])
    print(f"cold: the release copy answers {ratio:.1f}x faster ({rounds} rounds x {runs} queries, one process)")


def main(argv=None) -> int:
    """Print the figures: median of several wrk runs, and cold query percentiles."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench.service")
    parser.add_argument("--lakehouse", default=load_settings().lakehouse_dir)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    port = free_port()
    server = start_server(args.lakehouse, port)
    try:
        url = f"http://127.0.0.1:{port}{CACHED}"
        wrk(url, 2, args.connections, 2)  # warm-up, not counted: each worker answers its first request cold
        runs = [wrk(url, args.seconds, args.connections, 2) for _ in range(args.runs)]
    finally:
        server.terminate()
        server.wait(15)
    for key in ("rps", "p50", "p90", "p99"):
        values = [r[key] for r in runs]
        print(f"cached {CACHED}: {key:4} median {statistics.median(values):10.2f}   runs {', '.join(f'{v:.2f}' for v in values)}")
    print(f"cached: non-2xx responses {sum(r['errors'] for r in runs)}  (wrk -t2 -c{args.connections} -d{args.seconds}s, {args.runs} runs)")
    print_cold(args.lakehouse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
