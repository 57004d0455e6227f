"""HTTP caching (service/cache.py): validators, the bounded store of remembered answers and the WSGI fast path over it."""

import logging
import shutil

from deltalake import DeltaTable
from flask import request

from service import create_app
from service.api.registry import ENDPOINTS
from service.cache import LRU, not_modified
from service.pages import PAGES
from tests.releases import write_and_publish

SIZE = 8


def top_tracks(limit: int) -> str:
    """A distinct URL (query string) per limit."""
    return f"/api/songs/top-tracks?limit={limit}"


def test_a_full_store_keeps_taking_new_urls_after_the_tables_change(gold_lakehouse, tmp_path):
    root = str(tmp_path / "lake")
    shutil.copytree(gold_lakehouse, root)
    app = create_app({"LAKEHOUSE_DIR": root, "ACCESS_LOG": False, "CACHE_ENTRIES": SIZE, "LOCAL_VERSION_CHECK_SECONDS": 0.0})
    flask_saw = []  # the fast path answers without entering Flask, so these are the requests it did not answer
    app.before_request(lambda: flask_saw.append(request.full_path.rstrip("?")))
    client, store = app.test_client(), app.extensions["answers"]
    for limit in range(1, 2 * SIZE + 1):
        assert client.get(top_tracks(limit)).status_code == 200 and len(store) <= SIZE
    assert flask_saw == [top_tracks(limit) for limit in range(1, 2 * SIZE + 1)] and len(store) == SIZE
    table = DeltaTable(f"{root}/gold/top_tracks")
    version = table.version()
    write_and_publish(root, "top_tracks", table.to_pandas())  # the ETL ran: every remembered answer is now out of date
    flask_saw.clear()
    fresh = [top_tracks(limit) for limit in range(2 * SIZE + 1, 2 * SIZE + 4)] + [top_tracks(2 * SIZE)]
    for url in fresh:
        first, again = client.get(url), client.get(url)
        assert again.data == first.data and again.json["meta"]["table_versions"]["top_tracks"] == version + 1
        assert len(store) <= SIZE
    assert flask_saw == fresh, "each new URL entered Flask once; its repeat came from the fast path"


def test_the_store_replaces_the_least_recently_used_entry():
    store = LRU(2)
    store.put("a", {"any": "object"})
    store.put("b", 2)
    assert store.get("a") == {"any": "object"}  # now "b" is the least recently used
    store.put("c", 3)
    assert "b" not in store and store.get("a") and store.get("c") == 3 and len(store) == 2


def test_the_store_also_replaces_answers_beyond_its_byte_bound():
    store = LRU(100, max_bytes=10)
    store.put("a", b"1234")
    store.put("b", b"5678")
    store.put("a", b"12")  # a replaced answer counts at its new size
    store.put("c", b"abcd")
    assert store.bytes == 10 and len(store) == 3
    store.put("d", b"vwxyz")  # over 10 bytes: the least recently used go first ("b", then "a")
    assert "b" not in store and "a" not in store and store.get("c") == b"abcd" and store.bytes == 9
    store.put("huge", b"x" * 11)  # larger than the whole bound: refused, and it evicts nothing
    assert "huge" not in store and store.get("c") == b"abcd" and store.get("d") == b"vwxyz" and store.bytes == 9
    store.put("c", b"y" * 11)  # a key's new answer too large to keep: the stale one goes, the others stay
    assert "c" not in store and store.get("d") == b"vwxyz" and store.bytes == 5 and len(store) == 1


def test_the_caches_byte_bound_is_a_setting_that_holds_across_urls(gold_lakehouse):
    app = create_app({"LAKEHOUSE_DIR": gold_lakehouse, "ACCESS_LOG": False, "CACHE_BYTES": 4096})
    client, store, answers = app.test_client(), app.extensions["answers"], app.extensions["cache"]
    bodies = [client.get(top_tracks(limit)).data for limit in range(1, 21)]
    assert sum(map(len, bodies)) > 3 * 4096, "the answers together exceed the bound"
    for cache in (store, answers.fresh, answers.last_good):
        assert 0 < cache.bytes <= 4096 and len(cache) < len(bodies)
    assert client.get(top_tracks(20)).data == bodies[-1] and client.get(top_tracks(1)).data == bodies[0]


def test_if_none_match_is_matched_the_same_way_for_flask_and_the_fast_path(client):
    assert not_modified('"abc"', "abc") and not_modified('W/"x", "abc"', "abc") and not_modified("*", "abc")
    assert not not_modified("", "abc") and not not_modified('"abd"', "abc") and not not_modified('W/"abc"', "abc")
    etag = client.get("/api/songs/genres").headers["ETag"]
    for answered_by in ("flask", "fast path"):  # the second request of a URL is the fast path's
        listed = client.get("/api/songs/genres", headers={"If-None-Match": f'"other", {etag}'})
        assert listed.status_code == 304 and listed.headers["ETag"] == etag, answered_by
        assert listed.headers["Cache-Control"] == "public, no-cache"


def test_the_fast_path_logs_the_same_fields_as_flask_with_the_real_path(gold_lakehouse):
    app = create_app({"LAKEHOUSE_DIR": gold_lakehouse, "ACCESS_LOG": True})
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    log = logging.getLogger("medialake.access")
    log.addHandler(handler)
    try:
        client = app.test_client()
        for _ in range(2):
            client.get("/api/songs/top-tracks?limit=4", headers={"X-Request-Id": "trace-me"})
    finally:
        log.removeHandler(handler)
    flask, fast = (record.fields for record in records)
    assert list(flask) == list(fast) == ["request_id", "method", "route", "path", "status", "ms", "cache"]
    assert (flask["cache"], fast["cache"]) == ("miss", "hit")
    assert {k: fast[k] for k in ("request_id", "method", "route", "path", "status")} == {
        "request_id": "trace-me", "method": "GET", "route": "/api/songs/top-tracks", "path": "/api/songs/top-tracks", "status": 200,
    }  # fmt: skip


def test_page_forms_show_the_endpoints_declared_defaults(client):
    declared = {f"/api{e.path}": {p.name: p.default for p in e.params} for e in ENDPOINTS}
    for page in PAGES:
        defaults = declared[page.endpoint]
        assert all(name in defaults for name, _ in page.fields), page.slug
        assert [value for _, _, value in page.form()] == [
            "" if defaults[n] is None else str(defaults[n]).removesuffix(".0") for n, _ in page.fields
        ]
    trends = client.get("/songs/trends").get_data(as_text=True)
    assert 'name="year_from" value="1950"' in trends and 'name="year_to" value="2020"' in trends
    search = client.get("/songs/search").get_data(as_text=True)
    assert 'name="tempo_max" value="300"' in search and 'name="genre" value=""' in search
