"""The catalogue: every table of the lakehouse, listed from the one declaration of each.

Bronze tables follow from the raw formats (jobs/sources.py), silver ones are declared in jobs/silver/tables.py, gold
ones in medialake/gold/, ops ones here. `python -m jobs tables` prints it; tests/test_pipeline.py fails when a built
table's columns differ from its declaration, and tests/test_docs.py when the README misses a table.
"""

from jobs.silver.tables import SILVER
from jobs.sources import FORMATS
from medialake.gold import GOLD
from medialake.tables import Table, words

BRONZE_LINEAGE = words("_record_number _extra_json _malformed _source_file _ingested_at _batch_id")


def bronze_tables() -> tuple[Table, ...]:
    """One bronze table per raw format: its first declared header as strings, plus lineage."""
    first_header = {}
    for fmt in FORMATS:
        first_header.setdefault(fmt.name, fmt)
    keys = ("_source_file", "_record_number")  # with the values: a changed record of a re-landed file lands beside the old
    return tuple(
        Table("bronze", name, keys, tuple(fmt.required) + BRONZE_LINEAGE, f"raw {name} rows as landed", fmt.domain)
        for name, fmt in first_header.items()
    )


OPS = (
    Table(
        "ops",
        "dq_results",
        words("run_id dataset name"),
        words("run_id dataset name action passed_records failed_records timestamp"),
        "one row per run, table and expectation (event-log data_quality shape)",
    ),
    Table(
        "ops",
        "ingested_files",
        words("fingerprint"),
        words("source_file fingerprint bytes records batch_id run_id ingested_at"),
        "every raw file landed: path under the raw dir, SHA-256 of its bytes, records",
    ),
    Table(
        "ops",
        "unknown_files",
        words("source_file fingerprint"),
        words("source_file fingerprint bytes header reason accepted_headers run_id seen_at"),
        "raw files of no accepted format, skipped: path under the raw dir, header found, why, the accepted headers",
    ),
    Table(
        "ops",
        "releases",
        words("release_id"),
        words("release_id published_at versions"),
        "one row per published run: the gold tables' Delta versions (JSON) that the service reads together",
    ),
    Table(
        "ops",
        "writer",
        words("slot"),
        words("slot run_id owner heartbeat versions created"),
        "the writer slot: the run allowed to write, its heartbeat, the table versions it started from and the tables it may create",
    ),
)
TABLES: tuple[Table, ...] = bronze_tables() + SILVER + GOLD + OPS


def table(layer: str, name: str) -> Table:
    """Look a table up by layer and name."""
    found = [t for t in TABLES if t.layer == layer and t.name == name]
    if not found:
        raise KeyError(f"no table {layer}.{name} in the catalogue")
    return found[0]


def stored_tables() -> list[tuple[str, str]]:
    """(layer, name) of every table a run may write, quarantines included: what a snapshot and a rollback cover.
    ops.writer is left out: it is the writer slot itself, and undoing it would undo the lock."""
    quarantines = [("silver", f"{spec.name}_quarantine") for spec in SILVER if spec.rules]
    return [(t.layer, t.name) for t in TABLES if (t.layer, t.name) != ("ops", "writer")] + quarantines


def markdown() -> str:
    """The catalogue as the README's table list: layer, name, keys, description."""
    rows = [f"| `{t.qualified}` | {', '.join(t.keys)} | {t.description} |" for t in TABLES]
    return "\n".join(["| table | keys | what it holds |", "| --- | --- | --- |", *rows])
