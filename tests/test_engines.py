"""The same pipeline on other engines gives the same tables: Sail in local-cluster mode (driver and workers apart)."""

import os
import subprocess
import sys

import pytest

from tests.bronze_checks import differences, layer_contents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def etl_process(raw: str, lakehouse: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m jobs etl` in its own process with extra environment."""
    environ = {**os.environ, "MEDIALAKE_RAW_DIR": raw, "MEDIALAKE_LAKEHOUSE_DIR": lakehouse, "MEDIALAKE_BATCH_ID": "test", **env}
    for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE"):
        environ.pop(name, None)
    return subprocess.run([sys.executable, "-m", "jobs", "etl"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=600)


@pytest.mark.xfail(
    strict=True,
    reason="Sail 0.7.2 local-cluster mode cannot ship built-in string functions to its workers: "
    "'ExtendedScalarUdf: no UDF found for btrim' (then regexp_replace); passes, and so fails this xfail, once Sail fixes it",
)
def test_sail_local_cluster_with_two_workers_builds_the_same_tables(gold_lakehouse, tiny_raw, tmp_path):
    lakehouse = str(tmp_path / "lakehouse")
    done = etl_process(tiny_raw, lakehouse, SAIL_MODE="local-cluster", SAIL_CLUSTER__WORKER_INITIAL_COUNT="2")
    assert done.returncode == 0, done.stderr[-600:]
    assert differences(layer_contents(gold_lakehouse), layer_contents(lakehouse)) == []
