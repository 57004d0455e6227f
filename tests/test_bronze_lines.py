"""Bronze of single-line formats read in splits by the engine's text reader and Spark's CSV parser (jobs/bronze_lines.py)
on the test session's real Spark cluster: the same records as the client parser, numbered across many splits; a file
with a line the parsers could read differently is parsed whole instead, with the same result."""

import logging

import pytest

from jobs import bronze, bronze_lines
from jobs.engine import cluster
from jobs.engine.processes import client
from jobs.sources import detect_format

HEADER = "userId,movieId,rating,timestamp\n"
TRICKY = [  # values every parser must read alike: quotes doubled, commas quoted, backslashes, spaces, empties, non-ASCII
    '1,"""",2,3', '2,"a,""b""",,"4"', '3," x ", y ,\\N', '4,a\\b,"c\\",', '5,é😀,"",NaN', "6,#c,null,'q'",
]  # fmt: skip
MESSY = {  # a line each that is not plainly one record of the header's width (narrow, wide and quote_spans_lines would land
    # other records by lines; the others are sent whole to be safe)
    "blank": "7,1,2,3\n\n8,1,2,3\n",
    "narrow": "7,1,2\n",
    "wide": "7,1,2,3,4\n",
    "quote_spans_lines": '7,"a\nb",2,3\n',
    "bad_utf8": "7,\udcff,2,3\n",
    "nul": "7,a\x00b,2,3\n",
    "bare_quote": '7,a"b,2,3\n',
}


@pytest.fixture(scope="module")
def session(spark, jvm_cluster):
    """A session on the cluster that cuts files into 64 KiB splits, so a file of a few MB is read by many tasks (the
    test run's Sail session puts pyspark in Connect mode, in which pyspark.sql.functions build Connect columns)."""
    on_cluster = client(cluster.connect_url(jvm_cluster))
    on_cluster.conf.set("spark.sql.files.maxPartitionBytes", str(64 << 10))
    yield on_cluster
    on_cluster.stop()


def ratings(count: int) -> str:
    """Clean rating lines."""
    return "".join(f"{i % 600},{i % 9000},{1 + i % 9 / 2},{964982703 + i}\n" for i in range(count))


def landed(spark, raw_dir: str) -> dict[str, tuple[str, list[dict]]]:
    """Each listed file's reader (lines or whole) and the records it gives, in record order."""
    out = {}
    for raw in bronze.list_raw_files(spark, raw_dir):
        fmt, path = detect_format(list(raw.header)), f"{raw_dir}/{raw.source_key}"
        reader = "whole" if bronze_lines.records(spark, path, fmt, raw.header, raw.source_key) is None else "lines"
        rows = [r.asDict() for r in bronze.file_records(spark, raw, fmt, path).orderBy("_record_number").collect()]
        out[raw.source_key] = (reader, rows)
    return out


def client_records(path: str) -> list[dict]:
    """What the client parser reads from the file, with its key."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        fmt = detect_format(handle.readline().strip().split(","))
    key = path.rsplit("/", 1)[1]
    return [row | {"_source_file": key} for part in bronze.read_raw_records(path, fmt) for row in part.to_pylist()]


def test_clean_files_are_read_in_splits_and_messy_ones_whole_with_the_client_parsers_records(session, tmp_path):
    files = {"many_splits.csv": HEADER + ratings(120_000), "tricky.csv": '\ufeff"userId",movieId,rating,timestamp\r\n'}
    files["tricky.csv"] += "\r\n".join(TRICKY) + "\r\n"
    files |= {f"{name}.csv": HEADER + ratings(50) + line + ratings(5) for name, line in MESSY.items()}
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode("utf-8", errors="surrogateescape"))
    assert (tmp_path / "many_splits.csv").stat().st_size > 30 * (64 << 10)
    result = landed(session, str(tmp_path))
    assert {name: reader for name, (reader, _) in result.items()} == {
        name: "lines" if name in ("many_splits.csv", "tricky.csv") else "whole" for name in files
    }
    for name, (_, rows) in result.items():
        assert rows == client_records(str(tmp_path / name)), name
    assert [r["_record_number"] for r in result["many_splits.csv"][1]] == list(range(1, 120_001))


def test_a_file_too_large_to_read_whole_is_listed_fingerprinted_and_landed_in_splits(session, tmp_path, monkeypatch):
    monkeypatch.setattr(bronze_lines, "WHOLE_FILE_BYTES", 64 << 10)
    for folder, lines in (("a", ratings(40_000)), ("b", ratings(40_000).replace("964982703", "964982704", 1))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "big.csv").write_text('"userId",movieId,rating,timestamp\n' + lines)
        (tmp_path / folder / "small.csv").write_text(HEADER + ratings(10))
    listed = {(folder, raw.source_key): raw for folder in "ab" for raw in bronze.list_raw_files(session, str(tmp_path / folder))}
    assert {key: raw.header for key, raw in listed.items()} == dict.fromkeys(listed, ("userId", "movieId", "rating", "timestamp"))
    assert listed["a", "big.csv"].fingerprint.startswith("lines:40001:") and len(listed["a", "small.csv"].fingerprint) == 64
    assert listed["a", "big.csv"].fingerprint != listed["b", "big.csv"].fingerprint, "one changed value changes it"
    assert bronze.list_raw_files(session, str(tmp_path / "a"))[0] == listed["a", "big.csv"], "and it is stable"
    assert landed(session, str(tmp_path / "a"))["big.csv"] == ("lines", client_records(str(tmp_path / "a" / "big.csv")))


def test_a_file_too_large_to_read_whole_with_a_line_of_the_wrong_width_is_refused_by_name(session, tmp_path, monkeypatch):
    monkeypatch.setattr(bronze_lines, "WHOLE_FILE_BYTES", 64 << 10)
    (tmp_path / "big.csv").write_text(HEADER + ratings(20_000) + "1,2,3,4,5\n")
    [raw] = bronze.list_raw_files(session, str(tmp_path))
    with pytest.raises(ValueError, match=r"big\.csv: 4\d\d,\d\d\d bytes of format ratings cannot be parsed whole on this engine"):
        bronze.file_records(session, raw, detect_format(list(raw.header)), str(tmp_path / "big.csv"))


def test_a_file_under_the_split_read_size_is_parsed_whole_and_one_over_it_read_in_splits(session, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="medialake.etl")
    (tmp_path / "small.csv").write_text(HEADER + ratings(10))
    (tmp_path / "big.csv").write_text(HEADER + ratings(60_000))
    for raw in bronze.list_raw_files(session, str(tmp_path)):
        bronze.file_records(session, raw, detect_format(list(raw.header)), f"{tmp_path}/{raw.source_key}", split_bytes=1 << 20)
    readers = {r.fields["file"]: r.fields["reader"] for r in caplog.records if r.msg == "bronze file read"}
    assert readers == {"small.csv": "whole", "big.csv": "lines"}
