"""Real files in every variant, through the engine: header spellings, unknown files next to good ones, and the
Million Song Dataset CSV as the converter writes it under Python 3."""

import dataclasses
import os
import random

import pytest
from deltalake import DeltaTable

from jobs.pipeline import RunSummary, land_bronze, run_etl
from jobs.sources import UnknownFormatError
from tests.bronze_checks import mismatches
from tests.conftest import settings_for
from tools.datagen import msd_py3_songs, write_msd_py3

CPI_ROWS = ["1999-01-01,102.700", "1999-02-01,103.700", "1999-03-01,103.900"]


def write(path, text: str, encoding="utf-8") -> None:
    """A raw file, written byte for byte (no newline translation)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)


def rows(lakehouse: str, table: str):
    return DeltaTable(os.path.join(lakehouse, table)).to_pandas()


def test_header_variants_land_under_the_declared_names_as_the_client_parsers_read_them(spark, tmp_path):
    raw, lakehouse = tmp_path / "raw", str(tmp_path / "lakehouse")
    quoted = "".join(f'"{d}","{v}"\r\n' for d, v in (r.split(",") for r in CPI_ROWS))
    write(raw / "fred" / "quoted_crlf.csv", '"Date","CUSR0000SS62031"\r\n' + quoted)
    write(raw / "fred" / "bom.csv", "\ufeffobservation_date,CUSR0000SS62031\n" + "\n".join(CPI_ROWS) + "\n")
    write(raw / "fred" / "bom_quoted.csv", '\ufeff"DATE","cusr0000ss62031"\r\n' + "\r\n".join(CPI_ROWS) + "\r\n")
    write(raw / "fred" / "spaces.csv", " date , CUSR0000SS62031 \n" + "\n".join(CPI_ROWS) + "\n")
    write(raw / "ml" / "ratings.csv", "USERID,MOVIEID,RATING,TIMESTAMP\r\n1,10,4.0,964982703\r\n")
    summary = RunSummary("test")
    land_bronze(spark, settings_for(str(raw), lakehouse), "b1", summary)
    assert all(t.rows_written == (1 if "ratings" in t.table else 3) for t in summary.tables) and len(summary.tables) == 5
    assert mismatches(lakehouse, str(raw)) == []
    cpi = rows(lakehouse, "bronze/cpi")
    assert list(cpi.columns[:2]) == ["DATE", "CUSR0000SS62031"]
    for _, landed in cpi.groupby("_source_file"):
        assert sorted(landed.DATE) == ["1999-01-01", "1999-02-01", "1999-03-01"], landed._source_file.iloc[0]
        assert sorted(landed.CUSR0000SS62031) == ["102.700", "103.700", "103.900"]
    assert rows(lakehouse, "bronze/ratings")[["userId", "movieId", "rating"]].values.tolist() == [["1", "10", "4.0"]]


def test_a_fred_mirror_file_with_a_quoted_header_builds_silver_cpi(spark, tmp_path):
    raw, lakehouse = tmp_path / "raw", str(tmp_path / "lakehouse")
    write(raw / "CUSR0000SS62031.csv", '"Date","CUSR0000SS62031"\r\n' + "\r\n".join(CPI_ROWS) + "\r\n")
    run_etl(spark, settings_for(str(raw), lakehouse))
    cpi = rows(lakehouse, "silver/cpi").sort_values("month")
    assert [str(m) for m in cpi.month] == ["1999-01-01", "1999-02-01", "1999-03-01"] and list(cpi.cpi) == [102.7, 103.7, 103.9]


def with_unknown_file(tmp_path):
    """A raw folder with a good CPI file and, next to it, a FRED series the lakehouse does not accept."""
    raw = tmp_path / "raw"
    write(raw / "fred" / "CUSR0000SS62031.csv", "observation_date,CUSR0000SS62031\n" + "\n".join(CPI_ROWS) + "\n")
    write(raw / "fred" / "CPIAUCSL.csv", "observation_date,CPIAUCSL\n1999-01-01,164.3\n")
    return raw


def test_an_unknown_file_is_recorded_and_skipped_and_the_file_next_to_it_lands(spark, tmp_path):
    raw, lakehouse = with_unknown_file(tmp_path), str(tmp_path / "lakehouse")
    summary = run_etl(spark, settings_for(str(raw), lakehouse))
    assert len(rows(lakehouse, "silver/cpi")) == 3
    unknown = rows(lakehouse, "ops/unknown_files")
    assert list(unknown.columns) == ["source_file", "fingerprint", "bytes", "header", "reason", "accepted_headers", "run_id", "seen_at"]
    (row,) = unknown.to_dict("records")
    assert row["source_file"] == "fred/CPIAUCSL.csv" and row["header"] == "observation_date,CPIAUCSL"
    assert row["reason"] == "closest format cpi lacks ['CUSR0000SS62031']"
    assert "cpi: observation_date,CUSR0000SS62031" in row["accepted_headers"]
    text = summary.render()
    assert "skipped 1 raw file(s) of no accepted format" in text and "fred/CPIAUCSL.csv: closest format cpi lacks" in text
    again = run_etl(spark, settings_for(str(raw), lakehouse))
    assert len(rows(lakehouse, "ops/unknown_files")) == 1 and "fred/CPIAUCSL.csv" in again.render()  # recorded once


def test_strict_setting_fails_naming_the_file_and_leaves_every_table_at_its_last_version(spark, tmp_path):
    raw, lakehouse = with_unknown_file(tmp_path), str(tmp_path / "lakehouse")
    os.rename(raw / "fred" / "CPIAUCSL.csv", tmp_path / "CPIAUCSL.csv")
    run_etl(spark, settings_for(str(raw), lakehouse))
    tables = [f"{layer}/{n}" for layer in ("bronze", "silver") for n in os.listdir(os.path.join(lakehouse, layer))]
    tables += ["ops/ingested_files", "ops/dq_results"]  # the data and its ledgers (not the writer's own bookkeeping)
    before = {t: DeltaTable(os.path.join(lakehouse, t)).version() for t in tables}
    os.rename(tmp_path / "CPIAUCSL.csv", raw / "fred" / "CPIAUCSL.csv")
    write(raw / "fred" / "later.csv", "DATE,CUSR0000SS62031\n1999-04-01,104.0\n")
    strict = dataclasses.replace(settings_for(str(raw), lakehouse), unknown_files="fail")
    with pytest.raises(UnknownFormatError) as error:
        run_etl(spark, strict)
    message = str(error.value)
    assert "fred/CPIAUCSL.csv" in message and "['observation_date', 'CPIAUCSL']" in message and "MEDIALAKE_UNKNOWN_FILES=fail" in message
    assert "cpi: observation_date,CUSR0000SS62031" in message and "spotify_songs: track_id" in message
    after = {t: DeltaTable(os.path.join(lakehouse, t)).version() for t in tables}
    assert after == before and not os.path.exists(os.path.join(lakehouse, "ops", "unknown_files"))
    assert len(rows(lakehouse, "silver/cpi")) == 3


def true_text(value: bytes) -> str | None:
    """What a value stands for: its UTF-8 text (None when it is not UTF-8)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_python3_songcsv_gives_the_text_in_silver_and_undecodable_values_in_quarantine(spark, tmp_path):
    raw, lakehouse, n = tmp_path / "raw", str(tmp_path / "lakehouse"), 400
    write_msd_py3(str(raw / "msd" / "SongCSV.csv"), n, seed=3)
    run_etl(spark, settings_for(str(raw), lakehouse))
    songs = msd_py3_songs(random.Random(3), n)
    silver = rows(lakehouse, "silver/msd_songs").set_index("_record_number")
    quarantine = rows(lakehouse, "silver/msd_songs_quarantine").set_index("_record_number")
    for column in ("song_id", "title", "artist", "release"):
        values = silver[column].dropna()
        assert not values.str.contains(r"^b['\"]|\\x|\"\"", regex=True).any(), values[values.str.contains(r"^b['\"]|\\x|\"\"")].head()
    undecodable = {i for i, s in enumerate(songs, 1) if None in (true_text(s.title), true_text(s.artist))}
    assert len(undecodable) >= 5 and set(quarantine.index) == undecodable and not undecodable & set(silver.index)
    assert quarantine._malformed.str.startswith("undecodable text: ").all()
    assert quarantine._failed_rules.map(list).map(lambda r: "well_formed_record" in r).all()
    assert "ArtistName b'Mot\\xf6rhead': bytes are not UTF-8" in " ".join(quarantine._malformed)
    assert len(silver) == n - len(undecodable)
    for number, song in enumerate(songs, 1):
        if number in silver.index:
            got = silver.loc[number]
            want = (true_text(song.song_id), true_text(song.title), true_text(song.artist), true_text(song.album))
            assert (got.song_id, got.title, got.artist, got.release) == want, number
    assert {"Raphaël", "Don't Worry Lady", 'Say "Don\'t"', 'Beauty Queen (12" Spoon Club Mix)'} <= set(silver.title)
    assert {"Sigur Rós", 'Clarence "Gatemouth" Brown', "Guns N' Roses"} <= set(rows(lakehouse, "silver/artists").artist)
