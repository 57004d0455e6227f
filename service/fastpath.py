"""A WSGI front for repeated GETs of statistics: the remembered bytes, checked against the table versions, without entering Flask."""

import time

from service import security
from service.cache import RememberedAnswers, headers, not_modified
from service.observability import access_logger, account, request_id_from


class CachedAnswers:
    """Serves a GET whose exact URL was answered before, while the Delta versions behind it are unchanged."""

    def __init__(self, flask_app, answers: RememberedAnswers):
        self.app, self.wsgi, self.answers = flask_app, flask_app.wsgi_app, answers
        self.log = access_logger() if flask_app.config["ACCESS_LOG"] else None

    def __call__(self, environ, start_response):
        """The remembered answer when still current, else Flask."""
        if environ["REQUEST_METHOD"] != "GET":
            return self.wsgi(environ, start_response)
        answer = self.answers.lookup(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if answer is None:
            return self.wsgi(environ, start_response)
        started = time.perf_counter()
        try:
            current = self.app.extensions["warehouse"].versions(answer.tables)
        except Exception:  # the warehouse failed: Flask answers as JSON (stale or 503), never a bare 500 from here
            return self.wsgi(environ, start_response)
        if current != answer.versions:
            return self.wsgi(environ, start_response)
        return self.serve(answer, environ, start_response, started)

    def serve(self, answer, environ, start_response, started: float):
        """The answer, or a 304 when the client holds it; counted and logged as Flask would."""
        fresh = not not_modified(environ.get("HTTP_IF_NONE_MATCH", ""), answer.etag)
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
        response_headers = headers(answer.etag) + security.headers() + [("X-Request-Id", request_id)]
        if fresh:
            response_headers += [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))]
        start_response("200 OK" if fresh else "304 Not Modified", response_headers)
        seconds, path = time.perf_counter() - started, environ.get("PATH_INFO", "")
        account(self.log, answer.route, "GET", path, 200 if fresh else 304, request_id, seconds, "hit" if fresh else "revalidated")
        return [answer.body if fresh else b""]
