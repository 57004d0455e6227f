"""Shared fixtures: one embedded Sail session for the whole run, generated raw data, temporary lakehouses."""

import os

import pytest

from medialake.settings import load_settings
from tools.datagen import SCALES, generate

REAL_DATA = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "real"))


@pytest.fixture(scope="session")
def spark():
    """One real Sail Spark Connect server and session shared by the test run."""
    from jobs.spark import get_spark, stop_spark

    session = get_spark(load_settings({"engine": "sail", "spark_remote": ""}))
    yield session
    stop_spark()


@pytest.fixture(scope="session")
def tiny_raw(tmp_path_factory):
    """Generated raw files at the tiny scale (deterministic)."""
    out = tmp_path_factory.mktemp("raw")
    generate(str(out), SCALES["tiny"], seed=7)
    return str(out)


@pytest.fixture
def lakehouse(tmp_path):
    """An empty lakehouse directory."""
    return str(tmp_path / "lakehouse")


def settings_for(raw_dir: str, lakehouse_dir: str):
    """Settings pointing at a raw dir and a lakehouse."""
    return load_settings({"raw_dir": raw_dir, "lakehouse_dir": lakehouse_dir, "engine": "sail", "spark_remote": "", "batch_id": "test"})


@pytest.fixture(scope="session")
def gold_lakehouse(spark, tiny_raw, tmp_path_factory):
    """A lakehouse built once by the real pipeline on the tiny generated data, shared by the service tests (read-only)."""
    from jobs.pipeline import run_etl

    root = str(tmp_path_factory.mktemp("served") / "lakehouse")
    run_etl(spark, settings_for(tiny_raw, root))
    return root


@pytest.fixture(scope="session")
def demo_lakehouse(spark, tmp_path_factory):
    """A lakehouse built by the real pipeline at the demo scale (6k movies, 500k ratings, 30k songs; about 20 s)."""
    from jobs.pipeline import run_etl

    raw, root = tmp_path_factory.mktemp("demo_raw"), str(tmp_path_factory.mktemp("demo") / "lakehouse")
    generate(str(raw), SCALES["demo"], seed=42)
    run_etl(spark, settings_for(str(raw), root))
    return root


@pytest.fixture(scope="module")
def gold(gold_lakehouse):
    """DuckDB with the catalogue tables attached, to check that picks exist."""
    import duckdb

    from service.warehouse.local import delta_extension_path

    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{delta_extension_path()}'")
    for table in ("songs_catalog", "movies_catalog"):
        con.execute(f"ATTACH '{gold_lakehouse}/gold/{table}' AS {table} (TYPE delta)")
    return con


@pytest.fixture
def app(gold_lakehouse):
    """The Flask app on the local warehouse over the shared gold tables."""
    from service import create_app

    return create_app({"LAKEHOUSE_DIR": gold_lakehouse, "WAREHOUSE": "local", "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "1000 per minute"})


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture(scope="session")
def jvm_cluster(tmp_path_factory):
    """A real standalone Spark cluster with Delta (master, 2 workers, Connect server), started once per test session:
    its lakehouse; stopped at the end, and no process of it may survive."""
    import psutil

    from jobs.engine import cluster, commands
    from jobs.engine.processes import ours

    lakehouse = str(tmp_path_factory.mktemp("jvm") / "lakehouse")
    # the tests run many small jobs on tiny data, on which the quick compiler saves minutes (jobs/engine/commands.py)
    before = os.environ.get("MEDIALAKE_CLUSTER_EXECUTOR_JIT")
    os.environ["MEDIALAKE_CLUSTER_EXECUTOR_JIT"] = "c1"
    cluster.up(lakehouse)
    yield lakehouse
    if before is None:
        del os.environ["MEDIALAKE_CLUSTER_EXECUTOR_JIT"]
    else:
        os.environ["MEDIALAKE_CLUSTER_EXECUTOR_JIT"] = before
    processes = [p for p in map(ours, cluster.recorded(lakehouse).values()) if p]
    processes += [child for p in processes for child in p.children(recursive=True) if child.status() != psutil.STATUS_ZOMBIE]
    assert sorted(cluster.down(lakehouse)) == ["connect", "master", "worker-1", "worker-2"]
    assert not [p.pid for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not os.path.exists(os.path.join(commands.cluster_dir(lakehouse), "pids.json"))
