"""What every warehouse backend offers: run a named query with named parameters, and the versions of its tables."""

from dataclasses import dataclass
from typing import Protocol


class WarehouseError(RuntimeError):
    """The warehouse could not answer (unreachable, timed out, table missing)."""


@dataclass(frozen=True)
class Result:
    """Column names and rows of one query."""

    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict]:
        """Rows as dicts keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Warehouse(Protocol):
    """The connector interface the service depends on."""

    def execute(self, query_name: str, params: dict) -> Result:
        """Run a query file with named parameters."""

    def versions(self, tables: tuple[str, ...]) -> dict[str, int]:
        """The current Delta version of each gold table."""

    def ping(self) -> None:
        """Raise WarehouseError when the warehouse cannot answer."""
