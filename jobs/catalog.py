"""The catalogue: every table of the lakehouse, where it lives, its key and its columns.

A table lives at <MEDIALAKE_LAKEHOUSE_DIR>/<layer>/<name>/ as a Delta table. tests/test_pipeline.py fails when
a built table's columns differ from what is listed here.
"""

from dataclasses import dataclass

from jobs.sources import FORMATS


@dataclass(frozen=True)
class Table:
    """One Delta table of the lakehouse."""

    layer: str
    name: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    description: str
    optional: bool = False  # built only when its raw source is present


BRONZE_LINEAGE = ("_record_number", "_extra_json", "_malformed", "_source_file", "_ingested_at", "_batch_id", "_record_hash")
SILVER_LINEAGE = ("_source_file", "_record_number")
RARE_SOURCES: set[str] = set()  # every format is in the generated data


def _bronze() -> list[Table]:
    """One bronze table per raw format: the raw columns as strings plus lineage."""
    seen = {}
    for fmt in FORMATS:
        seen.setdefault(fmt.name, fmt.required)
    return [
        Table(
            "bronze",
            name,
            ("_record_hash",),
            tuple(cols) + BRONZE_LINEAGE,
            f"raw {name} rows as landed",
            optional=name in RARE_SOURCES,
        )
        for name, cols in seen.items()
    ]


def _t(layer, name, keys, columns, description, optional=False) -> Table:
    """A table from space-separated keys and columns."""
    return Table(layer, name, tuple(keys.split()), tuple(columns.split()), description, optional)


SILVER = [
    _t(
        "silver",
        "links",
        "movielens_id",
        "movielens_id imdb_id tmdb_id _source_file _record_number",
        "MovieLens id -> IMDb and TMDB ids",
    ),
    _t(
        "silver",
        "movielens_movies",
        "movielens_id",
        "movielens_id title year genres _source_file _record_number tmdb_id",
        "MovieLens movies, year cut from the title",
    ),
    _t(
        "silver",
        "movies",
        "movie_id",
        "movie_id title original_title original_language overview release_date budget revenue runtime "
        "popularity vote_average vote_count genres keywords companies source _source_file _record_number release_year",
        "one row per TMDB id from TMDB 5000, the Movies Dataset and linked MovieLens movies",
    ),
    _t(
        "silver",
        "ratings",
        "rating_set user_id movielens_id",
        "movielens_id rating_set user_id rating rated_at _source_file _record_number tmdb_id",
        "ratings; rating_set (the source file) keeps users of different samples apart",
    ),
    _t(
        "silver",
        "cpi",
        "month",
        "month cpi _source_file _record_number",
        "monthly CPI, admission to movies, theaters and concerts",
    ),
    _t(
        "silver",
        "tracks",
        "track_id",
        "track_id track_name artist popularity album_id album_name release_date release_date_precision "
        "genre danceability energy speechiness acousticness instrumentalness liveness valence loudness tempo key mode duration_ms "
        "_source_file _record_number release_year",
        "Spotify tracks, one row per track_id",
    ),
    _t(
        "silver",
        "track_playlists",
        "track_id playlist_id",
        "track_id playlist_id playlist_name playlist_genre playlist_subgenre _source_file _record_number",
        "which playlists list a track",
    ),
    _t(
        "silver",
        "msd_songs",
        "song_id",
        "song_id title artist release duration_s tempo time_signature year _source_file _record_number",
        "Million Song Dataset songs",
    ),
    _t(
        "silver",
        "credits",
        "movie_id",
        "movie_id cast directors source _source_file _record_number",
        "cast in billing order and directors per movie",
        optional=False,
    ),
    _t("silver", "movie_genres", "movie_id genre", "movie_id genre", "movie x genre"),
    _t("silver", "genres", "genre", "genre movie_count", "genre dimension"),
    _t(
        "silver",
        "songs",
        "source song_id",
        "source song_id title artist release duration_s tempo time_signature year genre popularity "
        "energy valence danceability acousticness instrumentalness",
        "both song sources in one shape",
    ),
    _t("silver", "artists", "artist", "artist song_count sources", "artists over both song sources"),
]
GOLD = [
    _t("gold", "genre_counts_by_year", "year genre", "year genre movie_count", "movies per genre per release year"),
    _t(
        "gold",
        "movie_popularity_by_year",
        "year kind rank",
        "year kind rank movie_id title popularity",
        "top and bottom 5 movies by TMDB popularity per year",
    ),
    _t(
        "gold",
        "movie_ratings",
        "movie_id",
        "movie_id title year rating_count mean_rating vote_count vote_average",
        "per movie: ratings count and mean (MovieLens ratings via links) and TMDB votes",
    ),
    _t("gold", "genre_popularity", "genre", "genre rating_count mean_rating", "genres by number of ratings and mean rating"),
    _t(
        "gold",
        "box_office_by_month",
        "year month",
        "year month quarter movie_count total_revenue mean_revenue",
        "revenue by release month and quarter",
    ),
    _t(
        "gold",
        "genre_revenue_cpi",
        "year genre",
        "year genre movie_count revenue revenue_constant budget_constant price_base_month",
        "genre revenue in constant dollars of the latest CPI month",
    ),
    _t(
        "gold",
        "movies_catalog",
        "movie_id",
        "movie_id title year genres keywords overview vote_average vote_count popularity runtime",
        "movies the chat picks from: genres as |A|B|, keywords lower-cased, overview cut to 400 characters",
    ),
    _t(
        "gold",
        "top_tracks",
        "track_id",
        "track_id track_name artist genre popularity year energy danceability valence tempo",
        "tracks ranked by popularity",
    ),
    _t("gold", "song_genre_popularity", "genre", "genre track_count mean_popularity", "Spotify genre popularity"),
    _t("gold", "popularity_by_release_month", "month", "month track_count mean_popularity", "mean popularity by release month"),
    _t("gold", "popularity_histogram", "bin_start", "bin_start bin_end track_count", "popularity distribution in 5-point bins"),
    _t(
        "gold",
        "song_trends_by_year",
        "source year",
        "source year song_count mean_duration_s mean_tempo",
        "duration and tempo by year",
    ),
    _t(
        "gold",
        "artist_profiles",
        "artist",
        "artist song_count mean_duration_s mean_tempo mean_time_signature mean_energy mean_valence mean_danceability mean_popularity",
        "per-artist profile for radar charts",
    ),
    _t(
        "gold",
        "songs_catalog",
        "source song_id",
        "source song_id title artist release duration_s tempo time_signature year genre "
        "popularity energy valence danceability acousticness instrumentalness",
        "songs the service filters and the chat picks from",
    ),
]
OPS = [
    _t(
        "ops",
        "dq_results",
        "run_id dataset name",
        "run_id dataset name action passed_records failed_records timestamp",
        "one row per run, table and expectation (event-log data_quality shape)",
    ),
]
TABLES: list[Table] = _bronze() + SILVER + GOLD + OPS


def table(layer: str, name: str) -> Table:
    """Look a table up by layer and name."""
    return next(t for t in TABLES if t.layer == layer and t.name == name)
