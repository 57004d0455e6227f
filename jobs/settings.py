"""The one enumerated source of medialake settings: defaults, overridden by environment variables."""

import os
from dataclasses import dataclass, fields


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
    "datagen_scale": Setting("MEDIALAKE_DATAGEN_SCALE", "small", "Size of generated data: tiny, small, demo, full."),
    "datagen_seed": Setting("MEDIALAKE_DATAGEN_SEED", "42", "Seed of the synthetic data generator."),
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    raw_dir: str
    lakehouse_dir: str
    engine: str
    spark_remote: str
    batch_id: str
    log_level: str
    jobs_dir: str
    max_parallel_tasks: str
    webhooks: str
    datagen_scale: str
    datagen_seed: str


def load_settings(overrides: dict | None = None) -> Settings:
    """Defaults, then environment, then explicit overrides."""
    values = {name: os.environ.get(s.env, s.default) for name, s in SETTINGS.items()}
    values.update(overrides or {})
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    return Settings(**values)
