"""The statistics endpoints over real gold Delta tables through the real DuckDB warehouse."""

import shutil
import time

import pytest
from deltalake import DeltaTable

from service import create_app
from service.api.registry import ENDPOINTS
from tests.releases import write_and_publish

GOOD = {
    "/api/movies/genres-by-year?year_from=1990&year_to=2000": lambda d: {r["year"] for r in d} <= set(range(1990, 2001)),
    "/api/movies/popularity?year=2000": lambda d: d and len(d) <= 10 and len({r["movie_id"] for r in d}) == len(d),  # bottom excludes top
    "/api/movies/top-rated?min_votes=50&limit=5": lambda d: len(d) == 5 and all(r["vote_count"] >= 50 for r in d),
    "/api/movies/top-rated?by=movielens&min_votes=2&limit=3": lambda d: d == sorted(d, key=lambda r: -r["mean_rating"]),
    "/api/movies/genre-popularity": lambda d: d and all(0 < r["mean_rating"] <= 5 for r in d),
    "/api/movies/box-office?year_from=1950&year_to=2017": lambda d: {r["quarter"] for r in d["by_quarter"]} <= {1, 2, 3, 4},
    "/api/movies/genre-revenue": lambda d: (
        d
        and all(
            r["priced_count"] <= r["movie_count"] and (r["revenue_constant"] > 0 if r["priced_count"] else r["revenue_constant"] is None)
            for r in d
        )
    ),
    "/api/movies/genres": lambda d: "Drama" in {r["genre"] for r in d},
    "/api/songs/top-tracks?limit=3&genre=pop": lambda d: len(d) == 3 and {r["genre"] for r in d} == {"pop"},
    "/api/songs/genre-popularity": lambda d: {r["genre"] for r in d} >= {"pop", "rock"},
    "/api/songs/popularity-by-month": lambda d: {r["month"] for r in d} <= set(range(1, 13)),
    "/api/songs/popularity-histogram": lambda d: sum(r["track_count"] for r in d) > 0,
    "/api/songs/search?tempo_min=90&tempo_max=130&duration_min=60&duration_max=400&limit=5&page=2": lambda d: all(
        90 <= r["tempo"] <= 130 and 60 <= r["duration_s"] <= 400 for r in d
    ),
    "/api/songs/trends?year_from=1960&year_to=2020": lambda d: all(r["mean_tempo"] > 0 for r in d),
    "/api/songs/artist-search?q=ray&limit=3": lambda d: all("ray" in r["artist"].lower() for r in d),
    "/api/songs/genres": lambda d: len(d) >= 3,
}


@pytest.mark.parametrize("url", list(GOOD))
def test_each_endpoint_answers_in_the_envelope(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"data", "meta"} and body["meta"]["stale"] is False
    assert body["meta"]["table_versions"] and all(v >= 0 for v in body["meta"]["table_versions"].values())
    assert GOOD[url](body["data"]), body["data"]


def test_every_registered_endpoint_is_exercised():
    assert {f"/api{e.path}" for e in ENDPOINTS} == {url.split("?")[0] for url in GOOD} | {"/api/songs/artists"}


def test_artist_profiles_side_by_side(client):
    names = [r["artist"] for r in client.get("/api/songs/artist-search?q=a&limit=3").json["data"]]
    body = client.get("/api/songs/artists", query_string=[("artist", n) for n in names]).json
    assert sorted(r["artist"] for r in body["data"]) == sorted(names)
    assert all(0 <= r["mean_energy"] <= 1 for r in body["data"] if r["mean_energy"] is not None)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/movies/genres-by-year?year_from=2001&year_to=1990", "year_to"),
        ("/api/movies/genres-by-year?year_from=abc", "year_from"),
        ("/api/movies/popularity?year=1492", "year"),
        ("/api/movies/top-rated?limit=500", "limit"),
        ("/api/movies/top-rated?by=imdb", "by"),
        ("/api/songs/top-tracks?genre=polka", "genre"),
        ("/api/songs/search?tempo_min=150&tempo_max=100", "tempo_max"),
        ("/api/songs/search?duration_min=nan", "duration_min"),
        ("/api/songs/search?time_signature=four", "time_signature"),
        ("/api/songs/artists?artist=OnlyOne", "artist"),
        ("/api/songs/artists?artist=Nobody%20At%20All,Ray%20Charles", "artist"),
        ("/api/songs/artist-search", "q"),
        ("/api/songs/top-tracks?colour=red", "colour"),
    ],
)
def test_bad_requests_get_a_json_400_naming_the_parameter(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter and response.json["error"]["code"] == "invalid_parameter"


def test_sql_injection_attempts_are_just_values(client):
    response = client.get("/api/songs/artist-search", query_string={"q": "x'); DROP TABLE artist_profiles; --"})
    assert response.status_code == 200 and response.json["data"] == []


def test_unknown_paths_and_methods_are_json(client):
    assert client.get("/api/nothing").json["error"]["status"] == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.post("/api/movies/genres").json["error"]["status"] == 405


def test_etag_gives_304_and_cache_control(client):
    first = client.get("/api/songs/genre-popularity")
    assert first.headers["Cache-Control"] == "public, no-cache" and first.headers["ETag"]
    again = client.get("/api/songs/genre-popularity", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def copy_lakehouse(source, target) -> str:
    """A private copy of the served lakehouse a test may change."""
    shutil.copytree(source, target)
    return str(target)


def test_a_new_table_version_is_seen_by_the_next_request(gold_lakehouse, tmp_path):
    root = copy_lakehouse(gold_lakehouse, tmp_path / "lake")
    client = create_app({"LAKEHOUSE_DIR": root, "ACCESS_LOG": "0", "LOCAL_VERSION_CHECK_SECONDS": "0.2"}).test_client()
    before = client.get("/api/songs/popularity-histogram")
    assert client.get("/api/songs/popularity-histogram").data == before.data
    table = DeltaTable(f"{root}/gold/popularity_histogram")
    rows = table.to_pandas()
    rows["track_count"] = rows["track_count"] * 2
    write_and_publish(root, "popularity_histogram", rows)
    time.sleep(0.25)  # the version is trusted for LOCAL_VERSION_CHECK_SECONDS, then re-read
    after = client.get("/api/songs/popularity-histogram", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert [r["track_count"] for r in after.json["data"]] == [2 * r["track_count"] for r in before.json["data"]]
    assert after.json["meta"]["table_versions"]["popularity_histogram"] == before.json["meta"]["table_versions"]["popularity_histogram"] + 1


def test_without_gold_tables_every_answer_is_a_json_503_naming_no_path(tmp_path):
    client = create_app({"LAKEHOUSE_DIR": str(tmp_path / "empty"), "ACCESS_LOG": "0"}).test_client()
    for url in ("/api/songs/genre-popularity", "/api/movies/genres-by-year"):
        answer = client.get(url)
        assert answer.status_code == 503 and answer.json["error"]["code"] == "warehouse_unavailable"
        assert str(tmp_path) not in answer.get_data(as_text=True)
    assert client.get("/ready").status_code == 503 and client.get("/health").status_code == 200


def test_metrics_count_requests_and_cache_results(client):
    client.get("/api/movies/genres")
    client.get("/api/movies/genres")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'medialake_requests_total{route="/api/movies/genres",status="200"}' in text
    assert 'medialake_cache_total{result="hit"}' in text


def test_openapi_lists_every_route_with_its_parameters(app, client):
    spec = client.get("/openapi.json").json
    api_rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert api_rules == {p for p in spec["paths"] if p.startswith("/api/")}
    search = {p["name"] for p in spec["paths"]["/api/songs/search"]["get"]["parameters"]}
    assert {"tempo_min", "tempo_max", "duration_min", "duration_max", "time_signature", "genre", "year", "page", "limit"} == search
    assert "/api/songs/search" in client.get("/docs").get_data(as_text=True)


def test_a_url_answered_from_the_cache_is_also_served_by_the_fast_path(app, client):
    explicit, bare = "/api/movies/top-rated?min_votes=100&by=tmdb", "/api/movies/top-rated"  # same parameters, two spellings
    assert client.get(explicit).status_code == 200 and client.get(bare).status_code == 200
    answers = app.extensions["fastpath"].answers
    assert ("/api/movies/top-rated", "min_votes=100&by=tmdb") in answers and ("/api/movies/top-rated", "") in answers


def test_a_genre_added_by_an_etl_run_is_known_to_the_next_request(gold_lakehouse, tmp_path):
    root = copy_lakehouse(gold_lakehouse, tmp_path / "lake")
    client = create_app({"LAKEHOUSE_DIR": root, "ACCESS_LOG": "0", "LOCAL_VERSION_CHECK_SECONDS": "0"}).test_client()
    refused = client.get("/api/songs/top-tracks?genre=polka")
    assert refused.status_code == 400 and refused.json["error"]["parameter"] == "genre"
    table = DeltaTable(f"{root}/gold/song_genre_popularity")
    write_and_publish(root, "song_genre_popularity", table.to_pandas().head(1).assign(genre="polka"), mode="append")
    accepted = client.get("/api/songs/top-tracks?genre=polka")
    assert accepted.status_code == 200 and accepted.json["data"] == []
    lists = client.application.extensions["lookups"]
    assert "polka" in lists.values("song_genres") and list(lists.kept) == ["song_genres"]
