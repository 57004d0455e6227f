"""All or nothing: a run holds the writer slot, records the version every table started from, and on any failure
(SIGTERM and Ctrl-C included) puts every table back; a run killed outright is undone by the next one.

Everything goes through the engine (jobs/run_marker.py holds the slot, jobs/delta_io.py the table operations), so the
same guarantee holds on embedded Sail, a Spark cluster or Databricks; tables are named by identity `<layer>/<name>`.
"""

import time
from contextlib import contextmanager

from pyspark.sql import SparkSession

from jobs import delta_io
from jobs.catalog import stored_tables
from jobs.run_marker import POLL_SECONDS, Heartbeat, RunMarker, WriterSlot, legacy_markers, remove_legacy_marker
from medialake.log import get_logger, log_event
from medialake.settings import Settings

log = get_logger("medialake.etl")


def table_refs(settings: Settings) -> dict[str, str]:
    """Every table a run may write, identity -> reference (path or catalog name) as reached with these settings."""
    return {f"{layer}/{name}": delta_io.table_path(settings, layer, name) for layer, name in stored_tables()}


@contextmanager
def exclusive_run(spark: SparkSession, settings: Settings, run_id: str, after=lambda: None):
    """Hold the writer slot for the block; undo a killed predecessor first; on failure restore every table, re-raise.
    `after` runs at the end either way, still holding the slot (the DQ results of a failed run are kept)."""
    delta_io.prepare_schemas(spark, settings)
    refs, slot = table_refs(settings), WriterSlot(spark, settings)
    predecessor = take_slot(slot, run_id)
    with Heartbeat(slot, run_id):
        undo(spark, settings, refs, predecessor)
        versions = delta_io.snapshot_versions(spark, refs)
        # every table the run may write is in the marker before its first write: its version, or as one it may create
        marker = RunMarker(run_id, versions, [table for table in refs if table not in versions])
        slot.record(marker)
        try:
            yield
        except BaseException as error:  # KeyboardInterrupt and SystemExit (SIGTERM) too: publish nothing
            changed = delta_io.rollback(spark, refs, marker.versions, marker.created)
            log.error("run failed; tables restored", extra={"fields": {"error": str(error)[:2000], "restored": changed}})
            after()
            slot.release(run_id)
            raise
        after()
        slot.release(run_id)


def take_slot(slot: WriterSlot, run_id: str) -> RunMarker | None:
    """Wait while a live run holds the slot, then take it; returns the marker of a dead holder taken over (or None)."""
    waiting = False
    while True:
        holder = slot.holder()
        if holder is not None and holder.alive():
            if not waiting:
                log_event(log, "waiting for the lakehouse writer slot held by another run", holder=holder.run_id, owner=holder.owner)
                waiting = True
        elif slot.try_take(holder, run_id):
            return holder
        time.sleep(POLL_SECONDS)


def undo(spark: SparkSession, settings: Settings, refs: dict[str, str], predecessor: RunMarker | None) -> None:
    """Undo a killed run: the slot's dead holder, then marker files of older releases (local lakehouses only)."""
    if predecessor is not None and (predecessor.versions or predecessor.created):
        changed = delta_io.rollback(spark, refs, predecessor.versions, predecessor.created)
        log.warning("interrupted run undone", extra={"fields": {"interrupted_run": predecessor.run_id, "restored": changed}})
    if settings.table_names == "path" and settings.engine == "sail" and not settings.spark_remote:
        for old in legacy_markers(settings.lakehouse_dir):
            changed = delta_io.rollback(spark, refs, old.versions, old.created)
            log.warning("interrupted run undone", extra={"fields": {"interrupted_run": old.run_id, "restored": changed}})
            remove_legacy_marker(settings.lakehouse_dir, old.run_id)


def recover(spark: SparkSession, settings: Settings) -> None:
    """Undo a killed run now, without running anything else (python -m jobs recover; tests)."""
    with exclusive_run(spark, settings, f"recover-{time.time_ns()}"):
        pass
