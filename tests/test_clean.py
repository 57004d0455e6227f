"""Unit tests of the silver cleaners and transforms on tiny inline DataFrames (Sail)."""

from chispa import assert_df_equality
from pyspark.sql import functions as F

from jobs.silver import clean
from jobs.silver import movies as m
from jobs.silver.tables import SILVER


def table(name: str):
    """A silver table's declaration (its keep_first_by is its dedup rule)."""
    return next(spec for spec in SILVER if spec.name == name)


def test_text_turns_missing_markers_into_null_and_decodes_entities(spark):
    df = spark.createDataFrame([("NA",), ("nan",), ("  ",), ("b'Los Angeles &amp; New York'",), ("qu&#039;un D\ufffdorf",)], "v string")
    got = [r.v for r in df.select(clean.text("v").alias("v")).collect()]
    assert got == [None, None, None, "Los Angeles & New York", "qu'un Dorf"]


def test_any_date_accepts_year_month_and_day_precision(spark):
    df = spark.createDataFrame([("2012",), ("1981-12",), ("2019-06-14",), ("",), ("- Written by",), ("2019-02-30",)], "d string")
    rows = df.select(clean.any_date("d").cast("string").alias("d"), clean.date_precision("d").alias("p")).collect()
    assert [(r.d, r.p) for r in rows] == [
        ("2012-01-01", "year"),
        ("1981-12-01", "month"),
        ("2019-06-14", "day"),
        (None, None),
        (None, None),
        (None, "day"),
    ]


def test_number_try_casts_and_nan_becomes_null(spark):
    df = spark.createDataFrame([("2.33e-5",), ("nan",), ("abc",), ("162.0",)], "v string")
    got = [r.v for r in df.select(clean.number("v").alias("v")).collect()]
    assert got == [2.33e-5, None, None, 162.0]


def test_positive_treats_zero_as_unknown(spark):
    df = spark.createDataFrame([("0",), ("0.0",), ("150000000",)], "v string")
    assert [r.v for r in df.select(clean.positive("v", "bigint").alias("v")).collect()] == [None, None, 150000000]


def test_literal_names_parse_python_reprs_with_apostrophes(spark):
    value = "[{'id': 16, 'name': 'Animation'}, {'id': 1, 'name': \"Children's Television Workshop\"}, {'id': 2, 'name': 'Family'}]"
    df = spark.createDataFrame([(value,), ("[]",), (None,)], "g string")
    got = [r.g for r in df.select(clean.literal_names("g").alias("g")).collect()]
    assert got == [["Animation", "Children's Television Workshop", "Family"], [], []]


def test_json_names_parse_tmdb_json(spark):
    df = spark.createDataFrame([('[{"id": 28, "name": "Action"}, {"id": 12, "name": "Adventure"}]',), ("[]",)], "g string")
    assert [r.g for r in df.select(clean.json_names("g").alias("g")).collect()] == [["Action", "Adventure"], []]


def test_first_per_key_keeps_first_by_order_and_every_null_key(spark):
    df = spark.createDataFrame([(1, 5), (1, 9), (2, 1), (None, 1), (None, 2)], "k int, v int")
    got = clean.first_per_key(df, ["k"], "v DESC NULLS LAST")
    expected = spark.createDataFrame([(1, 9), (2, 1), (None, 1), (None, 2)], "k int, v int")
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_first_per_key_ranks_in_order_with_nulls_last_and_keeps_every_column(spark):
    df = spark.createDataFrame(
        [(1, None, 7, ["a"]), (1, 3, 1, ["b"]), (1, 3, 2, ["c"]), (2, None, 1, ["d"]), (2, None, 2, ["e"])],
        "k int, v int, n long, tags array<string>",
    )
    got = clean.first_per_key(df, ["k"], "v DESC NULLS LAST, n DESC")
    assert sorted(map(tuple, got.collect())) == [(1, 3, 2, ["c"]), (2, None, 2, ["e"])]


def test_first_per_key_on_several_columns_compares_the_real_keys_not_their_hash(spark):
    # xxhash64 skips NULLs, so ("s", NULL, 1) and (NULL, "s", 1) hash alike: both are sent to the window, both kept
    df = spark.createDataFrame(
        [("s", None, 1, 1), (None, "s", 1, 2), ("s", "t", 1, 3), ("s", "t", 1, 4), ("s", "t", 2, 5), ("u", "t", 1, 6)],
        "a string, b string, c int, n long",
    )
    got = clean.first_per_key(df, ["a", "b", "c"], "n DESC")
    assert sorted(r.n for r in got.collect()) == [1, 2, 4, 5, 6]
    assert got.columns == df.columns


def test_movielens_title_year_and_genres(spark):
    bronze = spark.createDataFrame(
        [
            ("1", "American President, The (1995)", "Comedy|Drama|Romance", None, "f", 1),
            ("2", "Babylon 5", "(no genres listed)", None, "f", 2),
            ("3", "From Dusk Till Dawn 2: Texas Blood Money (1999) ", "Horror", None, "f", 3),
        ],
        "movieId string, title string, genres string, _malformed string, _source_file string, _record_number long",
    )
    rows = m.movielens_movies(bronze, None).orderBy("movielens_id").collect()
    assert [(r.title, r.year, r.genres) for r in rows] == [
        ("American President, The", 1995, ["Comedy", "Drama", "Romance"]),
        ("Babylon 5", None, []),
        ("From Dusk Till Dawn 2: Texas Blood Money", 1999, ["Horror"]),
    ]


def test_two_movielens_releases_side_by_side_keep_each_movie_once_from_the_first_file(spark):
    bronze = spark.createDataFrame(
        [
            ("1", "Toy Story (1995)", "Animation", None, "ml-latest-small/movies.csv", 1),
            ("2", "Jumanji (1995)", "Adventure", None, "ml-latest-small/movies.csv", 2),
            ("1", "Toy Story (1995)", "Animation|Children", None, "ml-25m/movies.csv", 1),
            ("3", "Grumpier Old Men (1995)", "Comedy", None, "ml-25m/movies.csv", 2),
        ],
        "movieId string, title string, genres string, _malformed string, _source_file string, _record_number long",
    )
    rows = m.movielens_movies(bronze, None).orderBy("movielens_id").collect()
    small, large = "ml-latest-small/movies.csv", "ml-25m/movies.csv"  # "ml-25m/..." comes first by path
    assert [(r.movielens_id, r._source_file) for r in rows] == [(1, large), (2, small), (3, large)]


def test_two_downloads_of_the_cpi_series_keep_each_month_once(spark):
    bronze = spark.createDataFrame(
        [("2020-01-01", "100.0", None, "fred/a.csv", 1), ("2020-02-01", "101.0", None, "fred/a.csv", 2),
         ("2020-02-01", "101.5", None, "fred/b.csv", 1), ("2020-03-01", "102.0", None, "fred/b.csv", 2)],
        "DATE string, CUSR0000SS62031 string, _malformed string, _source_file string, _record_number long",
    )  # fmt: skip
    rows = table("cpi").first_per_key(m.cpi(bronze)).orderBy("month").collect()
    assert [(str(r.month), r.cpi) for r in rows] == [("2020-01-01", 100.0), ("2020-02-01", 101.0), ("2020-03-01", 102.0)]


def test_movie_dedup_prefers_tmdb_then_most_votes(spark):
    schema = "movie_id long, source string, vote_count int, release_date date, _record_number long"
    df = spark.createDataFrame(
        [
            (1, "movielens", None, None, 1),
            (1, "tmdb_5000", 10, None, 2),
            (1, "movies_dataset", 99, None, 3),
            (2, "movies_dataset", 5, None, 4),
            (2, "movies_dataset", 50, None, 5),
        ],
        schema,
    )
    rows = table("movies").first_per_key(m.with_release_year(df)).orderBy("movie_id").collect()
    assert [(r.movie_id, r.source, r.vote_count) for r in rows] == [(1, "tmdb_5000", 10), (2, "movies_dataset", 50)]


def test_credits_from_python_literals_and_json(spark):
    cast = repr(
        [{"cast_id": 1, "character": "Self", "name": "Lupita Nyong'o", "order": 0}, {"cast_id": 2, "name": "Tom Hanks", "order": 1}]
    )
    crew = repr(
        [{"department": "Sound", "job": "Composer", "name": "A"}, {"department": "Directing", "job": "Director", "name": "Bill O'Reilly"}]
    )
    mdb = spark.createDataFrame(
        [(cast, crew, "862", None, "credits.csv", 1)],
        "cast string, crew string, id string, _malformed string, _source_file string, _record_number long",
    )
    tmdb = spark.createDataFrame(
        [("863", "T", '[{"name": "Zhang Ziyi"}]', '[{"job": "Director", "name": "Ang Lee"}]', None, "c.csv", 1)],
        "movie_id string, title string, cast string, crew string, _malformed string, _source_file string, _record_number long",
    )
    rows = m.credits(tmdb, mdb).orderBy("movie_id").collect()
    assert [(r.movie_id, r.cast, r.directors, r.source) for r in rows] == [
        (862, ["Lupita Nyong'o", "Tom Hanks"], ["Bill O'Reilly"], "movies_dataset"),
        (863, ["Zhang Ziyi"], ["Ang Lee"], "tmdb_5000"),
    ]


def test_silver_ratings_keep_the_latest_per_rating_set_user_and_movie(spark, tmp_path):
    """The ratings table's declared rule, through the pipeline: the latest rating; at one second, the later record;
    a missing time after any time; the same user and movie in another file is another key."""
    from jobs.pipeline import write_silver
    from tests.conftest import settings_for

    rows = [("7", "1", "2.0", "100", "a.csv", 1), ("7", "1", "3.0", "200", "a.csv", 2), ("7", "1", "4.0", "200", "a.csv", 3),
            ("7", "1", "5.0", None, "a.csv", 4), ("7", "1", "1.0", "50", "b.csv", 1), ("8", "2", "0.5", "9", "a.csv", 5)]  # fmt: skip
    schema = "userId string, movieId string, rating string, timestamp string, _source_file string, _record_number long"
    bronze = spark.createDataFrame(rows, schema).withColumn("_malformed", F.lit(None).cast("string"))
    spec = table("ratings")
    settings = settings_for(str(tmp_path / "raw"), str(tmp_path / "lakehouse"))
    stats = write_silver(spark, settings, spec, spec.build({"ratings": bronze}))
    written = spark.read.format("delta").load(str(tmp_path / "lakehouse" / "silver" / "ratings")).orderBy("rating_set", "user_id")
    assert [(r.rating_set, r.user_id, r.rating) for r in written.collect()] == [("a", 7, 4.0), ("a", 8, 0.5), ("b", 7, 1.0)]
    assert stats.rows_written == 3 and not [r for r in stats.results if r["failed"] and r["action"] == "fail"]


def test_every_declared_dedup_rule_orders_by_the_tables_own_columns(spark):
    """A keep_first_by is only evaluated when a key repeats: a typo there would wait for the first duplicate."""
    from jobs.keys import row_number_by

    declared = [spec for spec in SILVER if spec.keep_first_by]
    assert {spec.name for spec in declared} >= {"ratings", "movies", "links", "cpi", "tracks", "credits", "msd_songs"}
    for spec in declared:
        rows = spark.createDataFrame([tuple("1" for _ in spec.columns)] * 2, ", ".join(f"`{c}` string" for c in spec.columns))
        ranked = rows.withColumn("_rank", row_number_by(list(spec.keys), spec.keep_first_by))
        assert sorted(r._rank for r in ranked.collect()) == [1, 2], spec.name
