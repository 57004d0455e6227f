"""make soak: the visitor mix at a constant rate for minutes while the ETL publishes new data, checked all along.

Each minute is one open-loop run of pace (tools/load/pace.rs) over the mix of mix.py, so every minute has its own
p99, errors and throughput. Meanwhile the real ETL (`python -m jobs etl`) runs `--publishes` times on a private copy
of the demo lakehouse, each time over one more new ratings file, and a checker fetches statistics with never-seen
parameters and verifies that each answer's table versions are those of the release it names (an answer mixing two
releases would not be). Resident memory of every server worker is read at the start and at the end.
Output: docs/load/soak.json, rendered into docs/performance.md by `make report`.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import psutil
from deltalake import DeltaTable

from medialake import releases
from medialake.log import get_logger, log_event
from tools.load.mix import sequence
from tools.load.server import DEMO, ROOT, demo_lakehouse, serve
from tools.load.sweep import build_pace, cold_paths, one_run

OUT = os.path.join(ROOT, "docs", "load", "soak.json")
log = get_logger("medialake.soak")


def private_copy(folder: str) -> tuple[str, str]:
    """A raw folder and a lakehouse of our own (the ETL writes to it), copied from the demo ones."""
    lakehouse = demo_lakehouse()
    raw, root = os.path.join(folder, "raw"), os.path.join(folder, "lakehouse")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(os.path.join(DEMO, "raw"), raw)
    shutil.copytree(lakehouse, root)
    return raw, root


def new_ratings_file(raw: str, number: int) -> None:
    """One more MovieLens ratings file of new users: what a daily drop brings."""
    rng, path = random.Random(number), os.path.join(raw, "movielens", f"ratings_drop_{number}.csv")
    with open(path, "w") as handle:
        handle.write("userId,movieId,rating,timestamp\n")
        for user in range(5000):
            for _ in range(10):
                handle.write(f"{900_000 + number * 10_000 + user},{rng.randint(1, 2000)},{rng.randint(1, 10) / 2},{1_600_000_000 + user}\n")


class Publisher(threading.Thread):
    """Runs the ETL at the given offsets (seconds from the start), each time over one more ratings file."""

    def __init__(self, raw: str, root: str, offsets: list[float], logs: str):
        super().__init__(daemon=True)
        self.raw, self.root, self.offsets, self.logs, self.runs = raw, root, offsets, logs, []

    def run(self):
        started = time.monotonic()
        for number, offset in enumerate(self.offsets, 1):
            time.sleep(max(0.0, started + offset - time.monotonic()))
            new_ratings_file(self.raw, number)
            self.runs.append(self.etl(number, time.monotonic() - started))

    def etl(self, number: int, at: float) -> dict:
        """One real ETL run in its own process; its logs go to a file."""
        env = dict(os.environ, MEDIALAKE_RAW_DIR=self.raw, MEDIALAKE_LAKEHOUSE_DIR=self.root)
        began = time.monotonic()
        with open(os.path.join(self.logs, f"etl_{number}.log"), "w") as out:
            code = subprocess.run([sys.executable, "-m", "jobs", "etl"], cwd=ROOT, env=env, stdout=out, stderr=out).returncode
        run = {"run": number, "started_s": round(at, 1), "seconds": round(time.monotonic() - began, 1), "exit_code": code}
        log_event(log, "etl run", **run)
        return run


class Checker(threading.Thread):
    """Fetches never-asked statistics and checks each answer's versions against the release it names."""

    def __init__(self, port: int, root: str, paths: list[str]):
        super().__init__(daemon=True)
        self.port, self.root, self.paths = port, root, paths
        self.stop, self.checked, self.mixed, self.errors, self.releases_seen = threading.Event(), 0, 0, 0, set()
        self.known: dict[str, dict] = {}

    def run(self):
        for path in self.paths:
            if self.stop.is_set():
                return
            self.check(path)
            time.sleep(0.05)

    def check(self, path: str) -> None:
        """One answer: its meta.table_versions must equal its release's versions of those tables."""
        try:
            meta = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10))["meta"]
        except (OSError, ValueError):
            self.errors += 1
            return
        if meta["release"] not in self.known:
            self.known = self.published()
        published = self.known.get(meta["release"])
        self.checked += 1
        self.releases_seen.add(meta["release"])
        if published is None or any(published.get(t) != v for t, v in meta["table_versions"].items()):
            self.mixed += 1

    def published(self) -> dict:
        """release_id -> versions of every release in ops.releases."""
        rows = DeltaTable(os.path.join(self.root, releases.LAYER, releases.NAME)).to_pandas()
        return {r.release_id: releases.decode_versions(r.versions) for r in rows.itertuples()}


def worker_memory(server: psutil.Process) -> list[float]:
    """Resident MiB of each server worker process."""
    return [round(p.memory_info().rss / 2**20, 1) for p in server.children(recursive=True)]


def main() -> None:
    """Run the soak, write docs/load/soak.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--publishes", type=int, default=3)
    parser.add_argument("--folder", default=os.path.join(ROOT, "bench-data", "soak"))
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    build_pace()
    raw, root = private_copy(args.folder)
    process, port = serve(root)
    server, scratch = psutil.Process(process.pid), tempfile.mkdtemp(prefix="soak-")
    step = args.minutes * 60 / (args.publishes + 1)
    publisher = Publisher(raw, root, [step * (i + 1) for i in range(args.publishes)], scratch)
    checker = Checker(port, root, cold_paths(args.minutes * 60 * 20, 0))
    artists = sorted(
        {r["artist"] for r in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/songs/top-tracks?limit=50"))["data"]}
    )
    mix = [c.line() for c in sequence(5000, artists)]
    memory_start, minutes = worker_memory(server), []
    publisher.start()
    checker.start()
    try:
        for minute in range(args.minutes):
            figures = one_run(port, mix, args.rate, 60, server, scratch)
            kept = {k: figures[k] for k in ("achieved_rps", "errors", "non_2xx", "latency_ms", "server_cores")}
            minutes.append({"minute": minute + 1, "worker_rss_mib": worker_memory(server)} | kept)
            log_event(log, "minute", minute=minute + 1, achieved=figures["achieved_rps"], p99_ms=figures["latency_ms"]["p99"],
                      errors=figures["errors"] + figures["non_2xx"])  # fmt: skip
        publisher.join(timeout=600)
        memory_end = worker_memory(server)
    finally:
        checker.stop.set()
        process.terminate()
        process.wait(15)
    result = {"rate": args.rate, "minutes": minutes, "etl_runs": publisher.runs, "checked_answers": checker.checked,
              "mixed_release_answers": checker.mixed, "checker_errors": checker.errors, "releases_seen": len(checker.releases_seen),
              "worker_rss_mib_start": memory_start, "worker_rss_mib_end": memory_end}  # fmt: skip
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)
    log_event(log, "written", path=args.out, errors=sum(m["errors"] + m["non_2xx"] for m in minutes), mixed=checker.mixed)


if __name__ == "__main__":
    sys.exit(main())
