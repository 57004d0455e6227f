"""The command lines and environment of the JVM processes: a standalone master, its workers, a Spark Connect server with Delta."""

import glob
import os
import socket
import sys
from dataclasses import dataclass, field

import pyspark

from medialake.settings import load_settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JARS_DIR = os.path.join(ROOT, "jvm", "jars")
SPARK_HOME = os.path.dirname(os.path.abspath(pyspark.__file__))
HOST = "127.0.0.1"
CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
LOCAL_MASTER = "local[2]"
# Sized for 2 cores / 24 GiB: two 1-core workers offering 3g each run one 2g executor each; the driver has 2g.
WORKERS, WORKER_CORES, WORKER_MEMORY, EXECUTOR_MEMORY, DRIVER_MEMORY = 2, 1, "3g", "2g", "2g"
SHUFFLE_PARTITIONS = 4  # twice the cores
DAEMON_MEMORY = "512m"  # master and worker daemons only keep bookkeeping; Spark's default heap is 1g each
# They need no optimising compiler or parallel collector: without them the cluster answers in ~30 s instead of ~50 s on 2 cores.
DAEMON_JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# Executors on one core each, by MEDIALAKE_CLUSTER_EXECUTOR_JIT. c1: on tiny data (many small jobs) the optimising
# compiler working beside the tasks made a cold MERGE/RESTORE round trip take 83 s instead of 56 s, the tiny ETL 532 s
# instead of 341 s. c2: landing a 678 MB ratings file took 42-63 s instead of 145-149 s (docs/performance.md).
EXECUTOR_JAVA_OPTS = {"c1": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC", "c2": "-XX:+UseParallelGC"}
# Set in this process by a Spark Connect client; a JVM inheriting them would act as a client too.
CLIENT_ENV = ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE", "SPARK_API_MODE")


@dataclass(frozen=True)
class Launch:
    """One JVM process to start: its name, arguments, environment, log file and the ports it listens on."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(repr=False)
    log: str
    port: int
    webui: int = 0


def free_port() -> int:
    """A TCP port free on the loopback address now (the kernel picks it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def cluster_dir(lakehouse: str) -> str:
    """Where the engine keeps its logs, work files, pid file and URL."""
    return os.path.join(os.path.abspath(lakehouse), "_cluster")


def delta_jars() -> list[str]:
    """The jars `make jars` copied from jvm/pom.xml."""
    jars = sorted(glob.glob(os.path.join(JARS_DIR, "*.jar")))
    if not any(os.path.basename(jar).startswith("delta-spark") for jar in jars):
        raise FileNotFoundError(f"no Delta jars in {JARS_DIR}: run `make jars`")
    return jars


def environment() -> dict[str, str]:
    """The environment of every JVM: the wheel's Spark, loopback only, this Python for Python UDFs."""
    env = {name: value for name, value in os.environ.items() if name not in CLIENT_ENV}
    daemon_opts = f"{DAEMON_JAVA_OPTS} {env.get('SPARK_DAEMON_JAVA_OPTS', '')}".strip()
    return env | {"SPARK_HOME": SPARK_HOME, "SPARK_LOCAL_IP": HOST, "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
                  "SPARK_DAEMON_JAVA_OPTS": daemon_opts, "PYSPARK_PYTHON": sys.executable,
                  # local[2] runs its Python workers from the driver's environment, where spark.executorEnv does not reach
                  "PYTHONPATH": os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)}  # fmt: skip


def master(lakehouse: str) -> Launch:
    """A standalone master on free loopback ports (RPC and web UI)."""
    port, webui = free_port(), free_port()
    argv = [_bin("spark-class"), "org.apache.spark.deploy.master.Master", "--host", HOST, "--port", str(port), "--webui-port", str(webui)]
    return Launch("master", argv, environment(), _log(lakehouse, "master"), port, webui)


def worker(lakehouse: str, master_url: str, number: int) -> Launch:
    """Standalone worker `number`: one core and 3g offered to executors, its executors' logs under _cluster/work."""
    port, webui, work = free_port(), free_port(), os.path.join(cluster_dir(lakehouse), "work")
    argv = [_bin("spark-class"), "org.apache.spark.deploy.worker.Worker", master_url, "--host", HOST, "--port", str(port),
            "--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY, "--webui-port", str(webui), "--work-dir", work]  # fmt: skip
    return Launch(f"worker-{number}", argv, environment(), _log(lakehouse, f"worker-{number}"), port, webui)


def connect_server(lakehouse: str, master_url: str = LOCAL_MASTER, name: str = "connect") -> Launch:
    """A Spark Connect server with Delta and the Derby metastore of the lakehouse, on local[2] or a standalone master."""
    port, webui = free_port(), free_port()
    confs = catalog_confs(lakehouse) | _connect_confs(port, webui)
    if master_url.startswith("spark://"):
        confs |= {"spark.executor.memory": EXECUTOR_MEMORY, "spark.executor.cores": str(WORKER_CORES), "spark.cores.max": str(WORKERS),
                  "spark.executor.extraJavaOptions": EXECUTOR_JAVA_OPTS[load_settings().cluster_executor_jit]}  # fmt: skip
    argv = [_bin("spark-submit"), "--class", CONNECT_SERVER, "--name", f"medialake-{name}", "--master", master_url,
            "--driver-memory", DRIVER_MEMORY, "--jars", ",".join(delta_jars())]  # fmt: skip
    argv += [arg for key, value in confs.items() for arg in ("--conf", f"{key}={value}")]
    return Launch(name, argv, environment(), _log(lakehouse, name), port, webui)


def catalog_confs(lakehouse: str) -> dict[str, str]:
    """Delta as the session catalog, its table names kept in an embedded Derby Hive metastore inside the lakehouse."""
    root = os.path.abspath(lakehouse)
    return {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={root}/_metastore/metastore_db;create=true",
        "spark.sql.warehouse.dir": f"{root}/_warehouse",
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={_log(lakehouse, 'derby')}",
        # Hive's session folders (left behind after exit) go under the lakehouse instead of /tmp.
        "spark.hadoop.hive.exec.local.scratchdir": os.path.join(cluster_dir(lakehouse), "hive"),
        "spark.hadoop.hive.downloaded.resources.dir": os.path.join(cluster_dir(lakehouse), "hive", "${hive.session.id}_resources"),
    }


def _connect_confs(port: int, webui: int) -> dict[str, str]:
    """The driver and its gRPC server on loopback, on exactly the given ports (no silent move to the next one)."""
    return {
        "spark.connect.grpc.binding.address": HOST,
        "spark.connect.grpc.binding.port": str(port),
        "spark.connect.grpc.port.maxRetries": "0",
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.ui.port": str(webui),
        "spark.pyspark.python": sys.executable,
        "spark.executorEnv.PYTHONPATH": ROOT,  # the jobs' Python UDFs import jobs.* on the executors
        # Spark's 200 shuffle partitions and Delta's 50 log-replay partitions cost seconds per small query on 2 cores.
        "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
        "spark.databricks.delta.snapshotPartitions": "2",
    }


def _bin(script: str) -> str:
    """A launcher script of the pyspark wheel's Spark."""
    return os.path.join(SPARK_HOME, "bin", script)


def _log(lakehouse: str, name: str) -> str:
    """The log file of one process."""
    return os.path.join(cluster_dir(lakehouse), f"{name}.log")
