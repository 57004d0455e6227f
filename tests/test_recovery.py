"""Crash recovery never loses a table: markers name tables relative to the lakehouse, and only proven creations are undone."""

import json
import os
import shutil
import signal
import subprocess
import sys

from deltalake import DeltaTable, write_deltalake

from jobs.pipeline import recover_interrupted_runs, run_etl
from jobs.run_marker import RunMarker, pending_markers
from tests.conftest import settings_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def table_rows(lakehouse: str) -> dict[str, int]:
    """Rows of every table under bronze, silver, gold and ops, by <layer>/<name>."""
    found = {}
    for layer in ("bronze", "silver", "gold", "ops"):
        folder = os.path.join(lakehouse, layer)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            found[f"{layer}/{name}"] = DeltaTable(os.path.join(folder, name)).to_pyarrow_dataset().count_rows()
    return found


def kill_mid_silver(raw: str, lakehouse: str) -> None:
    """Run `python -m jobs etl` and SIGKILL it as soon as it has written a silver table."""
    env = {**os.environ, "MEDIALAKE_RAW_DIR": raw, "MEDIALAKE_LAKEHOUSE_DIR": lakehouse}
    for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "jobs", "etl"], env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    for line in proc.stderr:
        if '"silver table written"' in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)


def test_a_lakehouse_moved_after_a_killed_run_loses_nothing(gold_lakehouse, tiny_raw, tmp_path, spark):
    first, moved, raw = str(tmp_path / "first" / "lakehouse"), str(tmp_path / "moved" / "lakehouse"), str(tmp_path / "raw")
    shutil.copytree(gold_lakehouse, first)
    shutil.copytree(tiny_raw, raw)
    with open(os.path.join(raw, "movielens", "ratings.csv"), "a") as handle:
        handle.write("999,1,4.0,1537799250\n")
    before = table_rows(first)
    kill_mid_silver(raw, first)
    assert [m.run_id for m in pending_markers(first)], "the killed run left its marker"
    shutil.move(os.path.dirname(first), os.path.dirname(moved))
    recover_interrupted_runs(moved)
    assert table_rows(moved) == before and not pending_markers(moved)
    run_etl(spark, settings_for(raw, moved))
    after = table_rows(moved)
    assert set(before) <= set(after) and after["bronze/ratings"] == before["bronze/ratings"] + 1


def test_a_marker_of_the_old_absolute_form_from_another_path_deletes_nothing(gold_lakehouse, tmp_path):
    lakehouse = str(tmp_path / "lakehouse")
    shutil.copytree(gold_lakehouse, lakehouse)
    before = table_rows(lakehouse)
    top = DeltaTable(os.path.join(lakehouse, "gold", "top_tracks"))
    started_at = top.version()
    write_deltalake(top, top.to_pandas().head(3), mode="overwrite")  # what the killed run did to one table
    old_form = {"/mnt/old-mount/lakehouse/gold/top_tracks": started_at}  # a marker written before identities were relative
    os.makedirs(os.path.join(lakehouse, "_runs"), exist_ok=True)
    with open(os.path.join(lakehouse, "_runs", "old.json"), "w") as handle:
        json.dump({"run_id": "old", "started": 0, "versions": old_form}, handle)
    recover_interrupted_runs(lakehouse)
    assert table_rows(lakehouse) == before, "every other table kept, top_tracks restored"
    assert DeltaTable(os.path.join(lakehouse, "gold", "top_tracks")).history(1)[0]["operation"] == "RESTORE"


def test_recovery_removes_only_tables_the_run_noted_as_created(gold_lakehouse, tmp_path):
    lakehouse = str(tmp_path / "lakehouse")
    shutil.copytree(gold_lakehouse, lakehouse)
    versions = {t: DeltaTable(os.path.join(lakehouse, *t.split("/"))).version() for t in table_rows(lakehouse)}
    for name in ("made_by_the_run", "made_by_someone_else"):
        write_deltalake(os.path.join(lakehouse, "gold", name), DeltaTable(os.path.join(lakehouse, "gold", "top_tracks")).to_pandas())
    RunMarker(lakehouse, "killed", versions, created=["gold/made_by_the_run"]).write()
    recover_interrupted_runs(lakehouse)
    assert not os.path.exists(os.path.join(lakehouse, "gold", "made_by_the_run"))
    assert DeltaTable(os.path.join(lakehouse, "gold", "made_by_someone_else")).version() == 0


def test_a_run_notes_each_table_before_creating_it(spark, tmp_path, monkeypatch):
    from jobs import delta_io

    raw, lakehouse = tmp_path / "raw", str(tmp_path / "lakehouse")
    raw.mkdir()
    (raw / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,10,4.0,964982703\n")
    noted, note = [], RunMarker.note_created

    def noting(marker, table):
        noted.append((table, os.path.isdir(os.path.join(lakehouse, table))))
        note(marker, table)

    monkeypatch.setattr(RunMarker, "note_created", noting)
    run_etl(spark, settings_for(str(raw), lakehouse))
    assert {"bronze/ratings", "silver/ratings", "ops/ingested_files"} <= {table for table, _ in noted}
    assert not any(existed for _, existed in noted), "each noted before its first commit"
    assert delta_io.ON_CREATE.get() is None and not pending_markers(lakehouse)
