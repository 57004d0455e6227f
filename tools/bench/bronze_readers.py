"""Bronze readers benchmark: one single-line raw file landed on the standalone Spark cluster, read in splits by the
engine (jobs/bronze_lines.py) against parsed whole on one Python worker, alternated, in fresh tables each time.

Prints each run's seconds and peak memory (of this process and the cluster's), then the medians and their ratio.
python -m tools.bench.bronze_readers [--file bench-data/raw-demo/movies_dataset/ratings.csv] [--runs 3]
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from contextlib import nullcontext
from unittest import mock

from pyspark.sql import SparkSession

from jobs import bronze, bronze_lines
from jobs.sources import detect_format
from tools.bench.etl import PeakMemory, cluster_for_run, cluster_processes

READERS = ("lines", "whole")


def land(spark, raw_dir: str, table: str, reader: str, engine: tuple) -> tuple[int, float, float]:
    """Land the one file of raw_dir into a fresh table with a reader: records, seconds, peak GiB (with the engine's)."""
    [raw] = bronze.list_raw_files(spark, raw_dir)
    fmt = detect_format(list(raw.header))
    whole = mock.patch.object(bronze_lines, "records", return_value=None) if reader == "whole" else nullcontext()
    with whole, PeakMemory(engine) as memory:
        started = time.time()
        records = bronze.ingest_file(spark, raw, fmt, table, "bench", raw_dir)
        seconds = time.time() - started
    return records, seconds, memory.peak / 2**30


def main(argv=None) -> None:
    """Alternate the two readers on one file and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", default="bench-data/raw-demo/movies_dataset/ratings.csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default="bench-data")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.file):
        parser.error(f"{args.file}: no such file (make bench-etl BENCH_SCALE=demo, or full, generates bench-data/raw-*)")
    home = os.path.abspath(os.path.join(args.workdir, "cluster"))
    spark = SparkSession.builder.remote(cluster_for_run(home)).getOrCreate()
    engine = cluster_processes(home)
    seconds: dict[str, list[float]] = {r: [] for r in READERS}
    with tempfile.TemporaryDirectory(dir=os.path.abspath(args.workdir)) as work:
        raw = os.path.join(work, "raw")
        os.makedirs(raw)
        copy = os.path.join(raw, os.path.basename(args.file))
        try:
            os.link(os.path.abspath(args.file), copy)
        except OSError:  # another filesystem
            shutil.copyfile(args.file, copy)
        for run in range(args.runs):
            for reader in READERS:
                table = os.path.join(work, f"bronze-{reader}-{run}")
                try:
                    records, took, peak = land(spark, raw, table, reader, engine)
                except ValueError as refused:  # a file larger than the engine reads whole
                    print(f"run {run + 1} {reader:6} refused: {str(refused)[:120]}", flush=True)
                    continue
                seconds[reader].append(took)
                print(f"run {run + 1} {reader:6} {records:>12,} records {took:8.1f} s  peak {peak:5.2f} GiB", flush=True)
                shutil.rmtree(table, ignore_errors=True)
    medians = {r: statistics.median(s) for r, s in seconds.items() if s}
    ratio = f"; whole / lines = {medians['whole'] / medians['lines']:.2f}x" if len(medians) == 2 else ""
    print("median: " + ", ".join(f"{r} {m:.1f} s" for r, m in medians.items()) + ratio)


if __name__ == "__main__":
    main()
