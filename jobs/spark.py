"""One function that returns the SparkSession the jobs run on."""

import atexit
import os

from pyspark.sql import SparkSession

from medialake.settings import Settings, load_settings

_servers = []


def get_spark(settings: Settings | None = None) -> SparkSession:
    """Embedded Sail by default; SPARK_REMOTE when set; JVM Spark + Delta for engine=classic."""
    settings = settings or load_settings()
    if settings.spark_remote or settings.engine == "remote":
        return SparkSession.builder.remote(settings.spark_remote or os.environ["SPARK_REMOTE"]).getOrCreate()
    if settings.engine == "classic":
        return _classic_spark()
    return SparkSession.builder.remote(_start_sail()).getOrCreate()


def _start_sail() -> str:
    """Start an in-process Sail Spark Connect server on a free loopback port; stop it at exit."""
    from pysail.spark import SparkConnectServer

    server = SparkConnectServer("127.0.0.1", 0)
    server.start(background=True)
    _servers.append(server)
    atexit.register(stop_spark)
    host, port = server.listening_address
    return f"sc://{host}:{port}"


def stop_spark() -> None:
    """Stop the active session and any embedded server this process started."""
    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()
    while _servers:
        _servers.pop().stop()


def _classic_spark() -> SparkSession:
    """JVM Spark with Delta via delta-spark (needs Maven access to fetch the Delta jars)."""
    from delta import configure_spark_with_delta_pip

    builder = (
        SparkSession.builder.appName("medialake")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    )
    return configure_spark_with_delta_pip(builder).getOrCreate()
