"""A WSGI front for repeated GETs of statistics: the cached bytes, checked against the table versions, without entering Flask."""

import time

from service.observability import CACHE, LATENCY, REQUESTS, access_logger, new_request_id


class CachedAnswers:
    """Serves an /api/ GET whose exact URL was answered before, while the Delta versions behind it are unchanged."""

    def __init__(self, flask_app):
        self.app, self.wsgi = flask_app, flask_app.wsgi_app
        self.answers: dict[tuple[str, str], tuple] = {}
        self.log = access_logger() if flask_app.config["ACCESS_LOG"] else None

    def remember(self, path: str, query: str, route: str, tables: tuple, versions: dict, etag: str, body: bytes,
                 content_type: str = "application/json") -> None:  # fmt: skip
        """Called after a 200 answer that only changes with the tables' versions (statistics, pages)."""
        if len(self.answers) < self.app.config["CACHE_ENTRIES"]:
            self.answers[(path, query)] = (route, tables, versions, etag, body, content_type)

    def __call__(self, environ, start_response):
        """The cached answer when still current, else Flask."""
        if environ["REQUEST_METHOD"] != "GET":
            return self.wsgi(environ, start_response)
        entry = self.answers.get((environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")))
        if entry is None:
            return self.wsgi(environ, start_response)
        started = time.perf_counter()
        route, tables, versions, etag, body, content_type = entry
        if self.app.extensions["warehouse"].versions(tables) != versions:
            return self.wsgi(environ, start_response)
        not_modified = environ.get("HTTP_IF_NONE_MATCH", "").strip() == f'"{etag}"'
        status = "304 Not Modified" if not_modified else "200 OK"
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or new_request_id()
        headers = [("ETag", f'"{etag}"'), ("Cache-Control", "public, no-cache"), ("X-Request-Id", request_id)]
        if not not_modified:
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        self.account(route, status[:3], headers[2][1], started, "revalidated" if not_modified else "hit")
        return [b""] if not_modified else [body]

    def account(self, route: str, status: str, request_id: str, started: float, cache: str) -> None:
        """The same metrics and log line as a request through Flask."""
        seconds = time.perf_counter() - started
        REQUESTS.labels(route, status).inc()
        LATENCY.labels(route).observe(seconds)
        CACHE.labels(cache).inc()
        if self.log:
            fields = {"request_id": request_id, "method": "GET", "route": route, "status": int(status), "ms": round(seconds * 1000, 3),
                      "cache": cache, "path": route}  # fmt: skip
            self.log.info("request", extra={"fields": fields})
