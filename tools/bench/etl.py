"""ETL benchmark: generated data at the full Movies Dataset scale (26M ratings) plus 100k songs.

Each run (three by default) runs the ETL as `python -m jobs etl` does (a table starts once what it reads is written,
so the layers overlap) and prints per layer, up to the end of its last table, the wall seconds, rows per second, the
cores kept busy and the peak memory (of all the processes: this one, its children, the cluster's) and its slowest
tables; then the hand-written DuckDB reference on the same files; at the end, the medians, with the ratio to the
reference measured in the same run.
python -m tools.bench.etl [--scale full] [--engine sail] [--runs 3] [--workdir bench-data]
python -m tools.bench.etl --scale demo --engine all   # every engine on the same input, each in its own process, one table
"""

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from statistics import median

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


class Sampler:
    """Samples, every 50 ms, the resident memory and the CPU seconds used so far of this process, its children and the
    engine's own processes: (time, bytes, CPU seconds)."""

    def __init__(self, others: tuple[psutil.Process, ...] = ()):
        self.samples: list[tuple[float, int, float]] = []
        self.others = others
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            processes = [me, *me.children(recursive=True)] + [q for p in self.others for q in (p, *p.children(recursive=True))]
            self.samples.append((time.time(), sum(rss(p) for p in processes), sum(sum(cpu_times(p)) for p in processes)))
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> tuple[float, float]:
        """The peak GiB and the cores kept busy (CPU seconds per second) from start to end."""
        inside = [s for s in self.samples if start <= s[0] <= end] or [min(self.samples, key=lambda s: abs(s[0] - end))]
        return max(s[1] for s in inside) / 2**30, (inside[-1][2] - inside[0][2]) / max(inside[-1][0] - inside[0][0], 1e-9)


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


LAYERS = ("bronze", "silver", "gold")


def cpu_times(process: psutil.Process) -> tuple[float, float]:
    """A process's user and system seconds, nothing when it has ended."""
    try:
        return tuple(process.cpu_times())[:2]
    except psutil.Error:
        return 0.0, 0.0


def layer_figures(summary, started: float, sampler: Sampler) -> dict:
    """Per layer, from the run's start or the previous layer's end to the end of its last table (the layers overlap:
    a silver table starts once its own bronze tables are written): seconds, rows, rows/s, cores, peak; printed."""
    figures, since = {}, started
    for name in LAYERS:
        tables = [t for t in summary.tables if t.table.startswith(f"{name}.")]
        end = max([t.finished for t in tables], default=since)
        peak, cores = sampler.between(since, end)
        figures[name] = {"seconds": end - since, "rows": sum(t.rows_written for t in tables), "peak_gib": peak, "cores": cores}
        print_layer(name, figures[name], tables)
        since = end
    return figures


def print_layer(name: str, figures: dict, tables: list) -> None:
    """One layer's line, with its two slowest tables."""
    slowest = ", ".join(f"{t.table} {t.seconds:.1f} s" for t in sorted(tables, key=lambda t: -t.seconds)[:2])
    rate = figures["rows"] / max(figures["seconds"], 1e-9)
    print(f"{name:8} {figures['seconds']:8.1f} s {figures['rows']:>12,} rows {rate:>12,.0f} rows/s  "
          f"{figures['cores']:4.1f} cores  peak {figures['peak_gib']:5.2f} GiB  slowest: {slowest}", flush=True)  # fmt: skip


def main(argv=None) -> None:
    """Generate (once), then each run in a process of its own: the layers timed on a fresh lakehouse, then the
    reference in another; then the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="full", choices=sorted(SCALES))
    parser.add_argument("--workdir", default="bench-data")
    parser.add_argument(
        "--engine",
        default="sail",
        choices=ENGINES + ("all",),
        help="cluster: starts (or reuses) the standalone cluster; all: every engine, side by side",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of the pipeline, each followed by one of the reference")
    parser.add_argument("--no-reference", action="store_true", help="skip the DuckDB reference")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument("--one-run", default="", help=argparse.SUPPRESS)  # a run's process: its figures to this file
    args = parser.parse_args(argv)
    if args.engine == "all":
        return side_by_side(args.scale, args.workdir)
    raw = generated(args.scale, args.workdir)
    if args.one_run:
        return write_json(args.one_run, one_run(args, raw))
    runs = [measured_run(args, raw, number) for number in range(1, args.runs + 1)]
    if args.json:
        write_json(args.json, runs)
    print_medians(runs, raw_bytes(raw))


def write_json(path: str, figures) -> None:
    """Write figures to a JSON file."""
    with open(path, "w") as handle:
        json.dump(figures, handle)


def measured_run(args, raw: str, number: int) -> dict:
    """One run of the pipeline, then one of the reference, each in a fresh process (so that neither's memory, nor a
    previous run's, is counted in the other's peak)."""
    print(f"-- run {number} of {args.runs}: {args.engine}, scale {args.scale}", flush=True)
    me = [sys.executable, "-m", "tools.bench.etl", "--scale", args.scale, "--workdir", args.workdir, "--engine", args.engine]
    figures = in_process_of_its_own(me + ["--one-run"])
    if not args.no_reference:
        figures["reference"] = in_process_of_its_own([sys.executable, "-m", "tools.bench.etl_reference", "--raw", raw, "--json"])
    return figures


def in_process_of_its_own(command: list[str]) -> dict:
    """Run a command whose last argument is the JSON file it writes its figures to; its printed lines go to this
    terminal, its logs nowhere unless it fails (then its last error line is raised)."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "figures.json")
        done = subprocess.run([*command, out], stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[2:4])} failed: {last_error(done.stderr)}")
        with open(out) as handle:
            return json.load(handle)


def generated(scale: str, workdir: str) -> str:
    """The generated input of a scale, made the first time."""
    raw = os.path.abspath(os.path.join(workdir, f"raw-{scale}"))
    if not os.path.isdir(raw):
        started = time.time()
        generate(raw, SCALES[scale])
        print(f"datagen  {time.time() - started:8.1f} s (not counted)", flush=True)
    return raw


def one_run(args, raw: str) -> dict:
    """The ETL on a fresh lakehouse in a fresh engine, as `python -m jobs etl` runs it (on Sail its layers overlap), sampled."""
    lakehouse = os.path.abspath(os.path.join(args.workdir, f"lakehouse-{args.engine}"))
    shutil.rmtree(lakehouse, ignore_errors=True)
    settings, others = engine_settings(args.engine, raw, lakehouse, os.path.abspath(args.workdir))
    spark = get_spark(settings)
    summary = pipeline.RunSummary("bench")
    with Sampler(others) as sampler:
        started = time.time()
        pipeline.build_all(spark, settings, "bench", summary)
    stop_spark()
    figures = layer_figures(summary, started, sampler)
    print(f"total    {sum(figures[name]['seconds'] for name in LAYERS):8.1f} s", flush=True)
    return figures


def raw_bytes(raw: str) -> int:
    """The bytes of every raw file the bronze layer reads."""
    return sum(os.path.getsize(os.path.join(folder, name)) for folder, _, names in os.walk(raw) for name in names)


def print_medians(runs: list[dict], read: int) -> None:
    """Per layer: the median seconds (each run's in brackets), the median ratio to the reference of the same run, the
    bronze throughput against the raw bytes read, and the peak memory."""
    print(f"== medians of {len(runs)} run(s)")
    for name in (*LAYERS, "total"):
        mine = [seconds_of(run, name) for run in runs]
        line = f"{name:8} {median(mine):8.1f} s ({', '.join(f'{v:.1f}' for v in mine)})"
        if "reference" in runs[0]:
            theirs = [seconds_of(run, name, "reference") for run in runs]
            ratios = [ours / reference for ours, reference in zip(mine, theirs, strict=True)]
            line += f"  reference {median(theirs):6.1f} s  pipeline/reference {median(ratios):4.1f}x"
            line += f" ({', '.join(f'{v:.1f}' for v in ratios)})"
        print(line, flush=True)
    bronze = median([run["bronze"]["seconds"] for run in runs])
    rows = runs[0]["bronze"]["rows"]
    print(f"bronze   {rows:,} rows, {read / 2**20:,.1f} MiB of raw files: {rows / bronze:,.0f} rows/s, {read / 2**20 / bronze:,.0f} MiB/s")
    if "reference" in runs[0]:
        reference, landed = median([run["reference"]["bronze"] for run in runs]), runs[0]["reference"]
        print(f"reference bronze (the rating files only): {landed['rows']:,} rows, {landed['bytes'] / 2**20:,.1f} MiB: "
              f"{landed['rows'] / reference:,.0f} rows/s, {landed['bytes'] / 2**20 / reference:,.0f} MiB/s")  # fmt: skip
    peaks = [max(run[name]["peak_gib"] for name in LAYERS) for run in runs]
    print(f"peak     {median(peaks):5.2f} GiB median, {max(peaks):5.2f} GiB the highest (all processes)")


def seconds_of(run: dict, name: str, side: str = "pipeline") -> float:
    """A run's seconds, the pipeline's or its reference's, for one layer or (name "total") for all."""
    value = (lambda layer: run["reference"][layer]) if side == "reference" else (lambda layer: run[layer]["seconds"])
    return sum(map(value, LAYERS)) if name == "total" else value(name)


def side_by_side(scale: str, workdir: str) -> None:
    """Every engine on the same generated input, one process each (an engine per process), then one table."""
    rows = []
    for engine in ENGINES:
        out = os.path.join(os.path.abspath(workdir), f"bench-{engine}.json")
        command = [sys.executable, "-m", "tools.bench.etl", "--scale", scale, "--workdir", workdir, "--engine", engine, "--one-run", out]
        print(f"-- {engine}", flush=True)
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            rows.append(f"{engine:20} failed: {last_error(done.stderr)}")
            continue
        run = json.load(open(out))
        layers, peak = [run[name]["seconds"] for name in LAYERS], max(run[name]["peak_gib"] for name in LAYERS)
        rows.append(f"{engine:20} " + " ".join(f"{v:8.1f}" for v in [*layers, sum(layers)]) + f"  {peak:8.2f}")
    print(f"{'engine':20} {'bronze':>8} {'silver':>8} {'gold':>8} {'total s':>8}  {'peak GiB':>8}")
    print("\n".join(rows))


def last_error(stderr: str) -> str:
    """The last line of a failed run's error output that says something."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


if __name__ == "__main__":
    main()
