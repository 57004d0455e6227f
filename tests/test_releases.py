"""Releases: a run publishes its gold versions together (ops.releases) and the service answers from one release only."""

import os
import shutil
import signal
import subprocess
import sys

from deltalake import DeltaTable

from medialake import releases
from service import create_app
from tests.releases import publish, write_and_publish

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URLS = ["/api/movies/genres-by-year", "/api/movies/top-rated?by=movielens&min_votes=1", "/api/songs/genre-popularity",
        "/api/movies/genre-popularity", "/api/songs/top-tracks?limit=5"]  # fmt: skip


def latest_release(root: str) -> dict:
    """The newest row of ops.releases."""
    rows = DeltaTable(os.path.join(root, releases.LAYER, releases.NAME)).to_pandas().sort_values("published_at")
    return rows.iloc[-1].to_dict()


def answers(client) -> dict:
    """Each URL's data and release."""
    bodies = {url: client.get(url).json for url in URLS}
    return {url: (body["data"], body["meta"]["release"], body["meta"]["table_versions"]) for url, body in bodies.items()}


def test_a_run_publishes_the_version_of_every_gold_table_as_one_release(gold_lakehouse):
    release = latest_release(gold_lakehouse)
    versions = releases.decode_versions(release["versions"])
    on_disk = {name: DeltaTable(os.path.join(gold_lakehouse, "gold", name)).version() for name in os.listdir(f"{gold_lakehouse}/gold")}
    assert versions == on_disk and release["release_id"]


def test_answers_during_and_after_a_killed_run_come_from_the_previous_release(gold_lakehouse, tiny_raw, tmp_path):
    root, raw = str(tmp_path / "lake"), tmp_path / "raw"
    shutil.copytree(gold_lakehouse, root)
    shutil.copytree(tiny_raw, raw)
    with open(raw / "movielens" / "ratings.csv", "a") as handle:
        handle.write("999,1,0.5,1537799250\n")  # changes movie_ratings, which feeds top-rated by movielens
    client = create_app({"LAKEHOUSE_DIR": root, "ACCESS_LOG": "0", "LOCAL_VERSION_CHECK_SECONDS": "0"}).test_client()
    before, published = answers(client), latest_release(root)
    killed_at = kill_etl_after_gold_writes(raw, root, writes=8)
    changed = [n for n, v in releases.decode_versions(published["versions"]).items() if DeltaTable(f"{root}/gold/{n}").version() != v]
    assert len(changed) >= killed_at, "the killed run had overwritten gold tables"
    assert answers(client) == before and latest_release(root)["release_id"] == published["release_id"]
    new_release = publish(root)  # what a finished run does last
    after = answers(client)
    moved = [url for url in URLS if after[url][2] != before[url][2]]  # answers over a table the killed run rewrote
    assert moved and all(after[url][1] == new_release for url in moved)
    # an answer over tables the new release did not change keeps the name of the release it was computed from
    assert all(after[url] == before[url] for url in URLS if url not in moved)


def kill_etl_after_gold_writes(raw, root: str, writes: int) -> int:
    """Run the real ETL in a process and SIGKILL it once it has written `writes` gold tables; returns how many it wrote."""
    env = {**os.environ, "MEDIALAKE_RAW_DIR": str(raw), "MEDIALAKE_LAKEHOUSE_DIR": root}
    for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "jobs", "etl"], env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    written = 0
    for line in proc.stderr:
        written += '"gold table written"' in line
        if written == writes:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert written == writes, "the run ended before writing enough gold tables"
    return written


def test_a_release_that_cannot_be_loaded_leaves_the_previous_one_served(gold_lakehouse, tmp_path):
    root = str(tmp_path / "lake")
    shutil.copytree(gold_lakehouse, root)
    app = create_app({"LAKEHOUSE_DIR": root, "ACCESS_LOG": "0", "LOCAL_VERSION_CHECK_SECONDS": "0"})
    client, warehouse = app.test_client(), app.extensions["warehouse"]
    before = answers(client)
    table = DeltaTable(f"{root}/gold/song_genre_popularity")
    frame = table.to_pandas()
    write_and_publish(root, "song_genre_popularity", frame.assign(track_count=frame.track_count * 2))
    log = f"{root}/gold/song_genre_popularity/_delta_log/{table.version() + 1:020d}.json"
    good = open(log, "rb").read()
    open(log, "wb").write(b"{not json")  # the new release's table cannot be read (unreadable mid-run)
    assert answers(client) == before and client.get("/ready").status_code == 200
    assert warehouse.retry_at > 0, "the failed load is retried after a pause, not on every request"
    open(log, "wb").write(good)
    warehouse.retry_at = 0.0
    doubled = client.get("/api/songs/genre-popularity").json  # the table is readable again: the new release is served
    assert [r["track_count"] for r in doubled["data"]] == [2 * r["track_count"] for r in before["/api/songs/genre-popularity"][0]]
    assert doubled["meta"]["release"] != before["/api/songs/genre-popularity"][1]
