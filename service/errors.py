"""Every error as JSON: 400 naming the parameter, 404 for unknown paths, 405, 503 for the warehouse, 500."""

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from service.api.registry import ServiceUnavailable
from service.chat.schedule import ScheduleError
from service.params import BadRequest


def problem(status: int, code: str, message: str, parameter: str | None = None):
    """The error envelope."""
    body = {"status": status, "code": code, "message": message}
    if parameter:
        body["parameter"] = parameter
    return jsonify(error=body), status


def install(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(BadRequest, lambda e: problem(400, "invalid_parameter", str(e), e.parameter))
    app.register_error_handler(ScheduleError, lambda e: problem(400, "invalid_parameter", str(e), e.parameter))
    app.register_error_handler(ServiceUnavailable, lambda e: problem(503, "warehouse_unavailable", str(e)))
    app.register_error_handler(429, lambda e: problem(429, "rate_limited", f"too many requests: {e.description}"))
    app.register_error_handler(HTTPException, lambda e: problem(e.code, e.name.lower().replace(" ", "_"), e.description))

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        return problem(500, "internal_error", "internal error; the request id is in the X-Request-Id header")
