"""Non-Delta transforms run on both engines; `python -m tests.conformance_cases` prints their results from JVM Spark."""

import json
import sys

from jobs.silver import clean
from jobs.silver import movies as m
from jobs.silver import songs as s
from jobs.silver.tables import SILVER
from medialake.gold import BY_NAME as GOLD

RAW = [
    ("1", "2012", "NA", "[{'id': 16, 'name': 'Animation'}, {'id': 1, 'name': \"Children's\"}]", "2.33e-5", "0"),
    ("2", "1981-12", "b'Los Angeles &amp; New York'", "[]", "nan", "150000000"),
    ("x", "2019-06-14", "  Tiësto ", None, "162.0", "0.0"),
    ("4", "- Written by", "", "[{'id': 18, 'name': 'Drama'}]", "abc", "-5"),
]
RAW_SCHEMA = "id string, d string, t string, g string, n string, money string"

SILVER_BY_NAME = {table.name: table for table in SILVER}


def case_cleaners(spark):
    """The column cleaners on messy strings."""
    df = spark.createDataFrame(RAW, RAW_SCHEMA)
    return df.select(
        clean.number("id", "bigint").alias("id"),
        clean.any_date("d").alias("d"),
        clean.date_precision("d").alias("p"),
        clean.text("t").alias("t"),
        clean.literal_names("g").alias("g"),
        clean.number("n").alias("n"),
        clean.positive("money", "bigint").alias("money"),
    )


def case_movielens(spark):
    """MovieLens titles, years and genres."""
    bronze = spark.createDataFrame(
        [("1", "American President, The (1995)", "Comedy|Drama", None, "f", 1), ("2", "Babylon 5", "(no genres listed)", None, "f", 2)],
        "movieId string, title string, genres string, _malformed string, _source_file string, _record_number long",
    )
    return m.movielens_movies(bronze, None)


def case_tracks(spark):
    """Spotify typing, dedup to one row per track, a track in each genre of its playlists, and a gold query over them."""
    cols = "track_id track_name track_artist track_popularity track_album_id track_album_name track_album_release_date playlist_name "
    cols += "playlist_id playlist_genre playlist_subgenre danceability energy key loudness mode speechiness acousticness "
    cols += "instrumentalness liveness valence tempo duration_ms _malformed _source_file _record_number"
    row = [
        "t1",
        "Song",
        "Band",
        "67",
        "a1",
        "Album",
        "2019-06",
        "P",
        "p1",
        "pop",
        "dance pop",
        "0.7",
        "0.9",
        "5",
        "-3.1",
        "1",
        "0.05",
        "0.1",
        "2.33e-5",
        "0.2",
        "0.6",
        "128.0",
        "200000",
        None,
        "f",
    ]
    rows = [tuple(row + [1]), tuple(row[:8] + ["p2", "rock"] + row[10:] + [2]), tuple(["t2", "NA"] + row[2:] + [3])]
    schema = ", ".join(f"{c} string" for c in cols.split()[:-1]) + ", _record_number long"
    typed = s.spotify_typed(spark.createDataFrame(rows, schema))
    SILVER_BY_NAME["tracks"].first_per_key(s.tracks(typed)).createOrReplaceTempView("tracks")
    SILVER_BY_NAME["track_genres"].first_per_key(s.track_genres(typed)).createOrReplaceTempView("track_genres")
    return spark.sql(GOLD["song_genre_popularity"].sql)


CASES = {name[5:]: fn for name, fn in dict(globals()).items() if name.startswith("case_")}


def result(df) -> dict:
    """Rows (sorted, as JSON) and column types of a DataFrame."""
    rows = sorted(json.dumps(r.asDict(recursive=True), default=str, sort_keys=True) for r in df.collect())
    return {"types": [[f.name, f.dataType.simpleString()] for f in df.schema.fields], "rows": rows}


def main() -> None:
    """Run every case on a local JVM Spark session and print the results as JSON."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    json.dump({name: result(fn(spark)) for name, fn in CASES.items()}, sys.stdout)
    spark.stop()


if __name__ == "__main__":
    main()
