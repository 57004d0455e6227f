"""The whole ETL on the standalone Spark cluster (master, 2 workers, Connect server with Delta), driven by a client
process that can see neither the raw files nor the lakehouse: the same silver and gold tables as the Sail run, a rerun
that changes nothing, the real MovieLens and CPI files landed in full (read in splits), and a client killed midway
undone by the next one after the lakehouse moved."""

import json
import os
import shutil
import subprocess
import sys

from deltalake import DeltaTable

from jobs.engine import cluster
from jobs.pipeline import run_etl
from service.warehouse.local import LocalWarehouse
from tests.bronze_checks import differences, layer_contents, mismatches
from tests.conftest import REAL_DATA, settings_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hidden(raw: str, lakehouse: str, url: str, *command: str, **popen) -> subprocess.Popen:
    """`python -m jobs etl` (or another command) against the cluster, in its own mount namespace where the raw folder
    and the lakehouse are empty tmpfs mounts: the client cannot open a raw file or a table file."""
    # MEDIALAKE_SPLIT_READ_BYTES=0: every file the engine can read in splits is, the small real files included
    env = {**os.environ, "MEDIALAKE_RAW_DIR": raw, "MEDIALAKE_LAKEHOUSE_DIR": lakehouse, "MEDIALAKE_BATCH_ID": "test",
           "MEDIALAKE_ENGINE": "remote", "SPARK_REMOTE": url, "MEDIALAKE_SPLIT_READ_BYTES": "0"}  # fmt: skip
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)
    os.makedirs(lakehouse, exist_ok=True)
    run = " ".join(f'"{part}"' for part in (command or ("-m", "jobs", "etl")))
    mounts = " && ".join(f'mount -t tmpfs none "{folder}" && test -z "$(ls -A "{folder}")"' for folder in (raw, lakehouse))
    script = f'{mounts} && exec "{sys.executable}" {run}'
    return subprocess.Popen(["unshare", "-m", "sh", "-c", script], cwd=ROOT, env=env, text=True, **popen)


def hidden_raw_etl(raw: str, lakehouse: str, url: str, *command: str) -> subprocess.CompletedProcess:
    """The same, run to its end."""
    proc = hidden(raw, lakehouse, url, *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def slot_holder(lakehouse: str) -> str | None:
    """The run holding the writer slot, read from the Delta files without Spark."""
    return DeltaTable(os.path.join(lakehouse, "ops", "writer")).to_pyarrow_table().to_pydict()["run_id"][0]


def rows_of(lakehouse: str) -> dict[str, int]:
    """Rows per table of every layer."""
    return {
        f"{layer}.{name}": DeltaTable(os.path.join(lakehouse, layer, name)).to_pyarrow_dataset().count_rows()
        for layer in ("bronze", "silver", "gold", "ops")
        for name in sorted(os.listdir(os.path.join(lakehouse, layer)))
    }


REAL_FILES = {  # the real files run on the cluster with the generated ones, and the rows tests/test_real_data.py asserts
    "movielens-latest-small/movies.csv": 9742, "movielens-latest-small/ratings.csv": 100836,
    "movielens-latest-small/links.csv": 9742, "movielens-latest-small/tags.csv": 3683, "fred-cpi/CUSR0000SS62031.csv": 280,
}  # fmt: skip


def raw_input(tiny_raw: str, raw: str) -> bool:
    """The generated files, and the real MovieLens and CPI files when they are present (one ETL on the cluster covers
    both: each run there costs minutes); whether the real ones are in."""
    shutil.copytree(tiny_raw, raw)
    if not os.path.isdir(REAL_DATA):
        return False
    for folder in sorted({key.split("/")[0] for key in REAL_FILES}):
        shutil.copytree(os.path.join(REAL_DATA, folder), os.path.join(raw, folder), ignore=shutil.ignore_patterns("*.md", "*.txt"))
    return True


def readers(log: str) -> dict[str, str]:
    """How a run's log says each raw file was read: "lines" (in splits, by the engine's readers) or "whole"."""
    events = [json.loads(line) for line in log.splitlines() if '"bronze file read"' in line]
    return {event["file"]: event["reader"] for event in events}


def rows_per_file(lakehouse: str, layer: str, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows of some tables of a layer per source file (their lineage column), read from the Delta files."""
    counts = {}
    for table in tables:
        files = DeltaTable(os.path.join(lakehouse, layer, table)).to_pandas(columns=["_source_file"])._source_file
        counts |= files.value_counts().to_dict()
    return counts


def test_the_cluster_builds_the_tables_sail_builds_and_lands_each_file_once(spark, jvm_cluster, tiny_raw, tmp_path):
    raw, lakehouse, on_sail = str(tmp_path / "raw"), str(tmp_path / "lakehouse"), str(tmp_path / "sail")
    url, real = cluster.connect_url(jvm_cluster), raw_input(tiny_raw, raw)
    run_etl(spark, settings_for(raw, on_sail))  # the same input on the embedded engine
    first = hidden_raw_etl(raw, lakehouse, url)
    assert first.returncode == 0, first.stderr[-3000:]
    assert mismatches(lakehouse, raw) == [], "bronze holds what the client parser reads, file by file"
    assert differences(layer_contents(on_sail), layer_contents(lakehouse)) == []
    years = {"year_from": 1900, "year_to": 2030}  # what the service reads of what Spark wrote (DuckDB + delta)
    served = LocalWarehouse(lakehouse).execute("genre_counts_by_year", years).records()
    assert served and served == LocalWarehouse(on_sail).execute("genre_counts_by_year", years).records()
    if real:  # the real files' rows, as tests/test_real_data.py asserts them of the Sail run alone
        landed = rows_per_file(lakehouse, "bronze", ("movielens_movies", "ratings", "links", "tags", "cpi"))
        assert {key: landed.get(key) for key in REAL_FILES} == REAL_FILES
        assert {key: readers(first.stderr).get(key) for key in REAL_FILES} == dict.fromkeys(REAL_FILES, "lines")
        assert rows_per_file(lakehouse, "silver", ("ratings",))["movielens-latest-small/ratings.csv"] == 100836
    before, bronze_step = rows_of(lakehouse), ("jobs/tasks/bronze.py", "--domain", "all")
    with open(os.path.join(raw, "later.csv"), "w") as handle:
        handle.write("userId,movieId,rating,timestamp\n777,1,4.5,1537799250\n")
    # the bronze step again (landing is what a rerun could repeat), with one file added since: one run proves both
    later = hidden_raw_etl(raw, lakehouse, url, *bronze_step)
    assert later.returncode == 0, later.stderr[-3000:]
    grown = {"bronze.ratings": 1, "ops.ingested_files": 1}
    assert rows_of(lakehouse) == {table: rows + grown.get(table, 0) for table, rows in before.items()}, "only the new file landed"


def test_a_client_killed_mid_silver_is_undone_by_the_next_run_after_the_lakehouse_moved(jvm_cluster, gold_lakehouse, tiny_raw, tmp_path):
    raw, first, moved = str(tmp_path / "raw"), str(tmp_path / "a" / "lakehouse"), str(tmp_path / "b" / "lakehouse")
    url, silver_step = cluster.connect_url(jvm_cluster), ("jobs/tasks/silver.py", "--domain", "songs")
    shutil.copytree(tiny_raw, raw)
    shutil.copytree(gold_lakehouse, first)
    layers = ("bronze", "silver", "gold")
    before, tables = layer_contents(first, layers), set(rows_of(first))
    proc = hidden(raw, first, url, *silver_step, stderr=subprocess.PIPE)
    written = next((line for line in proc.stderr if '"silver table written"' in line), "")
    proc.kill()
    proc.wait(timeout=60)
    assert written and slot_holder(first), "killed after a silver write, still holding the writer slot"
    shutil.move(os.path.dirname(first), os.path.dirname(moved))
    undone = hidden_raw_etl(raw, moved, url, "-m", "jobs", "recover")
    assert undone.returncode == 0 and '"interrupted run undone"' in undone.stderr, undone.stderr[-3000:]
    assert differences(before, layer_contents(moved, layers)) == [] and set(rows_of(moved)) == tables
    assert slot_holder(moved) is None
    again = hidden_raw_etl(raw, moved, url, *silver_step)
    assert again.returncode == 0, again.stderr[-3000:]
    assert differences(before, layer_contents(moved, layers)) == [] and set(rows_of(moved)) == tables
