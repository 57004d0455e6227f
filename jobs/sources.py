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
    optional: tuple[str, ...] = ()  # extra columns the silver jobs read: landed under these names whatever their case

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
    SourceFormat("msd_songs", ("artist_name", "duration", "release", "tempo", "time_signature", "title", "year"), True, ("song_id",)),
    SourceFormat("msd_songs_csv", ("ArtistName", "Duration", "AlbumName", "Tempo", "TimeSignature", "Title", "Year"), True, ("SongID",)),
)


class UnknownFormatError(ValueError):
    """A raw file whose header matches none of the accepted formats: which file, the header found and why."""

    def __init__(self, path: str, header: list[str], reason: str):
        self.path, self.header, self.reason = path, header, reason
        super().__init__(f"{path}: unrecognised header {header[:12]} ({reason}); accepted headers:\n{accepted_headers()}")


def accepted_headers() -> str:
    """The accepted headers, one per line, for error messages."""
    return "\n".join(f"  {f.name}: {','.join(f.required)}" for f in FORMATS)


def column_name(raw: str) -> str:
    """A header name as meant: real exports add a BOM, spaces, quotes a CSV reader keeps (after a BOM or a space), a CR."""
    name = raw.replace("\ufeff", "").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('""', '"').strip()
    return name


def column_key(raw: str) -> str:
    """What two header names are compared by: the name as meant, in any case (DATE, Date and date are one column)."""
    return column_name(raw).casefold()


def _holds(fmt: SourceFormat, keys: list[str]) -> bool:
    """Whether a header (as keys) holds a format's required columns, and no others unless extras are allowed."""
    required = {column_key(c) for c in fmt.required}
    return required <= set(keys) and (fmt.extras_allowed or len(keys) == len(required))


def detect_format(header: list[str], path: str = "") -> SourceFormat:
    """The format whose required columns this header holds (exactly, unless extras are allowed), names compared in any
    case and without BOM, quotes or surrounding spaces."""
    keys = [column_key(c) for c in header]
    for fmt in FORMATS:
        if _holds(fmt, keys):
            return fmt
    names = [column_name(c) for c in header]
    raise UnknownFormatError(path, names, mismatch_reason(keys))


def _shared(fmt: SourceFormat, keys: list[str]) -> int:
    """How many of a format's required columns a header (as keys) holds."""
    return len({column_key(c) for c in fmt.required} & set(keys))


def mismatch_reason(keys: list[str]) -> str:
    """Why a header matches no format, in words: empty, or what it lacks (or has too much) against the closest format."""
    if not [k for k in keys if k]:
        return "empty header"
    closest = max(FORMATS, key=lambda f: _shared(f, keys))
    if not _shared(closest, keys):
        return "no column of any accepted format"
    missing = [c for c in closest.required if column_key(c) not in keys]
    if missing:
        return f"closest format {closest.name} lacks {missing}"
    extra = [k for k in keys if k not in {column_key(c) for c in closest.required}]
    return f"closest format {closest.name} allows no extra columns, found {extra}"


def canonical_names(fmt: SourceFormat, header: list[str]) -> list[str]:
    """Each header column's bronze name: the format's first declared name for it (whatever the file's case or
    variant, e.g. observation_date -> DATE), a declared optional name, else the name as written."""
    first = next(f for f in FORMATS if f.name == fmt.name)
    declared = {column_key(r): c for r, c in zip(fmt.required, first.required, strict=True)}
    declared |= {column_key(o): o for f in FORMATS if f.name == fmt.name for o in f.optional}
    return [declared.get(column_key(h), column_name(h)) for h in header]


def read_header(path: str) -> list[str]:
    """The first CSV record of a file."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return next(csv.reader(handle), [])


def find_raw_files(raw_dir: str, unknown: str = "skip") -> list[tuple[str, SourceFormat]]:
    """Every CSV file under raw_dir (any depth) with its detected format, in path order (a local-copy helper for
    tests and tools); a file of no accepted format is left out as the pipeline skips it, or raises with unknown="fail"."""
    found = []
    for folder, _, names in sorted(os.walk(raw_dir, followlinks=True)):
        for name in sorted(names):
            if name.lower().endswith(".csv"):
                path = os.path.join(folder, name)
                try:
                    found.append((path, detect_format(read_header(path), path)))
                except UnknownFormatError:
                    if unknown == "fail":
                        raise
    return found
