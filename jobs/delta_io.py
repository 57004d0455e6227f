"""Reading and writing the lakehouse's Delta tables: paths, MERGE upserts, rebuilds, versions and rollback."""

import os
import shutil
import uuid

from deltalake import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from medialake.settings import Settings
from medialake.tables import LAYERS, location


def table_path(settings: Settings, layer: str, table: str) -> str:
    """Where the jobs read and write a table (medialake.tables.location decides)."""
    return location(settings.lakehouse_dir, layer, table)


def table_exists(path: str) -> bool:
    """Whether a Delta table has been committed at path."""
    return os.path.isdir(os.path.join(path, "_delta_log"))


def read_table(spark: SparkSession, path: str) -> DataFrame:
    """The current version of a Delta table."""
    return spark.read.format("delta").load(path)


def overwrite(df: DataFrame, path: str) -> None:
    """Replace the table's contents (one commit); used for small gold tables."""
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(path)


def append(df: DataFrame, path: str) -> None:
    """Append rows (one commit)."""
    df.write.format("delta").mode("append").save(path)


def upsert(spark: SparkSession, df: DataFrame, path: str, keys: list[str], update: bool = True) -> None:
    """MERGE df into the table on its natural keys; create the table on first write."""
    if not table_exists(path):
        df.write.format("delta").mode("overwrite").save(path)
        return
    view = f"src_{uuid.uuid4().hex[:8]}"
    df.createOrReplaceTempView(view)
    on = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
    matched = "WHEN MATCHED THEN UPDATE SET * " if update else ""
    spark.sql(f"MERGE INTO delta.`{path}` t USING {view} s ON {on} {matched}WHEN NOT MATCHED THEN INSERT *").collect()
    spark.catalog.dropTempView(view)


def snapshot_versions(root: str) -> dict[str, int]:
    """Versions of every Delta table under the lakehouse root."""
    versions = {}
    for layer in LAYERS:
        layer_dir = os.path.join(root, layer)
        for name in sorted(os.listdir(layer_dir)) if os.path.isdir(layer_dir) else []:
            path = location(root, layer, name)
            if table_exists(path):
                versions[path] = DeltaTable(path).version()
    return versions


def rollback(root: str, before: dict[str, int]) -> list[str]:
    """Restore every table to its version in `before`; remove tables created since. Returns what changed."""
    changed = []
    for path, version in snapshot_versions(root).items():
        if path not in before:
            shutil.rmtree(path)
            changed.append(path)
        elif version != before[path]:
            DeltaTable(path).restore(before[path])
            changed.append(path)
    return changed
