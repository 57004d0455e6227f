"""The silver tables, each declared once: keys, columns, description, what it reads, how it is built and its expectations."""

from collections.abc import Callable
from dataclasses import dataclass, field

from pyspark.sql import DataFrame

from jobs.expectations import Expectation as E
from jobs.silver import movies as m
from jobs.silver import songs as s
from jobs.silver.clean import FIRST_RECORD, first_per_key, union_all
from medialake.tables import Table, words

WELL_FORMED = E("well_formed_record", "_malformed IS NULL", "drop")


@dataclass(frozen=True)
class SilverTable(Table):
    """A silver table: build(sources) gives its rows before expectations, or None when what it reads is absent."""

    build: Callable[[dict], DataFrame | None] = field(default=lambda src: None, compare=False)
    rules: tuple[E, ...] = ()
    min_rows: int = 1
    keep_first_by: str = ""  # the dedup rule, when the pipeline applies it: of the rows of one key, keep the first by this SQL ORDER BY

    def first_per_key(self, df: DataFrame) -> DataFrame:
        """df with one row per key by keep_first_by, as the pipeline keeps them (for tests and notebooks on built rows)."""
        return first_per_key(df, list(self.keys), self.keep_first_by) if self.keep_first_by else df


class DeclaredSources(dict):
    """The sources a silver table declares it reads (None when absent); any other raises, so that a table never reads
    one that its declaration, and therefore its place in the run's order, does not know."""

    def __init__(self, spec: SilverTable, sources: dict):
        super().__init__({need: sources.get(need) for need in spec.needs})
        self.table = spec.name

    def __missing__(self, key):
        raise KeyError(f"silver.{self.table} reads {key!r}, which is not among the sources it declares")

    def get(self, key, default=None):
        """The source, None when absent; a KeyError when undeclared."""
        return self[key] if key in self else self.__missing__(key)


def silver(name, keys, columns, description, reads, build, rules=(), domain="movies", keep_first_by="") -> SilverTable:
    """A silver table from space-separated keys, columns and the sources it reads (bronze formats or silver.<name>)."""
    declared = {"build": build, "rules": tuple(rules), "keep_first_by": keep_first_by}
    return SilverTable("silver", name, words(keys), words(columns), description, domain, words(reads), **declared)


def when_present(source: str, transform: Callable[[dict], DataFrame]) -> Callable[[dict], DataFrame | None]:
    """A builder that runs transform(sources) when `source` was landed, else gives None."""
    return lambda src: transform(src) if src.get(source) is not None else None


def _movies(src):
    """TMDB 5000, Movies Dataset and linked MovieLens movies (the table's rule keeps one row per TMDB id)."""
    parts = []
    if src.get("tmdb_movies") is not None:
        parts.append(m.tmdb_movies(src["tmdb_movies"]))
    if src.get("mdb_movies_metadata") is not None:
        parts.append(m.mdb_movies(src["mdb_movies_metadata"], src.get("mdb_keywords")))
    if src.get("silver.movielens_movies") is not None:
        parts.append(m.movielens_as_movies(src["silver.movielens_movies"]))
    union = union_all(parts)
    return None if union is None else m.with_release_year(union)


def _msd(src):
    """MSD songs from either raw shape (the table's rule keeps the first record per song id)."""
    parts = [s.msd_songs(src[n], n == "msd_songs_csv") for n in ("msd_songs", "msd_songs_csv") if src.get(n) is not None]
    return union_all(parts)


MOVIE_RULES = (
    WELL_FORMED,
    E("valid_movie_id", "movie_id IS NOT NULL AND movie_id > 0", "drop"),
    E("has_title", "title IS NOT NULL", "drop"),
    E("release_year_plausible", "release_date IS NULL OR year(release_date) BETWEEN 1874 AND 2030", "drop"),
    E("vote_average_in_range", "vote_average IS NULL OR (vote_average >= 0 AND vote_average <= 10)", "drop"),
    E("has_release_date", "release_date IS NOT NULL", "warn"),
    E("non_negative_popularity", "popularity IS NULL OR popularity >= 0", "warn"),
)
LINEAGE = "_source_file _record_number"

# Checked tables: row-level rules, failed rows to <table>_quarantine.
SILVER_TABLES = [
    silver(
        "links", "movielens_id", f"movielens_id imdb_id tmdb_id {LINEAGE}", "MovieLens id -> IMDb and TMDB ids", "links",
        when_present("links", lambda src: m.links(src["links"])),
        [E("valid_movielens_id", "movielens_id IS NOT NULL", "drop"), E("has_tmdb_id", "tmdb_id IS NOT NULL", "warn")],
        keep_first_by=FIRST_RECORD,
    ),
    # the largest table right after the links it reads: tables start in declaration order, as soon as what they read is
    # written, MEDIALAKE_PARALLEL_TABLES at once (the others are built beside it)
    silver(
        "ratings", "rating_set user_id movielens_id", f"movielens_id rating_set user_id rating rated_at {LINEAGE} tmdb_id",
        "ratings; rating_set (the source file) keeps users of different samples apart", "ratings silver.links",
        when_present("ratings", lambda src: m.ratings(src["ratings"], src.get("silver.links"))),
        [
            WELL_FORMED,
            E("valid_ids", "user_id IS NOT NULL AND movielens_id IS NOT NULL", "drop"),
            E("rating_in_range", "rating >= 0.5 AND rating <= 5.0", "drop"),
            E("has_timestamp", "rated_at IS NOT NULL", "warn"),
            E("has_tmdb_id", "tmdb_id IS NOT NULL", "warn"),
        ],
        keep_first_by="rated_at DESC NULLS LAST, _record_number DESC",  # the latest; of two at one second, the later record
    ),
    silver(
        "movielens_movies", "movielens_id", f"movielens_id title year genres {LINEAGE} tmdb_id",
        "MovieLens movies, year cut from the title", "movielens_movies silver.links",
        when_present("movielens_movies", lambda src: m.movielens_movies(src["movielens_movies"], src.get("silver.links"))),
        [WELL_FORMED, E("valid_movielens_id", "movielens_id IS NOT NULL", "drop"), E("has_year", "year IS NOT NULL", "warn")],
    ),
    silver(
        "movies", "movie_id",
        "movie_id title original_title original_language overview release_date budget revenue runtime popularity vote_average "
        f"vote_count genres keywords companies source {LINEAGE} release_year",
        "one row per TMDB id from TMDB 5000, the Movies Dataset and linked MovieLens movies",
        "tmdb_movies mdb_movies_metadata mdb_keywords silver.movielens_movies", _movies, MOVIE_RULES, keep_first_by=m.MOVIE_ORDER,
    ),
    silver(
        "cpi", "month", f"month cpi {LINEAGE}", "monthly CPI, admission to movies, theaters and concerts", "cpi",
        when_present("cpi", lambda src: m.cpi(src["cpi"])),
        [
            WELL_FORMED,
            E("valid_month", "month IS NOT NULL", "drop"),
            E("has_value", "cpi IS NOT NULL", "drop"),
            # A non-positive index means a corrupt series: constant-dollar figures would be wrong, so stop.
            E("positive_cpi", "cpi IS NULL OR cpi > 0", "fail"),
        ],
        keep_first_by=FIRST_RECORD,
    ),
    silver(
        "tracks", "track_id",
        "track_id track_name artist popularity album_id album_name release_date release_date_precision genre danceability energy "
        f"speechiness acousticness instrumentalness liveness valence loudness tempo key mode duration_ms {LINEAGE} release_year",
        "Spotify tracks, one row per track_id", "spotify_songs",
        when_present("spotify_songs", lambda src: s.tracks(s.spotify_typed(src["spotify_songs"]))),
        [
            WELL_FORMED,
            E("valid_track_id", "track_id IS NOT NULL", "drop"),
            E("popularity_in_range", "popularity IS NULL OR (popularity >= 0 AND popularity <= 100)", "drop"),
            E("has_name", "track_name IS NOT NULL AND artist IS NOT NULL", "warn"),
            E("plausible_tempo", "tempo > 0", "warn"),
            E("loudness_at_most_0db", "loudness <= 0", "warn"),
        ],
        domain="songs", keep_first_by=FIRST_RECORD,
    ),
    silver(
        "track_playlists", "track_id playlist_id", f"track_id playlist_id playlist_name playlist_genre playlist_subgenre {LINEAGE}",
        "which playlists list a track", "spotify_songs",
        when_present("spotify_songs", lambda src: s.track_playlists(s.spotify_typed(src["spotify_songs"]))),
        [WELL_FORMED, E("valid_ids", "track_id IS NOT NULL AND playlist_id IS NOT NULL", "drop")],
        domain="songs", keep_first_by=FIRST_RECORD,
    ),
    silver(
        "track_genres", "track_id genre", f"track_id genre {LINEAGE}", "Spotify track x genre of every playlist listing it",
        "spotify_songs", when_present("spotify_songs", lambda src: s.track_genres(s.spotify_typed(src["spotify_songs"]))),
        [WELL_FORMED, E("valid_track_id", "track_id IS NOT NULL", "drop")],
        domain="songs", keep_first_by=FIRST_RECORD,
    ),
    silver(
        "credits", "movie_id", f"movie_id cast directors source {LINEAGE}", "cast in billing order and directors per movie",
        "tmdb_credits mdb_credits", lambda src: m.credits(src.get("tmdb_credits"), src.get("mdb_credits")),
        [WELL_FORMED, E("valid_movie_id", "movie_id IS NOT NULL", "drop"), E("has_cast", "size(cast) > 0", "warn")],
        keep_first_by=m.CREDITS_ORDER,
    ),
    silver(
        "msd_songs", "song_id", f"song_id title artist release duration_s tempo time_signature year {LINEAGE}",
        "Million Song Dataset songs", "msd_songs msd_songs_csv", _msd,
        [
            WELL_FORMED,
            E("has_title", "title IS NOT NULL", "drop"),
            E("known_year", "year IS NOT NULL", "warn"),
            E("plausible_tempo", "tempo IS NOT NULL", "warn"),
        ],
        domain="songs", keep_first_by=FIRST_RECORD,
    ),
]  # fmt: skip

# Derived tables: built from the validated tables above, no row-level rules of their own.
DERIVED_TABLES = [
    silver("movie_genres", "movie_id genre", "movie_id genre", "movie x genre", "silver.movies",
           when_present("silver.movies", lambda src: m.movie_genres(src["silver.movies"]))),
    silver("genres", "genre", "genre movie_count", "genre dimension", "silver.movie_genres",
           when_present("silver.movie_genres", lambda src: m.genres(src["silver.movie_genres"]))),
    silver("genre_map", "source source_genre", "source source_genre genre",
           "each source's genre names in the one vocabulary (TMDB's): MovieLens Sci-Fi is Science Fiction",
           "silver.movielens_movies silver.movies",
           when_present("silver.movies", lambda src: m.genre_map(src.get("silver.movielens_movies"), src["silver.movies"]))),
    silver("songs", "source song_id",
           "source song_id title artist release duration_s tempo time_signature year genre popularity energy valence danceability "
           "acousticness instrumentalness", "both song sources in one shape", "silver.tracks silver.msd_songs",
           lambda src: s.songs(src.get("silver.tracks"), src.get("silver.msd_songs")), domain="songs"),
    silver("artists", "artist", "artist song_count sources", "artists over both song sources", "silver.songs",
           when_present("silver.songs", lambda src: s.artists(src["silver.songs"])), domain="songs"),
]  # fmt: skip
SILVER: tuple[SilverTable, ...] = tuple(SILVER_TABLES + DERIVED_TABLES)


def tables_of(domain: str) -> list[SilverTable]:
    """The silver tables (checked and derived) of movies, songs or all."""
    return [t for t in SILVER if domain in ("all", t.domain)]
