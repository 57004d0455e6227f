"""Bronze read by the engine: the client lists and opens no raw file, and lands what the client-side parsers read."""

import builtins
import dataclasses
import logging
import os
import traceback

import pytest
from pyspark.errors.exceptions.connect import SparkConnectException

from jobs import bronze, pipeline
from jobs.pipeline import RunSummary, land_bronze
from tests.bronze_checks import mismatches
from tests.conftest import settings_for


def test_every_generated_file_lands_exactly_what_the_client_parsers_read(gold_lakehouse, tiny_raw):
    assert mismatches(gold_lakehouse, tiny_raw) == []


@pytest.mark.parametrize(
    ("engine_path", "key"),
    [
        ("tmp/raw/movielens/ratings.csv", "movielens/ratings.csv"),  # Sail drops the leading slash
        ("file:/tmp/raw/movielens/ratings.csv", "movielens/ratings.csv"),  # Apache Spark
        ("file:///tmp/raw/fred/cpi.csv", "fred/cpi.csv"),
        ("dbfs:/tmp/raw/a b/ü.csv", "a b/ü.csv"),  # Databricks
    ],
)
def test_a_files_key_is_its_path_under_the_raw_dir_whatever_the_engine_calls_it(engine_path, key):
    assert bronze.source_key("/tmp/raw", engine_path) == key


def opened_by_the_engine() -> bool:
    """Whether this call comes from one of the engine's Python workers (the embedded engine runs them in this process)."""
    return any(frame.filename.endswith(os.path.join("pyspark", "worker.py")) for frame in traceback.extract_stack())


def test_the_client_opens_no_raw_file(spark, tiny_raw, tmp_path, monkeypatch, caplog):
    """Only the engine reads raw files: on the embedded engine its Python workers (in this process) open them from
    their paths to list them and, from split_read_bytes on, to parse them in ranges; the client code never does."""
    real_open, raw, opened = builtins.open, os.path.realpath(tiny_raw), []

    def guarded(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and os.path.realpath(os.fspath(file)).startswith(raw):
            if not opened_by_the_engine():
                raise AssertionError(f"the client opened a raw file: {file}")
            opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    caplog.set_level(logging.INFO, logger="medialake.etl")
    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(pipeline, "RANGE_BYTES", 1)  # every file of split_read_bytes or more in ranges
    summary = RunSummary("test")
    settings = dataclasses.replace(settings_for(tiny_raw, str(tmp_path / "lakehouse")), split_read_bytes=1)
    sources = land_bronze(spark, settings, "b1", summary)
    assert {"ratings", "spotify_songs", "cpi"} <= set(sources) and all(t.rows_written > 0 for t in summary.tables)
    assert any(path.endswith("ratings.csv") for path in opened), "the engine's workers read the files from their paths"
    assert "ranges" in {r.fields["reader"] for r in caplog.records if r.msg == "bronze file read"}


def test_a_missing_raw_dir_says_so(spark, tmp_path):
    with pytest.raises(FileNotFoundError, match="no raw CSV files under"):
        land_bronze(spark, settings_for(str(tmp_path / "nowhere"), str(tmp_path / "lakehouse")), "b1", RunSummary("test"))


def ratings_lines(count: int, start: int = 0) -> list[str]:
    """Clean MovieLens rating lines."""
    return [f"{i % 600},{i % 9000},{1 + i % 9 / 2},{964982703 + i}\n" for i in range(start, start + count)]


def test_a_file_of_several_megabytes_lands_once(spark, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ratings.csv").write_text("userId,movieId,rating,timestamp\n" + "".join(ratings_lines(150_000)))
    assert (raw / "ratings.csv").stat().st_size > 3_000_000
    summary = RunSummary("test")
    land_bronze(spark, settings_for(str(raw), str(tmp_path / "lakehouse")), "b1", summary)
    assert [(t.table, t.rows_written) for t in summary.tables] == [("bronze.ratings <- ratings.csv", 150_000)]
    assert [f.source_key for f in bronze.list_raw_files(spark, str(raw))] == ["ratings.csv"]


@pytest.mark.parametrize("bad", ["1,2,3\n", "1,2,3,4,5\n", "1,\xff\xfe,3,4\n", '1,"2\n3",3,4\n'])
def test_a_malformed_record_after_clean_blocks_gives_the_csv_modules_records(monkeypatch, bad):
    """Arrow gives the clean blocks before the first malformed record; the csv module gives the rest, numbered on:
    together exactly the csv module's records of the whole file, markers included."""
    from jobs import raw_parse
    from jobs.sources import FORMATS

    monkeypatch.setattr(raw_parse, "BLOCK_BYTES", 4096)
    fmt = next(f for f in FORMATS if f.name == "ratings")
    text = "userId,movieId,rating,timestamp\n" + "".join(ratings_lines(2000)) + bad + "".join(ratings_lines(50, 2000))
    data = text.encode("latin-1")  # "\xff\xfe" as the two bytes that are not UTF-8
    arrow_blocks = sum(t.num_rows for t in raw_parse._read_with_arrow(data[: len(data) // 2], fmt, raw_parse.header_of(data), 500))
    assert arrow_blocks > 0, "the first half parses cleanly"
    chunks = list(raw_parse.parse_records(data, fmt, chunk=500))
    exact = list(raw_parse._read_with_csv_module(data, fmt, 500))
    assert sum(c.num_rows for c in chunks) == sum(c.num_rows for c in exact)
    assert [r for c in chunks for r in c.to_pylist()] == [r for c in exact for r in c.to_pylist()]
    numbers = [n for c in chunks for n in c.column("_record_number").to_pylist()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(chunks) > len(exact), "the clean blocks came from Arrow, in blocks smaller than a chunk"


def test_embedded_sail_reads_each_raw_file_once_on_a_server_of_its_own(spark, tmp_path):
    """Sail 0.7.2 reads a file of over a megabyte once per split; bronze reads on a one-partition server, stopped after."""
    from jobs.spark import whole_file_session

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ratings.csv").write_text("userId,movieId,rating,timestamp\n" + "".join(ratings_lines(150_000)))
    settings = settings_for(str(raw), str(tmp_path / "lakehouse"))
    with whole_file_session(spark, settings) as reader:
        assert reader is not spark
        assert reader.read.format("binaryFile").load(str(raw)).select("path").count() == 1
    with pytest.raises(SparkConnectException, match="NO_ACTIVE_SESSION"):
        reader.range(1).collect()  # stopped after the block, with its server
    assert spark.range(3).count() == 3, "the jobs' own session is untouched"
    with whole_file_session(spark, dataclasses.replace(settings, engine="remote", spark_remote="sc://elsewhere")) as reader:
        assert reader is spark, "other engines read a file once: the same session"


def test_on_sail_whose_from_csv_fails_on_a_quoted_comma_a_clean_ratings_file_is_parsed_whole(spark, tmp_path):
    from jobs import bronze_lines
    from jobs.sources import detect_format

    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n" + "".join(ratings_lines(10)))
    [raw] = bronze.list_raw_files(spark, str(tmp_path))
    assert bronze_lines.parses_quoted_csv(spark) is False
    assert bronze_lines.records(spark, str(tmp_path / "ratings.csv"), detect_format(list(raw.header)), raw.header, raw.source_key) is None
