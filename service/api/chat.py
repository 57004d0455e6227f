"""Chat and listening schedule: POST /api/chat (JSON), /api/chat/stream (server-sent events), /api/schedule, and the /chat page."""

import json

from flask import Blueprint, Response, current_app, g, request, stream_with_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from service.chat.assistant import Assistant
from service.pages import cached_page
from service.params import BadRequest

blueprint = Blueprint("chat", __name__)
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", strategy="moving-window", headers_enabled=True)
DOMAINS = ("auto", "songs", "movies")
CONTEXT_ROWS, CONTEXT_CHARS = 50, 20_000


def chat_limit() -> str:
    """The per-client limit from the settings."""
    return current_app.config["CHAT_RATE_LIMIT"]


def assistant() -> Assistant:
    """This app's assistant, built by create_app."""
    return current_app.extensions["chat"]


def body() -> dict:
    """The JSON object of the request, or a 400."""
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        raise BadRequest("body", "the body must be a JSON object (Content-Type: application/json)")
    return document


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
    """The statistics view sent along: {title, route, rows}, bounded in size."""
    if context is None:
        return None
    if not isinstance(context, dict) or not isinstance(context.get("rows", []), list):
        raise BadRequest("context", "context must be an object with a rows list")
    if len(context.get("rows", [])) > CONTEXT_ROWS or len(json.dumps(context, default=str)) > CONTEXT_CHARS:
        raise BadRequest("context", f"context is too large: at most {CONTEXT_ROWS} rows and {CONTEXT_CHARS} characters")
    return context


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
    return envelope({"kind": "schedule"} | assistant().plan_day(todos, document.get("day_start"), document.get("day_end")))


@blueprint.get("/chat")
def chat_page():
    """The chat page (with the listening schedule form)."""
    return cached_page("chat.html", title="Chat")
