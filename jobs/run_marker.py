"""Run markers: the versions a run started from and the tables it created, so that the next run can undo a killed one.

A marker names tables by `<layer>/<name>` relative to the lakehouse root, never by absolute path: a lakehouse that
was moved, restored or reached through another mount is still recognised. Recovery deletes a table only when the
marker proves the run created it (it is noted here before its first commit); anything else is restored or left alone.
"""

import json
import os
import time
from dataclasses import dataclass, field


@dataclass
class RunMarker:
    """What one run started from (`versions`) and which tables it created (`created`), kept in <root>/_runs/<run_id>.json."""

    root: str
    run_id: str
    versions: dict[str, int]
    created: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    @property
    def path(self) -> str:
        """Where the marker lives."""
        return os.path.join(self.root, "_runs", f"{self.run_id}.json")

    def write(self) -> None:
        """Persist the marker atomically (a torn marker would make recovery guess)."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        document = {"run_id": self.run_id, "started": self.started, "versions": self.versions, "created": self.created}
        with open(self.path + ".tmp", "w") as handle:
            json.dump(document, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(self.path + ".tmp", self.path)

    def note_created(self, table: str) -> None:
        """Record, before its first commit, that this run creates a table."""
        if table not in self.created:
            self.created.append(table)
            self.write()

    def remove(self) -> None:
        """The run ended (published or rolled back): nothing left to undo."""
        os.remove(self.path)


def identity(root: str, path: str) -> str:
    """A table's identity in markers: <layer>/<name>, whatever path the lakehouse is reached by."""
    return "/".join(os.path.normpath(path).split(os.sep)[-2:]) if os.path.isabs(path) else path


def pending_markers(root: str) -> list[RunMarker]:
    """Markers left behind by killed runs, oldest first; absolute paths of older markers become identities."""
    folder = os.path.join(root, "_runs")
    markers = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name)) as handle:
            document = json.load(handle)
        versions = {identity(root, key): version for key, version in document["versions"].items()}
        created = [identity(root, key) for key in document.get("created", [])]
        markers.append(RunMarker(root, document["run_id"], versions, created, document.get("started", 0.0)))
    return markers
