"""One function that returns the SparkSession the jobs run on."""

import atexit
import os
from contextlib import contextmanager

from pyspark.sql import SparkSession

from medialake.settings import Settings, load_settings

_servers = []

# Sail logs (Rust, straight to stderr) at info, and every clean stop ends with "WARN sail_common::actor] aborting N
# task(s)": the idle timers it drops at shutdown, which reads like a failure. Its real warnings and errors still show;
# a RUST_LOG of the user's own wins (RUST_LOG=info brings the rest back).
SAIL_LOG = "warn,sail_common::actor=error"


def on_databricks() -> bool:
    """True on a Databricks cluster, whose runtime sets DATABRICKS_RUNTIME_VERSION (not a medialake setting)."""
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))


def get_spark(settings: Settings | None = None) -> SparkSession:
    """The cluster's session on Databricks; else embedded Sail by default, SPARK_REMOTE when set, or local JVM Spark for
    engine=spark. The session is bound to the table operations its engine has (jobs/delta_ops.py)."""
    from jobs.delta_ops import table_ops

    settings = settings or load_settings()
    session = _session(settings)
    table_ops(session, settings)
    return session


def embedded_sail(settings: Settings) -> bool:
    """Whether the jobs run on the Sail server get_spark starts in this process."""
    return settings.engine == "sail" and not settings.spark_remote and not on_databricks()


# Sail 0.7.2's binaryFile splits a file into byte ranges, one per core, and reads the whole file for each range: on 2
# cores a 678 MB file is twice in memory. On one partition it is read once: landing the full-scale input peaked at
# 2.4 GiB instead of 3.0 GiB, in 12.2 s against 11.0 s (docs/performance.md).
WHOLE_FILE_SAIL = {"SAIL_EXECUTION__DEFAULT_PARALLELISM": "1"}


@contextmanager
def whole_file_session(spark: SparkSession, settings: Settings):
    """The session to read whole raw files with: on embedded Sail a second embedded server of one partition, for the
    block (its tables are the same path tables); on every other engine, which reads a file once, spark itself."""
    if not embedded_sail(settings):
        yield spark
        return
    from jobs.delta_ops import table_ops

    server = _sail_server(WHOLE_FILE_SAIL)
    host, port = server.listening_address
    session = SparkSession.builder.remote(f"sc://{host}:{port}").create()
    table_ops(session, settings)
    try:
        yield session
    finally:
        session.stop()
        server.stop()


def _session(settings: Settings) -> SparkSession:
    """The session of the configured engine, started when it is embedded."""
    if on_databricks():
        return SparkSession.builder.getOrCreate()  # the runtime's own session; a task must not start an engine there
    if settings.spark_remote or settings.engine == "remote":
        return SparkSession.builder.remote(settings.spark_remote or os.environ["SPARK_REMOTE"]).getOrCreate()
    if settings.engine == "spark":
        return SparkSession.builder.remote(_start_jvm_spark(settings.lakehouse_dir)).getOrCreate()
    return SparkSession.builder.remote(_start_sail()).getOrCreate()


def _start_sail() -> str:
    """Start an in-process Sail Spark Connect server on a free loopback port; stop it at exit."""
    server = _sail_server({})
    _servers.append(server)
    atexit.register(stop_spark)
    host, port = server.listening_address
    return f"sc://{host}:{port}"


def _sail_server(config: dict[str, str]):
    """A started in-process Sail server on a free loopback port, with these SAIL_* settings over the environment's
    (Sail reads them when a server starts)."""
    os.environ.setdefault("RUST_LOG", SAIL_LOG)  # read by Sail's logger when it starts, so set before the import
    from pysail.spark import SparkConnectServer

    before = {name: os.environ.get(name) for name in config}
    os.environ.update(config)
    try:
        server = SparkConnectServer("127.0.0.1", 0)
        server.start(background=True)
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    return server


def stop_spark() -> None:
    """Stop the active session and any embedded server this process started."""
    session = SparkSession.getActiveSession()
    if session is not None and not on_databricks():  # the cluster's session outlives a task: the job's next tasks share it
        session.stop()
    while _servers:
        _servers.pop().stop()


def _start_jvm_spark(lakehouse: str) -> str:
    """Start (once per process and lakehouse) a JVM Spark Connect server with Delta on local[2]; stop it at exit."""
    from jobs.engine.cluster import LocalServer, start_local

    for server in _servers:
        if isinstance(server, LocalServer) and server.lakehouse == lakehouse:
            return server.url
    _servers.append(start_local(lakehouse))
    atexit.register(stop_spark)
    return _servers[-1].url
