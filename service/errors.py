"""Every error as JSON: 400 naming the parameter, 404 for unknown paths, 405, 413 for a body too large, 503 for the warehouse, 500."""

from flask import Flask, current_app, g, jsonify
from werkzeug.exceptions import HTTPException

from service.api.registry import ServiceUnavailable
from service.chat.schedule import ScheduleError
from service.params import BadRequest
from service.warehouse.base import WarehouseError, public_message


def problem(status: int, code: str, message: str, parameter: str | None = None):
    """The error envelope."""
    body = {"status": status, "code": code, "message": message}
    if parameter:
        body["parameter"] = parameter
    return jsonify(error=body), status


def too_large(limit: int) -> str:
    """The 413 message, naming the limit and the setting that sets it."""
    return f"the request body is larger than {limit} bytes, the limit set by MEDIALAKE_MAX_BODY_BYTES"


def unavailable(error: WarehouseError):
    """A warehouse failure outside the statistics answers (chat, schedule, a genre check): logged whole, a 503 naming it."""
    current_app.logger.warning("warehouse failed (request %s): %s", g.get("request_id", "-"), error)
    return problem(503, "warehouse_unavailable", public_message(error))


def install(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(BadRequest, lambda e: problem(400, "invalid_parameter", str(e), e.parameter))
    app.register_error_handler(ScheduleError, lambda e: problem(400, "invalid_parameter", str(e), e.parameter))
    app.register_error_handler(ServiceUnavailable, lambda e: problem(503, "warehouse_unavailable", str(e)))
    app.register_error_handler(WarehouseError, unavailable)
    app.register_error_handler(429, lambda e: problem(429, "rate_limited", f"too many requests: {e.description}"))
    app.register_error_handler(413, lambda e: problem(413, "body_too_large", too_large(app.config["MAX_CONTENT_LENGTH"])))
    app.register_error_handler(HTTPException, lambda e: problem(e.code, e.name.lower().replace(" ", "_"), e.description))

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        return problem(500, "internal_error", "internal error; the request id is in the X-Request-Id header")
