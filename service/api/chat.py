"""Chat and listening schedule: POST /api/chat (JSON), /api/chat/stream (server-sent events), /api/schedule, and the /chat page."""

import json

from flask import Blueprint, Response, current_app, g, request, stream_with_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import RequestEntityTooLarge

from service.chat.assistant import Assistant
from service.chat.schedule import clock
from service.pages import cached_page
from service.params import BadRequest

blueprint = Blueprint("chat", __name__)
# No storage_uri here: init_app takes RATELIMIT_STORAGE_URI from app.config (MEDIALAKE_RATE_LIMIT_STORAGE, set by create_app).
limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=True)
DOMAINS = ("auto", "songs", "movies")
CONTEXT_ROWS, CONTEXT_CHARS = 50, 20_000
CONTEXT_KEYS = {"title", "route", "rows"}
SCALARS = (str, int, float, bool, type(None))  # what a JSON row may hold besides a flat list
MATCHED = ("genre", "artist")  # the row values the chat matches against the catalogue (service/chat/recommender.py view_filters)


def chat_limit() -> str:
    """The per-client limit from the settings."""
    return current_app.config["CHAT_RATE_LIMIT"]


def assistant() -> Assistant:
    """This app's assistant, built by create_app."""
    return current_app.extensions["chat"]


def body() -> dict:
    """The JSON object of the request, or a 400; a body over MEDIALAKE_MAX_BODY_BYTES is a 413, refused unparsed."""
    # Read before get_json, whatever the Content-Type: a Content-Length over MAX_CONTENT_LENGTH raises the 413 here with
    # nothing read; get_json(silent=True) then parses the cached bytes and silences parse errors only, never a 413.
    data = request.get_data(cache=True)
    if request.content_length is None and len(data) >= current_app.config["MAX_CONTENT_LENGTH"] and more_body():
        raise RequestEntityTooLarge()  # chunked: werkzeug stops at the limit and hands back the cut body, which must not parse
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        raise BadRequest("body", "the body must be a JSON object (Content-Type: application/json)")
    return document


def more_body() -> bool:
    """Whether the client sent more than what was read (one byte past the limit, from the server's own stream)."""
    return bool(request.environ["wsgi.input"].read(1))


def chat_request() -> tuple[str, str, dict | None]:
    """message, domain and context, checked."""
    document = body()
    message, domain = document.get("message"), document.get("domain", "auto")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest("message", "message must be a non-empty string")
    limit = current_app.config["CHAT_MAX_CHARS"]
    if len(message) > limit:
        raise BadRequest("message", f"message is {len(message)} characters; the limit is {limit}")
    if domain not in DOMAINS:
        raise BadRequest("domain", f"domain must be one of {', '.join(DOMAINS)}, got {domain!r}")
    return message.strip(), domain, checked_context(document.get("context"))


def checked_context(context) -> dict | None:
    """The statistics view sent along: {title?, route?, rows?} (strings, and rows of plain values), bounded in size."""
    if context is None:
        return None
    if not isinstance(context, dict) or set(context) - CONTEXT_KEYS:
        raise BadRequest("context", "context must be an object with only title, route and rows")
    if not all(isinstance(context[key], str) for key in ("title", "route") if key in context):
        raise BadRequest("context", "context.title and context.route must be strings")
    checked_rows(context.get("rows", []))
    if len(json.dumps(context, default=str)) > CONTEXT_CHARS:
        raise BadRequest("context", f"context is too large: at most {CONTEXT_ROWS} rows and {CONTEXT_CHARS} characters")
    return context


def checked_rows(rows) -> None:
    """At most CONTEXT_ROWS objects of plain values; the values the chat matches with the catalogue are single values."""
    if not isinstance(rows, list) or not all(isinstance(row, dict) and all(map(plain, row.values())) for row in rows):
        raise BadRequest("context", "context.rows must be a list of objects whose values are strings, numbers, booleans, null "
                                    "or flat lists of those")  # fmt: skip
    if not all(isinstance(row.get(key), SCALARS) for row in rows for key in MATCHED):
        raise BadRequest("context", f"context.rows: {' and '.join(MATCHED)} must be single values, not lists")
    if len(rows) > CONTEXT_ROWS:
        raise BadRequest("context", f"context is too large: at most {CONTEXT_ROWS} rows and {CONTEXT_CHARS} characters")


def plain(value) -> bool:
    """A scalar (string, number, boolean, null), or a flat list of them: a value of a statistics row (no_data is a list)."""
    return isinstance(value, SCALARS) or isinstance(value, list) and all(isinstance(item, SCALARS) for item in value)


def answer_for(message: str, domain: str, context: dict | None) -> dict:
    """The assistant's answer; the access log learns whether the offline cache had it."""
    reply = assistant().reply(message, domain, context)
    if reply.cache:
        g.cache = reply.cache
    return reply.answer


def envelope(data: dict) -> Response:
    """The documented envelope, never cached."""
    meta = {"route": request.path, "request_id": g.request_id}
    return current_app.response_class(json.dumps({"data": data, "meta": meta}, default=str), mimetype="application/json",
                                      headers={"Cache-Control": "no-store"})  # fmt: skip


@blueprint.post("/api/chat")
@limiter.limit(chat_limit)
def chat():
    """Three picks with reasons for a mood, or a listening schedule."""
    return envelope(answer_for(*chat_request()))


@blueprint.post("/api/chat/stream")
@limiter.limit(chat_limit)
def chat_stream():
    """The same answer as server-sent events: picks (or slots), then the text, then done."""
    answer = answer_for(*chat_request())
    return Response(
        stream_with_context(events(answer)), mimetype="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


def events(answer: dict):
    """SSE frames in order: picks, text, done."""
    first = {"slots": answer["slots"], "todos": answer["todos"]} if answer["kind"] == "schedule" else {"picks": answer["picks"]}
    yield sse("picks", first | {"kind": answer["kind"]})
    text = answer.get("text") or f"{len(answer.get('slots', []))} free slots filled."
    for start in range(0, len(text), 80):  # the explanation in pieces, as a model's tokens would arrive
        yield sse("text", {"delta": text[start : start + 80]})
    rest = {k: v for k, v in answer.items() if k not in ("picks", "slots", "todos", "text")}
    yield sse("done", rest)


def sse(event: str, data: dict) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


@blueprint.post("/api/schedule")
@limiter.limit(chat_limit)
def schedule_day():
    """A listening schedule: {todos: "gym 7-8, work 9-17", day_start?: "07:00", day_end?: "23:00"}."""
    document = body()
    todos = document.get("todos")
    if not isinstance(todos, str) or not todos.strip():
        raise BadRequest("todos", 'todos must be a string like "gym 7-8, work 9-17, dinner 19-20"')
    if len(todos) > current_app.config["CHAT_MAX_CHARS"]:
        raise BadRequest("todos", f"todos is longer than {current_app.config['CHAT_MAX_CHARS']} characters")
    bounds = {name: document.get(name) for name in ("day_start", "day_end")}
    for name, value in bounds.items():
        if value is not None:  # null or absent: the configured bound; anything else must be a clock ("" too)
            clock(value, name)
    return envelope({"kind": "schedule"} | assistant().plan_day(todos, bounds["day_start"], bounds["day_end"]))


@blueprint.get("/chat")
def chat_page():
    """The chat page (with the listening schedule form)."""
    return cached_page("chat.html", title="Chat")
