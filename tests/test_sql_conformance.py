"""Every service query, written once in Databricks SQL, gives the same rows on Spark (Sail) and on DuckDB over the same tables."""

import datetime
import math

import pytest
from sqlglot import exp

from service import queries
from service.warehouse.local import LocalWarehouse

SAMPLE_PARAMS = {
    "artist_profiles": {"artist_1": "Ray Charles", "artist_2": "Dorf Band"} | {f"artist_{i}": None for i in range(3, 7)},
    "artist_search": {"q": "a", "limit": 20},
    "box_office_by_month": {"year_from": 1950, "year_to": 2020},
    "box_office_by_quarter": {"year_from": 1950, "year_to": 2020},
    "chat_movie_candidates": {
        "genre_1": "|Comedy|",
        "genre_2": "|Drama|",
        "genre_3": None,
        "keyword_1": "love",
        "keyword_2": None,
        "keyword_3": None,
        "genre": None,
        "year_from": 1950,
        "year_to": None,
        "min_votes": 10,
        "any_match": 0,
        "popular": 0,
        "limit": 8,
    },
    "chat_song_candidates": {
        "energy": 0.8,
        "valence": 0.85,
        "danceability": 0.7,
        "acousticness": 0.15,
        "instrumentalness": 0.02,
        "tempo": 122.0,
        "genres": "|pop|rock|latin|",
        "artists": None,
        "year_from": 1970,
        "year_to": None,
        "per_artist": 1,
        "pool": 400,
        "popular": 0,
        "limit": 8,
    },
    "genre_counts_by_year": {"year_from": 1980, "year_to": 2010},
    "genre_revenue_constant": {"year_from": 1950, "year_to": 2020},
    "movie_popularity_extremes": {"year": 2000},
    "song_trends_by_year": {"year_from": 1950, "year_to": 2020},
    "songs_search": {
        "tempo_min": 90.0,
        "tempo_max": 140.0,
        "duration_min": 60.0,
        "duration_max": 500.0,
        "time_signature": 4,
        "genre": None,
        "year": None,
        "limit": 50,
        "offset": 10,
    },  # fmt: skip
    "top_rated_movies": {"min_votes": 10, "limit": 20},
    "top_rated_movies_by_ratings": {"min_votes": 2, "limit": 20},
    "top_tracks": {"genre": "rock", "limit": 15},
}


def on_spark(spark, query: queries.Query, gold: str, params: dict) -> list[tuple]:
    """The query as Spark SQL over delta.`<path>` with named parameters."""
    table = lambda name: exp.Table(this=exp.to_identifier(f"{gold}/{name}", quoted=True), db=exp.to_identifier("delta"))  # noqa: E731
    sql = queries.transpile(query, "spark", table)
    return [tuple(row) for row in spark.sql(sql, args={k: v for k, v in params.items() if v is not None} | nulls(params)).collect()]


def nulls(params: dict) -> dict:
    """NULL parameters (Spark Connect takes typed NULL literals)."""
    from pyspark.sql import functions as F

    return {k: F.lit(None).cast("string") for k, v in params.items() if v is None}


def same(a, b) -> bool:
    """Equal values, floats to 1e-9 relative, dates against their ISO text."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, datetime.date) or isinstance(b, datetime.date):
        return str(a) == str(b)
    return a == b


@pytest.mark.parametrize("name", queries.names())
def test_query_gives_the_same_rows_on_sail_and_duckdb(spark, gold_lakehouse, name):
    query = queries.load(name)
    params = SAMPLE_PARAMS.get(name, {})
    assert set(params) == set(query.parameters), "give every parameter a sample value"
    duck = LocalWarehouse(gold_lakehouse).execute(name, params)
    sail = on_spark(spark, query, f"{gold_lakehouse}/gold", params)
    assert duck.rows, f"{name}: no rows to compare"
    assert len(duck.rows) == len(sail), name
    for d_row, s_row in zip(duck.rows, sail, strict=True):
        assert all(same(d, s) for d, s in zip(d_row, s_row, strict=True)), (name, d_row, s_row)
