"""Helpers: what the engine landed in bronze, compared with what the client-side parsers read from a local copy."""

import math
import os

import pyarrow.compute as pc
import pyarrow.dataset as ds
from deltalake import DeltaTable

from jobs import bronze, raw_parse
from jobs.sources import find_raw_files


def landed_records(lakehouse: str, fmt_name: str, key: str) -> list[dict]:
    """One file's bronze records (data columns, record number, extras, malformed marker) in record order."""
    table = DeltaTable(os.path.join(lakehouse, "bronze", fmt_name)).to_pyarrow_dataset().to_table(filter=ds.field("_source_file") == key)
    columns = raw_parse.bronze_columns(fmt_name) + ["_record_number", *raw_parse.EXTRA_COLUMNS]
    return table.take(pc.sort_indices(table, [("_record_number", "ascending")])).select(columns).to_pylist()


def mismatches(lakehouse: str, raw_dir: str) -> list[str]:
    """The files whose landed records differ from the client parsers' (an empty list when all agree)."""
    wrong = []
    for path, fmt in find_raw_files(raw_dir):
        expected = [row for part in bronze.read_raw_records(path, fmt) for row in part.to_pylist()]
        if landed_records(lakehouse, fmt.name, os.path.relpath(path, raw_dir)) != expected:
            wrong.append(path)
    return wrong


VOLATILE = {"_ingested_at", "_batch_id", "_quarantined_at", "_run_id"}  # when and by which run, not what


def layer_contents(lakehouse: str, layers=("silver", "gold")) -> dict[str, list[dict]]:
    """Every table of the layers as rows in a stable order (volatile lineage columns left out), to compare two runs."""
    found = {}
    for layer in layers:
        for name in sorted(os.listdir(os.path.join(lakehouse, layer))):
            frame = DeltaTable(os.path.join(lakehouse, layer, name)).to_pandas()
            frame = frame[[c for c in frame.columns if c not in VOLATILE]]
            records = frame.astype(object).where(frame.notna(), None).to_dict("records")
            found[f"{layer}.{name}"] = sorted(records, key=lambda r: repr({k: rounded(v) for k, v in r.items()}))
    return found


def rounded(value):
    """A float to 6 significant digits, for ordering rows; anything else as it is."""
    return float(f"{value:.6g}") if isinstance(value, float) else value


def same_rows(a: list[dict], b: list[dict]) -> bool:
    """Equal rows, floats within a relative 1e-9 (a mean's last bits follow the engine's summation order)."""
    close = lambda x, y: math.isclose(x, y, rel_tol=1e-9) if isinstance(x, float) and isinstance(y, float) else repr(x) == repr(y)  # noqa: E731
    return len(a) == len(b) and all(r.keys() == q.keys() and all(close(r[k], q[k]) for k in r) for r, q in zip(a, b, strict=True))


def differences(a: dict[str, list], b: dict[str, list]) -> list[str]:
    """The tables whose rows differ between two runs (missing tables included)."""
    return sorted(name for name in set(a) | set(b) if name not in a or name not in b or not same_rows(a[name], b[name]))
