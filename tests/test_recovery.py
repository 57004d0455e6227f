"""Crash recovery never loses a table: the writer slot (ops.writer) names tables relative to the lakehouse, only proven
creations are undone, and a second run waits for the first through the slot, not a local lock."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading

from deltalake import DeltaTable, write_deltalake

from jobs import delta_io
from jobs.all_or_nothing import recover
from jobs.pipeline import run_etl, run_step
from jobs.run_marker import RunMarker, WriterSlot
from tests.conftest import settings_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEAD_OWNER = "no-such-host:1"  # a holder on another host that never renewed its heartbeat: dead


def table_rows(lakehouse: str) -> dict[str, int]:
    """Rows of every table under bronze, silver, gold and ops (the writer slot left out), by <layer>/<name>."""
    found = {}
    for layer in ("bronze", "silver", "gold", "ops"):
        folder = os.path.join(lakehouse, layer)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if f"{layer}/{name}" != "ops/writer":
                found[f"{layer}/{name}"] = DeltaTable(os.path.join(folder, name)).to_pyarrow_dataset().count_rows()
    return found


def etl_env(raw: str, lakehouse: str) -> dict:
    """The environment of a `python -m jobs etl` subprocess on embedded Sail."""
    env = {**os.environ, "MEDIALAKE_RAW_DIR": raw, "MEDIALAKE_LAKEHOUSE_DIR": lakehouse}
    for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE", "MEDIALAKE_ENGINE"):
        env.pop(name, None)
    return env


def kill_mid_silver(raw: str, lakehouse: str) -> None:
    """Run `python -m jobs etl` and SIGKILL it as soon as it has written a silver table."""
    proc = subprocess.Popen([sys.executable, "-m", "jobs", "etl"], env=etl_env(raw, lakehouse), stderr=subprocess.PIPE, text=True, cwd=ROOT)
    for line in proc.stderr:
        if '"silver table written"' in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)


def plant_killed_run(spark, settings, marker: RunMarker) -> None:
    """Leave the slot as a killed run on another host would: held, with its marker, never renewed."""
    slot = WriterSlot(spark, settings)
    assert slot.try_take(slot.holder(), marker.run_id)
    slot.record(marker)
    slot._update(f"owner = '{DEAD_OWNER}', heartbeat = 0", f"run_id = '{marker.run_id}'")


def test_a_lakehouse_moved_after_a_killed_run_loses_nothing(gold_lakehouse, tiny_raw, tmp_path, spark):
    first, moved, raw = str(tmp_path / "first" / "lakehouse"), str(tmp_path / "moved" / "lakehouse"), str(tmp_path / "raw")
    shutil.copytree(gold_lakehouse, first)
    shutil.copytree(tiny_raw, raw)
    with open(os.path.join(raw, "movielens", "ratings.csv"), "a") as handle:
        handle.write("999,1,4.0,1537799250\n")
    before = table_rows(first)
    kill_mid_silver(raw, first)
    killed = WriterSlot(spark, settings_for(raw, first)).holder()
    assert killed is not None and not killed.alive(), "the killed run still holds the slot, with its marker"
    shutil.move(os.path.dirname(first), os.path.dirname(moved))
    recover(spark, settings_for(raw, moved))
    assert table_rows(moved) == before and WriterSlot(spark, settings_for(raw, moved)).holder() is None
    run_etl(spark, settings_for(raw, moved))
    after = table_rows(moved)
    assert set(before) <= set(after) and after["bronze/ratings"] == before["bronze/ratings"] + 1


def test_a_marker_file_of_an_older_release_from_another_path_deletes_nothing(gold_lakehouse, tmp_path, spark):
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
    recover(spark, settings_for("unused", lakehouse))
    assert table_rows(lakehouse) == before, "every other table kept, top_tracks restored"
    assert not os.listdir(os.path.join(lakehouse, "_runs"))
    assert DeltaTable(os.path.join(lakehouse, "gold", "top_tracks")).history(1)[0]["operation"] == "RESTORE"


def test_recovery_removes_only_tables_the_run_noted_as_created(gold_lakehouse, tmp_path, spark):
    lakehouse = str(tmp_path / "lakehouse")
    shutil.copytree(gold_lakehouse, lakehouse)
    versions = {t: DeltaTable(os.path.join(lakehouse, *t.split("/"))).version() for t in table_rows(lakehouse)}
    made_by_the_run, made_by_someone_else = versions.pop("gold/top_tracks"), versions.pop("gold/song_genre_popularity")
    settings = settings_for("unused", lakehouse)
    plant_killed_run(spark, settings, RunMarker("killed", versions, created=["gold/top_tracks"]))
    recover(spark, settings)
    assert not os.path.exists(os.path.join(lakehouse, "gold", "top_tracks"))
    assert DeltaTable(os.path.join(lakehouse, "gold", "song_genre_popularity")).version() == made_by_someone_else
    assert made_by_the_run is not None


def test_a_run_notes_the_tables_it_may_create_before_its_first_write(spark, tmp_path, monkeypatch):
    raw, lakehouse = tmp_path / "raw", str(tmp_path / "lakehouse")
    raw.mkdir()
    (raw / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,10,4.0,964982703\n")
    recorded, record = [], WriterSlot.record

    def recording(slot, marker):
        recorded.append({table: os.path.isdir(os.path.join(lakehouse, table)) for table in marker.created})
        record(slot, marker)

    monkeypatch.setattr(WriterSlot, "record", recording)
    run_etl(spark, settings_for(str(raw), lakehouse))
    assert {"bronze/ratings", "silver/ratings", "ops/ingested_files"} <= set(recorded[0]), "noted in the first record"
    assert not any(recorded[0].values()), "each noted before its first commit"
    assert WriterSlot(spark, settings_for(str(raw), lakehouse)).holder() is None, "the slot is free after the run"


def test_a_write_looks_up_no_table_the_run_marker_knows(gold_lakehouse, tmp_path, spark, monkeypatch):
    lakehouse = str(tmp_path / "lakehouse")
    shutil.copytree(gold_lakehouse, lakehouse)
    writing, looked, save, exists = [], [], delta_io._save, delta_io.table_exists

    def watched_save(df, ref, mode, **options):
        writing.append(ref)
        save(df, ref, mode, **options)

    def watched_exists(session, ref):
        looked.append(ref) if writing and writing[-1] == ref else None
        return exists(session, ref)

    monkeypatch.setattr(delta_io, "_save", watched_save)
    monkeypatch.setattr(delta_io, "table_exists", watched_exists)
    run_step(spark, settings_for("unused", lakehouse), "gold")
    # every gold table existed when the run started (the marker's versions): on a cluster each look was a query
    assert len(writing) >= 14 and looked == [], looked


def test_a_second_run_waits_for_the_slot_holder_and_then_runs(spark, tiny_raw, tmp_path):
    lakehouse = str(tmp_path / "lakehouse")
    settings = settings_for(tiny_raw, lakehouse)
    slot = WriterSlot(spark, settings)
    assert slot.try_take(slot.holder(), "holder-in-this-process")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "etl"], env=etl_env(tiny_raw, lakehouse), stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    waited = next((line for line in proc.stderr if "waiting for the lakehouse writer slot" in line), "")
    assert json.loads(waited)["holder"] == "holder-in-this-process"
    assert not os.path.exists(os.path.join(lakehouse, "silver")), "nothing written while the slot is held"
    slot.release("holder-in-this-process")
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    assert proc.wait(timeout=300) == 0
    assert DeltaTable(os.path.join(lakehouse, "gold", "top_tracks")).version() == 0


def test_two_runs_taking_a_free_slot_at_once_one_wins(spark, tmp_path):
    settings = settings_for("unused", str(tmp_path / "lakehouse"))
    slots = [WriterSlot(spark, settings) for _ in range(2)]
    slots[0].holder()  # create the table first: the race is about the claim
    barrier, won = threading.Barrier(2), {}

    def claim(i):
        barrier.wait()
        won[i] = slots[i].try_take(None, f"run-{i}")

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(won.values()) == [False, True]
    assert slots[0].holder().run_id == f"run-{[i for i, w in won.items() if w][0]}"
