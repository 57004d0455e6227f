"""The silver tables: how each is built from bronze, its natural keys and its expectations."""

from collections.abc import Callable
from dataclasses import dataclass, field

from pyspark.sql import DataFrame

from jobs.expectations import Expectation as E
from jobs.silver import movies as m
from jobs.silver import songs as s

WELL_FORMED = E("well_formed_record", "_malformed IS NULL", "drop")


@dataclass(frozen=True)
class SilverTable:
    """A silver table: build(sources) gives its rows before expectations; None when its sources are absent."""

    name: str
    keys: list[str]
    build: Callable[[dict], DataFrame | None]
    rules: list[E] = field(default_factory=list)
    min_rows: int = 1


def _need(src: dict, *names: str):
    """The named DataFrames, or None when the first is missing."""
    return src.get(names[0]) is not None


def _movies(src):
    """TMDB 5000, Movies Dataset and linked MovieLens movies, one row per TMDB id."""
    parts = []
    if src.get("tmdb_movies") is not None:
        parts.append(m.tmdb_movies(src["tmdb_movies"]))
    if src.get("mdb_movies_metadata") is not None:
        parts.append(m.mdb_movies(src["mdb_movies_metadata"], src.get("mdb_keywords")))
    if src.get("silver.movielens_movies") is not None:
        parts.append(m.movielens_as_movies(src["silver.movielens_movies"]))
    if not parts:
        return None
    union = parts[0]
    for p in parts[1:]:
        union = union.unionByName(p)
    return m.dedup_movies(union)


MOVIE_RULES = [
    WELL_FORMED,
    E("valid_movie_id", "movie_id IS NOT NULL AND movie_id > 0", "drop"),
    E("has_title", "title IS NOT NULL", "drop"),
    E("release_year_plausible", "release_date IS NULL OR year(release_date) BETWEEN 1874 AND 2030", "drop"),
    E("vote_average_in_range", "vote_average IS NULL OR (vote_average >= 0 AND vote_average <= 10)", "drop"),
    E("has_release_date", "release_date IS NOT NULL", "warn"),
    E("non_negative_popularity", "popularity IS NULL OR popularity >= 0", "warn"),
]

SILVER_TABLES = [
    SilverTable(
        "links",
        ["movielens_id"],
        lambda src: _need(src, "links") and m.links(src["links"]),
        [E("valid_movielens_id", "movielens_id IS NOT NULL", "drop"), E("has_tmdb_id", "tmdb_id IS NOT NULL", "warn")],
    ),
    SilverTable(
        "movielens_movies",
        ["movielens_id"],
        lambda src: _need(src, "movielens_movies") and m.movielens_movies(src["movielens_movies"], src.get("silver.links")),
        [WELL_FORMED, E("valid_movielens_id", "movielens_id IS NOT NULL", "drop"), E("has_year", "year IS NOT NULL", "warn")],
    ),
    SilverTable("movies", ["movie_id"], _movies, MOVIE_RULES),
    SilverTable(
        "ratings",
        ["rating_set", "user_id", "movielens_id"],
        lambda src: _need(src, "ratings") and m.ratings(src["ratings"], src.get("silver.links")),
        [
            WELL_FORMED,
            E("valid_ids", "user_id IS NOT NULL AND movielens_id IS NOT NULL", "drop"),
            E("rating_in_range", "rating >= 0.5 AND rating <= 5.0", "drop"),
            E("has_timestamp", "rated_at IS NOT NULL", "warn"),
            E("has_tmdb_id", "tmdb_id IS NOT NULL", "warn"),
        ],
    ),
    SilverTable(
        "cpi",
        ["month"],
        lambda src: _need(src, "cpi") and m.cpi(src["cpi"]),
        [
            WELL_FORMED,
            E("valid_month", "month IS NOT NULL", "drop"),
            E("has_value", "cpi IS NOT NULL", "drop"),
            # A non-positive index means a corrupt series: constant-dollar figures would be wrong, so stop.
            E("positive_cpi", "cpi IS NULL OR cpi > 0", "fail"),
        ],
    ),
    SilverTable(
        "tracks",
        ["track_id"],
        lambda src: _need(src, "spotify_songs") and s.tracks(s.spotify_typed(src["spotify_songs"])),
        [
            WELL_FORMED,
            E("valid_track_id", "track_id IS NOT NULL", "drop"),
            E("popularity_in_range", "popularity IS NULL OR (popularity >= 0 AND popularity <= 100)", "drop"),
            E("has_name", "track_name IS NOT NULL AND artist IS NOT NULL", "warn"),
            E("plausible_tempo", "tempo > 0", "warn"),
            E("loudness_at_most_0db", "loudness <= 0", "warn"),
        ],
    ),
    SilverTable(
        "track_playlists",
        ["track_id", "playlist_id"],
        lambda src: _need(src, "spotify_songs") and s.track_playlists(s.spotify_typed(src["spotify_songs"])),
        [WELL_FORMED, E("valid_ids", "track_id IS NOT NULL AND playlist_id IS NOT NULL", "drop")],
    ),
    SilverTable(
        "credits",
        ["movie_id"],
        lambda src: m.credits(src.get("tmdb_credits"), src.get("mdb_credits")),
        [WELL_FORMED, E("valid_movie_id", "movie_id IS NOT NULL", "drop"), E("has_cast", "size(cast) > 0", "warn")],
    ),
    SilverTable(
        "msd_songs",
        ["song_id"],
        lambda src: _msd(src),
        [
            WELL_FORMED,
            E("has_title", "title IS NOT NULL", "drop"),
            E("known_year", "year IS NOT NULL", "warn"),
            E("plausible_tempo", "tempo IS NOT NULL", "warn"),
        ],
    ),
]


def _msd(src):
    """MSD songs from either raw shape, one row per song id (first record wins)."""
    from pyspark.sql import functions as F

    from jobs.silver.clean import first_per_key

    parts = [s.msd_songs(src[n], n == "msd_songs_csv") for n in ("msd_songs", "msd_songs_csv") if src.get(n) is not None]
    if not parts:
        return None
    union = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    return first_per_key(union, ["song_id"], [F.col("_source_file"), F.col("_record_number")])


# Derived silver tables: built from the validated tables above, no row-level rules of their own.
DERIVED_TABLES = [
    SilverTable("movie_genres", ["movie_id", "genre"], lambda src: _need(src, "silver.movies") and m.movie_genres(src["silver.movies"])),
    SilverTable("genres", ["genre"], lambda src: _need(src, "silver.movie_genres") and m.genres(src["silver.movie_genres"])),
    SilverTable("songs", ["source", "song_id"], lambda src: s.songs(src.get("silver.tracks"), src.get("silver.msd_songs"))),
    SilverTable("artists", ["artist"], lambda src: _need(src, "silver.songs") and s.artists(src["silver.songs"])),
]

SONG_TABLES = frozenset({"tracks", "track_playlists", "msd_songs", "songs", "artists"})


def tables_of(domain: str) -> list[SilverTable]:
    """The silver tables (checked and derived) of movies, songs or all."""
    return [t for t in SILVER_TABLES + DERIVED_TABLES if domain == "all" or (t.name in SONG_TABLES) == (domain == "songs")]
