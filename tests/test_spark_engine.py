"""Apache Spark on the JVM with Delta, through Spark Connect: the real standalone cluster of the test session (master,
2 workers, a Connect server on 127.0.0.1: `jvm_cluster` in conftest.py, which also checks that no process of it survives),
Delta features through it, files read back by `deltalake`, the Derby metastore across a restart."""

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest
from deltalake import DeltaTable

from jobs.engine import cluster, commands
from jobs.engine.processes import EngineError, client, ours, spawn, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = [(1, "alpha", 3.0), (2, "beta", 4.0)]
SCHEMA = "id long, name string, score double"


@pytest.fixture
def session(jvm_cluster):
    """A Spark Connect session to the cluster's current server."""
    spark = client(cluster.connect_url(jvm_cluster))
    yield spark
    spark.stop()


def rows(frame) -> list[tuple]:
    """A DataFrame's rows as sorted tuples."""
    return sorted(tuple(row) for row in frame.collect())


def delta_rows(path: str, version: int) -> list[tuple]:
    """One version of a Delta table as sorted tuples, read by the deltalake package: the files the executors wrote, no Spark."""
    table = DeltaTable(path, version=version)
    return sorted(zip(*table.to_pyarrow_table().to_pydict().values(), strict=True))


def test_the_url_file_ends_with_the_connect_url(jvm_cluster):
    with open(os.path.join(commands.cluster_dir(jvm_cluster), "connect.url"), encoding="utf-8") as handle:
        last = handle.read().splitlines()[-1]
    assert last == f"sc://127.0.0.1:{cluster.recorded(jvm_cluster)['connect']['port']}"


def test_the_master_has_two_alive_workers_and_our_application(jvm_cluster):
    with urllib.request.urlopen(f"http://127.0.0.1:{cluster.recorded(jvm_cluster)['master']['webui']}/json/", timeout=5) as answer:
        state = json.load(answer)
    assert [w["state"] for w in state["workers"]] == ["ALIVE", "ALIVE"]
    assert [app["name"] for app in state["activeapps"]] == ["medialake-connect"]


def test_delta_merge_time_travel_history_and_restore_through_the_cluster(session, tmp_path):
    path = str(tmp_path / "scores")
    session.createDataFrame(ROWS, SCHEMA).write.format("delta").save(path)
    session.createDataFrame([(2, "beta", 5.0), (3, "gamma", 1.0)], SCHEMA).createOrReplaceTempView("updates")
    session.sql(f"MERGE INTO delta.`{path}` t USING updates u ON t.id = u.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *")
    assert delta_rows(path, 1) == [(1, "alpha", 3.0), (2, "beta", 5.0), (3, "gamma", 1.0)]
    assert rows(session.read.format("delta").option("versionAsOf", 0).load(path)) == ROWS
    session.sql(f"RESTORE TABLE delta.`{path}` TO VERSION AS OF 0").collect()
    history = session.sql(f"DESCRIBE HISTORY delta.`{path}`").orderBy("version").collect()
    assert [(h.version, h.operation) for h in history] == [(0, "WRITE"), (1, "MERGE"), (2, "RESTORE")]
    assert rows(session.read.format("delta").load(path)) == ROWS == delta_rows(path, 2)


def test_named_tables_survive_a_restart_of_the_connect_server(jvm_cluster, tmp_path):
    spark, external = client(cluster.connect_url(jvm_cluster)), str(tmp_path / "external")
    spark.createDataFrame(ROWS, SCHEMA).write.format("delta").saveAsTable("managed_scores")
    spark.createDataFrame(ROWS[:1], SCHEMA).write.format("delta").save(external)
    spark.sql(f"CREATE TABLE external_scores USING delta LOCATION '{external}'")
    spark.stop()
    old = cluster.recorded(jvm_cluster)["connect"]
    spark = client(cluster.restart_connect(jvm_cluster))
    try:
        assert cluster.recorded(jvm_cluster)["connect"]["pid"] != old["pid"] and ours(old) is None
        assert rows(spark.table("managed_scores")) == ROWS and rows(spark.table("default.external_scores")) == ROWS[:1]
        assert os.path.isdir(os.path.join(jvm_cluster, "_warehouse", "managed_scores", "_delta_log"))
    finally:
        spark.stop()


def test_the_commands_stay_on_loopback_with_delta_and_the_lakehouse_metastore(tmp_path):
    launch = commands.connect_server(str(tmp_path), "spark://127.0.0.1:7077")
    confs = dict(arg.split("=", 1) for arg in launch.argv if "=" in arg and arg.startswith("spark."))
    assert confs["spark.connect.grpc.binding.address"] == "127.0.0.1" and launch.env["SPARK_LOCAL_IP"] == "127.0.0.1"
    assert confs["spark.hadoop.javax.jdo.option.ConnectionURL"].startswith(f"jdbc:derby:;databaseName={tmp_path}/_metastore/")
    assert all(jar.startswith(commands.JARS_DIR) for jar in launch.argv[launch.argv.index("--jars") + 1].split(","))
    assert launch.log == os.path.join(str(tmp_path), "_cluster", "connect.log") and "SPARK_REMOTE" not in launch.env


@pytest.mark.parametrize(("jit", "options"), [("c1", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"), ("c2", "-XX:+UseParallelGC")])
def test_the_cluster_executors_run_the_compiler_the_setting_names(tmp_path, monkeypatch, jit, options):
    monkeypatch.setenv("MEDIALAKE_CLUSTER_EXECUTOR_JIT", jit)
    argv = commands.connect_server(str(tmp_path), "spark://127.0.0.1:7077").argv
    assert f"spark.executor.extraJavaOptions={options}" in argv


def test_a_process_that_dies_while_starting_is_reported_with_its_log(tmp_path):
    launch = commands.Launch("connect", ["bash", "-c", "echo no such class; exit 3"], dict(os.environ), str(tmp_path / "c.log"), 1)
    with pytest.raises(EngineError, match=r"connect exited with 3 before listening(?s:.*)no such class"):
        wait_until(lambda: False, [(launch, spawn(launch))], 30, "listening")


def test_cluster_down_with_nothing_running_and_make_dry_run_exit_cleanly(tmp_path):
    env = {**os.environ, "MEDIALAKE_LAKEHOUSE_DIR": str(tmp_path / "empty")}
    down = subprocess.run([sys.executable, "-m", "jobs", "cluster", "down"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert down.returncode == 0 and down.stdout == ""
    assert json.loads(down.stderr.splitlines()[-1])["msg"] == "cluster not running"
    dry = subprocess.run(["make", "-n", "cluster-up", "cluster-down"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0 and "-m jobs cluster up" in dry.stdout and "-m jobs cluster down" in dry.stdout


def test_the_pipeline_writes_catalog_tables_that_the_service_and_databricks_backend_name_alike(
    jvm_cluster, tiny_raw, tmp_path, monkeypatch
):
    from jobs.delta_ops import table_ops
    from jobs.pipeline import run_etl
    from medialake.settings import load_settings
    from medialake.tables import catalog_name
    from service import settings_config
    from service.warehouse.databricks import DatabricksWarehouse
    from service.warehouse.local import LocalWarehouse

    monkeypatch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")  # pyspark.sql.functions build Connect columns, as under get_spark
    raw = str(tmp_path / "raw")
    shutil.copytree(os.path.join(tiny_raw, "spotify"), raw)
    url = cluster.connect_url(jvm_cluster)
    settings = load_settings({"raw_dir": raw, "lakehouse_dir": jvm_cluster, "engine": "remote", "spark_remote": url,
                              "table_names": "catalog",
                              "batch_id": "test"})  # fmt: skip
    spark = client(settings.spark_remote)
    try:
        table_ops(spark, settings)
        run_etl(spark, settings)
        names = {(layer, r.name) for layer in ("silver", "gold") for r in spark.catalog.listTables(f"spark_catalog.{layer}")}
        assert {("silver", "songs"), ("gold", "top_tracks")} <= names
        assert spark.table(catalog_name("spark_catalog", "gold", "top_tracks")).count() > 0
        assert spark.table(catalog_name("spark_catalog", "ops", "ingested_files")).count() == 1
    finally:
        spark.stop()
    assert os.path.isdir(os.path.join(jvm_cluster, "gold", "top_tracks", "_delta_log")), "Spark's catalog keeps the files in the lakehouse"
    assert LocalWarehouse(jvm_cluster).execute("top_tracks", {"genre": None, "limit": 3}).records()
    databricks = settings_config({"WAREHOUSE": "databricks", "DATABRICKS_SERVER_HOSTNAME": "h", "DATABRICKS_HTTP_PATH": "p",
                                  "DATABRICKS_TOKEN": "t", "CATALOG": settings.catalog})  # fmt: skip
    assert DatabricksWarehouse(databricks).table_name("top_tracks") == catalog_name(settings.catalog, "gold", "top_tracks")


BENCH_CLUSTER = """import json, sys
from jobs.engine import cluster
from tools.bench.etl import cluster_for_run
url = cluster_for_run(sys.argv[1])
print(json.dumps({"url": url, "processes": list(cluster.recorded(sys.argv[1]).values())}))
"""


def test_the_etl_benchmark_stops_a_cluster_it_started_and_leaves_a_running_one_running(jvm_cluster, tmp_path):
    started_here = str(tmp_path / "bench" / "cluster")
    seen = {}
    for home in (jvm_cluster, started_here):
        run = subprocess.run([sys.executable, "-c", BENCH_CLUSTER, home], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        seen[home] = json.loads(run.stdout.strip().splitlines()[-1])
        assert seen[home]["url"].startswith("sc://127.0.0.1:") and len(seen[home]["processes"]) == 4
    assert cluster.running(jvm_cluster) and cluster.connect_url(jvm_cluster) == seen[jvm_cluster]["url"], "found running: left running"
    assert all(ours(entry) for entry in seen[jvm_cluster]["processes"])
    assert cluster.recorded(started_here) == {}, "started by the benchmark: stopped when it ended"
    assert [ours(entry) for entry in seen[started_here]["processes"]] == [None] * 4, "none of its processes survived"
