"""Statistics that mean what they say: each gold table and endpoint on tiny inline data, the generated and the real data."""

import datetime
import json
import os
import shutil
import subprocess

import pandas as pd
import pytest
from deltalake import DeltaTable

from jobs import delta_io
from jobs.silver import movies as m
from jobs.silver import songs as s
from jobs.silver.tables import SILVER
from medialake.gold import BY_NAME as GOLD
from medialake.gold import GOLD as ALL_GOLD
from medialake.tables import location
from service import create_app
from service.params import Param
from service.warehouse.local import LocalWarehouse
from tests.conftest import REAL_DATA

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SILVER_BY_NAME = {t.name: t for t in SILVER}
needs_real = pytest.mark.skipif(not os.path.isdir(REAL_DATA), reason=f"real datasets not present at {REAL_DATA}")
D = datetime.date


def gold_rows(spark, name: str, **views) -> list[dict]:
    """One gold table's rows from its declared SQL over inline silver views."""
    for view, df in views.items():
        df.createOrReplaceTempView(view)
    return [r.asDict() for r in spark.sql(GOLD[name].sql).collect()]


def write_gold(spark, root: str, name: str, **views) -> None:
    """Build one gold table from its declaration over inline silver views, where the service reads it."""
    for view, df in views.items():
        df.createOrReplaceTempView(view)
    delta_io.overwrite(spark.sql(GOLD[name].sql), location(root, "gold", name))


def app_over(root: str):
    """A test client of the service over a lakehouse."""
    return create_app({"LAKEHOUSE_DIR": root, "WAREHOUSE": "local", "ACCESS_LOG": "0", "LOCAL_VERSION_CHECK_SECONDS": "0"}).test_client()


def silver_table(lakehouse: str, name: str) -> pd.DataFrame:
    """A silver or gold table read with the deltalake package."""
    return DeltaTable(os.path.join(lakehouse, name)).to_pandas()


MOVIES = "movie_id bigint, title string, release_date date, release_year int, revenue bigint, budget bigint, popularity double"


def movies_df(spark, rows):
    """Inline silver movies (the columns the gold SQL reads)."""
    return spark.createDataFrame(rows, MOVIES)


def monthly_cpi(spark, first=(2000, 1), last=(2010, 12), base=200.0):
    """CPI 100 every month from first to last, and `base` in the last month."""
    months, (y, mo) = [], first
    while (y, mo) <= last:
        months.append((D(y, mo, 1), base if (y, mo) == last else 100.0))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return spark.createDataFrame(months, "month date, cpi double")


# 1. Revenue per genre in constant dollars: every movie keeps its nominal figures.


def revenue_views(spark):
    """A movie before the CPI series, two inside it, one without revenue."""
    movies = movies_df(
        spark,
        [
            (1, "Old", D(1995, 6, 10), 1995, 100, 50, 1.0),
            (2, "New", D(2005, 3, 1), 2005, 200, 100, 1.0),
            (3, "No revenue", D(2005, 5, 1), 2005, None, None, 1.0),
            (4, "Two genres", D(2005, 7, 4), 2005, 300, None, 1.0),
        ],
    )
    genres = spark.createDataFrame([(1, "Drama"), (2, "Drama"), (3, "Drama"), (4, "Drama"), (4, "Comedy")], "movie_id bigint, genre string")
    return {"movies": movies, "movie_genres": genres, "cpi": monthly_cpi(spark)}


def test_revenue_outside_the_cpi_months_keeps_its_nominal_figures(spark):
    rows = {(r["year"], r["genre"]): r for r in gold_rows(spark, "genre_revenue_cpi", **revenue_views(spark))}
    old = rows[(1995, "Drama")]
    assert (old["movie_count"], old["revenue"], old["priced_count"], old["revenue_constant"]) == (1, 100, 0, None)
    new = rows[(2005, "Drama")]
    assert (new["movie_count"], new["revenue"], new["priced_count"]) == (2, 500, 2)
    assert new["revenue_constant"] == pytest.approx(1000.0) and new["budget_constant"] == pytest.approx(200.0)
    prices = {(r["price_base_month"], r["prices_from"], r["prices_to"]) for r in rows.values()}
    assert prices == {(D(2010, 12, 1), D(2000, 1, 1), D(2010, 12, 1))}


def test_genre_revenue_api_states_the_price_base_and_the_months_covered(spark, tmp_path):
    root = str(tmp_path / "lakehouse")
    write_gold(spark, root, "genre_revenue_cpi", **revenue_views(spark))
    client = app_over(root)
    body = client.get("/api/movies/genre-revenue?year_from=1990&year_to=2010").json
    drama = next(r for r in body["data"] if r["genre"] == "Drama")
    assert (drama["movie_count"], drama["priced_count"], drama["revenue"]) == (3, 2, 600)
    assert drama["revenue_constant"] == pytest.approx(1000.0)
    assert (drama["price_base_month"], drama["prices_from"], drama["prices_to"]) == ("2010-12-01", "2000-01-01", "2010-12-01")
    described = client.get("/openapi.json").json["paths"]["/api/movies/genre-revenue"]["get"]["description"]
    assert all(word in described for word in ("price_base_month", "prices_from", "prices_to", "priced_count"))


# 2. Top and bottom 5 by popularity per year.


def test_bottom_five_excludes_the_top_five_and_ties_go_to_the_lower_id(spark):
    few = [(i, f"m{i}", D(2001, 1, 1), 2001, None, None, p) for i, p in zip(range(1, 8), (9, 8, 7, 7, 6, 6, 1), strict=True)]
    many = [(100 + i, f"n{i}", D(2002, 1, 1), 2002, None, None, float(i)) for i in range(1, 13)]
    one = [(200, "alone", D(2003, 1, 1), 2003, None, None, 5.0)]
    rows = gold_rows(spark, "movie_popularity_by_year", movies=movies_df(spark, few + many + one))
    lists = {}
    for row in sorted(rows, key=lambda r: r["rank"]):
        lists.setdefault((row["year"], row["kind"]), []).append(row["movie_id"])
    assert lists[(2001, "top")] == [1, 2, 3, 4, 5]  # 3 and 4 tie at 7, 5 and 6 at 6: the lower id ranks first
    assert lists[(2001, "bottom")] == [7, 6]  # fewer than ten movies: the bottom list is the rest, least popular first
    assert lists[(2002, "top")] == [112, 111, 110, 109, 108] and lists[(2002, "bottom")] == [101, 102, 103, 104, 105]
    assert lists[(2003, "top")] == [200] and (2003, "bottom") not in lists


# 3. Spotify genre popularity: a track counts in every genre it is in.


def test_a_track_counts_in_every_genre_of_its_playlists(spark):
    listed = [("t1", "p1", "pop"), ("t1", "p2", "rock"), ("t2", "p2", "rock"), ("t3", "p1", "pop"), ("t3", "p3", "pop")]
    listed.append(("t2", "p2", "edm"))
    typed = spark.createDataFrame(
        [(*row, None, "spotify.csv", n) for n, row in enumerate(listed, 1)],
        "track_id string, playlist_id string, playlist_genre string, _malformed string, _source_file string, _record_number bigint",
    )  # t2's playlist p2 is listed under two genres, as 5 playlists of the real file are
    track_genres = SILVER_BY_NAME["track_genres"].first_per_key(s.track_genres(typed)).select("track_id", "genre")
    expected = [("t1", "pop"), ("t1", "rock"), ("t2", "edm"), ("t2", "rock"), ("t3", "pop")]
    assert sorted(tuple(r) for r in track_genres.collect()) == expected
    assert SILVER_BY_NAME["track_genres"].needs == ("spotify_songs",)
    tracks = spark.createDataFrame(
        [("t1", 80, "pop"), ("t2", 40, "rock"), ("t3", 60, "pop")], "track_id string, popularity int, genre string"
    )
    rows = {r["genre"]: r for r in gold_rows(spark, "song_genre_popularity", tracks=tracks, track_genres=track_genres)}
    assert (rows["pop"]["track_count"], rows["pop"]["mean_popularity"]) == (2, 70.0)
    assert (rows["rock"]["track_count"], rows["rock"]["mean_popularity"]) == (2, 60.0) and rows["edm"]["track_count"] == 1


# 4. Duration and tempo trends: means over the songs that have the value.

SONGS = "source string, song_id string, artist string, year int, duration_s double, tempo double, time_signature int, energy double, " \
        "valence double, danceability double, popularity int"  # fmt: skip


def test_trends_average_over_the_songs_that_have_a_tempo(spark, tmp_path):
    root = str(tmp_path / "lakehouse")
    songs = spark.createDataFrame(
        [
            ("spotify", "a", "A", 2000, 200.0, 100.0, None, 0.5, 0.5, 0.5, 50),
            ("spotify", "b", "A", 2000, 220.0, 120.0, None, 0.5, 0.5, 0.5, 50),
            ("msd", "c", "B", 2000, 180.0, None, 4, None, None, None, None),
            ("msd", "d", "B", 2000, 240.0, None, 4, None, None, None, None),
        ],
        SONGS,
    )
    write_gold(spark, root, "song_trends_by_year", songs=songs)
    [row] = LocalWarehouse(root).execute("song_trends_by_year", {"year_from": 1990, "year_to": 2010}).records()
    assert (row["song_count"], row["tempo_count"], row["mean_tempo"], row["mean_duration_s"]) == (4, 2, 110.0, 210.0)


# 5. One rating set feeds the statistics.

RATINGS = "rating_set string, user_id bigint, movielens_id bigint, rating double, tmdb_id bigint"


def rating_views(spark, sets):
    """Two movies and the ratings of the given sets (the small set samples the same users as the full one)."""
    full = [
        ("movies_dataset/ratings", 1, 10, 4.0, 100),
        ("movies_dataset/ratings", 2, 10, 2.0, 100),
        ("movies_dataset/ratings", 1, 11, 5.0, 101),
    ]
    small = [("movies_dataset/ratings_small", 1, 10, 4.0, 100), ("movies_dataset/ratings_small", 2, 10, 2.0, 100)]
    rows = (full if "full" in sets else []) + (small if "small" in sets else [])
    movies = spark.createDataFrame([(100, "A", 2000, 10, 7.0), (101, "B", 2001, 0, None)],
                                   "movie_id bigint, title string, release_year int, vote_count int, vote_average double")  # fmt: skip
    genres = spark.createDataFrame([(100, "Drama"), (101, "Drama")], "movie_id bigint, genre string")
    return {"movies": movies, "movie_genres": genres, "ratings": spark.createDataFrame(rows, RATINGS)}


def test_ratings_and_ratings_small_are_not_added_up(spark):
    views = rating_views(spark, {"full", "small"})
    per_movie = {r["movie_id"]: (r["rating_count"], r["mean_rating"]) for r in gold_rows(spark, "movie_ratings", **views)}
    assert per_movie == {100: (2, 3.0), 101: (1, 5.0)}
    [drama] = gold_rows(spark, "genre_popularity", **views)
    assert (drama["rating_count"], drama["mean_rating"]) == (3, pytest.approx(11 / 3))


def test_the_small_rating_set_alone_feeds_the_statistics(spark):
    per_movie = {r["movie_id"]: r["rating_count"] for r in gold_rows(spark, "movie_ratings", **rating_views(spark, {"small"}))}
    assert per_movie == {100: 2}


def test_generated_ratings_count_once_from_the_largest_set(gold_lakehouse):
    ratings = silver_table(gold_lakehouse, "silver/ratings")
    assert ratings.rating_set.nunique() == 3  # movies_dataset/ratings, movies_dataset/ratings_small, movielens/ratings
    chosen = ratings.rating_set.value_counts().idxmax()
    movies = set(silver_table(gold_lakehouse, "silver/movies").movie_id)
    expected = ratings[(ratings.rating_set == chosen) & ratings.tmdb_id.isin(movies)].groupby("tmdb_id").size()
    gold = silver_table(gold_lakehouse, "gold/movie_ratings").dropna(subset=["rating_count"]).set_index("movie_id").rating_count
    assert gold.astype(int).sort_index().to_dict() == expected.sort_index().to_dict()


# 6. One genre vocabulary.


def movielens_silver(spark):
    """silver.movielens_movies rows under MovieLens' genre names."""
    return spark.createDataFrame(
        [
            (1, "Alien", 1979, ["Horror", "Sci-Fi"], 348, "ml/movies.csv", 1),
            (2, "Babe", 1995, ["Children", "Musical", "IMAX"], 9598, "ml/movies.csv", 2),
        ],
        "movielens_id bigint, title string, year int, genres array<string>, tmdb_id bigint, _source_file string, _record_number bigint",
    )


def test_movielens_genres_are_named_in_the_tmdb_vocabulary(spark):
    ml = movielens_silver(spark)
    movies = SILVER_BY_NAME["movies"].first_per_key(m.with_release_year(m.movielens_as_movies(ml)))
    names = {r["genre"] for r in SILVER_BY_NAME["movie_genres"].build({"silver.movies": movies}).collect()}
    assert names == {"Horror", "Science Fiction", "Family", "Music", "IMAX"}
    mapping = SILVER_BY_NAME["genre_map"].build({"silver.movielens_movies": ml, "silver.movies": movies})
    pairs = {(r["source"], r["source_genre"]): r["genre"] for r in mapping.collect()}
    assert pairs[("movielens", "Sci-Fi")] == "Science Fiction" and pairs[("movielens", "Children")] == "Family"
    assert pairs[("movielens", "Horror")] == "Horror" and pairs[("movielens", "IMAX")] == "IMAX"


# 7 and 8. Artist comparison: names with commas, and no data is not a zero.


def test_a_list_parameter_keeps_commas_inside_names():
    names = ["Crosby, Stills & Nash", "Earth, Wind & Fire"]
    assert Param("artist", "list").parse([*names, " "]) == names


def artist_lakehouse(spark, root):
    """artist_profiles of two Spotify artists with commas in their names and one MSD artist."""
    songs = spark.createDataFrame(
        [
            ("spotify", "a", "Crosby, Stills & Nash", 1970, 200.0, 100.0, None, 0.4, 0.6, 0.5, 60),
            ("spotify", "b", "Earth, Wind & Fire", 1975, 240.0, 120.0, None, 0.8, 0.9, 0.8, 70),
            ("msd", "c", "Old Band", 1960, 180.0, 90.0, 3, None, None, None, None),
        ],
        SONGS,
    )
    write_gold(spark, root, "artist_profiles", songs=songs)


def test_artists_with_commas_can_be_compared_and_missing_axes_are_marked(spark, tmp_path):
    root = str(tmp_path / "lakehouse")
    artist_lakehouse(spark, root)
    client = app_over(root)
    response = client.get("/api/songs/artists", query_string=[("artist", "Crosby, Stills & Nash"), ("artist", "Earth, Wind & Fire")])
    assert response.status_code == 200, response.json
    rows = {r["artist"]: r for r in response.json["data"]}
    assert set(rows) == {"Crosby, Stills & Nash", "Earth, Wind & Fire"}
    assert all(r["mean_time_signature"] is None and r["no_data"] == ["mean_time_signature"] for r in rows.values())
    mixed = client.get("/api/songs/artists", query_string=[("artist", "Old Band"), ("artist", "Earth, Wind & Fire")]).json["data"]
    old = next(r for r in mixed if r["artist"] == "Old Band")
    assert old["mean_time_signature"] == 3 and old["no_data"] == ["mean_energy", "mean_valence", "mean_danceability"]
    one = client.get("/api/songs/artists?artist=Crosby, Stills %26 Nash")
    assert one.status_code == 400 and "repeat the parameter" in one.json["error"]["message"]


PAGE_SCRIPT = """
const vm = require("vm");
const context = { console, location: { search: "" }, sessionStorage: { setItem() {} }, Chart: function () {},
  fetch: () => new Promise(() => {}), URLSearchParams, FormData: function (form) { return form.entries || []; },
  document: { getElementById: () => ({ dataset: {}, addEventListener() {} }), querySelector: () => ({ textContent: "" }) } };
vm.createContext(context);
vm.runInContext(require("fs").readFileSync(process.argv[1], "utf8"), context);
process.stdout.write(JSON.stringify(vm.runInContext(process.argv[2], context)));
"""


def page_script(expression: str):
    """A JavaScript expression's value after the chart page's script (service/static/app.js) has run, by node."""
    app_js = os.path.join(ROOT, "service", "static", "app.js")
    done = subprocess.run(["node", "-e", PAGE_SCRIPT, app_js, expression], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def radar(rows: list[dict]) -> dict:
    """The chart page's radar config for these API rows."""
    return page_script(f"renderers.radar({json.dumps(rows)})")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the chart page's script")
def test_the_radar_omits_an_axis_no_artist_shown_has_and_leaves_gaps_not_zeros():
    spotify = {"mean_energy": 0.8, "mean_valence": 0.9, "mean_danceability": 0.8, "mean_tempo": 120.0, "mean_duration_s": 240.0}
    rows = [{"artist": "A", **spotify, "mean_time_signature": None}, {"artist": "B", **spotify, "mean_time_signature": None}]
    config = radar(rows)
    assert "time_signature" not in " ".join(config["data"]["labels"]) and all(None not in d["data"] for d in config["data"]["datasets"])
    msd = {"artist": "C", "mean_energy": None, "mean_valence": None, "mean_danceability": None, "mean_tempo": 90.0,
           "mean_duration_s": 180.0, "mean_time_signature": 3.0}  # fmt: skip
    mixed = radar([rows[0], msd])
    labels = mixed["data"]["labels"]
    assert len(labels) == 6 and all(d["data"].count(None) == 1 or d["data"].count(None) == 3 for d in mixed["data"]["datasets"])
    c = next(d for d in mixed["data"]["datasets"] if d["label"] == "C")["data"]
    assert [c[i] for i, label in enumerate(labels) if label.startswith(("energy", "valence", "danceability"))] == [None, None, None]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the chart page's script")
def test_the_artist_page_sends_one_parameter_per_line_keeping_commas(client):
    page = client.get("/songs/artists").get_data(as_text=True)
    assert '<textarea name="artist"' in page and "one per line" in page
    form = {"entries": [["artist", "Crosby, Stills & Nash\n Earth, Wind & Fire \n"], ["x", ""]],
            "elements": {"artist": {"tagName": "TEXTAREA"}, "x": {"tagName": "INPUT"}}}  # fmt: skip
    assert page_script(f"query({json.dumps(form)})") == [["artist", "Crosby, Stills & Nash"], ["artist", "Earth, Wind & Fire"]]


# 9. Every gold table is defined in one line, and the API reference shows it.


def test_every_gold_table_has_a_one_line_definition_that_the_api_reference_shows(client):
    for table in ALL_GOLD:
        text = table.description
        assert "\n" not in text and text.startswith("one row per") and "left out" in text, (table.name, text)
    spec = client.get("/openapi.json").json
    assert spec["x-tables"] == {f"gold.{t.name}": t.description for t in ALL_GOLD}
    assert GOLD["movie_popularity_by_year"].description in spec["paths"]["/api/movies/popularity"]["get"]["description"]
    assert GOLD["songs_catalog"].description in spec["paths"]["/api/chat"]["post"]["description"]
    page = client.get("/docs").get_data(as_text=True)
    assert all(f"gold.{t.name}" in page for t in ALL_GOLD) and "POST /api/chat" in page


# The same statistics on the real files.


@pytest.fixture(scope="module")
def real_lake(spark, tmp_path_factory):
    """A lakehouse built from every real file."""
    from jobs.pipeline import run_etl
    from tests.conftest import settings_for

    lakehouse = str(tmp_path_factory.mktemp("real_stats") / "lakehouse")
    run_etl(spark, settings_for(REAL_DATA, lakehouse))
    return lakehouse


@needs_real
def test_real_tmdb_revenue_is_kept_whole_and_priced_where_the_cpi_reaches(real_lake):
    movies = silver_table(real_lake, "silver/movies")
    earning = movies[movies.revenue.notna() & movies.release_year.notna()]
    rows = LocalWarehouse(real_lake).execute("genre_revenue_constant", {"year_from": 1870, "year_to": 2030}).records()
    genres = silver_table(real_lake, "silver/movie_genres")
    in_genres = genres[genres.movie_id.isin(earning.movie_id)]
    assert sum(r["movie_count"] for r in rows) == len(in_genres)
    released = pd.to_datetime(in_genres.movie_id.map(earning.set_index("movie_id").release_date))
    priced = released >= pd.Timestamp("1999-01-01")
    assert sum(r["priced_count"] for r in rows) == priced.sum() < len(in_genres)
    assert {(r["price_base_month"], r["prices_from"]) for r in rows} == {(D(2022, 4, 1), D(1999, 1, 1))}


@needs_real
def test_real_popularity_lists_never_overlap(real_lake):
    lists = silver_table(real_lake, "gold/movie_popularity_by_year")
    both = lists.groupby(["year", "movie_id"]).kind.nunique()
    assert (both == 1).all()
    per_year = silver_table(real_lake, "silver/movies").dropna(subset=["release_year", "popularity"]).groupby("release_year").size()
    sizes = lists.groupby(["year", "kind"]).size().unstack(fill_value=0)
    assert (sizes["top"] == per_year.loc[sizes.index].clip(upper=5)).all()
    assert (sizes.get("bottom", 0) == (per_year.loc[sizes.index] - 5).clip(lower=0, upper=5)).all()


@needs_real
def test_real_multi_genre_tracks_count_in_each_genre(real_lake):
    track_genres = silver_table(real_lake, "silver/track_genres")
    per_track = track_genres.groupby("track_id").size()
    assert len(per_track) == 28356 and (per_track > 1).sum() == 1687
    assert silver_table(real_lake, "gold/song_genre_popularity").track_count.sum() == len(track_genres) == 30385


@needs_real
def test_real_trends_use_the_songs_with_a_value(real_lake):
    songs = silver_table(real_lake, "silver/songs").dropna(subset=["year"])
    rows = LocalWarehouse(real_lake).execute("song_trends_by_year", {"year_from": 1870, "year_to": 2030}).records()
    tempo = songs.dropna(subset=["tempo"]).groupby("year").tempo.mean().round(3)
    assert {r["year"]: r["mean_tempo"] for r in rows if r["mean_tempo"] is not None} == pytest.approx(
        tempo.to_dict(), abs=2e-3
    )  # both rounded to 3 places


@needs_real
def test_real_genres_in_one_vocabulary(real_lake):
    genres = set(silver_table(real_lake, "silver/movie_genres").genre)
    assert not genres & {"Sci-Fi", "Children", "Musical"} and {"Science Fiction", "Family", "Music"} <= genres
    mapping = silver_table(real_lake, "silver/genre_map")
    assert mapping.set_index(["source", "source_genre"]).genre[("movielens", "Sci-Fi")] == "Science Fiction"


@needs_real
def test_real_artists_with_commas_are_compared(real_lake):
    client = app_over(real_lake)
    names = ["Crosby, Stills & Nash", "Earth, Wind & Fire", "Tyler, The Creator"]
    response = client.get("/api/songs/artists", query_string=[("artist", n) for n in names])
    assert response.status_code == 200 and sorted(r["artist"] for r in response.json["data"]) == sorted(names)
    assert all(r["mean_time_signature"] is None and "mean_time_signature" in r["no_data"] for r in response.json["data"])
