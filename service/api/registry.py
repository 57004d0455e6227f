"""The endpoint registry: each statistics endpoint declares its path, parameters and queries once; routes and OpenAPI come from it."""

import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from flask import Blueprint, current_app, g, request

from service.cache import Remembered, headers, not_modified, remember_and_respond
from service.observability import WAREHOUSE_ERRORS
from service.params import BadRequest, Param, parse_all
from service.queries import load
from service.warehouse import WarehouseError
from service.warehouse.base import public_message

blueprint = Blueprint("api", __name__, url_prefix="/api")
ENDPOINTS: list["Endpoint"] = []


@dataclass(frozen=True)
class Endpoint:
    """A GET endpoint: validate(params, warehouse) may refuse; queries(params) names the SQL files and their parameters."""

    path: str
    summary: str
    params: tuple[Param, ...]
    queries: Callable[[dict], dict[str, tuple[str, dict]]]
    validate: Callable[[dict, object], None] = lambda params, warehouse: None
    tag: str = "statistics"
    after: Callable[[dict, object], None] = lambda params, data: None


def endpoint(path: str, summary: str, params=(), validate=None, tag="statistics", after=None):
    """Register a function returning {key: (query file, query params)} as a GET endpoint."""

    def register(queries):
        spec = Endpoint(path, summary, tuple(params), queries, validate or (lambda p, w: None), tag, after or (lambda p, d: None))
        ENDPOINTS.append(spec)
        blueprint.add_url_rule(path, path.strip("/").replace("/", "_").replace("-", "_"), lambda: respond(spec), methods=["GET"])
        return queries

    return register


def respond(spec: Endpoint):
    """Parse, validate, then answer from the cache or the warehouse."""
    params = parse_all(spec.params, request.args)
    warehouse = current_app.extensions["warehouse"]
    spec.validate(params, warehouse)
    return answer(spec.path, params, spec.queries(params), lambda data: spec.after(params, data))


def answer(route: str, params: dict, plan: dict[str, tuple[str, dict]], check=lambda data: None):
    """The enveloped answer, cached by the versions of the tables behind it; 304 on a matching If-None-Match."""
    warehouse, cache = current_app.extensions["warehouse"], current_app.extensions["cache"]
    tables = tuple(sorted({t for name, _ in plan.values() for t in load(name).tables}))
    try:
        versions = warehouse.versions(tables)
    except WarehouseError as error:
        return stale_or_503(route, params, error)
    etag = cache.etag(route, params, versions)
    if not_modified(request.headers.get("If-None-Match", ""), etag):
        g.cache = "revalidated"
        return current_app.response_class(status=304, headers=headers(etag))
    body = cache.get(etag)
    g.cache = "hit" if body is not None else "miss"
    if body is None:
        try:
            data = run_plan(warehouse, plan)
            check(data)
            body = encode(route, params, versions, data, warehouse.release_name())
        except WarehouseError as error:
            WAREHOUSE_ERRORS.labels(route).inc()
            return stale_or_503(route, params, error)
        cache.put(etag, request_key(route, params), body)
    # also on a hit: another URL with the same parameters (defaults spelled out) may have filled the cache first
    return remember_and_respond(Remembered(request.url_rule.rule, tables, versions, etag, body, "application/json"))


def request_key(route: str, params: dict) -> tuple:
    """A hashable key of a request: the route and its parsed parameters."""
    return route, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def run_plan(warehouse, plan: dict[str, tuple[str, dict]]) -> dict:
    """Run each query of the plan; one result is the data itself, several are keyed."""
    results = {key: warehouse.execute(name, query_params).records() for key, (name, query_params) in plan.items()}
    return results["data"] if list(results) == ["data"] else results


def encode(route: str, params: dict, versions: dict, data, release: str) -> bytes:
    """The documented envelope: data plus meta (route, parameters, the release and its table versions, stale)."""
    meta = {"route": route, "params": params, "release": release, "table_versions": versions, "stale": False}
    if isinstance(data, list):
        meta["rows"] = len(data)
    # orjson: a tenth of json's time on a cold answer's rows; dates and datetimes as str() gives them, as before
    return orjson.dumps({"data": data, "meta": meta}, default=str, option=orjson.OPT_PASSTHROUGH_DATETIME)


def stale_or_503(route: str, params: dict, error: Exception):
    """The last good answer marked stale, or a 503 naming the problem (no path, host or secret: the log has the rest)."""
    current_app.logger.warning("warehouse failed (request %s): %s", g.get("request_id", "-"), error)
    body = current_app.extensions["cache"].stale(request_key(route, params))
    if body is not None:
        g.cache = "stale"
        document = json.loads(body)
        document["meta"]["stale"] = True
        return current_app.response_class(
            json.dumps(document, default=str), mimetype="application/json", headers={"Warning": '110 - "stale"'}
        )
    raise ServiceUnavailable(public_message(error)) from error


class ServiceUnavailable(RuntimeError):
    """The warehouse cannot answer and no earlier answer is kept."""


def known(values, allowed, parameter: str, what: str) -> None:
    """Each value must be one of the allowed ones."""
    for value in [values] if isinstance(values, str) else values or []:
        if value not in allowed:
            raise BadRequest(parameter, f"unknown {what} {value!r}")


def lookup(warehouse, query_name: str, column: str) -> set:
    """A small reference list (genres) of this app's warehouse, kept until its tables get a new version."""
    return current_app.extensions["lookups"].values(query_name, column)
