"""What every warehouse backend offers: run a named query with named parameters, and the versions of its tables."""

import re
from dataclasses import dataclass
from typing import Protocol


class WarehouseError(RuntimeError):
    """The warehouse could not answer (unreachable, timed out, table missing).

    The message is for the server log and may hold paths, host names and the driver's words; `public`, when the backend
    gives it, says the problem in words a client may see (public_message derives them otherwise).
    """

    def __init__(self, message: str, public: str | None = None):
        super().__init__(message)
        self.public = public


# What a backend's message may say that a client can be told, each as the words it is told (nothing else is copied).
MISSING_TABLE = re.compile(r"gold table (\w+) (?:does not exist|is not in release|is missing)")
NO_TABLES = re.compile(r"no gold tables")
TIMED_OUT = re.compile(r"timed out after (\d+(?:\.\d+)?) ?s\b")
FAILED_QUERY = re.compile(r"(\w+): ")


def public_reason(error: Exception) -> str | None:
    """The problem in a few words that hold no path, host name or secret: the backend's own, else one read off the message."""
    if getattr(error, "public", None):
        return error.public
    text = str(error)
    if match := MISSING_TABLE.search(text):
        return f"gold table {match[1]} is missing; run the ETL"
    if NO_TABLES.search(text):
        return "there are no gold tables; run the ETL"
    if match := TIMED_OUT.search(text):
        return f"timed out after {match[1]} s"
    if match := FAILED_QUERY.match(text):  # "<query name>: <the driver's words>": the words may name files
        return f"query {match[1]} failed"
    return None


def public_message(error: Exception) -> str:
    """What a client is told about a warehouse failure (503 bodies, /ready); the full error goes to the server log."""
    reason = public_reason(error)
    if reason is None:
        return "the warehouse could not answer; the server log has the details under this answer's X-Request-Id"
    return f"the warehouse could not answer: {reason}"


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

    def release_name(self) -> str:
        """The name of the release answers come from."""

    def ping(self) -> None:
        """Raise WarehouseError when the warehouse cannot answer."""
