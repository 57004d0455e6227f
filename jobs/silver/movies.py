"""Silver movie tables: movies, movie_genres, genres, genre_map, movielens_movies, links, ratings, cpi."""

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.silver.clean import FIRST_RECORD, LINEAGE, any_date, first_per_key, json_names, literal_names, number, positive, text, union_all

# Dedup rule for movies: one row per TMDB id, preferring TMDB 5000, then the Movies Dataset, then MovieLens;
# within a source the row with most votes, then the latest record.
SOURCE_PRIORITY = {"tmdb_5000": 1, "movies_dataset": 2, "movielens": 3}
PRIORITY = " ".join(f"WHEN '{source}' THEN {rank}" for source, rank in SOURCE_PRIORITY.items())
MOVIE_ORDER = f"CASE source {PRIORITY} END, vote_count DESC NULLS LAST, _record_number DESC"  # the movies table's keep_first_by
# Credits: one row per movie, TMDB 5000's first, then the later record.
CREDITS_ORDER = "CASE WHEN source = 'tmdb_5000' THEN 1 ELSE 2 END, _record_number DESC"

# One genre vocabulary, TMDB's (TMDB 5000 and the Movies Dataset use it): a MovieLens name for a TMDB genre is renamed,
# so that "Sci-Fi" and "Science Fiction" are one genre. MovieLens names TMDB has no genre for (Film-Noir, IMAX) stay.
MOVIELENS_GENRES = {"Sci-Fi": "Science Fiction", "Children": "Family", "Musical": "Music"}


def _movie_columns(b: DataFrame, source: str, names, keywords) -> DataFrame:
    """The shared movie columns from a TMDB-shaped bronze table."""
    return b.select(
        number("id", "bigint").alias("movie_id"),
        text("title").alias("title"),
        text("original_title").alias("original_title"),
        text("original_language").alias("original_language"),
        text("overview").alias("overview"),
        any_date("release_date").alias("release_date"),
        positive("budget", "bigint").alias("budget"),
        positive("revenue", "bigint").alias("revenue"),
        positive("runtime", "double").cast("int").alias("runtime"),
        number("popularity").alias("popularity"),
        number("vote_average").alias("vote_average"),
        number("vote_count", "double").cast("int").alias("vote_count"),
        names("genres").alias("genres"),
        keywords.alias("keywords"),
        names("production_companies").alias("companies"),
        F.lit(source).alias("source"),
        F.col("_malformed"),
        *LINEAGE,
    )


def tmdb_movies(b: DataFrame) -> DataFrame:
    """TMDB 5000 movies: JSON list columns."""
    return _movie_columns(b, "tmdb_5000", json_names, json_names("keywords"))


def mdb_movies(b: DataFrame, keywords: DataFrame | None) -> DataFrame:
    """Movies Dataset metadata: Python-literal list columns, keywords from keywords.csv."""
    if keywords is not None:
        kw = keywords.select(number("id", "bigint").alias("kid"), literal_names("keywords").alias("kw"), "_record_number")
        kw = first_per_key(kw, ["kid"], "_record_number")
        b = b.join(kw.drop("_record_number"), number("id", "bigint") == F.col("kid"), "left")
    else:
        b = b.withColumn("kw", F.array().cast("array<string>"))
    return _movie_columns(b, "movies_dataset", literal_names, F.coalesce(F.col("kw"), F.array().cast("array<string>")))


def links(b: DataFrame) -> DataFrame:
    """MovieLens id -> IMDb id (leading zeros kept) and TMDB id (one row per MovieLens id is kept by the table's rule)."""
    return b.select(
        number("movieId", "bigint").alias("movielens_id"),
        text("imdbId").alias("imdb_id"),
        number("tmdbId", "bigint").alias("tmdb_id"),
        F.col("_malformed"),
        *LINEAGE,
    )


def movielens_movies(b: DataFrame, link_table: DataFrame | None) -> DataFrame:
    """MovieLens movies: year cut from the title, pipe-separated genres, TMDB id through links."""
    title = F.trim(F.col("title"))
    year = F.regexp_extract(title, r"\((\d{4})\)\s*$", 1)
    genres = F.when(F.col("genres") == "(no genres listed)", F.array().cast("array<string>")).otherwise(F.split(F.col("genres"), r"\|"))
    df = b.select(
        number("movieId", "bigint").alias("movielens_id"),
        F.trim(F.regexp_replace(title, r"\s*\(\d{4}\)\s*$", "")).alias("title"),
        F.when(year != "", year.cast("int")).alias("year"),
        genres.alias("genres"),
        F.col("_malformed"),
        *LINEAGE,
    )
    # MovieLens ids are stable across releases: two releases landed side by side (ml-latest-small and ml-25m) name the
    # same movie by the same id, kept once, from the first file by path (as links)
    df = first_per_key(df, ["movielens_id"], FIRST_RECORD)
    if link_table is not None:
        return df.join(link_table.select("movielens_id", "tmdb_id"), "movielens_id", "left")
    return df.withColumn("tmdb_id", F.lit(None).cast("bigint"))


def vocabulary_genre(name: Column) -> Column:
    """A MovieLens genre name in the TMDB vocabulary."""
    renamed = name
    for movielens, tmdb in MOVIELENS_GENRES.items():
        renamed = F.when(name == movielens, F.lit(tmdb)).otherwise(renamed)
    return renamed


def genre_map(movielens: DataFrame | None, movies: DataFrame) -> DataFrame:
    """Every genre name a source uses and its name in the one vocabulary (TMDB-named sources map to themselves)."""
    tmdb_named = movies.where(F.col("source") != "movielens").select("source", F.explode("genres").alias("source_genre"))
    parts = [tmdb_named.withColumn("genre", F.col("source_genre"))]
    if movielens is not None:
        named = movielens.select(F.lit("movielens").alias("source"), F.explode("genres").alias("source_genre"))
        parts.append(named.withColumn("genre", vocabulary_genre(F.col("source_genre"))))
    return union_all(parts).where("source_genre IS NOT NULL").distinct()


def movielens_as_movies(ml: DataFrame) -> DataFrame:
    """MovieLens movies with a TMDB id, in the movies shape (lowest priority), genres in the TMDB vocabulary."""
    return ml.where("tmdb_id IS NOT NULL").select(
        F.col("tmdb_id").alias("movie_id"),
        "title",
        F.lit(None).cast("string").alias("original_title"),
        F.lit(None).cast("string").alias("original_language"),
        F.lit(None).cast("string").alias("overview"),
        F.make_date(F.col("year"), F.lit(1), F.lit(1)).alias("release_date"),
        *[
            F.lit(None).cast(t).alias(c)
            for c, t in (
                ("budget", "bigint"),
                ("revenue", "bigint"),
                ("runtime", "int"),
                ("popularity", "double"),
                ("vote_average", "double"),
                ("vote_count", "int"),
            )
        ],
        F.transform("genres", vocabulary_genre).alias("genres"),
        F.array().cast("array<string>").alias("keywords"),
        F.array().cast("array<string>").alias("companies"),
        F.lit("movielens").alias("source"),
        F.lit(None).cast("string").alias("_malformed"),
        *LINEAGE,
    )


def with_release_year(df: DataFrame) -> DataFrame:
    """Movies with their release year (one row per movie_id is kept by the table's rule, MOVIE_ORDER)."""
    return df.withColumn("release_year", F.year("release_date"))


def movie_genres(movies: DataFrame) -> DataFrame:
    """One row per movie and genre."""
    return movies.select("movie_id", F.explode("genres").alias("genre")).where("genre IS NOT NULL").distinct()


def genres(movie_genre: DataFrame) -> DataFrame:
    """The genre dimension: name and number of movies."""
    return movie_genre.groupBy("genre").agg(F.count(F.lit(1)).alias("movie_count"))


def ratings(b: DataFrame, link_table: DataFrame | None) -> DataFrame:
    """Ratings keyed by rating set (the source file: users of different samples never merge), user and movie; a key
    may still repeat (the pipeline keeps the latest)."""
    # the file's path under the raw dir without ".csv": a cut, not a regex (one per row, 3 scans of 26M rows: 2.5 s)
    source = F.col("_source_file")
    rating_set = F.when(source.endswith(".csv"), F.expr("substring(_source_file, 1, length(_source_file) - 4)")).otherwise(source)
    df = b.select(
        rating_set.alias("rating_set"),
        number("userId", "bigint").alias("user_id"),
        number("movieId", "bigint").alias("movielens_id"),
        number("rating").alias("rating"),
        F.timestamp_seconds(number("timestamp", "bigint")).alias("rated_at"),
        F.col("_malformed"),
        *LINEAGE,
    )
    # one row per key is kept after staging, by the table's keep_first_by (jobs/silver/tables.py): only the few rows of
    # a repeated key are ranked there, and the staged key hashes prove the rest unique without a recount
    if link_table is None:
        return df.withColumn("tmdb_id", F.lit(None).cast("bigint"))
    return df.join(link_table.select("movielens_id", "tmdb_id"), "movielens_id", "left")


def cpi(b: DataFrame) -> DataFrame:
    """Monthly CPI for admission to movies, theaters and concerts (one row per month, from the first file by path when
    several downloads of the series overlap, is kept by the table's rule)."""
    return b.select(
        any_date("DATE").alias("month"),
        number("CUSR0000SS62031").alias("cpi"),
        F.col("_malformed"),
        *LINEAGE,
    )


def _literal_directors(col: str):
    """Director names from a Python-literal crew list."""
    return F.regexp_extract_all(F.col(col), F.lit(r"""'job': 'Director', 'name': ["'](.*?)["'](?:,|\})"""), 1)


def credits(tmdb: DataFrame | None, mdb: DataFrame | None) -> DataFrame | None:
    """Cast (in billing order) and directors per movie, from TMDB 5000 (JSON) or the Movies Dataset (Python literals);
    one row per movie is kept by the table's rule, CREDITS_ORDER."""
    parts = []
    if tmdb is not None:
        crew = F.from_json(F.col("crew"), "array<struct<job:string,name:string>>")
        parts.append(
            tmdb.select(
                number("movie_id", "bigint").alias("movie_id"),
                json_names("cast").alias("cast"),
                F.transform(F.filter(crew, lambda c: c["job"] == "Director"), lambda c: c["name"]).alias("directors"),
                F.lit("tmdb_5000").alias("source"),
                F.col("_malformed"),
                *LINEAGE,
            )
        )
    if mdb is not None:
        parts.append(
            mdb.select(
                number("id", "bigint").alias("movie_id"),
                literal_names("cast").alias("cast"),
                _literal_directors("crew").alias("directors"),
                F.lit("movies_dataset").alias("source"),
                F.col("_malformed"),
                *LINEAGE,
            )
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
