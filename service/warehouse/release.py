"""One loaded release: its name, the gold versions it holds, and the in-memory DuckDB those tables were copied into."""

import threading

import duckdb


class Release:
    """An immutable copy of the gold tables at one release; each thread queries it through its own cursor."""

    def __init__(self, name: str, versions: dict[str, int], db: duckdb.DuckDBPyConnection):
        self.name, self.versions, self.db = name, versions, db
        self.local = threading.local()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection to the copy (DuckDB connections are not shared between threads)."""
        cursor = getattr(self.local, "cursor", None)
        if cursor is None:
            cursor = self.local.cursor = self.db.cursor()
        return cursor
