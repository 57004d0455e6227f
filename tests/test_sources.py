"""Raw format detection from headers."""

import pytest

from jobs.sources import (
    MDB_METADATA_COLUMNS,
    SPOTIFY_COLUMNS,
    TMDB_MOVIES_COLUMNS,
    UnknownFormatError,
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
