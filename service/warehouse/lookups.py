"""Small reference lists (the genre names) read from the warehouse and kept until the tables behind them change."""

import threading

from service.queries import load
from service.warehouse.base import WarehouseError


class ReferenceLists:
    """The values of one column of a query, per query, re-read only when its tables get a new Delta version."""

    def __init__(self, warehouse):
        self.warehouse, self.lock, self.kept = warehouse, threading.Lock(), {}

    def values(self, query_name: str, column: str = "genre") -> set:
        """The column's values; only the latest version of each list is kept. While the warehouse fails, the kept list
        stands in (it only decides whether a genre is known, and lets the endpoint give its stale answer); without one,
        the WarehouseError goes on (a JSON 503)."""
        kept = self.kept.get(query_name)
        try:
            return self.current(query_name, column, kept)
        except WarehouseError:
            if kept is None:
                raise
            return kept[1]

    def current(self, query_name: str, column: str, kept: tuple | None) -> set:
        """The list at the tables' current versions, read again only when they changed."""
        versions = self.warehouse.versions(load(query_name).tables)
        if kept is None or kept[0] != versions:
            kept = (versions, {r[column] for r in self.warehouse.execute(query_name, {}).records()})
            with self.lock:
                self.kept[query_name] = kept
        return kept[1]
