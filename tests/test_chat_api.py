"""POST /api/chat, /api/chat/stream and /api/schedule through Flask on the real gold tables: contracts, errors, limits."""

import copy
import json

import pytest

from service import create_app
from service.chat.schedule import ScheduleError, parse_todos


def events(body: bytes) -> list[tuple[str, dict]]:
    """Server-sent events as (name, data)."""
    frames = [f for f in body.decode().split("\n\n") if f.strip()]
    return [(f.split("\n")[0].removeprefix("event: "), json.loads(f.split("\n")[1].removeprefix("data: "))) for f in frames]


def test_chat_answers_three_picks_with_reasons(client):
    response = client.post("/api/chat", json={"message": "I'm feeling upbeat"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()["data"]
    assert data["kind"] == "recommendation" and data["mode"] == "offline" and data["fallback"] is None
    assert data["domain"] == "songs" and data["understood"] and data["mood"]["anchors"][0]["name"] == "upbeat"
    assert len(data["picks"]) == 3 and all(p["reason"] and p["title"] and p["artist"] for p in data["picks"])
    assert "candidates" not in data


def test_domain_can_be_forced(client):
    data = client.post("/api/chat", json={"message": "something calm", "domain": "movies"}).get_json()["data"]
    assert data["domain"] == "movies" and all("year" in p for p in data["picks"])


def test_stream_sends_picks_then_text_then_done(client):
    response = client.post("/api/chat/stream", json={"message": "date night"})
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    names = [name for name, _ in events(response.data)]
    assert names[0] == "picks" and names[-1] == "done" and set(names[1:-1]) == {"text"}
    parsed = events(response.data)
    assert len(parsed[0][1]["picks"]) == 3
    text = "".join(d["delta"] for n, d in parsed if n == "text")
    assert text == client.post("/api/chat", json={"message": "date night"}).get_json()["data"]["text"]
    assert parsed[-1][1]["mode"] == "offline"


@pytest.mark.parametrize(
    "payload, parameter",
    [
        ({"message": ""}, "message"),
        ({"message": 42}, "message"),
        ({"message": "x" * 501}, "message"),
        ({"message": "calm", "domain": "podcasts"}, "domain"),
        ({"message": "calm", "context": "not an object"}, "context"),
        ({"message": "calm", "context": {"rows": [{}] * 51}}, "context"),
        ([1, 2], "body"),
    ],
)
def test_bad_chat_requests_get_a_json_400_naming_the_field(client, payload, parameter):
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_non_json_body_is_refused(client):
    response = client.post("/api/chat", data="message=calm", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "body"


def test_get_on_chat_is_a_json_405(client):
    response = client.get("/api/chat")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405


def test_chat_is_rate_limited_per_client(gold_lakehouse):
    app = create_app({"LAKEHOUSE_DIR": gold_lakehouse, "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    statuses = [client.post("/api/chat", json={"message": "calm"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/api/chat", json={"message": "calm"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    other = client.post("/api/chat", json={"message": "calm"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200


def test_todos_parse_with_minutes_and_am_pm():
    todos = parse_todos("gym 7-8, work 9:30-17:15, dinner 7-8pm")
    assert [(t.label, t.start, t.end) for t in todos] == [("gym", 420, 480), ("work", 570, 1035), ("dinner", 1140, 1200)]


def test_schedule_fills_free_slots_without_repeats(client):
    response = client.post("/api/schedule", json={"todos": "work 9-12, gym 13-14, dinner 19-20", "day_start": "08:00", "day_end": "23:00"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    spans = [(s["start"], s["end"], s["mood"]) for s in data["slots"]]
    assert spans == [("08:00", "09:00", "morning"), ("12:00", "13:00", "workout"), ("14:00", "19:00", "upbeat"), ("20:00", "23:00", "calm")]
    ids = [song["song_id"] for slot in data["slots"] for song in slot["songs"]]
    assert len(ids) == len(set(ids)), "no song twice in a day"
    for slot in data["slots"]:
        assert slot["filled_seconds"] <= slot["seconds"]
        assert sum(song["duration_s"] for song in slot["songs"]) <= slot["seconds"]
    first = data["slots"][0]
    assert first["songs"] and first["seconds"] - first["filled_seconds"] < 240, "a one-hour slot is filled to within 4 minutes"
    energy = {s["mood"]: sum(x["energy"] for x in s["songs"]) / len(s["songs"]) for s in data["slots"] if s["songs"]}
    assert energy["workout"] > energy["calm"] + 0.3, "energy matched to the slot"


@pytest.mark.parametrize(
    "payload, parameter",
    [
        ({"todos": "gym 9-8"}, "todos"),
        ({"todos": "gym 7-9, work 8-17"}, "todos"),
        ({"todos": "no times here"}, "todos"),
        ({"todos": "gym 7-8", "day_start": "7am"}, "day_start"),
        ({"todos": "gym 7-8", "day_start": "22:00", "day_end": "08:00"}, "day_end"),
        ({}, "todos"),
    ],
)
def test_bad_schedules_get_a_json_400(client, payload, parameter):
    response = client.post("/api/schedule", json=payload)
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter


def test_a_schedule_error_from_the_domain_becomes_a_json_400_naming_the_parameter(client):
    with pytest.raises(ScheduleError) as raised:
        parse_todos("gym 9-8")
    response = client.post("/api/chat", json={"message": "gym 9-8"})
    error = {"status": 400, "code": "invalid_parameter", "message": str(raised.value), "parameter": "todos"}
    assert response.status_code == 400 and response.get_json() == {"error": error}


def test_the_chat_understands_a_day_plan(client):
    data = client.post("/api/chat", json={"message": "gym 7-8, work 9-17, dinner 19-20"}).get_json()["data"]
    assert data["kind"] == "schedule" and [t["label"] for t in data["todos"]] == ["gym", "work", "dinner"]
    assert data["slots"] and all(slot["songs"] for slot in data["slots"])


def test_chat_page_is_served(client):
    page = client.get("/chat")
    assert page.status_code == 200 and b'id="chat"' in page.data and b"chat.js" in page.data


def test_offline_answers_are_cached_until_the_catalogue_changes(app, client):
    first = client.post("/api/chat", json={"message": "Date  night"}).get_json()["data"]
    again = client.post("/api/chat", json={"message": "date night"}).get_json()["data"]
    assert first == again and len(app.extensions["chat"].cache) == 1, "same words, case and spacing aside: one entry"
    client.post("/api/chat", json={"message": "date night", "domain": "movies"})
    assert len(app.extensions["chat"].cache) == 2, "the domain is part of the key"


def test_a_cached_answer_is_not_changed_by_the_envelope_or_the_stream(app, client):
    cached = app.extensions["chat"].reply("date night").answer
    before = copy.deepcopy(cached)
    client.post("/api/chat", json={"message": "date night"})
    client.post("/api/chat/stream", json={"message": "date night"})
    assert app.extensions["chat"].reply("date night") == (cached, "hit") and cached == before


def test_pages_are_served_by_the_fast_path_after_the_first_render(app, client):
    first = client.get("/songs/genres")
    assert ("/songs/genres", "") in app.extensions["fastpath"].answers
    again = client.get("/songs/genres")
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"] and again.mimetype == "text/html"
