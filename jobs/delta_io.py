"""Reading and writing the lakehouse's Delta tables: paths, MERGE upserts, rebuilds, versions and rollback."""

import contextvars
import os
import shutil
import uuid
from contextlib import contextmanager

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from jobs.delta_ops import LocalDeltaOps
from medialake.log import get_logger, log_event
from medialake.settings import Settings
from medialake.tables import LAYERS, location

log = get_logger("medialake.etl")
# Told, before a table's first commit, that the running write creates it (the run marker notes it as proof for recovery).
ON_CREATE: contextvars.ContextVar = contextvars.ContextVar("on_create", default=None)


def table_path(settings: Settings, layer: str, table: str) -> str:
    """Where the jobs read and write a table (medialake.tables.location decides)."""
    return location(settings.lakehouse_dir, layer, table)


def table_exists(path: str) -> bool:
    """Whether a Delta table has been committed at path."""
    return os.path.isdir(os.path.join(path, "_delta_log"))


def read_table(spark: SparkSession, path: str) -> DataFrame:
    """The current version of a Delta table."""
    return spark.read.format("delta").load(path)


@contextmanager
def noting_creations(note):
    """Within the block, note(path) is called before any table is created."""
    token = ON_CREATE.set(note)
    try:
        yield
    finally:
        ON_CREATE.reset(token)


def creating(path: str) -> None:
    """Tell the running write that the table at path is about to be created, if it does not exist yet."""
    note = ON_CREATE.get()
    if note is not None and not table_exists(path):
        note(path)


def plain_strings(df: DataFrame) -> DataFrame:
    """Every string column cast to plain STRING. Apache Spark 4.2 types the columns of a Python UDF's declared schema
    as `string collate UTF8_BINARY`, Delta writes that into the log, and the deltalake package and DuckDB cannot read
    such a table (Unsupported Delta table type); a cast gives the default collation, which is written as `string`."""
    cast = [F.col(f"`{f.name}`").cast("string").alias(f.name) if isinstance(f.dataType, StringType) else F.col(f"`{f.name}`")
            for f in df.schema.fields]  # fmt: skip
    return df.select(*cast)


def overwrite(df: DataFrame, path: str) -> None:
    """Replace the table's contents (one commit); used for small gold tables."""
    creating(path)
    df = plain_strings(df)
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(path)


def append(df: DataFrame, path: str) -> None:
    """Append rows (one commit)."""
    creating(path)
    df = plain_strings(df)
    df.write.format("delta").mode("append").save(path)


def upsert(spark: SparkSession, df: DataFrame, path: str, keys: list[str], update: bool = True) -> None:
    """MERGE df into the table on its natural keys; create the table on first write."""
    df = plain_strings(df)
    if not table_exists(path):
        creating(path)
        df.write.format("delta").mode("overwrite").save(path)
        return
    view = f"src_{uuid.uuid4().hex[:8]}"
    df.createOrReplaceTempView(view)
    on = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
    matched = "WHEN MATCHED THEN UPDATE SET * " if update else ""
    spark.sql(f"MERGE INTO delta.`{path}` t USING {view} s ON {on} {matched}WHEN NOT MATCHED THEN INSERT *").collect()
    spark.catalog.dropTempView(view)


def snapshot_versions(root: str, ops=None) -> dict[str, int]:
    """Versions of every Delta table under the lakehouse root, by identity <layer>/<name>."""
    ops, versions = ops or LocalDeltaOps(), {}
    for layer in LAYERS:
        layer_dir = os.path.join(root, layer)
        for name in sorted(os.listdir(layer_dir)) if os.path.isdir(layer_dir) else []:
            if table_exists(location(root, layer, name)):
                versions[f"{layer}/{name}"] = ops.version(location(root, layer, name))
    return versions


def rollback(root: str, versions: dict[str, int], created: list[str], ops=None) -> list[str]:
    """Restore every table to its version in `versions`; remove only the tables in `created`. Returns what changed."""
    ops, changed = ops or LocalDeltaOps(), []
    for table, version in snapshot_versions(root, ops).items():
        path = location(root, *table.split("/"))
        if table in versions and version != versions[table]:
            ops.restore(path, versions[table])
            changed.append(table)
        elif table not in versions and table in created:
            shutil.rmtree(path)
            changed.append(table)
        elif table not in versions:
            log_event(log, "table kept: the run did not create it, so it is not undone", table=table)
    return changed
