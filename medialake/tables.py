"""What a table is and where it lives: the one `Table` type every declaration uses, and the one function that locates it.

A table is declared once (gold in medialake/gold/, silver in jobs/silver/tables.py, bronze from the raw formats in
jobs/sources.py, ops in jobs/catalog.py); the pipeline writes it from that declaration, `python -m jobs tables`
lists it, a test checks the README lists it, and the service finds the gold ones through `location`.
"""

import os
from dataclasses import dataclass

LAYERS = ("bronze", "silver", "gold", "ops")
DOMAINS = ("movies", "songs")


@dataclass(frozen=True)
class Table:
    """One Delta table: name, layer, natural keys, columns in order, what it holds, what it is built from and how."""

    layer: str
    name: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    description: str
    domain: str = ""  # movies or songs: which job builds it ("" for tables of both)
    needs: tuple[str, ...] = ()  # the tables it is built from (gold: silver table names, read as views of those names)
    sql: str = ""  # gold: the Spark SQL query that builds it from its needs
    optional: bool = False  # built only when its raw source is present

    def __post_init__(self):
        if self.layer not in LAYERS:
            raise ValueError(f"table {self.name}: layer must be one of {LAYERS}, got {self.layer!r}")
        missing = [k for k in self.keys if k not in self.columns]
        if missing:
            raise ValueError(f"{self.layer}.{self.name}: keys {missing} are not among its columns")

    @property
    def qualified(self) -> str:
        """layer.name, as logs and summaries show it."""
        return f"{self.layer}.{self.name}"


def words(text: str) -> tuple[str, ...]:
    """Space-separated names as a tuple (declarations read better as one string)."""
    return tuple(text.split())


def location(lakehouse_dir: str, layer: str, name: str) -> str:
    """Where a table's files live: the absolute path <lakehouse>/<layer>/<name>."""
    return os.path.abspath(os.path.join(lakehouse_dir, layer, name))


def catalog_name(catalog: str, layer: str, name: str) -> str:
    """A table's name in a catalog, `<catalog>`.`<layer>`.`<name>`: the jobs write it, the Databricks backend reads it."""
    return ".".join(f"`{part}`" for part in (catalog, layer, name))
