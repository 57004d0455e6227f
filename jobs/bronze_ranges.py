"""Bronze for large files whose every line is one record, on the embedded engine, whose Python workers open the raw
files themselves: the file is cut at line ends into one byte range per core. A first pass counts each range's lines
and checks that nothing makes a line anything but one record (a quote after the header, a CR not before an LF); then
each range is parsed by a worker of its own, with the parser of whole files (jobs/raw_parse.py), its records numbered
on from the lines of the ranges before it. So both ways land the same records (tests compare them with the parser of
whole files), and a file with a quoted field is parsed whole, as before.

Landing the full-scale ratings.csv (26M records) took 4.8-5.1 s in two ranges against 6.4-7.8 s whole (one worker
parses, one partition writes), docs/performance.md.
"""

import os
from functools import partial

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession

from jobs.raw_parse import keyed_batches, parse_records
from jobs.sources import SourceFormat

SCAN_BYTES = 16 << 20  # read and counted at a time
RANGES = "part int, start long, end long, lines long, plain boolean"
RANGE_SCHEMA = pa.schema([("part", pa.int32()), ("start", pa.int64()), ("end", pa.int64()), ("lines", pa.int64()), ("plain", pa.bool_())])


def records(spark: SparkSession, path: str, fmt: SourceFormat, key: str, parts: int, schema: str) -> DataFrame | None:
    """The file's bronze records (of this DDL schema) parsed in `parts` byte ranges side by side, or None when a line
    of it may not be one record (then it is parsed whole)."""
    parts_of = spark.createDataFrame([(part,) for part in range(parts)], "part int").repartition(parts)
    ranges = sorted(parts_of.mapInArrow(partial(describe_ranges, path, parts), RANGES).collect(), key=lambda r: r.part)
    if not all(r.plain for r in ranges):
        return None
    offsets = [sum(r.lines for r in ranges[:i]) for i in range(len(ranges))]
    rows = [(r.start, r.end, offset) for r, offset in zip(ranges, offsets, strict=True)]
    planned = spark.createDataFrame(rows, "start long, end long, offset long").repartition(parts)
    return planned.mapInArrow(partial(parse_ranges, fmt, key, path), schema)


def describe_ranges(path: str, parts: int, batches):
    """Engine side: for each part number, its byte range, its lines and whether each line is plainly one record."""
    for batch in batches:
        described = [describe_range(path, part, parts) for part in batch.column("part").to_pylist()]
        yield pa.RecordBatch.from_pylist(described, schema=RANGE_SCHEMA)


def describe_range(path: str, part: int, parts: int) -> dict:
    """One range of whole lines after the header: where it is, its lines, and whether they are plainly records (for
    the first range, the header's own line end must be outside quotes too)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        header = handle.readline()
        start, end = bounds(handle, size, len(header), part, parts)
        lines, plain = scan(handle, start, end)
    plain_header = header.count(b'"') % 2 == 0 and header.count(b"\r") == header.count(b"\r\n")
    return {"part": part, "start": start, "end": end, "lines": lines, "plain": plain and (part > 0 or plain_header)}


def bounds(handle, size: int, header_end: int, part: int, parts: int) -> tuple[int, int]:
    """Part `part` of `parts` of the bytes after the header, both ends moved on to the start of a line."""
    nominal = [header_end + k * (size - header_end) // parts for k in range(parts + 1)]
    start = header_end if part == 0 else line_start(handle, nominal[part], size)
    end = size if part == parts - 1 else line_start(handle, nominal[part + 1], size)
    return start, end


def line_start(handle, position: int, size: int) -> int:
    """The start of the first line that begins at or after `position` (the end of the file when none does)."""
    handle.seek(max(position - 1, 0))  # position itself starts a line when the byte before it ends one
    while chunk := handle.read(1 << 16):
        found = chunk.find(b"\n")
        if found >= 0:
            return handle.tell() - len(chunk) + found + 1
    return size


def scan(handle, start: int, end: int) -> tuple[int, bool]:
    """The line ends in [start, end), and whether each line there is plainly one record: no quote, every CR before
    an LF (a range ends after an LF, so no CR LF pair straddles two). Stops at the first quote: such a file is parsed
    whole, so its lines are not needed."""
    handle.seek(start)
    lines = crs = pairs = 0
    last = b""
    while start < end:
        chunk = handle.read(min(SCAN_BYTES, end - start))
        start += len(chunk)
        if b'"' in chunk:  # memchr: a chunk without quotes or CRs is read once more, by the line count
            return lines, False
        lines += line_ends(chunk)
        if b"\r" in chunk or last == b"\r":
            crs, pairs = crs + chunk.count(b"\r"), pairs + chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
        last = chunk[-1:]
    return lines, crs == pairs


def line_ends(chunk: bytes) -> int:
    """The LFs in a chunk, counted by numpy: 6x faster than bytes.count, and without the GIL, so the engine's Python
    workers, threads of one process, describe their ranges side by side."""
    return int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n")))


def parse_ranges(fmt: SourceFormat, key: str, path: str, batches):
    """Engine side: each planned range's records, parsed after the file's header line, numbered on from its offset."""
    for batch in batches:
        for start, end, offset in zip(*(batch.column(c).to_pylist() for c in ("start", "end", "offset")), strict=True):
            yield from keyed_batches(parse_records(range_with_header(path, start, end), fmt), key, offset)


def range_with_header(path: str, start: int, end: int) -> pa.Buffer:
    """The file's header line then the bytes of [start, end), read into one buffer (header + bytes would copy them
    again while holding the GIL)."""
    with open(path, "rb") as handle:
        header = handle.readline()
        data = bytearray(len(header) + end - start)
        data[: len(header)] = header
        handle.seek(start)
        handle.readinto(memoryview(data)[len(header) :])
    return pa.py_buffer(data)
