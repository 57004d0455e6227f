"""The writer slot: one row of the Delta table ops.writer that says which run may write the lakehouse and what that run
started from, so that the next run can undo it if it was killed.

It replaces a local lock file and local marker files, so it works wherever the engine is (a cluster, Databricks):
- A run takes the slot with a conditional UPDATE (`WHERE run_id <=> <the holder it saw>`) and reads it back; when two
  runs race, Delta's commit protocol lets one commit win (the other fails with a concurrent-modification conflict or
  finds the slot taken) and the loser waits.
- The row holds the table versions the run started from and the tables it may create, by identity `<layer>/<name>`
  relative to the lakehouse, never by absolute path: a lakehouse that was moved or is reached through another mount
  is still recognised, and recovery removes only a table the marker proves this run created.
- A holder is alive while its process runs (same host) or while it renews its heartbeat (another host). A new run
  that finds a dead holder takes the slot keeping the dead run's marker, undoes that run, and only then records its
  own: a kill during recovery leaves the marker for the next run to finish the job.
"""

import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from jobs import delta_io
from jobs.delta_ops import sql_name
from jobs.workflow.history import pid_alive
from medialake.log import get_logger, log_event
from medialake.settings import Settings

log = get_logger("medialake.etl")
SLOT_SCHEMA = "slot string, run_id string, owner string, heartbeat double, versions string, created string"
HEARTBEAT_SECONDS = 30.0  # how often a holder renews its claim
LEASE_SECONDS = 300.0  # a holder on another host that has not renewed for this long is dead
POLL_SECONDS = 1.0  # how often a waiting run looks at the slot again


@dataclass
class RunMarker:
    """What the slot holder started from: table versions and the tables it may create, by identity."""

    run_id: str
    versions: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    owner: str = ""
    heartbeat: float = 0.0

    def alive(self) -> bool:
        """Whether the holder still runs: its process on this host, or a recent heartbeat from another host."""
        host, _, pid = self.owner.rpartition(":")
        if host == socket.gethostname() and pid.isdigit():
            return pid_alive(int(pid))
        return time.time() - self.heartbeat < LEASE_SECONDS


def this_process() -> str:
    """host:pid of the running process, as the slot records its holder."""
    return f"{socket.gethostname()}:{os.getpid()}"


class WriterSlot:
    """The ops.writer row, read and written through the engine."""

    def __init__(self, spark: SparkSession, settings: Settings):
        self.spark, self.ref = spark, delta_io.table_path(settings, "ops", "writer")
        self.guard = threading.Lock()  # the heartbeat thread and the run share the session: one slot commit at a time

    def holder(self) -> RunMarker | None:
        """The run holding the slot, None when it is free (the table is made, free, on first use)."""
        if not delta_io.table_exists(self.spark, self.ref):
            self._create()
        rows = [r for r in delta_io.read_table(self.spark, self.ref).collect() if r["run_id"]]
        return _marker(rows[0]) if rows else None

    def _create(self) -> None:
        """The slot table with one free row (two runs creating it at once: one commit wins, the other retries)."""
        try:
            delta_io.append(self.spark.createDataFrame([("writer", None, None, 0.0, None, None)], SLOT_SCHEMA), self.ref)
        except PySparkException as error:
            log_event(log, "writer slot created by another run meanwhile", error=str(error)[:200])

    def try_take(self, seen: RunMarker | None, run_id: str) -> bool:
        """Take the slot from the holder seen (None: free), keeping its marker; True when this run holds it after."""
        seen_id = "NULL" if seen is None else _quote(seen.run_id)
        try:
            self._update(f"run_id = {_quote(run_id)}, owner = {_quote(this_process())}, heartbeat = {time.time()}", f"run_id <=> {seen_id}")
        except PySparkException as error:  # a concurrent commit won the slot
            log_event(log, "writer slot taken by a concurrent run", error=str(error)[:200])
            return False
        now = self.holder()
        return now is not None and now.run_id == run_id

    def record(self, marker: RunMarker) -> None:
        """Write the holder's versions and the tables it may create (before its first write)."""
        versions, created = _quote(json.dumps(marker.versions, sort_keys=True)), _quote(json.dumps(marker.created))
        self._update(f"versions = {versions}, created = {created}", f"run_id = {_quote(marker.run_id)}")

    def beat(self, run_id: str) -> None:
        """Renew the holder's heartbeat."""
        self._update(f"heartbeat = {time.time()}", f"run_id = {_quote(run_id)}")

    def release(self, run_id: str) -> None:
        """Free the slot: the run published or was undone, nothing is left to recover."""
        self._update("run_id = NULL, owner = NULL, versions = NULL, created = NULL", f"run_id = {_quote(run_id)}")

    def _update(self, assignments: str, condition: str) -> None:
        """One UPDATE commit on the slot row."""
        with self.guard:
            self.spark.sql(f"UPDATE {sql_name(self.ref)} SET {assignments} WHERE slot = 'writer' AND {condition}").collect()


def _marker(row) -> RunMarker:
    """A slot row as a marker."""
    versions = json.loads(row["versions"]) if row["versions"] else {}
    created = json.loads(row["created"]) if row["created"] else []
    return RunMarker(row["run_id"], versions, created, row["owner"] or "", row["heartbeat"] or 0.0)


def _quote(text: str) -> str:
    """A SQL string literal (run ids, owners and JSON of table identities: no user input, quotes escaped anyway)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Heartbeat:
    """Renews the slot holder's heartbeat in the background until stopped."""

    def __init__(self, slot: WriterSlot, run_id: str):
        self.slot, self.run_id, self.stopped = slot, run_id, threading.Event()
        self.thread = threading.Thread(target=self._run, name="writer-heartbeat", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        """Beat every HEARTBEAT_SECONDS; a failed beat is logged, the run goes on (its process is its proof of life here)."""
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                self.slot.beat(self.run_id)
            except Exception as error:  # noqa: BLE001 - a missed beat must not kill the run
                log_event(log, "writer heartbeat failed", error=str(error)[:200])


def identity(path: str) -> str:
    """A table's identity from a path of an older marker file: <layer>/<name>, whatever path the lakehouse is reached by."""
    return "/".join(os.path.normpath(path).split(os.sep)[-2:]) if os.path.isabs(path) else path


def legacy_markers(root: str) -> list[RunMarker]:
    """Marker files <root>/_runs/*.json left by killed runs of medialake before the writer slot (local lakehouses only)."""
    folder, markers = os.path.join(root, "_runs"), []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as handle:
                document = json.load(handle)
            versions = {identity(key): version for key, version in document["versions"].items()}
            markers.append(RunMarker(document["run_id"], versions, [identity(key) for key in document.get("created", [])]))
    return markers


def remove_legacy_marker(root: str, run_id: str) -> None:
    """Delete an older marker file once its run is undone."""
    os.remove(os.path.join(root, "_runs", f"{run_id}.json"))
