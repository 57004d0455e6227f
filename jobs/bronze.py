"""Bronze: raw files listed, hashed and read by the engine (line by line in splits where it can, jobs/bronze_lines.py;
in byte ranges side by side by the embedded engine's Python workers, jobs/bronze_ranges.py; else parsed whole by a
Python worker, jobs/raw_parse.py), landed as strings with lineage; the client opens no raw
file, so the same code runs where the files are only the cluster's to read (a Databricks Volume). Re-ingesting a file
adds nothing."""

import fnmatch
import hashlib
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import bronze_lines, bronze_ranges, delta_io
from jobs.raw_parse import CHUNK_RECORDS, EXTRA_COLUMNS, bronze_columns, fingerprint, header_of, keyed_batches, parse_records
from jobs.sources import SourceFormat
from medialake.log import get_logger, log_event

__all__ = ["CHUNK_RECORDS", "EXTRA_COLUMNS", "RawFile", "ingest_file", "list_raw_files", "read_raw_records"]
LISTING = "path string, size long, modified timestamp, fingerprint string, header array<string>"
LISTED = ("path", "length", "modificationTime")
CSV_FILES = "*.[cC][sS][vV]"
log = get_logger("medialake.etl")


@dataclass(frozen=True)
class RawFile:
    """A raw file as the engine listed it: its path under the raw dir (the lineage and ledger key), size, time, hash, header."""

    source_key: str
    size: int
    modified: datetime
    fingerprint: str
    header: tuple[str, ...]


def describe_files(batches):
    """Engine side: each file's path, size, modification time, SHA-256 and header (its bytes stay on the executor: in
    the batch's content column, or without one read from the file itself)."""
    for batch in batches:
        columns = [batch.column(c) for c in ("path", "length", "modificationTime")]
        contents = batch.column("content") if "content" in batch.schema.names else [None] * batch.num_rows
        described = [described_file(*(column[i] for column in columns), contents[i]) for i in range(batch.num_rows)]
        yield pa.RecordBatch.from_arrays(
            [*columns, pa.array([d[0] for d in described]), pa.array([d[1] for d in described], pa.list_(pa.string()))],
            names=["path", "size", "modified", "fingerprint", "header"],
        )


# Sail 0.7.2 lists a file of over a megabyte once per split, each time whole: (path, size, time) -> (when, description)
_DESCRIBED: dict[tuple, tuple[float, tuple[str, list[str]]]] = {}
DESCRIBED_SECONDS = 10.0  # long enough for one listing; a rewritten file of the same size and time is described anew after


def described_file(path, length, modified, content) -> tuple[str, list[str]]:
    """A file's SHA-256 and header, from a zero-copy view of its bytes (or, with no content, read from its path); the
    copies of one file (same path, size and time) that one listing returns are hashed once."""
    now, key = time.monotonic(), (path.as_py(), length.as_py(), modified.as_py())
    for old in [k for k, (when, _) in _DESCRIBED.items() if now - when > DESCRIBED_SECONDS]:
        del _DESCRIBED[old]
    if key not in _DESCRIBED:
        _DESCRIBED[key] = (now, read_description(local_path(key[0])) if content is None else description_of(content.as_buffer()))
    return _DESCRIBED[key][1]


def description_of(data) -> tuple[str, list[str]]:
    """A file's SHA-256 and header, from its bytes."""
    return fingerprint(data), header_of(data)


def read_description(path: str) -> tuple[str, list[str]]:
    """A local file's SHA-256 and header, read in pieces (never whole in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        first = handle.read(1 << 20)
        digest.update(first)
        while piece := handle.read(16 << 20):
            digest.update(piece)
    return digest.hexdigest(), header_of(first)


def list_raw_files(spark: SparkSession, raw_dir: str, local: bool = False) -> list[RawFile]:
    """Every CSV file under raw_dir (any depth), in path order, listed and hashed by the engine; with `local` (the
    engine's Python workers see the files: the embedded engine) a Python worker walks the folder and reads each file
    from its path: Sail 0.7.2's binaryFile reads every file whole even when only names and sizes are selected (the
    full-scale input listed in 0.58-0.65 s against 1.0-1.1 s)."""
    if local:
        roots = spark.createDataFrame([(os.path.abspath(raw_dir),)], "root string")
        return raw_files(raw_dir, roots.mapInArrow(describe_trees, LISTING).collect())
    try:
        files = spark.read.format("binaryFile").option("recursiveFileLookup", "true").option("pathGlobFilter", CSV_FILES).load(raw_dir)
        limit = bronze_lines.whole_file_limit(spark)
        # the filter on length is pushed into binaryFile: a larger file's bytes are not read
        whole = files if limit is None else files.where(F.col("length") <= limit)
        rows = whole.mapInArrow(describe_files, LISTING).collect()
        if limit is not None:
            rows += [described_by_lines(spark, *r) for r in files.where(F.col("length") > limit).select(*LISTED).collect()]
    except Exception as error:  # Spark and Sail word a missing folder differently; both mean "nothing to land"
        if re.search(r"(?i)not (exist|found)|no such file", str(error)):
            return []
        raise
    return raw_files(raw_dir, rows)


def raw_files(raw_dir: str, rows: list) -> list[RawFile]:
    """The described files in path order, each once (Sail 0.7.2 returns a file larger than about a megabyte once per
    split, each time whole)."""
    listed = {r["path"]: RawFile(source_key(raw_dir, r["path"]), r["size"], r["modified"], r["fingerprint"], tuple(r["header"]))
              for r in rows}  # fmt: skip
    return sorted(listed.values(), key=lambda f: f.source_key)


def describe_trees(batches):
    """Engine side: the CSV files under each root, described as describe_files describes them (read from their paths)."""
    for batch in batches:
        for root in batch.column("root").to_pylist():
            found = list(csv_files_under(root))
            modified = pa.array([stat.st_mtime_ns // 1000 for _, stat in found], pa.timestamp("us", tz="UTC"))
            columns = [
                pa.array([path for path, _ in found], pa.string()),
                pa.array([stat.st_size for _, stat in found], pa.int64()),
                modified,
            ]
            yield from describe_files([pa.RecordBatch.from_arrays(columns, names=list(LISTED))])


def csv_files_under(root: str):
    """(path, stat) of each CSV file under root at any depth, as Sail's binaryFile lists them: links followed, broken
    ones and names starting with "." or "_" (files or folders) left out; a missing root holds none, a folder that
    cannot be read raises (its files would otherwise be left out unseen)."""

    def unreadable(error: OSError):
        if not (isinstance(error, FileNotFoundError) and error.filename == root):
            raise error

    for folder, folders, names in os.walk(root, onerror=unreadable, followlinks=True):
        folders[:] = sorted(name for name in folders if not name.startswith((".", "_")))
        for name in sorted(names):
            if name.startswith((".", "_")) or not fnmatch.fnmatchcase(name, CSV_FILES):
                continue
            try:
                yield os.path.join(folder, name), os.stat(os.path.join(folder, name))
            except FileNotFoundError:  # a broken link
                continue


def described_by_lines(spark: SparkSession, path: str, size: int, modified: datetime) -> dict:
    """A file too large to read whole, described as describe_files does, from the lines of its splits."""
    fingerprint, first = bronze_lines.fingerprint_by_lines(spark, path)
    return {"path": path, "size": size, "modified": modified, "fingerprint": fingerprint, "header": header_of(first.encode())}


def source_key(raw_dir: str, engine_path: str) -> str:
    """A file's path under the raw dir, from the engine's name for it (file:/x, dbfs:/x, or Sail's x without its slash)."""
    return os.path.relpath(local_path(engine_path), "/" + os.path.abspath(raw_dir).lstrip("/"))


def local_path(engine_path: str) -> str:
    """The absolute path of the engine's name for a file, without its scheme."""
    return "/" + re.sub(r"^[a-zA-Z][\w+.-]*:", "", engine_path).lstrip("/")


def parse_file(fmt: SourceFormat, key: str, batches):
    """Engine side: the bronze records of one file's bytes, with the file's key for lineage."""
    for batch in batches:
        for content in batch.column("content"):
            yield from keyed_batches(parse_records(content.as_buffer(), fmt), key)  # a zero-copy view of the file's bytes


def file_records(spark: SparkSession, raw: RawFile, fmt: SourceFormat, path: str, split_bytes: int = 0, ranges: int = 0) -> DataFrame:
    """A raw file's bronze records: from split_bytes on, read in splits line by line where the engine can
    (jobs/bronze_lines.py), or parsed in `ranges` byte ranges side by side where its Python workers open the file
    themselves and every line is one record (jobs/bronze_ranges.py); else parsed whole on one of its Python workers."""
    reader, records = "whole", None
    limit = bronze_lines.whole_file_limit(spark)
    if limit is not None and (raw.size >= split_bytes or raw.size > limit):
        reader, records = "lines", bronze_lines.records(spark, path, fmt, raw.header, raw.source_key)
    elif ranges > 1 and raw.size >= split_bytes:
        reader, records = "ranges", bronze_ranges.records(spark, path, fmt, raw.source_key, ranges, bronze_schema(fmt))
    reader = reader if records is not None else "whole"
    log_event(log, "bronze file read", file=raw.source_key, format=fmt.name, reader=reader)
    return records if records is not None else whole_file_records(spark, raw, fmt, path, limit)


def whole_file_records(spark: SparkSession, raw: RawFile, fmt: SourceFormat, path: str, limit: int | None) -> DataFrame:
    """A raw file parsed whole on one of the engine's Python workers (refused when larger than the engine allows)."""
    if limit is not None and raw.size > limit:
        raise ValueError(
            f"{raw.source_key}: {raw.size:,} bytes of format {fmt.name} cannot be parsed whole on this engine (at most {limit:,}); "
            f"only a file of a single-line format ({', '.join(sorted(bronze_lines.SINGLE_LINE))}) whose every line is one record "
            "of its header's width is read in splits: split the file, or land it on the embedded engine"
        )
    # limit(1): Sail 0.7.2 returns a file larger than about a megabyte once per split, each time whole
    content = spark.read.format("binaryFile").load(path).limit(1)
    return content.mapInArrow(partial(parse_file, fmt, raw.source_key), bronze_schema(fmt))


def bronze_schema(fmt: SourceFormat) -> str:
    """The DDL of what parse_file yields for a format."""
    strings = [f"`{c}` string" for c in bronze_columns(fmt.name)]
    return ", ".join(strings + ["_record_number long", "_extra_json string", "_malformed string", "_source_file string"])


def read_raw_records(path: str, fmt: SourceFormat, chunk: int = CHUNK_RECORDS):
    """A local file's records, parsed as the engine parses them (for tests and tools that hold a local copy)."""
    with open(path, "rb") as handle:
        yield from parse_records(handle.read(), fmt, chunk)


# Bronze tables landed before 2026-12-04 carry a SHA-256 of each record (64 random hex characters a row: writing it
# doubled the time of landing 26M ratings); appends to such a table keep computing it, new tables have none.
LEGACY_HASH = "_record_hash"
WHEN_AND_BY = ("_ingested_at", "_batch_id", LEGACY_HASH)  # lineage of the landing, not of the record


def with_lineage(df: DataFrame, batch_id: str, record_hash: bool = False) -> DataFrame:
    """Add when and by which batch a record landed; with record_hash, the SHA-256 of its file, number and values."""
    out = df.withColumn("_ingested_at", F.current_timestamp()).withColumn("_batch_id", F.lit(batch_id))
    if not record_hash:
        return out
    values = [F.coalesce(F.col(c), F.lit("\u0000")) for c in df.columns if c not in ("_record_number", "_source_file")]
    key = F.concat_ws("\u001f", F.col("_source_file"), F.col("_record_number").cast("string"), *values)
    return out.withColumn(LEGACY_HASH, F.sha2(key, 256))


def record_identity(df: DataFrame) -> list[str]:
    """What a landed record is: its file, its number and every value (a changed record of a re-landed file is new)."""
    return [c for c in df.columns if c not in WHEN_AND_BY]


def ingest_file(spark: SparkSession, raw: RawFile, fmt: SourceFormat, table: str, batch_id: str, raw_dir: str, split_bytes: int = 0,
                ranges: int = 0) -> int:  # fmt: skip
    """Land one raw file, read by the engine (from split_bytes on, in splits or ranges where it can: file_records);
    returns its records.
    Appends when none of the file's records is in the table yet, otherwise inserts only the records not landed before
    (MERGE on their identity), so re-ingesting adds nothing."""
    existing = delta_io.read_if_exists(spark, table)
    landed = None if existing is None else existing.where(F.col("_source_file") == raw.source_key)
    records = file_records(spark, raw, fmt, os.path.join(os.path.abspath(raw_dir), raw.source_key), split_bytes, ranges)
    df = with_lineage(records, batch_id, existing is not None and LEGACY_HASH in existing.columns)
    if landed is None or landed.isEmpty():
        delta_io.append(df, table)
    else:
        delta_io.upsert(spark, df, table, record_identity(df), update=False)
    return delta_io.read_table(spark, table).where(F.col("_source_file") == raw.source_key).count()
