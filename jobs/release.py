"""Publishing: after a run's last gold write, one row in ops.releases names the gold versions readers take together."""

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs import delta_io
from medialake import releases
from medialake.gold import GOLD
from medialake.log import get_logger, log_event
from medialake.settings import Settings

log = get_logger("medialake.etl")


def publish(spark: SparkSession, settings: Settings, release_id: str) -> dict[str, int]:
    """Append the current version of every gold table as release `release_id`; returns the versions published.
    Inside the run's all-or-nothing block: a run that fails later takes its release back with its tables."""
    refs = {table.name: delta_io.table_path(settings, "gold", table.name) for table in GOLD}
    versions = delta_io.snapshot_versions(spark, refs)
    row = spark.createDataFrame([(release_id, releases.encode_versions(versions))], "release_id string, versions string")
    published = row.select("release_id", F.current_timestamp().alias("published_at"), "versions")
    delta_io.append(published, delta_io.table_path(settings, releases.LAYER, releases.NAME))
    log_event(log, "release published", release=release_id, tables=len(versions))
    return versions
