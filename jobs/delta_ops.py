"""Table operations the engine may or may not offer: whether a table exists, its version, history, restoring an
earlier version and removing a table.

One small seam, two implementations: Delta SQL through the engine (Apache Spark, Databricks, any Spark Connect
server), and the `deltalake` package for Sail, which has no DESCRIBE HISTORY or RESTORE (Sail runs in this process,
so its tables are local files). A table is named by a reference: a path, or a catalog name in backticks
(`` `catalog`.`layer`.`table` ``, see medialake.tables.catalog_name).
"""

import os
import shutil
import weakref

from deltalake import DeltaTable
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from medialake.settings import Settings


def is_name(ref: str) -> bool:
    """A catalog name rather than a path."""
    return ref.startswith("`")


def sql_name(ref: str) -> str:
    """How SQL names the table: the catalog name, or delta.`path`."""
    return ref if is_name(ref) else f"delta.`{ref}`"


class LocalDeltaOps:
    """Existence, version, history, restore and removal of local Delta tables, through the filesystem and deltalake."""

    name = "deltalake"

    def exists(self, ref: str) -> bool:
        """Whether a Delta table has been committed at the path."""
        return os.path.isdir(os.path.join(ref, "_delta_log"))

    def version_or_none(self, ref: str) -> int | None:
        """The table's current version, None when there is no table."""
        return DeltaTable(ref).version() if self.exists(ref) else None

    def history(self, ref: str, limit: int | None = None) -> list[dict]:
        """The newest commits first: version, timestamp (ms) and operation."""
        return [{"version": h["version"], "timestamp": h["timestamp"], "operation": h["operation"]} for h in DeltaTable(ref).history(limit)]

    def restore(self, ref: str, version: int) -> None:
        """Make `version` the current state again (a new RESTORE commit)."""
        DeltaTable(ref).restore(version)

    def remove(self, ref: str) -> None:
        """Delete the table's folder."""
        shutil.rmtree(ref)


class SqlDeltaOps:
    """The same operations as Delta SQL run by the engine, for engines that have them; nothing is opened locally."""

    name = "delta-sql"

    def __init__(self, spark: SparkSession):
        self.spark = spark

    def exists(self, ref: str) -> bool:
        """Whether the engine finds a Delta table there (a catalog lookup, or resolving the path)."""
        if is_name(ref):
            return self.spark.catalog.tableExists(ref)
        return self.version_or_none(ref) is not None

    def version_or_none(self, ref: str) -> int | None:
        """The table's current version from DESCRIBE HISTORY, None when the engine finds no table."""
        try:
            return int(self.spark.sql(f"DESCRIBE HISTORY {sql_name(ref)} LIMIT 1").collect()[0]["version"])
        except PySparkException as error:
            if _missing(error):
                return None
            raise

    def history(self, ref: str, limit: int | None = None) -> list[dict]:
        """The newest commits first: version, timestamp (ms) and operation."""
        rows = self.spark.sql(f"DESCRIBE HISTORY {sql_name(ref)}" + (f" LIMIT {int(limit)}" if limit else "")).collect()
        return [{"version": r["version"], "timestamp": int(r["timestamp"].timestamp() * 1000), "operation": r["operation"]} for r in rows]

    def restore(self, ref: str, version: int) -> None:
        """RESTORE TABLE ... TO VERSION AS OF."""
        self.spark.sql(f"RESTORE TABLE {sql_name(ref)} TO VERSION AS OF {int(version)}").collect()

    def remove(self, ref: str) -> None:
        """DROP TABLE for a catalog table; a path table cannot be deleted through SQL, so it is emptied instead."""
        if is_name(ref):
            self.spark.sql(f"DROP TABLE IF EXISTS {ref}").collect()
        else:
            self.spark.sql(f"DELETE FROM {sql_name(ref)}").collect()


# Engine-specific messages for "there is no table here" (Spark: PATH_NOT_FOUND, DELTA_MISSING_DELTA_TABLE, ...).
MISSING_TABLE = ("PATH_NOT_FOUND", "DELTA_MISSING_DELTA_TABLE", "TABLE_OR_VIEW_NOT_FOUND", "is not a Delta table", "doesn't exist")


def _missing(error: Exception) -> bool:
    """Whether an engine error says the table is not there (any other error is real and re-raised)."""
    return any(mark in str(error) for mark in MISSING_TABLE)


_BOUND: "weakref.WeakKeyDictionary[SparkSession, object]" = weakref.WeakKeyDictionary()


def table_ops(spark: SparkSession, settings: Settings):
    """Delta SQL on engines that have it; the deltalake package on embedded Sail. Remembered for the session."""
    from jobs.spark import embedded_sail

    ops = LocalDeltaOps() if embedded_sail(settings) else SqlDeltaOps(spark)
    try:
        _BOUND[spark] = ops
    except TypeError:  # a session object that cannot be weakly referenced: nothing remembered, Delta SQL by default
        pass
    return ops


def ops_for(spark: SparkSession):
    """The operations chosen for this session by get_spark (Delta SQL when the session was made some other way)."""
    return _BOUND.get(spark) or SqlDeltaOps(spark)
