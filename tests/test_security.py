"""Security headers on every kind of answer, the trusted proxy hops, rate limits shared through a real Redis, /ready's envelope."""

import json
import subprocess
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest
from flask import request

from service import create_app
from tests.servers import free_port, service_process, wait_until_answering

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
POLICY_PARTS = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
CALM = {"message": "calm"}


def assert_secured(response, what: str) -> None:
    """The four security headers, with a policy that allows only this origin and no inline code."""
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{what}: {name}"
    policy = response.headers.get("Content-Security-Policy", "")
    assert all(part in policy for part in POLICY_PARTS) and "unsafe" not in policy, f"{what}: {policy!r}"


def recording(app) -> list[str]:
    """The paths of the requests that reached Flask (the fast path answers the others without it)."""
    seen = []
    app.before_request(lambda: seen.append(request.path))
    return seen


def test_json_answers_pages_and_errors_carry_the_security_headers(app):
    flask_saw, client = recording(app), app.test_client()
    for path in ("/api/movies/genres", "/", "/movies/genres", "/chat"):  # remembered, then repeated by the fast path
        assert_secured(client.get(path), f"{path} from Flask")
        assert_secured(client.get(path), f"{path} from the fast path")
    assert flask_saw == ["/api/movies/genres", "/", "/movies/genres", "/chat"], "each repeat came from the fast path"
    for path in ("/docs", "/health", "/ready", "/openapi.json", "/metrics"):
        assert_secured(client.get(path), path)
    assert_secured(client.get("/api/no-such-endpoint"), "404 JSON")
    assert_secured(client.get("/api/chat"), "405 JSON")
    assert_secured(client.get("/api/movies/genres-by-year?year_from=abc"), "400 JSON")
    assert_secured(client.post("/api/chat", json={}), "400 JSON of a POST")


def test_304s_from_flask_and_from_the_fast_path_carry_the_security_headers(app):
    flask_saw, client, path = recording(app), app.test_client(), "/api/songs/genres"
    etag = client.get(path).headers["ETag"]
    app.extensions["answers"].clear()  # forgotten by the fast path: the next request is Flask's
    by_flask = client.get(path, headers={"If-None-Match": etag})
    client.get(path)  # remembered again
    by_fast_path = client.get(path, headers={"If-None-Match": etag})
    assert flask_saw == [path, path, path], "the last 304 came from the fast path"
    for response, what in ((by_flask, "Flask's 304"), (by_fast_path, "the fast path's 304")):
        assert response.status_code == 304 and response.headers["ETag"] == etag
        assert_secured(response, what)


def chat_app(gold_lakehouse, **config):
    """An app with a chat limit of 2 per minute (memory storage: fresh for each app)."""
    return create_app({"LAKEHOUSE_DIR": gold_lakehouse, "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "2 per minute"} | config)


def ask(client, proxy: str = "10.0.0.1", forwarded_for: str | None = None) -> int:
    """The status of one chat request arriving from `proxy`, with the X-Forwarded-For it carries."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/api/chat", json=CALM, headers=headers, environ_base={"REMOTE_ADDR": proxy}).status_code


def test_behind_one_proxy_each_forwarded_client_has_its_own_bucket(gold_lakehouse):
    client = chat_app(gold_lakehouse, PROXY_HOPS="1").test_client()
    assert [ask(client, forwarded_for="203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert ask(client, forwarded_for="203.0.113.8") == 200, "another client behind the same proxy is not limited"
    # the proxy appends the address it saw: what the client wrote before it is not trusted
    assert ask(client, forwarded_for="198.51.100.1, 203.0.113.7") == 429
    limited = client.post("/api/chat", json=CALM, headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert_secured(limited, "429 JSON")


def test_with_no_trusted_proxy_a_spoofed_forwarded_for_does_not_escape_the_limit(gold_lakehouse):
    client = chat_app(gold_lakehouse).test_client()
    statuses = [ask(client, proxy="10.0.0.9", forwarded_for=f"203.0.113.{n}") for n in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server (Debian's, `make redis`) on a free loopback port, no persistence; killed afterwards."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_until_answering(lambda: redis_answers(port))
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def redis_answers(port: int) -> bool:
    """redis-cli's PING on that port gets PONG."""
    return subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG"


def instance(lakehouse: str, log_path, **settings):
    """One instance of the service (granian, one worker, one thread) with these settings; yields its URL and process."""
    return service_process(lakehouse, log_path, MEDIALAKE_WORKERS="1", MEDIALAKE_BLOCKING_THREADS="1", MEDIALAKE_ACCESS_LOG="0",
                           **settings)  # fmt: skip


def post_chat(url: str) -> tuple[int, dict]:
    """Status and JSON body of one chat request over HTTP."""
    sent = urllib.request.Request(f"{url}/api/chat", data=json.dumps(CALM).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_two_instances_share_one_limit_through_redis(gold_lakehouse, redis_url, tmp_path):
    storage = {"MEDIALAKE_RATE_LIMIT_STORAGE": redis_url, "MEDIALAKE_CHAT_RATE_LIMIT": "4 per minute"}
    with ExitStack() as stack:
        (a, _), (b, _) = (stack.enter_context(instance(gold_lakehouse, tmp_path / f"{name}.log", **storage)) for name in "ab")
        assert [post_chat(url)[0] for url in (a, b, a, b)] == [200, 200, 200, 200]
        for url in (a, b):  # the four requests were counted in one place: both instances refuse the fifth
            status, body = post_chat(url)
            assert status == 429 and body["error"]["code"] == "rate_limited", url
    keys = subprocess.run(["redis-cli", "-u", redis_url, "--scan"], capture_output=True, text=True).stdout.split()
    assert keys and all(key.startswith("LIMITS:") for key in keys), keys


def test_ready_answers_503_with_the_error_envelope():
    # a Databricks warehouse at 127.0.0.1:443, where nothing listens: the real connector fails to reach it
    unreachable = {"WAREHOUSE": "databricks", "DATABRICKS_SERVER_HOSTNAME": "127.0.0.1", "DATABRICKS_TOKEN": "not-a-token",
                   "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/x", "CONNECT_TIMEOUT_SECONDS": "1", "QUERY_TIMEOUT_SECONDS": "1",
                   "ACCESS_LOG": "0"}  # fmt: skip
    response = create_app(unreachable).test_client().get("/ready")
    assert response.status_code == 503 and list(response.get_json()) == ["error"]
    error = response.get_json()["error"]
    assert (error["status"], error["code"]) == (503, "warehouse_unavailable") and set(error) == {"status", "code", "message"}
    assert error["message"]
    assert_secured(response, "/ready 503")
