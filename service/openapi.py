"""The OpenAPI document, generated from the endpoint registry so it cannot drift from the routes."""

from medialake.gold import BY_NAME as GOLD
from medialake.gold import GOLD as GOLD_TABLES
from service.api.registry import ENDPOINTS
from service.queries import load

SYSTEM_PATHS = {
    "/health": "The process is up",
    "/ready": "The warehouse answers (503 otherwise)",
    "/metrics": "Prometheus metrics (text)",
    "/openapi.json": "This document",
}
ENVELOPE = {
    "type": "object",
    "required": ["data", "meta"],
    "properties": {
        "data": {"description": "rows (a list of objects), or an object of named row lists"},
        "meta": {
            "type": "object",
            "properties": {
                "route": {"type": "string"},
                "params": {"type": "object"},
                "table_versions": {"type": "object", "additionalProperties": {"type": "integer"}},
                "stale": {"type": "boolean", "description": "true when the warehouse failed and this is the last good answer"},
                "rows": {"type": "integer"},
            },
        },
    },
}
ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "parameter": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    },
}


def parameter(p) -> dict:
    """One query parameter."""
    schema = {"int": {"type": "integer"}, "number": {"type": "number"}, "string": {"type": "string"}}.get(
        p.kind, {"type": "array", "items": {"type": "string"}}
    )
    schema = dict(schema)
    for key, value in (("minimum", p.minimum), ("maximum", p.maximum), ("default", p.default)):
        if value is not None:
            schema[key] = value
    if p.choices:
        schema["enum"] = list(p.choices)
    return {"name": p.name, "in": "query", "required": False, "description": p.help, "schema": schema}


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


def operation(spec) -> dict:
    """One GET operation with its responses."""
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "get": {
            "summary": spec.summary,
            "description": definitions(endpoint_tables(spec)),
            "tags": [spec.tag],
            "parameters": [parameter(p) for p in spec.params],
            "responses": {
                "200": {
                    "description": "the answer",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}},
                },
                "304": {"description": "not modified (If-None-Match matched the ETag)"},
                "400": {"description": "a parameter is wrong; error.parameter names it", **ref},
                "503": {"description": "the warehouse is unavailable and no earlier answer is kept", **ref},
            },
        }
    }


CHAT_BODY = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "maxLength": 500, "description": "a mood, a wish, or the day's to-dos with times"},
        "domain": {"type": "string", "enum": ["auto", "songs", "movies"], "default": "auto"},
        "context": {"type": "object", "description": "the statistics view just looked at: {title, route, rows (at most 50)}"},
    },
}
SCHEDULE_BODY = {
    "type": "object",
    "required": ["todos"],
    "properties": {
        "todos": {"type": "string", "description": 'e.g. "gym 7-8, work 9-17, dinner 19-20"'},
        "day_start": {"type": "string", "pattern": "^\\d{1,2}:\\d{2}$", "default": "07:00"},
        "day_end": {"type": "string", "pattern": "^\\d{1,2}:\\d{2}$", "default": "23:00"},
    },
}
CHAT = ("chat_movie_candidates", "chat_song_candidates")  # the queries the chat picks with
POSTS = {
    "/api/chat": ("Three songs or movies with reasons for a mood (or a listening schedule for to-dos)", CHAT_BODY, "application/json",
                  CHAT),
    "/api/chat/stream": ("The chat answer as server-sent events: picks, text (pieces), done", CHAT_BODY, "text/event-stream", CHAT),
    "/api/schedule": ("A listening schedule: the free slots of the day filled with playlists that fit", SCHEDULE_BODY, "application/json",
                      ("chat_song_candidates",)),
}  # fmt: skip


def post_operation(summary: str, body: dict, media: str, queries: tuple[str, ...]) -> dict:
    """One POST operation of the chat."""
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "post": {
            "summary": summary,
            "description": definitions(tables_read(queries)),
            "tags": ["chat"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {"description": "the answer", "content": {media: {}}},
                "400": {"description": "the body is wrong; error.parameter names the field", **ref},
                "429": {"description": "too many chat requests from this client; see Retry-After", **ref},
            },
        }
    }


def document() -> dict:
    """The whole document."""
    paths = {f"/api{spec.path}": operation(spec) for spec in ENDPOINTS}
    paths.update({path: post_operation(*spec) for path, spec in POSTS.items()})
    paths.update({path: {"get": {"summary": text, "responses": {"200": {"description": "ok"}}}} for path, text in SYSTEM_PATHS.items()})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "medialake statistics",
            "version": "1.0.0",
            "description": "Statistics over the gold Delta tables, and the recommendation chat.",
        },
        "paths": paths,
        "components": {"schemas": {"Envelope": ENVELOPE, "Error": ERROR}},
        "x-tables": {t.qualified: t.description for t in GOLD_TABLES},  # every gold table's definition, served or not
    }
