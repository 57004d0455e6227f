"""The production backend: a Databricks SQL warehouse through databricks-sql-connector, one reused connection per thread."""

import threading
import time
from contextlib import contextmanager

from databricks.sql.exc import DatabaseError

from medialake import releases
from medialake.tables import catalog_name
from service import queries
from service.warehouse.base import Result, WarehouseError

PIN_SECONDS = 1.0  # how long execute() keeps answering at the versions this thread's last versions() call returned


class DatabricksWarehouse:
    """Queries run as Databricks SQL with named parameters against <catalog>.<schema>.<table>.

    A failure drops the thread's connection (the next call opens a new one) and is remembered for
    WAREHOUSE_RETRY_SECONDS, during which every call fails at once with it instead of waiting for another timeout.
    """

    def __init__(self, config: dict):
        missing = [k for k in ("DATABRICKS_SERVER_HOSTNAME", "DATABRICKS_HTTP_PATH", "DATABRICKS_TOKEN") if not config.get(k)]
        if missing:
            raise WarehouseError(f"MEDIALAKE_WAREHOUSE=databricks needs {', '.join(missing)}")
        import databricks.sql.client  # noqa: F401  (now, not in the first request: it takes a second, pandas and all)

        self.config, self.local = config, threading.local()
        self.version_ttl, self.retry_after = config["VERSION_CHECK_SECONDS"], config["WAREHOUSE_RETRY_SECONDS"]
        self.versions_seen: dict[str, tuple[float, int]] = {}
        self.release_seen: tuple[float, tuple[str, dict[str, int]] | None] | None = None
        self.failure: tuple[float, WarehouseError] | None = None  # (until when it is repeated, the failure)

    def table_name(self, table: str) -> str:
        """A gold table's catalog name, the one the jobs write with MEDIALAKE_TABLE_NAMES=catalog."""
        return catalog_name(self.config["CATALOG"], "gold", table)

    def connection(self):
        """A connection per thread, opened once and reused; telemetry off, timeouts set.

        The connector retries a refused or reset connection and HTTP 429/503 answers until the next wait would pass
        _retry_stop_after_attempts_duration (its default is 900 s): CONNECT_TIMEOUT_SECONDS bounds that. Each socket
        wait is bounded by QUERY_TIMEOUT_SECONDS. DATABRICKS_CONNECT_OPTIONS (app config only, not a setting) adds
        connector keyword arguments, e.g. _connection_uri for a warehouse reached through a local port.
        """
        if getattr(self.local, "con", None) is None:
            from databricks import sql

            self.local.con = sql.connect(
                server_hostname=self.config["DATABRICKS_SERVER_HOSTNAME"],
                http_path=self.config["DATABRICKS_HTTP_PATH"],
                access_token=self.config["DATABRICKS_TOKEN"].reveal(),
                enable_telemetry=False,
                _socket_timeout=self.config["QUERY_TIMEOUT_SECONDS"],
                _retry_stop_after_attempts_duration=self.config["CONNECT_TIMEOUT_SECONDS"],
                **self.config.get("DATABRICKS_CONNECT_OPTIONS", {}),
            )
        return self.local.con

    def execute(self, query_name: str, params: dict) -> Result:
        """Run the query file as written (it is Databricks SQL) with native named parameters, each gold table read
        `VERSION AS OF` the release this thread's versions() call answered from."""
        query, release = queries.load(query_name), self.pinned()
        versions = release[1] if release else {}
        sql = queries.transpile(query, "databricks", self.table_name, versions.get)
        with self.answering(f"query {query_name}"), self.connection().cursor() as cursor:
            cursor.execute(sql, {k: params.get(k) for k in query.parameters})
            return Result([d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()])

    def versions(self, tables: tuple[str, ...]) -> dict[str, int]:
        """Each table's version in the latest release (-1: not in it); before any release, its latest version from
        DESCRIBE HISTORY. Re-checked at most every VERSION_CHECK_SECONDS."""
        release = self.release()
        self.local.pin = (release, time.monotonic())
        if release is None:
            return {table: self.version(table) for table in tables}
        return {table: release[1].get(table, -1) for table in tables}

    def release(self) -> tuple[str, dict[str, int]] | None:
        """The latest row of <catalog>.ops.releases (name, versions), or None when the jobs have published none yet."""
        seen = self.release_seen
        if seen and time.monotonic() - seen[0] < self.version_ttl:
            return seen[1]
        name = catalog_name(self.config["CATALOG"], releases.LAYER, releases.NAME)
        with self.answering("latest release"), self.connection().cursor() as cursor:
            try:
                cursor.execute(f"SELECT release_id, versions FROM {name} ORDER BY published_at DESC, release_id DESC LIMIT 1")
                row = cursor.fetchone()
            except DatabaseError as error:  # a lakehouse from before releases: not a failure of the warehouse
                if "TABLE_OR_VIEW_NOT_FOUND" not in str(error):
                    raise
                row = None
        found = (row[0], releases.decode_versions(row[1])) if row else None
        self.release_seen = (time.monotonic(), found)
        return found

    def pinned(self) -> tuple[str, dict[str, int]] | None:
        """The release this thread's last versions() call answered from (for a second), else the latest."""
        pin = getattr(self.local, "pin", None)
        if pin is not None and time.monotonic() - pin[1] < PIN_SECONDS:
            return pin[0]
        return self.release()

    def version(self, table: str) -> int:
        """One table's version, cached briefly (a cached one is still given while the warehouse fails)."""
        seen = self.versions_seen.get(table)
        if seen and time.monotonic() - seen[0] < self.version_ttl:
            return seen[1]
        with self.answering(f"version of gold table {table}"), self.connection().cursor() as cursor:
            cursor.execute(f"DESCRIBE HISTORY {self.table_name(table)} LIMIT 1")  # names from our catalogue only
            version = int(cursor.fetchone()[0])
        self.versions_seen[table] = (time.monotonic(), version)
        return version

    def release_name(self) -> str:
        """The release this thread answers from ("unreleased": each table's latest version, before any release)."""
        release = self.pinned()
        return release[0] if release else "unreleased"

    def ping(self) -> None:
        """SELECT 1 on the warehouse."""
        with self.answering("SELECT 1"), self.connection().cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    @contextmanager
    def answering(self, what: str):
        """One call on the warehouse: the recent failure again while it is remembered, else any error as a WarehouseError."""
        failure = self.failure
        if failure is not None and time.monotonic() < failure[0]:
            raise WarehouseError(str(failure[1]), failure[1].public)
        try:
            yield
        except Exception as error:  # the connector raises several families; all mean "no answer"
            raise self.failed(what, error) from error

    def failed(self, what: str, error: Exception) -> WarehouseError:
        """The failure as a WarehouseError, remembered; this thread's broken connection is dropped."""
        self.drop_connection()
        context = getattr(error, "context", "")  # the connector's: HTTP code, attempts, elapsed (no token, no host)
        failure = WarehouseError(f"{what}: {type(error).__name__}: {error} {context}".strip(),
                                 f"{reason(error, self.config['QUERY_TIMEOUT_SECONDS'])} ({what})")  # fmt: skip
        self.failure = (time.monotonic() + self.retry_after, failure)
        return failure

    def drop_connection(self) -> None:
        """Forget this thread's connection; it is closed in the background, as closing talks to the server that just failed."""
        con, self.local.con = getattr(self.local, "con", None), None
        if con is not None:
            threading.Thread(target=close_quietly, args=(con,), name="close-databricks-connection", daemon=True).start()


def close_quietly(con) -> None:
    """Close a connection that failed; a failure to close it changes nothing."""
    try:
        con.close()
    except Exception:  # the server already failed; the connection is dropped either way
        pass


def wrapped(error: BaseException) -> list[BaseException]:
    """The error and every exception inside it: causes, contexts, exception arguments, urllib3's reason."""
    found, todo = [], [error]
    while todo:
        item = todo.pop()
        if isinstance(item, BaseException) and all(item is not seen for seen in found):
            found.append(item)
            todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


def reason(error: Exception, timeout: float) -> str:
    """What went wrong, in words a client may see, from the kinds of the exceptions only: their text may name hosts."""
    import urllib3.exceptions as http
    from databricks.sql.exc import MaxRetryDurationError, ServerOperationError
    from thrift.Thrift import TException

    causes = wrapped(error)

    def kind(*kinds) -> bool:
        return any(isinstance(cause, kinds) for cause in causes)

    if kind(ConnectionRefusedError):  # before timeouts: urllib3's NewConnectionError is a ConnectTimeoutError
        return "connection refused"
    if kind(TimeoutError, http.TimeoutError):
        return f"timed out after {timeout:g} s"
    if kind(ConnectionError, http.ProtocolError):
        return "the SQL warehouse dropped the connection"
    if kind(http.NameResolutionError):
        return "the SQL warehouse's host name does not resolve"
    if kind(MaxRetryDurationError):
        return "the SQL warehouse answered HTTP errors; retries gave up"
    if kind(EOFError, TException):
        code = (getattr(error, "context", None) or {}).get("http-code")  # the code of the answer that could not be read
        return f"HTTP {code} from the SQL warehouse" if code and code >= 400 else "the SQL warehouse's answer was not Thrift"
    if kind(ServerOperationError):
        return "a gold table is missing; run the ETL" if "TABLE_OR_VIEW_NOT_FOUND" in str(error) else "the SQL warehouse refused the SQL"
    return "unexpected error from the SQL connector"
