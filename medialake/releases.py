"""A release: the set of gold table versions one run published together, so readers never mix two runs' tables.

The jobs append one row to ops.releases after a run's last gold write (jobs/release.py); the service reads every
gold table at the versions of the latest row (service/warehouse/). The row's shape is declared here, for both.
"""

import json

LAYER, NAME = "ops", "releases"
COLUMNS = "release_id string, published_at timestamp, versions string"


def encode_versions(versions: dict[str, int]) -> str:
    """The versions column: gold table name -> Delta version, as sorted JSON."""
    return json.dumps(dict(sorted(versions.items())), separators=(",", ":"))


def decode_versions(text: str) -> dict[str, int]:
    """The versions column back to a dict, checked."""
    versions = json.loads(text)
    if not isinstance(versions, dict) or not all(isinstance(v, int) for v in versions.values()):
        raise ValueError(f"ops.releases.versions is not a JSON object of integers: {text[:200]!r}")
    return versions
