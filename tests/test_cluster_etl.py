"""The whole ETL on the standalone Spark cluster (master, 2 workers, Connect server with Delta), driven by a client
process that cannot see the raw files: the same silver and gold tables as the Sail run, a rerun that changes nothing."""

import os
import shutil
import subprocess
import sys

from deltalake import DeltaTable

from jobs.engine import cluster
from service.warehouse.local import LocalWarehouse
from tests.bronze_checks import differences, layer_contents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hidden_raw_etl(raw: str, lakehouse: str, url: str, *command: str) -> subprocess.CompletedProcess:
    """`python -m jobs etl` (or another command) against the cluster, in its own mount namespace where the raw folder
    is an empty tmpfs: the client cannot open a raw file."""
    env = {**os.environ, "MEDIALAKE_RAW_DIR": raw, "MEDIALAKE_LAKEHOUSE_DIR": lakehouse, "MEDIALAKE_BATCH_ID": "test",
           "MEDIALAKE_ENGINE": "remote", "SPARK_REMOTE": url}  # fmt: skip
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)
    run = " ".join(f'"{part}"' for part in (command or ("-m", "jobs", "etl")))
    script = f'mount -t tmpfs none "{raw}" && test -z "$(ls -A "{raw}")" && exec "{sys.executable}" {run}'
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def rows_of(lakehouse: str) -> dict[str, int]:
    """Rows per table of every layer."""
    return {
        f"{layer}.{name}": DeltaTable(os.path.join(lakehouse, layer, name)).to_pyarrow_dataset().count_rows()
        for layer in ("bronze", "silver", "gold", "ops")
        for name in sorted(os.listdir(os.path.join(lakehouse, layer)))
    }


def test_the_cluster_builds_the_tables_sail_builds_and_lands_each_file_once(jvm_cluster, gold_lakehouse, tiny_raw, tmp_path):
    raw, lakehouse, url = str(tmp_path / "raw"), str(tmp_path / "lakehouse"), cluster.connect_url(jvm_cluster)
    shutil.copytree(tiny_raw, raw)
    first = hidden_raw_etl(raw, lakehouse, url)
    assert first.returncode == 0, first.stderr[-3000:]
    assert differences(layer_contents(gold_lakehouse), layer_contents(lakehouse)) == []
    years = {"year_from": 1900, "year_to": 2030}  # what the service reads of what Spark wrote (DuckDB + delta)
    served = LocalWarehouse(lakehouse).execute("genre_counts_by_year", years).records()
    assert served and served == LocalWarehouse(gold_lakehouse).execute("genre_counts_by_year", years).records()
    before, bronze_step = rows_of(lakehouse), ("jobs/tasks/bronze.py", "--domain", "all")
    again = hidden_raw_etl(raw, lakehouse, url, *bronze_step)  # the bronze step alone: landing is what a rerun could repeat
    assert again.returncode == 0, again.stderr[-3000:]
    assert rows_of(lakehouse) == before
    with open(os.path.join(raw, "later.csv"), "w") as handle:
        handle.write("userId,movieId,rating,timestamp\n777,1,4.5,1537799250\n")
    later = hidden_raw_etl(raw, lakehouse, url, *bronze_step)
    assert later.returncode == 0, later.stderr[-3000:]
    after = rows_of(lakehouse)
    assert after["bronze.ratings"] == before["bronze.ratings"] + 1 and after["ops.ingested_files"] == before["ops.ingested_files"] + 1
