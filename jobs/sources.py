"""Raw source formats recognised by their CSV header, and the files found under the raw dir."""

import csv
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceFormat:
    """A raw format: the bronze table it lands in and the header columns that identify it."""

    name: str
    required: tuple[str, ...]
    extras_allowed: bool = False

    @property
    def domain(self) -> str:
        """movies or songs: which jobs land this format."""
        return "songs" if self.name in SONG_FORMATS else "movies"


SONG_FORMATS = frozenset({"spotify_songs", "msd_songs", "msd_songs_csv"})
DOMAINS = ("movies", "songs")


MDB_METADATA_COLUMNS = (
    "adult belongs_to_collection budget genres homepage id imdb_id original_language original_title overview "
    "popularity poster_path production_companies production_countries release_date revenue runtime "
    "spoken_languages status tagline title video vote_average vote_count"
).split()
TMDB_MOVIES_COLUMNS = (
    "budget genres homepage id keywords original_language original_title overview popularity production_companies "
    "production_countries release_date revenue runtime spoken_languages status tagline title vote_average vote_count"
).split()
SPOTIFY_COLUMNS = (
    "track_id track_name track_artist track_popularity track_album_id track_album_name track_album_release_date "
    "playlist_name playlist_id playlist_genre playlist_subgenre danceability energy key loudness mode speechiness "
    "acousticness instrumentalness liveness valence tempo duration_ms"
).split()

# Most specific first: the first format whose required columns the header holds wins.
FORMATS = (
    SourceFormat("mdb_movies_metadata", tuple(MDB_METADATA_COLUMNS)),
    SourceFormat("tmdb_movies", tuple(TMDB_MOVIES_COLUMNS)),
    SourceFormat("spotify_songs", tuple(SPOTIFY_COLUMNS)),
    SourceFormat("tmdb_credits", ("movie_id", "title", "cast", "crew")),
    SourceFormat("mdb_credits", ("cast", "crew", "id")),
    SourceFormat("mdb_keywords", ("id", "keywords")),
    SourceFormat("tags", ("userId", "movieId", "tag", "timestamp")),
    SourceFormat("ratings", ("userId", "movieId", "rating", "timestamp")),
    SourceFormat("links", ("movieId", "imdbId", "tmdbId")),
    SourceFormat("movielens_movies", ("movieId", "title", "genres")),
    SourceFormat("cpi", ("DATE", "CUSR0000SS62031")),
    SourceFormat("cpi", ("observation_date", "CUSR0000SS62031")),
    SourceFormat("msd_songs", ("artist_name", "duration", "release", "tempo", "time_signature", "title", "year"), True),
    SourceFormat("msd_songs_csv", ("ArtistName", "Duration", "AlbumName", "Tempo", "TimeSignature", "Title", "Year"), True),
)


class UnknownFormatError(ValueError):
    """A raw file whose header matches none of the accepted formats."""


def accepted_headers() -> str:
    """The accepted headers, one per line, for error messages."""
    return "\n".join(f"  {f.name}: {','.join(f.required)}" for f in FORMATS)


def detect_format(header: list[str], path: str = "") -> SourceFormat:
    """The format whose required columns this header holds (exactly, unless extras are allowed)."""
    columns = [c.strip().lstrip("\ufeff") for c in header]
    for fmt in FORMATS:
        if set(fmt.required) <= set(columns) and (fmt.extras_allowed or len(columns) == len(fmt.required)):
            return fmt
    raise UnknownFormatError(f"{path}: unrecognised header {columns[:12]}; accepted headers:\n{accepted_headers()}")


def read_header(path: str) -> list[str]:
    """The first CSV record of a file."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return next(csv.reader(handle), [])


def find_raw_files(raw_dir: str) -> list[tuple[str, SourceFormat]]:
    """Every CSV file under raw_dir (any depth) with its detected format, in path order."""
    found = []
    for folder, _, names in sorted(os.walk(raw_dir, followlinks=True)):
        for name in sorted(names):
            if name.lower().endswith(".csv"):
                path = os.path.join(folder, name)
                found.append((path, detect_format(read_header(path), path)))
    return found
