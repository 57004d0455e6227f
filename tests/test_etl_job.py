"""The shipped ETL job definitions run end to end by the local runner on generated data, each task its own process."""

import os

import pytest
from deltalake import DeltaTable

from jobs.workflow.definitions import PROJECT_ROOT, load_all
from jobs.workflow.history import RunStore
from jobs.workflow.runner import Runner


@pytest.fixture
def job_env(monkeypatch, tiny_raw, tmp_path):
    """Task processes read the raw dir and lakehouse from the environment, as on a scheduler host."""
    monkeypatch.setenv("MEDIALAKE_RAW_DIR", tiny_raw)
    monkeypatch.setenv("MEDIALAKE_LAKEHOUSE_DIR", str(tmp_path / "lake"))
    return str(tmp_path / "lake")


def test_the_etl_job_builds_every_layer_and_stamps_the_run_id(job_env):
    job = load_all(os.path.join(PROJECT_ROOT, "jobs", "definitions"))["etl"]
    run = Runner(job, RunStore(job_env)).run()
    assert run["state"]["result_state"] == "SUCCESS", [t.get("error") for t in run["tasks"]]
    assert {t["state"]["result_state"] for t in run["tasks"]} == {"SUCCESS"}
    batches = DeltaTable(f"{job_env}/bronze/spotify_songs").to_pyarrow_table(columns=["_batch_id"]).column(0).unique()
    assert batches.to_pylist() == [str(run["run_id"])]
    for table in ("genre_counts_by_year", "top_tracks", "artist_profiles"):
        assert DeltaTable(f"{job_env}/gold/{table}").version() == 0


def test_a_failing_quality_gate_publishes_no_gold(job_env):
    job = load_all(os.path.join(PROJECT_ROOT, "jobs", "definitions"))["movies"]
    run = Runner(job, RunStore(job_env)).run({"max_drop_ratio": "0.0"})
    states = {t["task_key"]: t["state"]["result_state"] for t in run["tasks"]}
    assert states == {"bronze_movies": "SUCCESS", "silver_movies": "SUCCESS", "quality_gate": "FAILED", "gold_movies": "UPSTREAM_FAILED"}
    gate = next(t for t in run["tasks"] if t["task_key"] == "quality_gate")
    assert "quality gate failed" in open(gate["log_path"]).read() and "drop rule" in gate["error"]
    assert os.path.isdir(f"{job_env}/silver/movies") and not os.path.exists(f"{job_env}/gold/genre_counts_by_year")
