"""Small reference lists (the genre names) read from the warehouse and kept until the tables behind them change."""

import threading

from service.queries import load


class ReferenceLists:
    """The values of one column of a query, per query, re-read only when its tables get a new Delta version."""

    def __init__(self, warehouse):
        self.warehouse, self.lock, self.kept = warehouse, threading.Lock(), {}

    def values(self, query_name: str, column: str = "genre") -> set:
        """The column's values; only the latest version of each list is kept."""
        versions = self.warehouse.versions(load(query_name).tables)
        kept = self.kept.get(query_name)
        if kept is None or kept[0] != versions:
            kept = (versions, {r[column] for r in self.warehouse.execute(query_name, {}).records()})
            with self.lock:
                self.kept[query_name] = kept
        return kept[1]
