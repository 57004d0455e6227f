"""Health, readiness, metrics, the OpenAPI document and its docs page."""

from flask import Blueprint, current_app, jsonify, render_template
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.errors import unavailable
from service.observability import REGISTRY
from service.openapi import document
from service.warehouse import WarehouseError

blueprint = Blueprint("system", __name__)


@blueprint.get("/health")
def health():
    """The process is up."""
    return jsonify(status="ok")


@blueprint.get("/ready")
def ready():
    """The warehouse answers: 200, else the 503 error envelope with the reason."""
    try:
        current_app.extensions["warehouse"].ping()
    except WarehouseError as error:
        return unavailable(error)
    return jsonify(status="ready", warehouse=current_app.config["WAREHOUSE"])


@blueprint.get("/metrics")
def metrics():
    """Prometheus text exposition (per worker process)."""
    return current_app.response_class(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of every endpoint."""
    return jsonify(document())


@blueprint.get("/docs")
def docs():
    """The API reference rendered from the OpenAPI document."""
    return render_template("docs.html", spec=document(), title="API reference")
