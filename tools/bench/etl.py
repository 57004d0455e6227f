"""ETL benchmark: generated data at the full Movies Dataset scale (26M ratings) plus 100k songs.

Prints wall seconds, rows per second and peak memory (of all the processes: this one, its children, the cluster's)
per layer, and the hand-written DuckDB reference with the ratios.
python -m tools.bench.etl [--scale full] [--engine sail] [--workdir bench-data]
python -m tools.bench.etl --scale demo --engine all   # every engine on the same input, each in its own process, one table
"""

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import psutil

from jobs import pipeline
from jobs.engine import cluster
from jobs.engine.processes import ours
from jobs.spark import get_spark, stop_spark
from medialake.settings import load_settings
from tools.datagen import SCALES, generate

ENGINES = ("sail", "sail-local-cluster", "spark", "cluster")  # embedded Sail, alone or with 2 workers; JVM Spark local[2]
# with Delta; the standalone cluster (master, 2 workers, Connect server) through Connect
SAIL_LOCAL_CLUSTER = {"SAIL_MODE": "local-cluster", "SAIL_CLUSTER__WORKER_INITIAL_COUNT": "2"}


class PeakMemory:
    """Samples the resident memory of this process, its children and the engine's own processes every 50 ms."""

    def __init__(self, others: tuple[psutil.Process, ...] = ()):
        self.peak, self.others = 0, others
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            processes = [me, *me.children(recursive=True)] + [q for p in self.others for q in (p, *p.children(recursive=True))]
            self.peak = max(self.peak, sum(rss(p) for p in processes))
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def rss(process: psutil.Process) -> int:
    """Resident bytes of a process, 0 once it is gone."""
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def engine_settings(engine: str, raw: str, lakehouse: str, workdir: str):
    """Settings for an engine, and the processes that are the engine when they are not this one's children."""
    if engine == "sail-local-cluster":
        os.environ.update(SAIL_LOCAL_CLUSTER)  # read by Sail when get_spark starts it, in this process only
        engine = "sail"
    if engine != "cluster":
        return load_settings({"raw_dir": raw, "lakehouse_dir": lakehouse, "engine": engine}), ()
    home = os.path.join(workdir, "cluster")
    url = cluster_for_run(home)
    return load_settings({"raw_dir": raw, "lakehouse_dir": lakehouse, "engine": "remote", "spark_remote": url}), cluster_processes(home)


def cluster_for_run(home: str) -> str:
    """The standalone cluster's URL: one already running is used and left running; one started here is stopped when
    this process ends (its six JVMs and their Python workers held 11 GiB after a demo-scale run)."""
    if not cluster.running(home):
        atexit.register(cluster.down, home, True)
    return cluster.up(home)


def cluster_processes(home: str) -> tuple[psutil.Process, ...]:
    """The cluster's running processes (master, workers, Connect server), whose memory counts in the peak."""
    return tuple(p for p in map(ours, cluster.recorded(home).values()) if p)


PEAKS: dict[str, float] = {}  # layer -> peak GiB of this run, for --json


def timed(label: str, rows_of, step, others=()):
    """Run one layer, print seconds, rows/s and peak memory."""
    with PeakMemory(others) as memory:
        started = time.time()
        result = step()
        seconds = time.time() - started
    rows = rows_of()
    PEAKS[label] = memory.peak / 2**30
    print(
        f"{label:8} {seconds:8.1f} s {rows:>12,} rows {rows / seconds:>12,.0f} rows/s  peak {memory.peak / 2**30:5.2f} GiB",
        flush=True,
    )
    return result, seconds


def layer(label: str, summary, step, others):
    """One layer timed, its rows being those the summary gained."""
    first = len(summary.tables)
    return timed(label, lambda: sum(t.rows_written for t in summary.tables[first:]), step, others)


def main(argv=None) -> None:
    """Generate (once) and run each layer timed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="full", choices=sorted(SCALES))
    parser.add_argument("--workdir", default="bench-data")
    parser.add_argument(
        "--engine",
        default="sail",
        choices=ENGINES + ("all",),
        help="cluster: starts (or reuses) the standalone cluster; all: every engine, side by side",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the DuckDB reference")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.engine == "all":
        return side_by_side(args.scale, args.workdir)
    raw = os.path.join(args.workdir, f"raw-{args.scale}")
    lakehouse = os.path.abspath(os.path.join(args.workdir, f"lakehouse-{args.engine}"))
    if not os.path.isdir(raw):
        started = time.time()
        generate(raw, SCALES[args.scale])
        print(f"datagen  {time.time() - started:8.1f} s (not counted)", flush=True)
    shutil.rmtree(lakehouse, ignore_errors=True)
    settings, others = engine_settings(args.engine, os.path.abspath(raw), lakehouse, os.path.abspath(args.workdir))
    spark = get_spark(settings)
    print(f"engine   {args.engine} ({settings.spark_remote or settings.engine}), scale {args.scale}", flush=True)
    summary = pipeline.RunSummary("bench")
    sources, bronze = layer("bronze", summary, lambda: pipeline.land_bronze(spark, settings, "bench", summary), others)
    _, silver = layer("silver", summary, lambda: pipeline.build_silver(spark, settings, sources, summary), others)
    _, gold = layer("gold", summary, lambda: pipeline.build_gold(spark, settings, sources, summary), others)
    total = bronze + silver + gold
    print(f"total    {total:8.1f} s")
    stop_spark()
    seconds = {"bronze": bronze, "silver": silver, "gold": gold}
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"seconds": seconds, "peak_gib": PEAKS}, handle)
    if not args.no_reference:
        compare_with_reference(os.path.abspath(raw), seconds)


def side_by_side(scale: str, workdir: str) -> None:
    """Every engine on the same generated input, one process each (an engine per process), then one table."""
    rows = []
    for engine in ENGINES:
        out = os.path.join(os.path.abspath(workdir), f"bench-{engine}.json")
        command = [sys.executable, "-m", "tools.bench.etl", "--scale", scale, "--workdir", workdir, "--engine", engine,
                   "--no-reference", "--json", out]  # fmt: skip
        print(f"-- {engine}", flush=True)
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            rows.append(f"{engine:20} failed: {last_error(done.stderr)}")
            continue
        figures = json.load(open(out))
        layers = [figures["seconds"][layer] for layer in ("bronze", "silver", "gold")]
        rows.append(f"{engine:20} " + " ".join(f"{v:8.1f}" for v in [*layers, sum(layers)]) + f"  {max(figures['peak_gib'].values()):8.2f}")
    print(f"{'engine':20} {'bronze':>8} {'silver':>8} {'gold':>8} {'total s':>8}  {'peak GiB':>8}")
    print("\n".join(rows))


def last_error(stderr: str) -> str:
    """The last line of a failed run's error output that says something."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def compare_with_reference(raw: str, seconds: dict[str, float]) -> None:
    """Run the hand-written DuckDB reference on the same files and print its seconds and the pipeline's ratio per layer."""
    from tools.bench.etl_reference import run

    reference = run(raw)
    for layer in ("bronze", "silver", "gold"):
        print(f"reference {layer:6} {reference[layer]:8.1f} s  pipeline/reference {seconds[layer] / reference[layer]:6.1f}x", flush=True)
    mine, theirs = sum(seconds.values()), sum(reference[layer] for layer in seconds)
    print(f"reference total  {theirs:8.1f} s  pipeline/reference {mine / theirs:6.1f}x")
    rows, size = reference["rows"], reference["bytes"]
    print(
        f"bronze ratings: {rows:,} rows, {size / 2**20:,.0f} MiB of CSV; reference {rows / reference['bronze']:,.0f} rows/s "
        f"{size / 2**20 / reference['bronze']:,.0f} MiB/s"
    )


if __name__ == "__main__":
    main()
