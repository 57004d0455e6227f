"""The one enumerated source of medialake settings: defaults, overridden by environment variables."""

import os
from dataclasses import dataclass, fields, make_dataclass


@dataclass(frozen=True)
class Setting:
    """One documented setting: its environment variable, default and meaning."""

    env: str
    default: str
    help: str


SETTINGS = {
    "raw_dir": Setting("MEDIALAKE_RAW_DIR", "data/raw", "Folder scanned (recursively) for raw CSV files."),
    "lakehouse_dir": Setting("MEDIALAKE_LAKEHOUSE_DIR", "lakehouse", "Root of the Delta tables: <root>/<layer>/<table>/."),
    "engine": Setting(
        "MEDIALAKE_ENGINE",
        "sail",
        "sail (embedded Spark Connect server), remote (use SPARK_REMOTE) or classic (JVM Spark + delta-spark).",
    ),
    "spark_remote": Setting("SPARK_REMOTE", "", "Spark Connect URL; when set, the jobs connect there instead of Sail."),
    "batch_id": Setting("MEDIALAKE_BATCH_ID", "", "Batch id stamped on bronze rows; a UTC timestamp when empty."),
    "log_level": Setting("MEDIALAKE_LOG_LEVEL", "INFO", "Level of the JSON-lines logs (DEBUG, INFO, WARNING, ERROR)."),
    "jobs_dir": Setting("MEDIALAKE_JOBS_DIR", "jobs/definitions", "Folder of the Databricks Jobs API 2.1 JSON definitions run locally."),
    "max_parallel_tasks": Setting("MEDIALAKE_MAX_PARALLEL_TASKS", "2", "How many tasks of one run the local runner runs at once."),
    "webhooks": Setting(
        "MEDIALAKE_WEBHOOKS",
        "{}",
        'JSON map of webhook notification destination ids to local URLs, e.g. {"ops-alerts": "http://127.0.0.1:9000/hook"}.',
    ),
    "warehouse": Setting(
        "MEDIALAKE_WAREHOUSE", "local", "Service backend: local (embedded DuckDB over the Delta tables) or databricks (SQL warehouse)."
    ),
    "databricks_server_hostname": Setting("DATABRICKS_SERVER_HOSTNAME", "", "Databricks workspace host name, for the databricks backend."),
    "databricks_http_path": Setting("DATABRICKS_HTTP_PATH", "", "HTTP path of the Databricks SQL warehouse."),
    "databricks_token": Setting(
        "DATABRICKS_TOKEN", "", "Databricks token (inject from a secret store, e.g. a Key Vault reference); never logged."
    ),
    "databricks_catalog": Setting("MEDIALAKE_DATABRICKS_CATALOG", "main", "Unity Catalog catalog holding the gold schema."),
    "databricks_gold_schema": Setting("MEDIALAKE_DATABRICKS_GOLD_SCHEMA", "gold", "Schema of the gold tables on Databricks."),
    "connect_timeout_seconds": Setting("MEDIALAKE_CONNECT_TIMEOUT_SECONDS", "10", "Warehouse connect timeout."),
    "query_timeout_seconds": Setting("MEDIALAKE_QUERY_TIMEOUT_SECONDS", "30", "Warehouse query timeout."),
    "local_version_check_seconds": Setting(
        "MEDIALAKE_LOCAL_VERSION_CHECK_SECONDS",
        "0.05",
        "Local backend: how long a table's Delta version is trusted before one stat of its _delta_log (0: every request).",
    ),
    "version_check_seconds": Setting("MEDIALAKE_VERSION_CHECK_SECONDS", "5", "Databricks backend: how long a table version is trusted."),
    "cache_entries": Setting("MEDIALAKE_CACHE_ENTRIES", "4096", "Answers kept in the in-memory cache per worker."),
    "access_log": Setting("MEDIALAKE_ACCESS_LOG", "1", "1 to log one JSON line per request, 0 to turn it off."),
    "host": Setting("MEDIALAKE_HOST", "127.0.0.1", "Address the production server listens on."),
    "port": Setting("MEDIALAKE_PORT", "8000", "Port of the production server."),
    "workers": Setting("MEDIALAKE_WORKERS", "2", "granian worker processes (one per core measured best)."),
    "blocking_threads": Setting("MEDIALAKE_BLOCKING_THREADS", "2", "granian blocking threads per worker."),
    "openai_api_key": Setting(
        "OPENAI_API_KEY",
        "",
        "Key of an OpenAI-compatible API; when set the chat lets that model choose and explain. Never logged or shown.",
    ),
    "openai_base_url": Setting(
        "OPENAI_BASE_URL", "", "Base URL of the OpenAI-compatible server (Azure OpenAI, xAI, vLLM, llama.cpp); empty: OpenAI."
    ),
    "openai_model": Setting("OPENAI_MODEL", "gpt-4o-mini", "Model name sent to the OpenAI-compatible server."),
    "llm_output": Setting(
        "MEDIALAKE_LLM_OUTPUT",
        "tool",
        "How the model returns its choice: tool (forced function call), json_schema (OpenAI response_format) "
        "or json_object (llama.cpp schema).",
    ),
    "llm_timeout_seconds": Setting(
        "MEDIALAKE_LLM_TIMEOUT_SECONDS", "20", "Timeout of one call to the model; on expiry the offline answer is given."
    ),
    "llm_max_retries": Setting("MEDIALAKE_LLM_MAX_RETRIES", "1", "Retries of a failed call to the model (429, 5xx, connection errors)."),
    "chat_rate_limit": Setting(
        "MEDIALAKE_CHAT_RATE_LIMIT", "30 per minute", "Chat and schedule requests allowed per client address (Flask-Limiter syntax)."
    ),
    "chat_max_chars": Setting("MEDIALAKE_CHAT_MAX_CHARS", "500", "Longest chat message accepted, in characters."),
    "day_start": Setting("MEDIALAKE_DAY_START", "07:00", "Listening schedule: when the day starts unless the request says."),
    "day_end": Setting("MEDIALAKE_DAY_END", "23:00", "Listening schedule: when the day ends unless the request says."),
    "images_dir": Setting("MEDIALAKE_IMAGES_DIR", "", "Notebooks save their figures here as PNG when set (make images: images/)."),
    "datagen_scale": Setting("MEDIALAKE_DATAGEN_SCALE", "small", "Size of generated data: tiny, small, demo, full."),
    "datagen_seed": Setting("MEDIALAKE_DATAGEN_SEED", "42", "Seed of the synthetic data generator."),
}


Settings = make_dataclass("Settings", [(name, str) for name in SETTINGS], frozen=True)
Settings.__doc__ = "Resolved settings for one process, one attribute per entry of SETTINGS."


def load_settings(overrides: dict | None = None) -> Settings:
    """Defaults, then environment, then explicit overrides."""
    values = {name: os.environ.get(s.env, s.default) for name, s in SETTINGS.items()}
    values.update(overrides or {})
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    return Settings(**values)
