"""Bronze: every raw row landed as strings with its lineage; re-ingesting a file adds nothing."""

import csv
import hashlib
import json
import os
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import delta_io
from jobs.sources import FORMATS, SourceFormat, read_header

EXTRA_COLUMNS = ["_extra_json", "_malformed"]


def bronze_columns(fmt_name: str) -> list[str]:
    """The data columns of a bronze table: the first declared header of its format."""
    return list(next(f.required for f in FORMATS if f.name == fmt_name))


CHUNK_RECORDS = 1_000_000


def read_raw_records(path: str, fmt: SourceFormat, chunk: int = CHUNK_RECORDS) -> Iterator[pa.Table]:
    """Parse a CSV file into string columns plus record number, in chunks: Arrow's parser when the file is clean
    (every record of the header's width, valid UTF-8, no extra columns), else Python's csv module record by record."""
    header = read_header(path)
    if len(header) == len(fmt.required) and _arrow_parses_cleanly(path, header):
        yield from _read_with_arrow(path, fmt, header, chunk)
    else:
        yield from _read_with_csv_module(path, fmt, chunk)


def _arrow_reader(path: str, header: list[str]):
    """A streaming Arrow CSV reader: every column a string, quoted newlines and bare CRs kept, invalid rows raise."""
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=32 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header}, strings_can_be_null=False),
    )


def _arrow_parses_cleanly(path: str, header: list[str]) -> bool:
    """One fast pass: does Arrow parse every record without an error?"""
    try:
        for _ in _arrow_reader(path, header):
            pass
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    return True


def _read_with_arrow(path: str, fmt: SourceFormat, header: list[str], chunk: int) -> Iterator[pa.Table]:
    """Chunks from Arrow's parser, renamed to the bronze columns, numbered from 1."""
    clean = [h.strip().lstrip("\ufeff") for h in header]
    names = dict(zip(fmt.required, bronze_columns(fmt.name), strict=True))
    offset = 1
    for batch in _arrow_reader(path, header):
        table = pa.Table.from_batches([batch]).rename_columns([names[h] for h in clean])
        for start in range(0, table.num_rows, chunk):
            part = table.slice(start, chunk)
            numbers = pa.array(range(offset, offset + part.num_rows), type=pa.int64())
            nulls = pa.nulls(part.num_rows, type=pa.string())
            yield (
                part.select(bronze_columns(fmt.name))
                .append_column("_record_number", numbers)
                .append_column("_extra_json", nulls)
                .append_column("_malformed", nulls)
            )
            offset += part.num_rows


def _read_with_csv_module(path: str, fmt: SourceFormat, chunk: int) -> Iterator[pa.Table]:
    """Record by record with Python's csv module: wrong-width records are kept and marked, bad bytes replaced."""
    columns = bronze_columns(fmt.name)
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        index = {name: header.index(req) for name, req in zip(columns, fmt.required, strict=True)}
        extras = [i for i, h in enumerate(header) if h not in fmt.required]
        data = _empty(columns)
        for number, record in enumerate(reader, start=1):
            _append_record(data, record, header, index, extras, number)
            if len(data["_record_number"]) >= chunk:
                yield _to_arrow(data)
                data = _empty(columns)
        if data["_record_number"]:
            yield _to_arrow(data)


def _empty(columns: list[str]) -> dict[str, list]:
    """Column lists for one chunk."""
    return {c: [] for c in columns + ["_record_number"] + EXTRA_COLUMNS}


def _to_arrow(data: dict[str, list]) -> pa.Table:
    """A chunk as an Arrow table of strings (record number as int64)."""
    return pa.table({k: pa.array(v, type=pa.int64() if k == "_record_number" else pa.string()) for k, v in data.items()})


def _append_record(data: dict, record: list, header: list, index: dict, extras: list, number: int) -> None:
    """Add one CSV record; a record of the wrong width is kept and marked malformed."""
    for name, i in index.items():
        data[name].append(record[i] if i < len(record) else None)
    extra = {header[i]: record[i] for i in extras if i < len(record)}
    data["_extra_json"].append(json.dumps(extra, ensure_ascii=False) if extra else None)
    data["_record_number"].append(number)
    bad = len(record) != len(header)
    data["_malformed"].append(f"expected {len(header)} fields, found {len(record)}" if bad else None)


def with_lineage(df: DataFrame, source_key: str, batch_id: str) -> DataFrame:
    """Add lineage columns; the hash covers the file's path under the raw dir, the record number and every value."""
    values = [F.coalesce(F.col(c), F.lit("\u0000")) for c in df.columns if c != "_record_number"]
    key = F.concat_ws("\u001f", F.lit(source_key), F.col("_record_number").cast("string"), *values)
    return (
        df.withColumn("_source_file", F.lit(source_key))
        .withColumn("_ingested_at", F.current_timestamp())
        .withColumn("_batch_id", F.lit(batch_id))
        .withColumn("_record_hash", F.sha2(key, 256))
    )


def ingest_file(spark: SparkSession, path: str, fmt: SourceFormat, table: str, batch_id: str, raw_dir: str) -> int:
    """Land one raw file; returns records read. Appends when none of the file's records is in the table yet,
    otherwise inserts only the records whose hash is new (MERGE), so re-ingesting adds nothing."""
    source_key = os.path.relpath(path, raw_dir)
    fresh = not delta_io.table_exists(table) or delta_io.read_table(spark, table).where(F.col("_source_file") == source_key).isEmpty()
    rows = 0
    for records in read_raw_records(path, fmt):
        df = with_lineage(spark.createDataFrame(records), source_key, batch_id)
        if fresh:
            delta_io.append(df, table)
        else:
            delta_io.upsert(spark, df, table, ["_record_hash"], update=False)
        rows += records.num_rows
    return rows


def file_fingerprint(path: str) -> str:
    """SHA-256 of a file's bytes: a file already landed with this fingerprint is skipped."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()
