"""Bronze of large files parsed in byte ranges side by side by the embedded engine's Python workers
(jobs/bronze_ranges.py), on the test run's Sail server: the same records, numbered alike, as the parser of whole files;
a file in which a line may not be one record is parsed whole instead."""

import csv
import logging
import os

import pytest

from jobs import bronze, bronze_ranges
from jobs.sources import detect_format
from tests.conftest import REAL_DATA
from tests.test_bronze_lines import HEADER, MESSY, TRICKY, client_records, ratings


def ranged(spark, path: str, parts: int) -> list[dict] | None:
    """The file's records parsed in `parts` ranges, in record order; None when it must be parsed whole."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        fmt = detect_format(next(csv.reader(handle)))
    records = bronze_ranges.records(spark, path, fmt, os.path.basename(path), parts, bronze.bronze_schema(fmt))
    return None if records is None else [r.asDict() for r in records.orderBy("_record_number").collect()]


def write(folder, name: str, text: str) -> str:
    """A raw file of this text (lone surrogates written as the bad bytes they stand for)."""
    path = folder / name
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return str(path)


PLAIN = {  # every line plainly one record, whatever else is odd about it: parsed in ranges
    "clean.csv": HEADER + ratings(5_000),
    "crlf.csv": (HEADER + ratings(3_000)).replace("\n", "\r\n"),
    "quoted_header.csv": '\ufeff"userId","movieId","rating","timestamp"\n' + ratings(2_000),
    "no_last_line_end.csv": HEADER + ratings(2_000).rstrip("\n"),
    "fewer_lines_than_ranges.csv": HEADER + ratings(2),
    "header_only.csv": HEADER,
    **{f"{name}.csv": HEADER + ratings(1_000) + line + ratings(1_000) for name, line in MESSY.items() if '"' not in line},
}
NOT_PLAIN = {  # a quote or a lone CR after the header: a line may be part of a record, or two; parsed whole
    "tricky.csv": HEADER + "\n".join(TRICKY) + "\n",
    "quote_spans_lines.csv": HEADER + ratings(1_000) + MESSY["quote_spans_lines"] + ratings(1_000),
    "bare_quote.csv": HEADER + ratings(1_000) + MESSY["bare_quote"],
    "lone_cr.csv": HEADER + ratings(1_000) + "7,1,2,3\r8,1,2,3\n" + ratings(10),
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_a_file_whose_lines_are_records_gives_in_ranges_the_records_the_whole_file_gives(spark, tmp_path, name):
    path = write(tmp_path, name, PLAIN[name])
    for parts in (2, 3, 7):
        assert ranged(spark, path, parts) == client_records(path), f"{name} in {parts} ranges"


@pytest.mark.parametrize("name", sorted(NOT_PLAIN))
def test_a_file_with_a_line_that_may_not_be_one_record_is_parsed_whole(spark, tmp_path, name):
    assert ranged(spark, write(tmp_path, name, NOT_PLAIN[name]), 3) is None


def test_a_header_whose_line_end_is_inside_quotes_makes_the_first_range_not_plain(tmp_path):
    path = write(tmp_path, "h.csv", '"user\nId",movieId,rating,timestamp\n' + ratings(10))
    assert [bronze_ranges.describe_range(path, part, 2)["plain"] for part in (0, 1)] == [False, True]


def test_ranges_are_whole_lines_that_cover_the_file_once(tmp_path):
    path = write(tmp_path, "r.csv", HEADER + "".join(f"{i},{'x' * (i % 37)},3,4\n" for i in range(500)))
    described = [bronze_ranges.describe_range(path, part, 6) for part in range(6)]
    assert described[0]["start"] == len(HEADER) and described[-1]["end"] == os.path.getsize(path)
    assert all(a["end"] == b["start"] for a, b in zip(described, described[1:], strict=False))
    data = open(path, "rb").read()
    assert all(data[r["start"] - 1 : r["start"]] == b"\n" for r in described)
    assert sum(r["lines"] for r in described) == 500


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_a_range_read_in_chunks_counts_its_lines_and_sees_cr_lf_pairs_and_lone_crs_across_chunk_ends(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(bronze_ranges, "SCAN_BYTES", chunk)
    files = {"crlf": (b"1,2,3,4\r\n" * 50, (50, True)), "lf": (b"1,2,3,4\n" * 50, (50, True)),
             "lone_cr": (b"1,2,3,4\r\n" * 20 + b"1,2\r3,4\n" + b"1,2,3,4\n" * 5, (26, False)),
             "cr_before_lf_at_end": (b"1,2,3,4\n" * 5 + b"1,2,3,4\r", (5, False))}  # fmt: skip
    for name, (body, expected) in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(body)
        with open(path, "rb") as handle:
            assert bronze_ranges.scan(handle, 0, len(body)) == expected, f"{name} in chunks of {chunk}"


def test_a_quote_in_a_range_makes_it_not_plain_wherever_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(bronze_ranges, "SCAN_BYTES", 64)
    for where in (0, 100, 9_000):
        body = bytearray(b"1,2,3,4\n" * 1_200)
        body[where + 2] = ord('"')
        path = tmp_path / f"q{where}.csv"
        path.write_bytes(bytes(body))
        with open(path, "rb") as handle:
            assert bronze_ranges.scan(handle, 0, len(body))[1] is False, f"a quote at byte {where + 2}"


def test_the_pipeline_lands_a_large_plain_file_in_ranges_and_a_quoted_one_whole(spark, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="medialake.etl")
    write(tmp_path, "big.csv", HEADER + ratings(20_000))
    write(tmp_path, "quoted.csv", HEADER + ratings(20_000) + '7,"1",2,3\n')
    write(tmp_path, "small.csv", HEADER + ratings(10))
    for raw in bronze.list_raw_files(spark, str(tmp_path)):
        table, fmt = str(tmp_path / "lake" / raw.source_key), detect_format(list(raw.header))
        landed = bronze.ingest_file(spark, raw, fmt, table, "b", str(tmp_path), split_bytes=100_000, ranges=2)
        assert landed == len(client_records(str(tmp_path / raw.source_key)))
    readers = {r.fields["file"]: r.fields["reader"] for r in caplog.records if r.msg == "bronze file read"}
    assert readers == {"big.csv": "ranges", "quoted.csv": "whole", "small.csv": "whole"}


@pytest.mark.skipif(not os.path.isdir(REAL_DATA), reason="the real datasets are not on this machine")
def test_every_real_file_gives_in_ranges_what_it_gives_whole_or_is_parsed_whole(spark):
    paths = sorted(os.path.join(folder, name) for folder, _, names in os.walk(REAL_DATA) for name in names if name.endswith(".csv"))
    readers = {}
    for path in paths:
        records = ranged(spark, path, 3)
        readers[os.path.relpath(path, REAL_DATA)] = "whole" if records is None else "ranges"
        assert records is None or records == client_records(path), path
    assert "ranges" in readers.values(), readers
    assert bronze.list_raw_files(spark, REAL_DATA, local=True) == bronze.list_raw_files(spark, REAL_DATA)


def test_files_listed_from_their_paths_are_described_as_from_their_bytes(spark, tiny_raw):
    """The embedded engine's Python workers hash and read the header of each file from its path: the same listing."""
    from_paths = bronze.list_raw_files(spark, tiny_raw, local=True)
    assert from_paths == bronze.list_raw_files(spark, tiny_raw) and len(from_paths) > 10


def test_the_files_found_from_their_paths_are_those_the_engine_lists(spark, tmp_path):
    """The embedded engine's workers walk the raw folder themselves, and find what Sail's binaryFile finds: CSV names in
    any case at any depth, links followed (broken ones left out), names starting with "." or "_" left out."""
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    for name in ["a.csv", "B.CSV", "c.Csv", "sp ace.csv", "ü.csv", "notes.txt", ".hidden.csv", "_private.csv",
                 "sub/d.csv", "sub/.cache/e.csv", "_staging/f.csv", "deep/er/g.csv"]:  # fmt: skip
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text("userId,movieId,rating,timestamp\n1,2,3.5,4\n")
    (elsewhere / "in").mkdir(parents=True)
    (elsewhere / "in" / "t.csv").write_text("userId,movieId,rating,timestamp\n")
    (raw / "linked").symlink_to(elsewhere / "in")
    (raw / "sub" / "link.csv").symlink_to(raw / "a.csv")
    (raw / "broken.csv").symlink_to(tmp_path / "gone.csv")
    from_paths = bronze.list_raw_files(spark, str(raw), local=True)
    assert from_paths == bronze.list_raw_files(spark, str(raw))
    expected = ["B.CSV", "a.csv", "c.Csv", "deep/er/g.csv", "linked/t.csv", "sp ace.csv", "sub/d.csv", "sub/link.csv", "ü.csv"]
    assert [f.source_key for f in from_paths] == expected
    assert bronze.list_raw_files(spark, str(tmp_path / "nowhere"), local=True) == []


def test_a_raw_folder_that_cannot_be_read_fails_the_listing_by_name(spark, tmp_path, monkeypatch):
    """A walk that skipped an unreadable folder would leave its files out unseen (tests run as root, which reads
    everything: the refusal is the operating system's answer, given by os.scandir)."""
    locked = tmp_path / "raw" / "locked"
    locked.mkdir(parents=True)
    (locked / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,2,3.5,4\n")
    real_scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(Exception, match="Permission denied.*locked"):
        bronze.list_raw_files(spark, str(tmp_path / "raw"), local=True)
