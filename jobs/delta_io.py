"""Reading and writing the lakehouse's Delta tables by reference (a path or a catalog name): MERGE upserts, rebuilds,
versions and rollback, all through the engine (jobs/delta_ops.py says how each engine does table operations)."""

import uuid

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from jobs.delta_ops import is_name, ops_for, sql_name
from medialake.log import get_logger, log_event
from medialake.settings import Settings
from medialake.tables import LAYERS, catalog_name, location

log = get_logger("medialake.etl")


def table_path(settings: Settings, layer: str, table: str) -> str:
    """How the jobs reach a table: its path under the lakehouse, or its catalog name (MEDIALAKE_TABLE_NAMES)."""
    if settings.table_names == "catalog":
        return catalog_name(settings.catalog, layer, table)
    return location(settings.lakehouse_dir, layer, table)


def prepare_schemas(spark: SparkSession, settings: Settings) -> None:
    """With catalog names, one schema per layer; in Spark's own catalog its files go under the lakehouse, where the
    service reads them (Unity Catalog chooses its managed storage itself)."""
    if settings.table_names != "catalog":
        return
    for layer in (*LAYERS, "_staging"):
        where = f" LOCATION '{location(settings.lakehouse_dir, layer, '')}'" if settings.catalog == "spark_catalog" else ""
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{settings.catalog}`.`{layer}`{where}").collect()


def table_exists(spark: SparkSession, ref: str) -> bool:
    """Whether a Delta table has been committed there, as the engine sees it."""
    return ops_for(spark).exists(ref)


def read_table(spark: SparkSession, ref: str) -> DataFrame:
    """The current version of a Delta table."""
    return spark.read.table(ref) if is_name(ref) else spark.read.format("delta").load(ref)


def read_if_exists(spark: SparkSession, ref: str) -> DataFrame | None:
    """The table's current version, None when there is no table yet."""
    return read_table(spark, ref) if table_exists(spark, ref) else None


def plain_strings(df: DataFrame) -> DataFrame:
    """Every string column cast to plain STRING. Apache Spark 4.2 types the columns of a Python UDF's declared schema
    as `string collate UTF8_BINARY`, Delta writes that into the log, and the deltalake package and DuckDB cannot read
    such a table (Unsupported Delta table type); a cast gives the default collation, which is written as `string`."""
    cast = [F.col(f"`{f.name}`").cast("string").alias(f.name) if isinstance(f.dataType, StringType) else F.col(f"`{f.name}`")
            for f in df.schema.fields]  # fmt: skip
    return df.select(*cast)


def _save(df: DataFrame, ref: str, mode: str, **options) -> None:
    """Write a DataFrame to the table in one commit."""
    writer = plain_strings(df).write.format("delta").mode(mode).options(**options)
    if is_name(ref):
        writer.saveAsTable(ref)
    else:
        writer.save(ref)


def overwrite(df: DataFrame, ref: str) -> None:
    """Replace the table's contents (one commit): silver and gold tables, rebuilt whole each run."""
    _save(df, ref, "overwrite", overwriteSchema="true")


def append(df: DataFrame, ref: str) -> None:
    """Append rows (one commit)."""
    _save(df, ref, "append")


def upsert(spark: SparkSession, df: DataFrame, ref: str, keys: list[str], update: bool = True) -> None:
    """MERGE df into the table on its natural keys (rows of the table that df lacks stay); create the table on first
    write."""
    if not table_exists(spark, ref):
        _save(df, ref, "overwrite")
        return
    view = f"src_{uuid.uuid4().hex[:8]}"
    plain_strings(df).createOrReplaceTempView(view)
    on = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
    matched = "WHEN MATCHED THEN UPDATE SET * " if update else ""
    spark.sql(f"MERGE INTO {sql_name(ref)} t USING {view} s ON {on} {matched}WHEN NOT MATCHED THEN INSERT *").collect()
    spark.catalog.dropTempView(view)


def snapshot_versions(spark: SparkSession, refs: dict[str, str]) -> dict[str, int]:
    """Versions of the tables that exist, by identity <layer>/<name> (refs: identity -> reference)."""
    ops = ops_for(spark)
    versions = {identity: ops.version_or_none(ref) for identity, ref in refs.items()}
    return {identity: version for identity, version in versions.items() if version is not None}


def rollback(spark: SparkSession, refs: dict[str, str], versions: dict[str, int], created: list[str]) -> list[str]:
    """Restore every table to its version in `versions`; remove only the tables in `created`. Returns what changed."""
    ops, changed = ops_for(spark), []
    for table, version in snapshot_versions(spark, refs).items():
        if table in versions and version != versions[table]:
            ops.restore(refs[table], versions[table])
            changed.append(table)
        elif table not in versions and table in created:
            ops.remove(refs[table])
            changed.append(table)
        elif table not in versions:
            log_event(log, "table kept: the run did not create it, so it is not undone", table=table)
    return changed
