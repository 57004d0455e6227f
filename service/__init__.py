"""medialake's statistics service: JSON endpoints, chart pages and docs over the gold tables through a warehouse connector."""

import os

# The chat's small numpy matrix products gain nothing from BLAS threads, and idle OpenBLAS threads spin on the cores
# DuckDB needs: measured 60 -> 41 ms p50 per chat answer (make bench-chat). Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from flask import Flask  # noqa: E402

from medialake.settings import SETTINGS, load_settings  # noqa: E402


def create_app(test_config: dict | None = None) -> Flask:
    """The Flask app: settings (defaults, then environment, then test_config), warehouse, cache, routes, logs."""
    app = Flask(__name__)
    app.config.update(settings_config(test_config or {}))
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]  # werkzeug refuses a larger body with a 413, unread
    from service import errors, observability, pages, security
    from service.api import chat, movies, songs  # noqa: F401  (registers the endpoints)
    from service.api.registry import blueprint as api
    from service.api.system import blueprint as system
    from service.cache import AnswerCache, RememberedAnswers
    from service.fastpath import CachedAnswers
    from service.warehouse import connect
    from service.warehouse.lookups import ReferenceLists

    app.extensions["warehouse"] = connect(app.config)
    app.extensions["cache"] = AnswerCache(app.config["CACHE_ENTRIES"], app.config["CACHE_BYTES"])
    app.extensions["answers"] = RememberedAnswers(app.config["CACHE_ENTRIES"], app.config["CACHE_BYTES"])
    app.extensions["lookups"] = ReferenceLists(app.extensions["warehouse"])
    app.extensions["chat"] = chat_assistant(app.config, app.extensions["warehouse"], app.extensions["lookups"])
    for blueprint in (api, system, chat.blueprint, pages.blueprint):
        app.register_blueprint(blueprint)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATE_LIMIT_STORAGE"]  # what Flask-Limiter's init_app reads
    chat.limiter.init_app(app)
    errors.install(app)
    observability.install(app)
    security.install(app)  # headers and the trusted proxy hops; before the fast path, which stays outermost
    app.extensions["fastpath"] = app.wsgi_app = CachedAnswers(app, app.extensions["answers"])
    return app


def chat_assistant(config, warehouse, lookups):
    """The chat's assistant over the warehouse: the process's mood matcher, and a model client only when a key is set."""
    from service.chat.assistant import Assistant
    from service.chat.llm import client_from
    from service.chat.mood import default_matcher

    client = client_from(config) if config["OPENAI_API_KEY"] else None
    return Assistant(warehouse, default_matcher(), lookups, client, config["OPENAI_MODEL"], config["LLM_OUTPUT"],
                     config["DAY_START"], config["DAY_END"], config["CACHE_ENTRIES"])  # fmt: skip


def settings_config(test_config: dict) -> dict:
    """Flask config: every setting typed and checked by load_settings (test_config's settings included), then other keys."""
    overrides = {key.lower(): value for key, value in test_config.items() if key.lower() in SETTINGS}
    typed = {name.upper(): value for name, value in vars(load_settings(overrides)).items()}
    return typed | {key: value for key, value in test_config.items() if key.lower() not in SETTINGS}
