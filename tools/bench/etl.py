"""ETL benchmark: generated data at the full Movies Dataset scale (26M ratings) plus 100k songs.

Prints wall seconds, rows per second and peak memory (this process, which hosts the Sail engine) per layer.
python -m tools.bench.etl [--scale full] [--workdir bench-data]
"""

import argparse
import os
import shutil
import threading
import time

import psutil

from jobs import pipeline
from jobs.spark import get_spark, stop_spark
from medialake.settings import load_settings
from tools.datagen import SCALES, generate


class PeakMemory:
    """Samples the resident memory of this process and its children every 50 ms."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            rss = me.memory_info().rss + sum(c.memory_info().rss for c in me.children(recursive=True))
            self.peak = max(self.peak, rss)
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed(label: str, rows_of, step):
    """Run one layer, print seconds, rows/s and peak memory."""
    with PeakMemory() as memory:
        started = time.time()
        result = step()
        seconds = time.time() - started
    rows = rows_of()
    print(
        f"{label:8} {seconds:8.1f} s {rows:>12,} rows {rows / seconds:>12,.0f} rows/s  peak {memory.peak / 2**30:5.2f} GiB",
        flush=True,
    )
    return result, seconds


def main(argv=None) -> None:
    """Generate (once) and run each layer timed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="full", choices=sorted(SCALES))
    parser.add_argument("--workdir", default="bench-data")
    args = parser.parse_args(argv)
    raw, lakehouse = os.path.join(args.workdir, f"raw-{args.scale}"), os.path.join(args.workdir, "lakehouse")
    if not os.path.isdir(raw):
        started = time.time()
        generate(raw, SCALES[args.scale])
        print(f"datagen  {time.time() - started:8.1f} s (not counted)", flush=True)
    shutil.rmtree(lakehouse, ignore_errors=True)
    settings = load_settings({"raw_dir": raw, "lakehouse_dir": lakehouse})
    spark = get_spark(settings)
    summary = pipeline.RunSummary("bench")
    total = 0.0
    sources, s = timed(
        "bronze",
        lambda: sum(t.rows_written for t in summary.tables),
        lambda: pipeline.land_bronze(spark, settings, "bench", summary),
    )
    total += s
    n = len(summary.tables)
    _, s = timed(
        "silver",
        lambda: sum(t.rows_written for t in summary.tables[n:]),
        lambda: pipeline.build_silver(spark, settings, sources, summary),
    )
    total += s
    m = len(summary.tables)
    _, s = timed(
        "gold",
        lambda: sum(t.rows_written for t in summary.tables[m:]),
        lambda: pipeline.build_gold(spark, settings, sources, summary),
    )
    total += s
    print(f"total    {total:8.1f} s")
    stop_spark()


if __name__ == "__main__":
    main()
