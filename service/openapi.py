"""The OpenAPI document, generated from the endpoint registry so it cannot drift from the routes.

Every response the service gives is documented with its schema (tests/test_schemathesis.py holds it to that): the
columns of each answer's rows come from the SELECT list of its SQL file, errors are one envelope.
"""

import functools

import sqlglot
from flask import current_app

from medialake.gold import BY_NAME as GOLD
from medialake.gold import GOLD as GOLD_TABLES
from medialake.settings import CLOCK
from service.api.chat import CONTEXT_ROWS, DOMAINS, MATCHED
from service.api.registry import ENDPOINTS
from service.queries import load

ERROR_REF = {"$ref": "#/components/schemas/Error"}
META = {
    "type": "object",
    "required": ["route", "params", "table_versions", "stale"],
    "properties": {
        "route": {"type": "string"},
        "params": {"type": "object", "description": "every parameter, defaults spelled out"},
        "release": {"type": ["string", "null"], "description": "the release of ops.releases the answer was computed from"},
        "table_versions": {"type": "object", "additionalProperties": {"type": "integer"}},
        "stale": {"type": "boolean", "description": "true when the warehouse failed and this is the last good answer"},
        "rows": {"type": "integer", "description": "when data is a list: its length"},
    },
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "additionalProperties": False,
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "parameter": {"type": "string", "description": "the query parameter or body field at fault (400)"},
                "message": {"type": "string"},
            },
        }
    },
}
ERRORS = {
    "400": ("BadRequest", "a parameter or body field is wrong; error.parameter names it"),
    "404": ("NotFound", "no such path"),
    "413": ("TooLarge", "the body is larger than MEDIALAKE_MAX_BODY_BYTES; refused unread"),
    "429": ("RateLimited", "too many chat requests from this client; see Retry-After"),
    "503": ("Unavailable", "the warehouse is unavailable and no earlier answer is kept"),
}


def error(status: str) -> dict:
    """A reference to the documented error response of a status."""
    return {"$ref": f"#/components/responses/{ERRORS[status][0]}"}


def parameter(p) -> dict:
    """One query parameter."""
    schema = {"int": {"type": "integer"}, "number": {"type": "number"}, "string": {"type": "string"}}.get(
        p.kind, {"type": "array", "items": {"type": "string"}}
    )
    schema = dict(schema)
    for key, value in (("minimum", p.minimum), ("maximum", p.maximum), ("default", p.default), ("maxLength", p.max_length)):
        if value is not None:
            schema[key] = value
    if p.choices:
        schema["enum"] = list(p.choices)
    # an empty value (?by=) is the default, as when left out (Param.parse): allowEmptyValue says so
    return {"name": p.name, "in": "query", "required": False, "allowEmptyValue": True, "description": p.help, "schema": schema}


def reachable_params(spec) -> list[dict]:
    """Parameter sets that reach every query of an endpoint: its defaults, then each value of a parameter with choices."""
    defaults = {p.name: [] if p.kind == "list" else p.default for p in spec.params}
    return [defaults] + [defaults | {p.name: choice} for p in spec.params for choice in p.choices]


def tables_read(query_names) -> list[str]:
    """The gold tables the named queries read."""
    return sorted({table for name in query_names for table in load(name).tables})


def endpoint_tables(spec) -> list[str]:
    """The gold tables a GET endpoint answers from."""
    return tables_read({name for params in reachable_params(spec) for name, _ in spec.queries(params).values()})


def definitions(tables) -> str:
    """What the rows of an answer stand for: the catalogue's one-line definition of each gold table behind it."""
    return "Answered from " + "; ".join(f"gold.{t}: {GOLD[t].description}." for t in tables)


@functools.cache
def rows(query_name: str) -> dict:
    """The rows a query answers: objects with exactly the columns of its SELECT list."""
    columns = sqlglot.parse_one(load(query_name).sql, read="databricks").named_selects
    item = {"type": "object", "required": columns, "additionalProperties": False, "properties": {c: {} for c in columns}}
    return {"type": "array", "items": item}


def data_schema(spec) -> dict:
    """The data of a GET answer: the rows of its one query, or an object of named row lists."""
    plans: dict[str, set] = {}
    for params in reachable_params(spec):
        for key, (name, _) in spec.queries(params).items():
            plans.setdefault(key, set()).add(name)
    schemas = {key: rows(names.pop()) if len(names) == 1 else {"anyOf": [rows(n) for n in sorted(names)]} for key, names in plans.items()}
    if list(schemas) == ["data"]:
        return schemas["data"]
    return {"type": "object", "required": list(schemas), "additionalProperties": False, "properties": schemas}


def answer(data: dict, meta: dict) -> dict:
    """A JSON 200 with the {data, meta} envelope."""
    schema = {"type": "object", "required": ["data", "meta"], "additionalProperties": False, "properties": {"data": data, "meta": meta}}
    return {"description": "the answer", "content": {"application/json": {"schema": schema}}}


def operation(spec) -> dict:
    """One GET operation with its responses."""
    return {
        "get": {
            "summary": spec.summary,
            "description": definitions(endpoint_tables(spec)),
            "tags": [spec.tag],
            "parameters": [parameter(p) for p in spec.params],
            "responses": {
                "200": answer(data_schema(spec), {"$ref": "#/components/schemas/Meta"}),
                "304": {"description": "not modified (If-None-Match matched the ETag)"},
                "400": error("400"),
                "503": error("503"),
            },
        }
    }


def obj(properties: dict, required=None, closed: bool = False) -> dict:
    """A JSON Schema object: its properties, the required ones (all unless told), and no others when closed."""
    schema = {"type": "object", "required": list(properties) if required is None else list(required), "properties": properties}
    return schema | ({"additionalProperties": False} if closed else {})


STRING, INTEGER, OBJECT = {"type": "string"}, {"type": "integer"}, {"type": "object"}
NULLABLE_STRING = {"type": ["string", "null"]}
CLOCK_SCHEMA = {"type": "string", "pattern": f"^(?:{CLOCK.pattern})$", "description": "HH:MM, 00:00 to 23:59; 24:00 only as day_end"}
SCALAR = {"type": ["string", "number", "boolean", "null"]}
ROW = {
    "type": "object",
    "properties": {key: SCALAR for key in MATCHED},  # the values the chat matches with the catalogue: single values
    "additionalProperties": {"anyOf": [SCALAR, {"type": "array", "items": SCALAR}]},  # as in statistics rows (no_data)
}
CONTEXT = obj({"title": STRING, "route": STRING, "rows": {"type": "array", "maxItems": CONTEXT_ROWS, "items": ROW}}, (), closed=True) | {
    "description": f"the statistics view just looked at: title, route and at most {CONTEXT_ROWS} rows; 20,000 characters as JSON at most"
}


def chat_body(max_chars: int) -> dict:
    """The body of /api/chat and /api/chat/stream."""
    message = {"type": "string", "minLength": 1, "maxLength": max_chars, "description": "a mood, a wish, or the day's to-dos with times"}
    domain = {"type": "string", "enum": list(DOMAINS), "default": "auto"}
    return obj({"message": message, "domain": domain, "context": CONTEXT}, ["message"])


def schedule_body(max_chars: int) -> dict:
    """The body of /api/schedule; a day bound left out (or null) is the configured one."""
    todos = {"type": "string", "minLength": 1, "maxLength": max_chars, "description": 'e.g. "gym 7-8, work 9-17, dinner 19-20"'}
    bounds = {name: CLOCK_SCHEMA | {"default": default} for name, default in (("day_start", "07:00"), ("day_end", "23:00"))}
    return obj({"todos": todos} | bounds, ["todos"])


PICK = obj({"id": STRING, "title": STRING, "reason": STRING, "values": OBJECT})
SONGS = {"type": "array", "items": OBJECT}
SLOT = obj({"start": STRING, "end": STRING, "before": NULLABLE_STRING, "mood": STRING, "target": OBJECT, "seconds": INTEGER,
            "filled_seconds": INTEGER, "songs": SONGS})  # fmt: skip
TODO = obj({"label": STRING, "start": STRING, "end": STRING})
SCHEDULE = obj({"kind": {"const": "schedule"}, "todos": {"type": "array", "items": TODO}, "slots": {"type": "array", "items": SLOT}})
ANSWERED = {"mode": {"enum": ["offline", "llm"]}, "fallback": NULLABLE_STRING}  # how a chat answer was made
RECOMMENDATION = obj({"kind": {"const": "recommendation"}, "domain": {"enum": ["songs", "movies"]}, "understood": {"type": "boolean"},
                      "off_topic": {"type": "boolean"}, "mood": OBJECT, "filters": OBJECT, "missing": OBJECT,
                      "picks": {"type": "array", "maxItems": 3, "items": PICK}, "text": STRING} | ANSWERED)  # fmt: skip
CHAT_ANSWER = {"oneOf": [RECOMMENDATION, obj(SCHEDULE["properties"] | ANSWERED)]}
CHAT_META = obj({"route": STRING, "request_id": STRING}, closed=True)
KIND = {"enum": ["recommendation", "schedule"]}
FRAMES = {  # each event's data, as JSON (service/api/chat.py events)
    "picks": obj({"kind": KIND}),
    "text": obj({"delta": STRING}, closed=True),
    "done": obj({"kind": KIND} | ANSWERED),
}
EVENT = {
    "oneOf": [
        obj(
            {"event": {"const": name}, "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data}},
            closed=True,
        )
        for name, data in FRAMES.items()
    ]
}
EVENTS = {"description": "event: picks, event: text (repeated), event: done", "content": {"text/event-stream": {"schema": EVENT}}}
CHAT = ("chat_movie_candidates", "chat_song_candidates")  # the queries the chat picks with
POSTS = {
    "/api/chat": ("Three songs or movies with reasons for a mood (or a listening schedule for to-dos)", chat_body, CHAT_ANSWER, CHAT),
    "/api/chat/stream": ("The chat answer as server-sent events: picks, text (pieces), done", chat_body, None, CHAT),
    "/api/schedule": ("A listening schedule: the free slots of the day filled with playlists that fit", schedule_body, SCHEDULE,
                      ("chat_song_candidates",)),
}  # fmt: skip


def post_operation(summary: str, body, data: dict | None, queries: tuple[str, ...]) -> dict:
    """One POST operation of the chat: a JSON answer, or server-sent events when data is None."""
    request_body = {"application/json": {"schema": body(current_app.config["CHAT_MAX_CHARS"])}}
    return {
        "post": {
            "summary": summary,
            "description": definitions(tables_read(queries)),
            "tags": ["chat"],
            "requestBody": {"required": True, "content": request_body},
            "responses": {"200": answer(data, CHAT_META) if data else EVENTS}
            | {status: error(status) for status in ("400", "413", "429", "503")},
        }
    }


def json_ok(description: str, schema: dict) -> dict:
    """A JSON response of a system path."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


READY = obj({"status": {"enum": ["ready", "unavailable"]}, "warehouse": STRING, "error": ERROR["properties"]["error"]}, ["status"])
SYSTEM_PATHS = {
    "/health": ("The process is up", {"200": json_ok("ok", obj({"status": {"const": "ok"}}))}),
    "/ready": ("The warehouse answers (503 otherwise)", {"200": json_ok("ready", READY), "503": json_ok("no answer", READY)}),
    "/metrics": (
        "Prometheus metrics (text)",
        {"200": {"description": "the text exposition", "content": {"text/plain": {"schema": STRING}}}},
    ),
    "/openapi.json": ("This document", {"200": json_ok("OpenAPI 3.1", obj({"openapi": STRING, "paths": OBJECT}))}),
}


def document() -> dict:
    """The whole document."""
    paths = {f"/api{spec.path}": operation(spec) for spec in ENDPOINTS}
    paths.update({path: post_operation(*spec) for path, spec in POSTS.items()})
    paths.update({path: {"get": {"summary": text, "responses": responses}} for path, (text, responses) in SYSTEM_PATHS.items()})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "medialake statistics",
            "version": "1.0.0",
            "description": "Statistics over the gold Delta tables, and the recommendation chat.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Meta": META, "Error": ERROR},
            "responses": {name: json_ok(text, ERROR_REF) for name, text in ERRORS.values()},
        },
        "x-tables": {t.qualified: t.description for t in GOLD_TABLES},  # every gold table's definition, served or not
    }
