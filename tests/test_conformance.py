"""The same non-Delta transforms give the same rows and types on Sail and on JVM Spark (local mode)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conformance_cases import CASES, result

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def jvm_results():
    """Results of every case from a JVM Spark process (Java 17)."""
    assert shutil.which("java"), "Java 17 is required for the JVM conformance tests"
    env = {**os.environ, "PYTHONPATH": ROOT, "PYSPARK_PYTHON": sys.executable}
    for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE"):
        env.pop(name, None)  # set by the Sail session of this process
    done = subprocess.run([sys.executable, "-m", "tests.conformance_cases"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sail_matches_jvm_spark(spark, jvm_results, case):
    assert result(CASES[case](spark)) == jvm_results[case]
