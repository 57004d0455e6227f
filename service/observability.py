"""One JSON log line per request (request id, route, status, ms, cache) and Prometheus metrics."""

import itertools
import logging
import os
import time

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram

from medialake.log import JsonFormatter

REGISTRY = CollectorRegistry()
REQUESTS = Counter("medialake_requests", "HTTP requests", ["route", "status"], registry=REGISTRY)
LATENCY = Histogram("medialake_request_seconds", "Request latency", ["route"], registry=REGISTRY,
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5))  # fmt: skip
CACHE = Counter("medialake_cache", "Answer cache lookups", ["result"], registry=REGISTRY)
WAREHOUSE_ERRORS = Counter("medialake_warehouse_errors", "Warehouse failures", ["query"], registry=REGISTRY)


_IDS = itertools.count(1)
_PREFIX: dict[int, str] = {}


def new_request_id() -> str:
    """A unique request id: a random prefix per process and a counter (uuid4 cost a tenth of a cached answer)."""
    pid = os.getpid()
    if pid not in _PREFIX:  # per process: granian's workers fork after import
        _PREFIX[pid] = os.urandom(6).hex()
    return f"{_PREFIX[pid]}{next(_IDS):010x}"


def access_logger() -> logging.Logger:
    """JSON lines on stderr."""
    log = logging.getLogger("medialake.access")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(logging.INFO)
    return log


def request_id_from(header: str) -> str:
    """The client's X-Request-Id (at most 64 characters), else a new one."""
    return header[:64] or new_request_id()


def account(
    log: logging.Logger | None, route: str, method: str, path: str, status: int, request_id: str, seconds: float, cache: str
) -> None:
    """One request's metrics and access-log line, the same whether Flask or the fast path answered it."""
    REQUESTS.labels(route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)
    if cache != "-":  # "-": the request consulted no answer cache
        CACHE.labels(cache).inc()
    if log:
        fields = {"request_id": request_id, "method": method, "route": route, "path": path, "status": status,
                  "ms": round(seconds * 1000, 3), "cache": cache}  # fmt: skip
        log.info("request", extra={"fields": fields})


def install(app: Flask) -> None:
    """Time every request, give it an id, count it and log it."""
    log = access_logger() if app.config["ACCESS_LOG"] else None

    @app.before_request
    def start():
        g.started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get("X-Request-Id", ""))
        g.cache = "-"

    @app.after_request
    def finish(response):
        seconds = time.perf_counter() - g.started
        response.headers["X-Request-Id"] = g.request_id
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        account(log, route, request.method, request.path, response.status_code, g.request_id, seconds, g.cache)
        return response
