"""Bad input is a JSON 400 naming the parameter, or a 413 naming the body limit: never a 500, never a silent guess.

The body limit is checked over real HTTP against the production server (granian), where a chunked body arrives
without a Content-Length; the rest through the Flask test client of the shared app.
"""

import http.client
import json
import socket
import threading
import urllib.parse
import urllib.request

import pytest

from medialake.settings import SettingError, load_settings
from service import create_app
from service.chat.schedule import ScheduleError, clock
from tests.servers import service_process

LIMIT = 65536  # the MEDIALAKE_MAX_BODY_BYTES default
FIFTY_MB = 50 * 2**20
CHUNK = 2**16


@pytest.fixture(scope="module")
def server(gold_lakehouse, tmp_path_factory):
    """python -m service.serve (granian, one worker) over the test lakehouse; yields its port."""
    log = tmp_path_factory.mktemp("bad_input") / "server.log"
    with service_process(gold_lakehouse, log, MEDIALAKE_WORKERS="1", MEDIALAKE_ACCESS_LOG="0") as (url, _):
        yield int(url.rsplit(":", 1)[1])


def post_raw(port: int, headers: str, chunks) -> tuple[int, dict, int]:
    """POST /api/chat over a socket, the body sent by a thread while the answer is read: status, JSON, bytes sent by then."""
    sent = [0]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{headers}\r\n".encode())

        def send():
            try:
                for chunk in chunks:
                    sock.sendall(chunk)
                    sent[0] += len(chunk)
            except OSError:
                pass  # the server answered and closed the connection before taking the rest

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        response = http.client.HTTPResponse(sock)
        response.begin()
        status, document, sent_by_then = response.status, json.loads(response.read()), sent[0]
    sender.join(10)
    return status, document, sent_by_then


def chunked(total: int):
    """A JSON text of about total bytes in HTTP/1.1 chunks: a message that never ends within the limit."""
    yield b'd\r\n{"message": "\r\n'
    for _ in range(total // CHUNK):
        yield f"{CHUNK:x}\r\n".encode() + b"a" * CHUNK + b"\r\n"
    yield b'2\r\n"}\r\n0\r\n\r\n'


def assert_too_large(status: int, document: dict, limit: int = LIMIT) -> None:
    """The documented 413 envelope, naming the limit and its setting."""
    assert status == 413, document
    assert document["error"]["status"] == 413 and document["error"]["code"] == "body_too_large"
    assert str(limit) in document["error"]["message"] and "MEDIALAKE_MAX_BODY_BYTES" in document["error"]["message"]


# 1. The body limit.


def test_a_50_mb_content_length_is_refused_before_the_body_is_sent(server):
    status, document, _ = post_raw(server, f"Content-Length: {FIFTY_MB}\r\n", [b'{"message": "'])
    assert_too_large(status, document)  # answered at once: 13 of the 50 MB were sent, none waited for


def test_a_chunked_body_over_the_limit_is_refused_not_cut_and_parsed(server):
    status, document, sent = post_raw(server, "Transfer-Encoding: chunked\r\n", chunked(FIFTY_MB))
    assert_too_large(status, document)
    assert sent < FIFTY_MB  # the answer came before the client could send it all: the server stopped reading


def test_a_chunked_body_within_the_limit_is_read(server):
    body = json.dumps({"message": "something calm"}).encode()
    status, document, _ = post_raw(server, "Transfer-Encoding: chunked\r\n", [f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"])
    assert status == 200 and document["data"]["picks"], document


def padded(size: int) -> bytes:
    """A valid chat body of exactly size bytes (JSON allows trailing spaces)."""
    body = json.dumps({"message": "calm"}).encode()
    return body + b" " * (size - len(body))


def test_a_body_of_the_limit_is_read_and_one_byte_more_is_a_413_of_any_content_type(client):
    assert client.post("/api/chat", data=padded(LIMIT), content_type="application/json").status_code == 200
    for path in ("/api/chat", "/api/chat/stream", "/api/schedule"):
        for content_type in ("application/json", "text/plain"):  # not read as JSON, still too large: not a 400
            response = client.post(path, data=padded(LIMIT + 1), content_type=content_type)
            assert_too_large(response.status_code, response.json)


def test_the_body_limit_is_a_setting(gold_lakehouse):
    app = create_app({"LAKEHOUSE_DIR": gold_lakehouse, "ACCESS_LOG": "0", "MAX_BODY_BYTES": "1000", "CHAT_RATE_LIMIT": "1000 per minute"})
    response = app.test_client().post("/api/schedule", data=padded(1001), content_type="application/json")
    assert_too_large(response.status_code, response.json, 1000)
    assert load_settings().max_body_bytes == LIMIT
    with pytest.raises(SettingError, match="MEDIALAKE_MAX_BODY_BYTES"):
        load_settings({"max_body_bytes": "0"})


# 2. The chat's context.

ARTISTS_ROW = {"artist": "A", "song_count": 3, "mean_tempo": None, "no_data": ["mean_tempo"]}  # a row of /api/songs/artists


@pytest.mark.parametrize(
    "context",
    [
        {"rows": [{"genre": [1, 2]}]},
        {"rows": [{"artist": ["A", "B"]}]},
        {"rows": [{"genre": {"name": "pop"}}]},
        {"rows": [{"energy": {"value": 1}}]},
        {"rows": [{"no_data": [["nested"]]}]},
        {"rows": [{"no_data": [{"a": 1}]}]},
        {"rows": ["pop"]},
        {"rows": [["pop"]]},
        {"rows": {"genre": "pop"}},
        {"rows": None},
        {"title": 5, "rows": []},
        {"route": ["/api/songs/genres"], "rows": []},
        {"title": "t", "rows": [], "extra": 1},
        {"rows": [{"genre": "pop"}] * 51},
        [{"genre": "pop"}],
    ],
)
def test_a_context_of_another_shape_is_a_400_naming_it(client, context):
    response = client.post("/api/chat", json={"message": "something upbeat from this chart", "context": context})
    assert response.status_code == 400 and response.json["error"]["parameter"] == "context", response.json


def test_a_context_of_statistics_rows_is_used(client):
    context = {"title": "Song genres", "route": "/songs/genre-popularity", "rows": [{"genre": "rock", "track_count": 5}, ARTISTS_ROW]}
    answer = client.post("/api/chat", json={"message": "of the genres in this chart, something upbeat", "context": context})
    assert answer.status_code == 200, answer.json  # the artists row, with its no_data list, is a row like any other
    assert answer.json["data"]["filters"]["view"] == {"title": "Song genres", "genres": ["rock"], "artists": ["A"]}
    assert client.post("/api/chat", json={"message": "calm", "context": {}}).status_code == 200


# 3. Clocks.

REFUSED_CLOCKS = ["24:59", "24:01", "23:60", "25:00", "7:5", "07:5", "0700", "07:00:00", "٠٧:٠٠", "07:00am", "-1:00", ""]


@pytest.mark.parametrize("text", REFUSED_CLOCKS + [" 07:00", "07:00 ", 700, True])
@pytest.mark.parametrize("parameter", ["day_start", "day_end"])
def test_a_day_bound_that_is_not_a_clock_is_a_400_naming_it(client, parameter, text):
    response = client.post("/api/schedule", json={"todos": "gym 7-8", parameter: text})
    assert response.status_code == 400 and response.json["error"]["parameter"] == parameter, response.json


def test_24_00_ends_a_day_but_starts_none(client):
    day = client.post("/api/schedule", json={"todos": "gym 7-8", "day_end": "24:00"})
    assert day.status_code == 200 and day.json["data"]["slots"][-1]["end"] == "24:00"
    refused = client.post("/api/schedule", json={"todos": "gym 7-8", "day_start": "24:00", "day_end": "24:00"})
    assert refused.status_code == 400 and refused.json["error"]["parameter"] == "day_start"
    defaults = client.post("/api/schedule", json={"todos": "gym 7-8", "day_start": None, "day_end": None})
    assert defaults.status_code == 200 and defaults.json["data"]["slots"][-1]["end"] == "23:00"


@pytest.mark.parametrize("text", REFUSED_CLOCKS + ["00:00", "7:00", "07:00", "23:59", "24:00"])
def test_the_settings_and_the_schedule_accept_the_same_clocks(text):
    def accepted(check) -> bool:
        try:
            check()
        except (SettingError, ScheduleError):
            return False
        return True

    in_settings = accepted(lambda: load_settings({"day_end": text}))
    assert in_settings == accepted(lambda: clock(text, "day_end")) == (text in ("00:00", "7:00", "07:00", "23:59", "24:00"))


# 4. The length of q.


def test_q_is_capped_at_100_characters_and_documented(client):
    assert client.get("/api/songs/artist-search?q=" + "a" * 100).status_code == 200
    long = client.get("/api/songs/artist-search?q=" + "a" * 101)
    assert long.status_code == 400 and long.json["error"]["parameter"] == "q" and "100" in long.json["error"]["message"]
    parameters = client.get("/openapi.json").json["paths"]["/api/songs/artist-search"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "q")["schema"]["maxLength"] == 100


# 5. A scalar given twice.


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/movies/popularity?year=1990&year=2000", "year"),
        ("/api/songs/top-tracks?limit=5&limit=5", "limit"),
        ("/api/songs/artist-search?q=a&q=b", "q"),
        ("/api/movies/top-rated?by=tmdb&by=movielens", "by"),
        ("/api/songs/search?tempo_min=10&tempo_min=", "tempo_min"),
    ],
)
def test_a_scalar_parameter_given_twice_is_a_400_naming_it(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400 and response.json["error"]["parameter"] == parameter
    assert "2 times" in response.json["error"]["message"]


def test_a_list_parameter_still_repeats(client):
    artists = list(dict.fromkeys(row["artist"] for row in client.get("/api/songs/top-tracks?limit=50").json["data"]))[:2]
    response = client.get("/api/songs/artists?" + urllib.parse.urlencode([("artist", name) for name in artists]))
    assert response.status_code == 200 and {row["artist"] for row in response.json["data"]} == set(artists)


# 6. Number forms.


@pytest.mark.parametrize("text", ["2_000", "+2000", " 2000", "2000 ", "٢٠٠٠", "２０００", "2000.0", "2e3", "0x7d0", "9" * 30])
def test_an_integer_is_ascii_digits_after_an_optional_minus(client, text):
    response = client.get("/api/movies/popularity", query_string={"year": text})
    assert response.status_code == 400 and response.json["error"]["parameter"] == "year", response.json


@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "nan", "NaN", "1e999", "1_0", "+10", " 10", "10 ", "١٠", "0x10", "1e", "."])
def test_a_number_is_a_finite_ascii_decimal(client, text):
    response = client.get("/api/songs/search", query_string={"tempo_min": text})
    assert response.status_code == 400 and response.json["error"]["parameter"] == "tempo_min", response.json


@pytest.mark.parametrize("text", ["10", "10.5", ".5", "5.", "1e2", "1.5E+1", "-0"])
def test_plain_decimals_are_numbers(client, text):
    response = client.get("/api/songs/search", query_string={"tempo_min": text})
    assert response.status_code == 200 and response.json["meta"]["params"]["tempo_min"] == float(text)
