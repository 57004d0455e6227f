"""Table operations the engine may or may not offer: a table's version, its history and restoring an earlier version.

One small seam, two implementations: Delta SQL through the engine (Apache Spark, Databricks), and the `deltalake`
package for Sail, which has no DESCRIBE HISTORY or RESTORE (Sail runs in this process, so its tables are local files).
"""

from deltalake import DeltaTable
from pyspark.sql import SparkSession

from medialake.settings import Settings


class LocalDeltaOps:
    """Version, history and restore of local Delta tables through the deltalake package."""

    name = "deltalake"

    def version(self, path: str) -> int:
        """The table's current version."""
        return DeltaTable(path).version()

    def history(self, path: str, limit: int | None = None) -> list[dict]:
        """The newest commits first: version, timestamp (ms) and operation."""
        return [
            {"version": h["version"], "timestamp": h["timestamp"], "operation": h["operation"]} for h in DeltaTable(path).history(limit)
        ]

    def restore(self, path: str, version: int) -> None:
        """Make `version` the current state again (a new RESTORE commit)."""
        DeltaTable(path).restore(version)


class SqlDeltaOps:
    """The same operations as Delta SQL run by the engine, for engines that have them."""

    name = "delta-sql"

    def __init__(self, spark: SparkSession):
        self.spark = spark

    def version(self, path: str) -> int:
        """The table's current version, from DESCRIBE HISTORY."""
        return int(self.spark.sql(f"DESCRIBE HISTORY delta.`{path}` LIMIT 1").collect()[0]["version"])

    def history(self, path: str, limit: int | None = None) -> list[dict]:
        """The newest commits first: version, timestamp (ms) and operation."""
        rows = self.spark.sql(f"DESCRIBE HISTORY delta.`{path}`" + (f" LIMIT {int(limit)}" if limit else "")).collect()
        return [{"version": r["version"], "timestamp": int(r["timestamp"].timestamp() * 1000), "operation": r["operation"]} for r in rows]

    def restore(self, path: str, version: int) -> None:
        """RESTORE TABLE ... TO VERSION AS OF."""
        self.spark.sql(f"RESTORE TABLE delta.`{path}` TO VERSION AS OF {int(version)}").collect()


def table_ops(spark: SparkSession, settings: Settings):
    """Delta SQL on engines that have it; the deltalake package on Sail."""
    return LocalDeltaOps() if settings.engine == "sail" and not settings.spark_remote else SqlDeltaOps(spark)
