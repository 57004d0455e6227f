"""The production backend: a Databricks SQL warehouse through databricks-sql-connector, one reused connection per thread."""

import threading
import time

from medialake.tables import catalog_name
from service import queries
from service.warehouse.base import Result, WarehouseError


class DatabricksWarehouse:
    """Queries run as Databricks SQL with named parameters against <catalog>.<schema>.<table>."""

    def __init__(self, config: dict):
        missing = [k for k in ("DATABRICKS_SERVER_HOSTNAME", "DATABRICKS_HTTP_PATH", "DATABRICKS_TOKEN") if not config.get(k)]
        if missing:
            raise WarehouseError(f"MEDIALAKE_WAREHOUSE=databricks needs {', '.join(missing)}")
        self.config, self.local = config, threading.local()
        self.version_ttl = config["VERSION_CHECK_SECONDS"]
        self.versions_seen: dict[str, tuple[float, int]] = {}

    def table_name(self, table: str) -> str:
        """A gold table's catalog name, the one the jobs write with MEDIALAKE_TABLE_NAMES=catalog."""
        return catalog_name(self.config["CATALOG"], "gold", table)

    def connection(self):
        """A connection per thread, opened once and reused; telemetry off, timeouts set."""
        if getattr(self.local, "con", None) is None:
            from databricks import sql

            self.local.con = sql.connect(
                server_hostname=self.config["DATABRICKS_SERVER_HOSTNAME"],
                http_path=self.config["DATABRICKS_HTTP_PATH"],
                access_token=self.config["DATABRICKS_TOKEN"].reveal(),
                enable_telemetry=False,
                _socket_timeout=self.config["QUERY_TIMEOUT_SECONDS"],
                _retry_stop_after_attempts_duration=self.config["CONNECT_TIMEOUT_SECONDS"],
            )
        return self.local.con

    def execute(self, query_name: str, params: dict) -> Result:
        """Run the query file as written (it is Databricks SQL) with native named parameters."""
        query = queries.load(query_name)
        sql = queries.transpile(query, "databricks", self.table_name)
        try:
            with self.connection().cursor() as cursor:
                cursor.execute(sql, {k: params.get(k) for k in query.parameters})
                return Result([d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()])
        except Exception as error:  # the connector raises several families; all mean "no answer"
            self.local.con = None
            raise WarehouseError(f"{query_name}: {error}") from error

    def versions(self, tables: tuple[str, ...]) -> dict[str, int]:
        """Latest version per table from DESCRIBE HISTORY, re-checked at most every VERSION_CHECK_SECONDS."""
        return {table: self.version(table) for table in tables}

    def version(self, table: str) -> int:
        """One table's version, cached briefly."""
        seen = self.versions_seen.get(table)
        if seen and time.monotonic() - seen[0] < self.version_ttl:
            return seen[1]
        with self.connection().cursor() as cursor:
            cursor.execute(f"DESCRIBE HISTORY {self.table_name(table)} LIMIT 1")  # names from our catalogue only
            version = int(cursor.fetchone()[0])
        self.versions_seen[table] = (time.monotonic(), version)
        return version

    def ping(self) -> None:
        """SELECT 1 on the warehouse."""
        try:
            with self.connection().cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchall()
        except Exception as error:
            self.local.con = None
            raise WarehouseError(f"Databricks SQL warehouse unreachable: {error}") from error
