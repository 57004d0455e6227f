"""The one enumerated source of medialake settings: each has a kind, a default and a meaning; the environment overrides.

Values are converted and checked once, when `load_settings` runs at start-up; a wrong one raises SettingError naming the
variable and what it accepts. A secret is held in a `Secret`, which never shows its value in a repr, a log line or an
error: call `.reveal()` where the value is handed to its client.
"""

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, make_dataclass

KINDS = ("text", "int", "float", "bool", "path", "enum", "secret", "json", "clock")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
INTEGER = re.compile(r"-?[0-9]+")
NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00")  # ASCII digits: \d also takes "٠٧:٠٠"; 24:00 ends a day


class SettingError(ValueError):
    """A setting's value cannot be used: the message names the variable and what it accepts."""


class Secret:
    """A value that is shown as ******** everywhere; `reveal()` hands it to the one client that needs it."""

    __slots__ = ("_value",)

    def __init__(self, value: str = ""):
        self._value = value.reveal() if isinstance(value, Secret) else str(value)

    def reveal(self) -> str:
        """The value itself, for the client it authenticates."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Setting:
    """One documented setting: its environment variable, kind, default and meaning (choices and bounds where they apply)."""

    env: str
    kind: str
    default: str
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def accepts(self) -> str:
        """What the setting accepts, in words, for error messages and the README."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.choices)
        if self.kind in ("int", "float"):
            what = "an integer" if self.kind == "int" else "a number"
            if self.minimum is not None and self.maximum is not None:
                return f"{what} from {self.minimum:g} to {self.maximum:g}"
            return what + (f" >= {self.minimum:g}" if self.minimum is not None else "")
        return {"bool": "1/0, true/false, yes/no or on/off", "json": "a JSON object", "clock": "a time of day as HH:MM",
                "path": "a path", "secret": "a secret (never shown)"}.get(self.kind, "any text")  # fmt: skip

    def convert(self, raw):
        """The typed value of a raw text (an already typed value is checked the same way)."""
        text = raw if not isinstance(raw, str) else raw.strip()
        try:
            value = CONVERTERS[self.kind](self, text)
        except (TypeError, ValueError):
            shown = "the given value" if self.kind == "secret" else repr(raw)
            raise SettingError(f"{self.env} must be {self.accepts()}, got {shown}") from None
        return value


def _number(kind: type) -> Callable:
    """A converter to int or float that honours the setting's bounds."""

    def convert(setting: Setting, text):
        if isinstance(text, bool) or (kind is int and isinstance(text, float)):
            raise ValueError(text)
        if isinstance(text, str) and not (INTEGER if kind is int else NUMBER).fullmatch(text):
            raise ValueError(text)  # int() and float() also take "2_000", "+5" and non-ASCII digits
        value = kind(text)
        if value != value or (setting.minimum is not None and value < setting.minimum):
            raise ValueError(text)
        if setting.maximum is not None and value > setting.maximum:
            raise ValueError(text)
        return value

    return convert


def _bool(setting: Setting, text) -> bool:
    """True/false from the usual spellings."""
    if isinstance(text, bool):
        return text
    if str(text).lower() in TRUE + FALSE:
        return str(text).lower() in TRUE
    raise ValueError(text)


def _enum(setting: Setting, text) -> str:
    """One of the allowed values."""
    if text not in setting.choices:
        raise ValueError(text)
    return text


def _json(setting: Setting, text) -> dict:
    """A JSON object."""
    value = text if isinstance(text, dict) else json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(text)
    return value


def _clock(setting: Setting, text) -> str:
    """HH:MM within one day."""
    if not CLOCK.fullmatch(str(text)):
        raise ValueError(text)
    return str(text)


def _path(setting: Setting, text) -> str:
    """A path (empty only where the default is empty: 'not set')."""
    value = os.fspath(text)
    if "\0" in value or (not value and setting.default):
        raise ValueError(text)
    return value


CONVERTERS = {
    "text": lambda s, t: str(t),
    "int": _number(int),
    "float": _number(float),
    "bool": _bool,
    "path": _path,
    "enum": _enum,
    "secret": lambda s, t: Secret(t),
    "json": _json,
    "clock": _clock,
}


def _s(env, kind, default, help, choices=(), minimum=None, maximum=None) -> Setting:
    """A setting; choices are space-separated."""
    if kind not in KINDS:
        raise ValueError(f"{env}: unknown kind {kind!r}")
    return Setting(env, kind, default, help, tuple(choices.split()) if isinstance(choices, str) else choices, minimum, maximum)


SETTINGS = {
    "raw_dir": _s("MEDIALAKE_RAW_DIR", "path", "data/raw", "Folder scanned (recursively) for raw CSV files."),
    "unknown_files": _s("MEDIALAKE_UNKNOWN_FILES", "enum", "skip",
                        "A raw CSV file of no accepted format: skip (recorded in ops.unknown_files, listed in the run summary) "
                        "or fail (the run stops, naming the file, its header and the accepted headers).", "skip fail"),
    "lakehouse_dir": _s("MEDIALAKE_LAKEHOUSE_DIR", "path", "lakehouse", "Root of the Delta tables: <root>/<layer>/<table>/."),
    "engine": _s("MEDIALAKE_ENGINE", "enum", "sail",
                 "sail (embedded Spark Connect server), spark (a local JVM Spark Connect server with Delta from jvm/jars on local[2]) "
                 "or remote (use SPARK_REMOTE).", "sail spark remote"),
    "table_names": _s("MEDIALAKE_TABLE_NAMES", "enum", "path",
                      "path: tables are addressed as delta.`<lakehouse>/<layer>/<table>`; catalog: as <catalog>.<layer>.<table> "
                      "(Unity Catalog on Databricks, the Hive metastore of the spark engine).", "path catalog"),
    "catalog": _s("MEDIALAKE_CATALOG", "text", "spark_catalog",
                  "Catalog of the tables when MEDIALAKE_TABLE_NAMES=catalog (main on Unity Catalog); the service's databricks "
                  "backend reads <catalog>.gold.<table> from it."),
    "cluster_executor_jit": _s("MEDIALAKE_CLUSTER_EXECUTOR_JIT", "enum", "c2",
                               "Java compiler of the local cluster's executors (make cluster-up): c2, optimising (landing 26M "
                               "ratings 42 s against 145 s), or c1, quick to warm (many small jobs on tiny data: the tests).", "c1 c2"),
    "split_read_bytes": _s("MEDIALAKE_SPLIT_READ_BYTES", "int", "33554432",
                           "On Apache Spark, a raw file of a single-line format (ratings, links, tags, MovieLens movies, CPI) of "
                           "this size or more is read in splits by every core; on the embedded engine, a file of this size or more "
                           "whose every line is one record is parsed in one byte range per core; a smaller one is parsed whole by "
                           "one worker, in fewer jobs. A file over 256 MiB is read in splits on Apache Spark whatever this says.",
                           minimum=0),
    "parallel_tables": _s("MEDIALAKE_PARALLEL_TABLES", "int", "2",
                          "How many tables a run writes at once, each once the tables it reads are written: bronze tables (each "
                          "table's files in order, by one writer), silver and gold tables; on the embedded engine the whole ETL "
                          "overlaps the layers (a silver table waits for its own bronze tables only).", minimum=1),
    "spark_remote": _s("SPARK_REMOTE", "text", "", "Spark Connect URL; when set, the jobs connect there instead of Sail."),
    "batch_id": _s("MEDIALAKE_BATCH_ID", "text", "", "Batch id stamped on bronze rows; a UTC timestamp when empty."),
    "log_level": _s("MEDIALAKE_LOG_LEVEL", "enum", "INFO", "Level of the JSON-lines logs.", "DEBUG INFO WARNING ERROR"),
    "jobs_dir": _s("MEDIALAKE_JOBS_DIR", "path", "jobs/definitions", "Folder of the Databricks Jobs API 2.1 JSON definitions run locally."),
    "max_parallel_tasks": _s("MEDIALAKE_MAX_PARALLEL_TASKS", "int", "2", "How many tasks of one run the local runner runs at once.",
                             minimum=1),
    "webhooks": _s("MEDIALAKE_WEBHOOKS", "json", "{}",
                   'JSON map of webhook notification destination ids to local URLs, e.g. {"ops-alerts": "http://127.0.0.1:9000/hook"}.'),
    "warehouse": _s("MEDIALAKE_WAREHOUSE", "enum", "local",
                    "Service backend: local (embedded DuckDB over the Delta tables) or databricks (SQL warehouse).", "local databricks"),
    "databricks_server_hostname": _s("DATABRICKS_SERVER_HOSTNAME", "text", "",
                                     "Databricks workspace host name, for the databricks backend."),
    "databricks_http_path": _s("DATABRICKS_HTTP_PATH", "text", "", "HTTP path of the Databricks SQL warehouse."),
    "databricks_token": _s("DATABRICKS_TOKEN", "secret", "",
                           "Databricks token (inject from a secret store, e.g. a Key Vault reference); never logged."),
    "connect_timeout_seconds": _s("MEDIALAKE_CONNECT_TIMEOUT_SECONDS", "float", "10", "Warehouse connect timeout.", minimum=0),
    "query_timeout_seconds": _s("MEDIALAKE_QUERY_TIMEOUT_SECONDS", "float", "30", "Warehouse query timeout.", minimum=0),
    "local_version_check_seconds": _s("MEDIALAKE_LOCAL_VERSION_CHECK_SECONDS", "float", "0.05",
                                      "Local backend: how long the loaded release is trusted before one stat of ops/releases/_delta_log "
                                      "(0: every request).", minimum=0),
    "version_check_seconds": _s("MEDIALAKE_VERSION_CHECK_SECONDS", "float", "5", "Databricks backend: how long a table version is trusted.",
                                minimum=0),
    "warehouse_retry_seconds": _s("MEDIALAKE_WAREHOUSE_RETRY_SECONDS", "float", "2",
                                  "Databricks backend: after a failure, how long calls fail at once (stale answer or 503) before "
                                  "the warehouse is tried again.", minimum=0),
    "cache_entries": _s("MEDIALAKE_CACHE_ENTRIES", "int", "4096",
                        "Answers kept per worker in each in-memory cache (least recently used replaced first).", minimum=1),
    "cache_bytes": _s("MEDIALAKE_CACHE_BYTES", "int", "8388608",
                      "Answer bytes kept per worker in each in-memory cache, whichever bound of this and "
                      "MEDIALAKE_CACHE_ENTRIES is reached first (8 MiB: under 10 % memory growth in make soak).", minimum=1),
    "access_log": _s("MEDIALAKE_ACCESS_LOG", "bool", "1", "1 to log one JSON line per request, 0 to turn it off."),
    "host": _s("MEDIALAKE_HOST", "text", "127.0.0.1", "Address the production server listens on."),
    "port": _s("MEDIALAKE_PORT", "int", "8000", "Port of the production server.", minimum=1, maximum=65535),
    "workers": _s("MEDIALAKE_WORKERS", "int", "2", "granian worker processes (one per core measured best).", minimum=1),
    "blocking_threads": _s("MEDIALAKE_BLOCKING_THREADS", "int", "2", "granian blocking threads per worker.", minimum=1),
    "openai_api_key": _s("OPENAI_API_KEY", "secret", "",
                         "Key of an OpenAI-compatible API; when set the chat lets that model choose and explain. Never logged or shown."),
    "openai_base_url": _s("OPENAI_BASE_URL", "text", "",
                          "Base URL of the OpenAI-compatible server (Azure OpenAI, xAI, vLLM, llama.cpp); empty: OpenAI."),
    "openai_model": _s("OPENAI_MODEL", "text", "gpt-4o-mini", "Model name sent to the OpenAI-compatible server."),
    "llm_output": _s("MEDIALAKE_LLM_OUTPUT", "enum", "tool",
                     "How the model returns its choice: tool (forced function call), json_schema (OpenAI response_format) "
                     "or json_object (llama.cpp schema).", "tool json_schema json_object"),
    "llm_timeout_seconds": _s("MEDIALAKE_LLM_TIMEOUT_SECONDS", "float", "20",
                              "Timeout of one call to the model; on expiry the offline answer is given.", minimum=0),
    "llm_max_retries": _s("MEDIALAKE_LLM_MAX_RETRIES", "int", "1", "Retries of a failed call to the model (429, 5xx, connection errors).",
                          minimum=0),
    "chat_rate_limit": _s("MEDIALAKE_CHAT_RATE_LIMIT", "text", "30 per minute",
                          "Chat and schedule requests allowed per client address (Flask-Limiter syntax)."),
    "chat_max_chars": _s("MEDIALAKE_CHAT_MAX_CHARS", "int", "500", "Longest chat message accepted, in characters.", minimum=1),
    "max_body_bytes": _s("MEDIALAKE_MAX_BODY_BYTES", "int", "65536",
                         "Largest request body accepted, in bytes (Flask's MAX_CONTENT_LENGTH): a larger one is answered 413 "
                         "unread, with a Content-Length or chunked.", minimum=1),
    "rate_limit_storage": _s("MEDIALAKE_RATE_LIMIT_STORAGE", "text", "memory://",
                             "Where the chat's rate limits are counted (Flask-Limiter storage URI): memory:// (per worker) "
                             "or redis://host:6379/0 (shared by every worker and instance)."),
    "proxy_hops": _s("MEDIALAKE_PROXY_HOPS", "int", "0",
                     "Proxies in front of the service whose X-Forwarded-For and X-Forwarded-Proto are trusted "
                     "(1 on Azure App Service); 0 trusts none.", minimum=0),
    "day_start": _s("MEDIALAKE_DAY_START", "clock", "07:00", "Listening schedule: when the day starts unless the request says."),
    "day_end": _s("MEDIALAKE_DAY_END", "clock", "23:00", "Listening schedule: when the day ends unless the request says."),
    "images_dir": _s("MEDIALAKE_IMAGES_DIR", "path", "", "Notebooks save their figures here as PNG when set (make images: images/)."),
    "datagen_scale": _s("MEDIALAKE_DATAGEN_SCALE", "enum", "demo", "Size of generated data.", "tiny small demo full"),
    "datagen_seed": _s("MEDIALAKE_DATAGEN_SEED", "int", "42", "Seed of the synthetic data generator."),
}  # fmt: skip

PYTHON_TYPES = {"int": int, "float": float, "bool": bool, "secret": Secret, "json": dict}
Settings = make_dataclass("Settings", [(name, PYTHON_TYPES.get(s.kind, str)) for name, s in SETTINGS.items()], frozen=True)
Settings.__doc__ = "Resolved, typed settings for one process, one attribute per entry of SETTINGS (secrets as Secret)."


def load_settings(overrides: dict | None = None, environ=None) -> Settings:
    """Defaults, then the environment, then explicit overrides; every value converted and checked here, once."""
    environ = os.environ if environ is None else environ
    unknown = set(overrides or {}) - {f.name for f in fields(Settings)}
    if unknown:
        raise SettingError(f"unknown settings: {sorted(unknown)}; known: {', '.join(SETTINGS)}")
    raw = {name: environ.get(s.env, s.default) for name, s in SETTINGS.items()} | dict(overrides or {})
    return Settings(**{name: SETTINGS[name].convert(value) for name, value in raw.items()})
