"""make sweep: constant offered loads against the production server, measured without coordinated omission.

Workloads: `cached` (the cached statistics endpoints), `mix` (the visitor mix of mix.py, chat included) and `cold`
(a new year range on every request, so each one is a warehouse query). Each level runs for a fixed time, several
times; every run records achieved rate, latency percentiles from the intended send time (and the plain service
time), a latency histogram, errors, and the CPU the server and the load generator used. Output: docs/load/sweep.json.
"""

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request

import psutil

from medialake.log import get_logger, log_event
from medialake.settings import load_settings
from tools.load.mix import CACHED, sequence
from tools.load.server import ROOT, demo_lakehouse, serve

PACE_SOURCE = os.path.join(ROOT, "tools", "load", "pace.rs")
PACE = os.path.join(ROOT, "build", "pace")
LEVELS = {"cached": [100, 1000, 5000, 10000, 12500, 15000], "mix": [100, 1000, 2000, 5000], "cold": [100, 400, 1000]}
CONNECTIONS = 128
OUT = os.path.join(ROOT, "docs", "load", "sweep.json")


def build_pace() -> str:
    """Compile the load generator (rustc, standard library only) when its binary is older than its source."""
    if not os.path.exists(PACE) or os.path.getmtime(PACE) < os.path.getmtime(PACE_SOURCE):
        os.makedirs(os.path.dirname(PACE), exist_ok=True)
        subprocess.run(["rustc", "-O", "--edition", "2021", PACE_SOURCE, "-o", PACE], check=True)
    return PACE


COLD_ENDPOINTS = ("/api/movies/genres-by-year", "/api/movies/box-office", "/api/movies/genre-revenue", "/api/songs/trends")


def cold_paths(count: int, skip: int) -> list[str]:
    """Year ranges never asked before in this server's life (52,000 of them): each request misses every cache."""
    pairs = [(a, b) for a in range(1870, 2031) for b in range(a, 2031)]
    urls = [f"{endpoint}?year_from={a}&year_to={b}" for endpoint in COLD_ENDPOINTS for a, b in pairs]
    random.Random(3).shuffle(urls)
    if skip + count > len(urls):
        raise SystemExit(f"the cold workload needs {skip + count:,} distinct requests; there are {len(urls):,}")
    return urls[skip : skip + count]


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU seconds of a process and its children (the server's workers)."""
    tree = [process] + process.children(recursive=True)
    return sum(p.cpu_times().user + p.cpu_times().system for p in tree)


def one_run(port: int, paths: list[str], rate: int, seconds: int, server: psutil.Process, folder: str) -> dict:
    """One constant-rate run; pace's figures plus the CPU cores each side used."""
    listing = os.path.join(folder, "paths.txt")
    with open(listing, "w") as handle:
        handle.write("\n".join(paths) + "\n")
    before_server, before_self = cpu_seconds(server), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = subprocess.run(
        [PACE, f"127.0.0.1:{port}", listing, str(rate), str(seconds), str(CONNECTIONS)], capture_output=True, text=True, check=True
    )
    wall = time.monotonic() - started
    after_self = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(out.stdout)
    figures["server_cores"] = round((cpu_seconds(server) - before_server) / wall, 3)
    figures["generator_cores"] = round((after_self.ru_utime + after_self.ru_stime - before_self.ru_utime - before_self.ru_stime) / wall, 3)
    return figures


def machine() -> dict:
    """What the figures were measured on."""
    settings = load_settings()
    memory = round(psutil.virtual_memory().total / 2**30)
    return {"cpu": platform.processor() or platform.machine(), "cores": psutil.cpu_count(), "memory_gib": memory,
            "python": platform.python_version(), "workers": settings.workers, "blocking_threads": settings.blocking_threads,
            "date": time.strftime("%Y-%m-%d")}  # fmt: skip


def main() -> None:
    """Run every workload at every level, write docs/load/sweep.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workloads", default="cached,mix,cold")
    parser.add_argument("--levels", default="", help="override, e.g. cached:100,1000;mix:100")
    parser.add_argument("--lakehouse", default=None, help="default: the demo lakehouse under bench-data/demo")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    levels = {w: [int(x) for x in rates.split(",")] for w, rates in (p.split(":") for p in args.levels.split(";") if p)} or LEVELS
    log = get_logger("medialake.sweep")
    build_pace()
    process, port = serve(args.lakehouse or demo_lakehouse())
    server = psutil.Process(process.pid)
    folder = tempfile.mkdtemp(prefix="sweep-")  # pace's paths files
    top = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/songs/top-tracks?limit=50"))["data"]
    artists = sorted({row["artist"] for row in top})
    runs, cold_used = [], 0
    try:
        for workload in args.workloads.split(","):
            if workload == "mix" and levels.get("mix"):  # steady state: the mix's parameter combinations seen once (cold is measured apart)
                mix = [c.line() for c in sequence(5000, artists)]
                one_run(port, mix, 500, max(1, len(mix) // 500), server, folder)
            for rate in levels.get(workload, []):
                for repeat in range(args.repeats):
                    if workload == "cold":
                        paths = cold_paths(rate * args.seconds, cold_used)
                        cold_used += len(paths)
                    else:
                        paths = CACHED if workload == "cached" else [c.line() for c in sequence(5000, artists)]
                    figures = one_run(port, paths, rate, args.seconds, server, folder)
                    runs.append({"workload": workload, "repeat": repeat} | figures)
                    log_event(log, "run", workload=workload, offered=rate, repeat=repeat, achieved=figures["achieved_rps"],
                              p99_ms=figures["latency_ms"]["p99"], errors=figures["errors"] + figures["non_2xx"],
                              server_cores=figures["server_cores"], generator_cores=figures["generator_cores"])  # fmt: skip
    finally:
        process.terminate()
        process.wait(15)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump({"machine": machine(), "seconds": args.seconds, "connections": CONNECTIONS, "runs": runs}, handle, indent=1)
    log_event(log, "written", path=args.out, runs=len(runs))


if __name__ == "__main__":
    sys.exit(main())
