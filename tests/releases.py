"""Test helper: change gold tables as a run would, then publish them as a release (what jobs/release.py does)."""

import os
import uuid
from datetime import UTC, datetime

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from medialake import releases
from medialake.gold import GOLD


def write_gold(root: str, table: str, frame, mode: str = "overwrite") -> None:
    """Write one gold table (a pandas frame) without publishing: what a run midway has done."""
    write_deltalake(DeltaTable(os.path.join(root, "gold", table)), frame, mode=mode)


def publish(root: str) -> str:
    """Append a release holding every gold table's current version; returns its id."""
    versions = {t.name: DeltaTable(path).version() for t in GOLD if os.path.isdir(path := os.path.join(root, "gold", t.name))}
    release_id = f"test#{uuid.uuid4().hex[:8]}"
    row = pa.table({"release_id": [release_id], "published_at": pa.array([datetime.now(UTC)], pa.timestamp("us", "UTC")),
                    "versions": [releases.encode_versions(versions)]})  # fmt: skip
    write_deltalake(os.path.join(root, releases.LAYER, releases.NAME), row, mode="append")
    return release_id


def write_and_publish(root: str, table: str, frame, mode: str = "overwrite") -> str:
    """Write one gold table and publish the result, as a finished run does."""
    write_gold(root, table, frame, mode)
    return publish(root)
