"""Raw CSV bytes to bronze records: what the engine's Python workers run on each landed file (no Spark in here).

Clean files are parsed by Arrow's CSV reader (fast), in one pass; from the first block with a malformed record or
bad UTF-8 on, a file goes record by record through Python's csv module, which keeps wrong-width records and marks
them. Both give the same records (tests compare them on every generated and real file). Columns are named by
jobs.sources.canonical_names, whatever the case or quoting of the file's header. SongCSV.csv lines whose quoting the
MSD converter broke are repaired first.
"""

import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.csv as pacsv

from jobs.sources import FORMATS, SourceFormat, canonical_names

EXTRA_COLUMNS = ["_extra_json", "_malformed"]
# A file's bytes: bytes, or a zero-copy pyarrow Buffer of the engine's content column (a file is read into memory once)
Bytes = bytes | pa.Buffer
CHUNK_RECORDS = 1_000_000
OUTPUT_ROWS = 65_536  # rows per batch handed to the engine, which buffers 16 batches of a Python worker's output
# Arrow's CSV block: with 32 MiB blocks landing 26M ratings peaked at 3.5 GiB, with 8 MiB at 2.7 (and ran 0.6 s faster);
# a record longer than a block makes Arrow fail, and the file is then parsed by the csv module.
BLOCK_BYTES = 8 << 20


def bronze_columns(fmt_name: str) -> list[str]:
    """The data columns of a bronze table: the first declared header of its format."""
    return list(next(f.required for f in FORMATS if f.name == fmt_name))


def header_of(data: Bytes) -> list[str]:
    """The first CSV record of a file's bytes (read from its first MiB: a header is never longer)."""
    return next(csv.reader(io.StringIO(bytes(memoryview(data)[: 1 << 20]).decode("utf-8", errors="replace"), newline="")), [])


def fingerprint(data: Bytes) -> str:
    """SHA-256 of a file's bytes: a file already landed with this fingerprint is skipped."""
    return hashlib.sha256(data).hexdigest()


def parse_records(data: Bytes, fmt: SourceFormat, chunk: int = CHUNK_RECORDS) -> Iterator[pa.Table]:
    """A file's records as string columns plus record number, in chunks: Arrow's, block by block, while the file is
    clean (every record of the header's width, valid UTF-8, no extra columns); from the first block Arrow rejects,
    Python's csv module record by record, numbering on from the records already given (CSV is read left to right,
    so a clean prefix is the same records in both)."""
    header, given = header_of(data), 0
    if len(header) == len(fmt.required):
        try:
            for table in _read_with_arrow(repair_quoting(data, fmt), fmt, header, chunk):
                yield table
                given += table.num_rows
            return
        except (pa.ArrowInvalid, UnicodeDecodeError):
            pass  # a block with a malformed record or bad bytes: the rest goes record by record
    yield from _read_with_csv_module(data, fmt, chunk, skip=given)  # repairs the quoting itself


def keyed_batches(tables: Iterator[pa.Table], key: str, offset: int = 0) -> Iterator[pa.RecordBatch]:
    """Parsed records as the engine takes them: with the file's key for lineage, numbered on from `offset`."""
    # each chunk's key column is a slice of one array (a list of the key per record: 3.5 s for 26M records)
    keys = pa.repeat(pa.scalar(key, pa.string()), CHUNK_RECORDS)
    for table in tables:
        if offset:
            numbers = pa.compute.add(table.column("_record_number"), pa.scalar(offset, pa.int64()))
            table = table.set_column(table.schema.get_field_index("_record_number"), "_record_number", numbers)
        yield from table.append_column("_source_file", keys.slice(0, table.num_rows)).to_batches(max_chunksize=OUTPUT_ROWS)


def _arrow_reader(data: Bytes, width: int):
    """A streaming Arrow CSV reader: every column a string, quoted newlines and bare CRs kept, invalid rows raise.
    The header row is skipped, not parsed: columns are named by position, as a header's quotes, BOM or case vary."""
    names = [f"c{i}" for i in range(width)]
    return pacsv.open_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )


def _read_with_arrow(data: Bytes, fmt: SourceFormat, header: list[str], chunk: int) -> Iterator[pa.Table]:
    """Chunks from Arrow's parser, renamed to the bronze columns, numbered from 1."""
    names = canonical_names(fmt, header)
    offset = 1
    for batch in _arrow_reader(data, len(header)):
        table = pa.Table.from_batches([batch]).rename_columns(names)
        for start in range(0, table.num_rows, chunk):
            part = table.slice(start, chunk)
            numbers = pa.array(np.arange(offset, offset + part.num_rows, dtype=np.int64))  # from a range: 5x slower
            nulls = pa.nulls(part.num_rows, type=pa.string())
            yield (
                part.select(bronze_columns(fmt.name))
                .append_column("_record_number", numbers)
                .append_column("_extra_json", nulls)
                .append_column("_malformed", nulls)
            )
            offset += part.num_rows


def _read_with_csv_module(data: Bytes, fmt: SourceFormat, chunk: int, skip: int = 0) -> Iterator[pa.Table]:
    """Record by record with Python's csv module: wrong-width records are kept and marked, bad bytes replaced; the
    first `skip` records (given already) are read past."""
    columns = bronze_columns(fmt.name)
    reader = csv.reader(io.StringIO(bytes(repair_quoting(data, fmt)).decode("utf-8", errors="replace"), newline=""))
    header = canonical_names(fmt, next(reader))
    index = {name: header.index(name) for name in columns}
    extras = [i for i, h in enumerate(header) if h not in columns]
    records = _empty(columns)
    for number, record in enumerate(itertools.islice(reader, skip, None), start=skip + 1):
        _append_record(records, record, header, index, extras, number)
        if len(records["_record_number"]) >= chunk:
            yield _to_arrow(records)
            records = _empty(columns)
    if records["_record_number"]:
        yield _to_arrow(records)


def _empty(columns: list[str]) -> dict[str, list]:
    """Column lists for one chunk."""
    return {c: [] for c in columns + ["_record_number"] + EXTRA_COLUMNS}


def _to_arrow(records: dict[str, list]) -> pa.Table:
    """A chunk as an Arrow table of strings (record number as int64)."""
    return pa.table({k: pa.array(v, type=pa.int64() if k == "_record_number" else pa.string()) for k, v in records.items()})


def _append_record(records: dict, record: list, header: list, index: dict, extras: list, number: int) -> None:
    """Add one CSV record; a record of the wrong width is kept and marked malformed."""
    for name, i in index.items():
        records[name].append(record[i] if i < len(record) else None)
    extra = {header[i]: record[i] for i in extras if i < len(record)}
    records["_extra_json"].append(json.dumps(extra, ensure_ascii=False) if extra else None)
    records["_record_number"].append(number)
    bad = len(record) != len(header)
    records["_malformed"].append(f"expected {len(header)} fields, found {len(record)}" if bad else None)


# Formats written by msdHDF5toCSV.py, which puts every string in double quotes and escapes nothing inside.
CONVERTER_QUOTED = frozenset({"msd_songs_csv"})
# A quote inside a field (not next to a delimiter or a line end): where the converter's quoting may be broken.
_INNER_QUOTE = re.compile(rb'[^,\r\n]"[^,\r\n]')
_CONVERTER_FIELD = re.compile(
    r"""
    "(?P<bytes>b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*")"(?=,|$)  # a Python 3 bytes repr in the converter's quotes
    | "(?P<quoted>.*?)"(?=,|$)                                   # a value in its quotes, inner quotes unescaped
    | (?P<bare>[^,"]*)(?=,|$)                                    # an unquoted value (numbers, empty)
    """,
    re.VERBOSE,
)


def repair_quoting(data: Bytes, fmt: SourceFormat) -> Bytes:
    """A converter-written file with each line whose quoting is broken (`"b"Don't Worry Lady""`, `"12" Mix"`)
    rewritten as proper CSV; every other line, and every other format, untouched."""
    if fmt.name not in CONVERTER_QUOTED:
        return data
    data = bytes(data)
    if not _INNER_QUOTE.search(data):
        return data
    width = len(header_of(data))
    lines = data.splitlines(keepends=True)
    return lines[0] + b"".join(_repaired_line(line, width) if _INNER_QUOTE.search(line) else line for line in lines[1:])


def _repaired_line(line: bytes, width: int) -> bytes:
    """One line as proper CSV when strict CSV rejects it and the converter's layout explains it in `width` fields."""
    text = line.decode("utf-8", errors="surrogateescape")  # invalid bytes pass through unchanged
    body = text.rstrip("\r\n")
    try:
        if len(next(csv.reader([body], strict=True))) == width:
            return line
    except csv.Error:
        pass
    fields = _converter_fields(body)
    if fields is None or len(fields) != width:
        return line  # not the converter's layout (a record spanning lines, a wrong width): leave it to the parsers
    out = io.StringIO()
    csv.writer(out, lineterminator=text[len(body) :]).writerow(fields)
    return out.getvalue().encode("utf-8", errors="surrogateescape")


def _converter_fields(body: str) -> list[str] | None:
    """The fields of one line as the converter wrote them: a quoted value ends at the quote before a comma or the
    line end, a bytes repr at its own closing quote (its quotes may be escaped); None when the line is not so made."""
    fields, pos = [], 0
    while True:
        match = _CONVERTER_FIELD.match(body, pos)
        if match is None:
            return None
        fields.append(next(v for v in match.group("bytes", "quoted", "bare") if v is not None))
        if match.end() == len(body):
            return fields
        pos = match.end() + 1  # past the comma
