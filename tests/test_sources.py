"""Raw format detection from headers."""

import pytest

from jobs.sources import (
    MDB_METADATA_COLUMNS,
    SPOTIFY_COLUMNS,
    TMDB_MOVIES_COLUMNS,
    UnknownFormatError,
    canonical_names,
    detect_format,
    find_raw_files,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (MDB_METADATA_COLUMNS, "mdb_movies_metadata"),
        (TMDB_MOVIES_COLUMNS, "tmdb_movies"),
        (SPOTIFY_COLUMNS, "spotify_songs"),
        (["userId", "movieId", "rating", "timestamp"], "ratings"),
        (["userId", "movieId", "tag", "timestamp"], "tags"),
        (["movieId", "imdbId", "tmdbId"], "links"),
        (["movieId", "title", "genres"], "movielens_movies"),
        (["cast", "crew", "id"], "mdb_credits"),
        (["movie_id", "title", "cast", "crew"], "tmdb_credits"),
        (["id", "keywords"], "mdb_keywords"),
        (["DATE", "CUSR0000SS62031"], "cpi"),
        (["observation_date", "CUSR0000SS62031"], "cpi"),
        (["artist_name", "duration", "release", "tempo", "time_signature", "title", "year", "song_id"], "msd_songs"),
        (
            ["SongNumber", "SongID", "ArtistName", "Duration", "AlbumName", "Tempo", "TimeSignature", "Title", "Year"],
            "msd_songs_csv",
        ),
        (["\ufeffmovieId", "title", "genres"], "movielens_movies"),
    ],
)
def test_detects_every_accepted_header(header, expected):
    assert detect_format(list(header)).name == expected


def test_unknown_header_names_the_file_and_lists_accepted_headers():
    with pytest.raises(UnknownFormatError) as error:
        detect_format(["foo", "bar"], "raw/x.csv")
    message = str(error.value)
    assert "raw/x.csv" in message and "['foo', 'bar']" in message
    assert "spotify_songs: track_id" in message and "cpi: observation_date" in message


def test_extra_columns_only_where_allowed():
    with pytest.raises(UnknownFormatError):
        detect_format(["movieId", "imdbId", "tmdbId", "extra"])


def test_finds_files_in_any_subfolder(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "l.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n")
    (tmp_path / "notes.txt").write_text("not a csv")
    found = find_raw_files(str(tmp_path))
    assert [(p.rsplit("/", 1)[-1], f.name) for p, f in found] == [("l.csv", "links")]


@pytest.mark.parametrize(
    "header",
    [
        ["Date", "CUSR0000SS62031"],  # several FRED mirrors
        ['"Date"', '"CUSR0000SS62031"'],  # quotes a CSV reader keeps (after a BOM or a space)
        ["date", "cusr0000ss62031"],
        ["DATE", "CUSR0000SS62031"],
        ["observation_date", "CUSR0000SS62031"],
        ["\ufeffobservation_date", "CUSR0000SS62031"],
        ['\ufeff"Date"', '"CUSR0000SS62031"'],
        ["  DATE ", " CUSR0000SS62031\r"],
    ],
)
def test_cpi_header_variants_of_real_exports_are_recognised_and_get_the_declared_names(header):
    fmt = detect_format(header)
    assert fmt.name == "cpi"
    assert canonical_names(fmt, header) == ["DATE", "CUSR0000SS62031"]


@pytest.mark.parametrize(
    ("header", "expected", "names"),
    [
        (["USERID", "MovieId", "Rating", "TIMESTAMP"], "ratings", ["userId", "movieId", "rating", "timestamp"]),
        (['\ufeff"movieId"', ' "imdbId"', '"tmdbId" '], "links", ["movieId", "imdbId", "tmdbId"]),
        (["songid", "artistname", "duration", "albumname", "tempo", "timesignature", "title", "year"], "msd_songs_csv",
         ["SongID", "ArtistName", "Duration", "AlbumName", "Tempo", "TimeSignature", "Title", "Year"]),
        ([c.upper() for c in SPOTIFY_COLUMNS], "spotify_songs", SPOTIFY_COLUMNS),
    ],
)  # fmt: skip
def test_every_format_reads_its_header_in_any_case_and_quoting(header, expected, names):
    fmt = detect_format(header)
    assert fmt.name == expected and canonical_names(fmt, header) == list(names)


def test_unknown_header_says_why_against_the_closest_format():
    with pytest.raises(UnknownFormatError) as error:
        detect_format(["DATE", "CPIAUCSL"], "fred/CPIAUCSL.csv")
    assert error.value.path == "fred/CPIAUCSL.csv" and error.value.header == ["DATE", "CPIAUCSL"]
    assert error.value.reason == "closest format cpi lacks ['CUSR0000SS62031']"
    with pytest.raises(UnknownFormatError, match="empty header"):
        detect_format([])


def test_finding_files_skips_unknown_ones_as_the_pipeline_does(tmp_path):
    (tmp_path / "l.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n")
    (tmp_path / "odd.csv").write_text("foo,bar\n1,2\n")
    assert [f.name for _, f in find_raw_files(str(tmp_path))] == ["links"]
    with pytest.raises(UnknownFormatError, match="odd.csv"):
        find_raw_files(str(tmp_path), unknown="fail")
