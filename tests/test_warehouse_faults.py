"""The service when its warehouse fails: a JSON 503 or the last good answer marked stale, in time, never a bare 500, no
path, host name or token in the body; then recovery on a new connection.

The Databricks backend runs the real databricks-sql-connector against a Databricks SQL warehouse played by a Thrift
server on 127.0.0.1 (the connector's own TCLIService definitions, over HTTP): it answers OpenSession, DESCRIBE HISTORY,
SELECT 1 and any other statement with two genre rows, and on command refuses, hangs, resets the connection, or
answers junk, HTTP 500 or HTTP 503.
"""

import shutil
import socket
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from databricks.sql.thrift_api.TCLIService import TCLIService
from databricks.sql.thrift_api.TCLIService import ttypes as t
from thrift.protocol.TBinaryProtocol import TBinaryProtocol
from thrift.transport.TTransport import TMemoryBuffer

from service import create_app
from service.warehouse.base import WarehouseError, public_message

HOST, HTTP_PATH, TOKEN = "adb-7405618.11.azuredatabricks.net", "/sql/1.0/warehouses/5e1ec7ab1e", "dapi0123456789abcdef0123456789abcdef"
TIMEOUT, RETRY = 1.0, 0.3  # MEDIALAKE_QUERY_TIMEOUT_SECONDS and _CONNECT_; MEDIALAKE_WAREHOUSE_RETRY_SECONDS
MARGIN = 1.0  # what an answer may take beyond the timeout (the connector, Flask, a busy machine)
URL, OTHER = "/api/movies/genres-by-year?year_from=1990&year_to=2000", "/api/songs/genre-popularity"
OK = t.TStatus(statusCode=t.TStatusCode.SUCCESS_STATUS)
RETRIES_GAVE_UP = "the SQL warehouse answered HTTP errors; retries gave up"
FAULTS = {  # what the 503 says; an HTTP 500 to a query is not retried, to OpenSession it is
    "refuse": ("connection refused",),
    "hang": ("timed out after 1 s",),
    "reset": ("the SQL warehouse dropped the connection",),
    "junk": ("the SQL warehouse's answer was not Thrift",),
    "http500": ("HTTP 500 from the SQL warehouse", RETRIES_GAVE_UP),
    "http503": (RETRIES_GAVE_UP,),
}


def handle_id() -> t.THandleIdentifier:
    """A new session or operation id."""
    return t.THandleIdentifier(guid=uuid.uuid4().bytes, secret=uuid.uuid4().bytes)


def result(columns: list[tuple[str, int]], values: list[t.TColumn]) -> t.TSparkDirectResults:
    """A finished statement's whole result, inline (column-based, as a warehouse sends it without Arrow)."""
    entries = [t.TTypeEntry(primitiveEntry=t.TPrimitiveTypeEntry(type=kind)) for _, kind in columns]
    schema = t.TTableSchema(columns=[t.TColumnDesc(columnName=name, typeDesc=t.TTypeDesc(types=[entry]), position=i + 1)
                                     for i, ((name, _), entry) in enumerate(zip(columns, entries, strict=True))])  # fmt: skip
    return t.TSparkDirectResults(
        operationStatus=t.TGetOperationStatusResp(status=OK, operationState=t.TOperationState.FINISHED_STATE),
        resultSetMetadata=t.TGetResultSetMetadataResp(status=OK, schema=schema, resultFormat=t.TSparkRowSetType.COLUMN_BASED_SET),
        resultSet=t.TFetchResultsResp(status=OK, hasMoreRows=False, results=t.TRowSet(startRowOffset=0, rows=[], columns=values)),
        closeOperation=t.TCloseOperationResp(status=OK),
    )


class SqlWarehouse(TCLIService.Iface):
    """The statements a healthy warehouse answers."""

    def __init__(self, fake: "FakeWarehouse"):
        self.fake = fake

    def OpenSession(self, request):
        self.fake.sessions += 1
        return t.TOpenSessionResp(status=OK, serverProtocolVersion=t.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V7,
                                  sessionHandle=t.TSessionHandle(sessionId=handle_id()), canUseMultipleCatalogs=True)  # fmt: skip

    def CloseSession(self, request):
        return t.TCloseSessionResp(status=OK)

    def CloseOperation(self, request):
        return t.TCloseOperationResp(status=OK)

    def ExecuteStatement(self, request):
        self.fake.statements.append(request.statement)
        if "`ops`.`releases`" in request.statement:
            if self.fake.release is None:  # a lakehouse from before releases
                missing = t.TStatus(statusCode=t.TStatusCode.ERROR_STATUS, errorMessage="[TABLE_OR_VIEW_NOT_FOUND] ops.releases")
                return t.TExecuteStatementResp(status=missing)
            direct = result(
                [("release_id", t.TTypeId.STRING_TYPE), ("versions", t.TTypeId.STRING_TYPE)],
                [t.TColumn(stringVal=t.TStringColumn(values=[value], nulls=b"\x00")) for value in self.fake.release],
            )
        elif request.statement.startswith("DESCRIBE HISTORY"):
            direct = result([("version", t.TTypeId.BIGINT_TYPE)], [t.TColumn(i64Val=t.TI64Column(values=[7], nulls=b"\x00"))])
        elif request.statement == "SELECT 1":
            direct = result([("1", t.TTypeId.INT_TYPE)], [t.TColumn(i32Val=t.TI32Column(values=[1], nulls=b"\x00"))])
        else:
            direct = result([("genre", t.TTypeId.STRING_TYPE), ("movies", t.TTypeId.BIGINT_TYPE)],
                            [t.TColumn(stringVal=t.TStringColumn(values=["pop", "rock"], nulls=b"\x00")),
                             t.TColumn(i64Val=t.TI64Column(values=[3, 2], nulls=b"\x00"))])  # fmt: skip
        operation = t.TOperationHandle(operationId=handle_id(), operationType=t.TOperationType.EXECUTE_STATEMENT, hasResultSet=True)
        return t.TExecuteStatementResp(status=OK, operationHandle=operation, directResults=direct)


class Handler(BaseHTTPRequestHandler):
    """One Thrift-over-HTTP POST, answered as the fake's mode says."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the warehouse: a reset then hits a connection the client reuses

    def setup(self):
        super().setup()
        self.server.fake.connections.append(self.connection)

    def log_message(self, *args):
        pass

    def do_POST(self):
        fake = self.server.fake
        body = self.rfile.read(int(self.headers["Content-Length"]))
        fake.tokens.append(self.headers.get("Authorization"))
        if fake.mode == "hang":
            fake.released.wait(30)
            self.close_connection = True
        elif fake.mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
            self.close_connection = True
        elif fake.mode in ("http500", "http503"):
            self.reply(int(fake.mode[4:]), f"<html>upstream failed at {HOST}</html>".encode(), "text/html")
        elif fake.mode == "junk":
            self.reply(200, b"\x00\xff<definitely not thrift>" * 8, "application/x-thrift")
        else:
            out = TMemoryBuffer()
            TCLIService.Processor(SqlWarehouse(fake)).process(TBinaryProtocol(TMemoryBuffer(body)), TBinaryProtocol(out))
            self.reply(200, out.getvalue(), "application/x-thrift")

    def reply(self, status: int, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeWarehouse:
    """The Thrift server on a fixed loopback port; "refuse" stops listening on it, recover() listens again."""

    def __init__(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode, self.sessions, self.statements, self.tokens, self.connections = "good", 0, [], [], []
        self.release: tuple[str, str] | None = None  # (release_id, versions JSON) of ops.releases, when published
        self.released, self.server = threading.Event(), None

    def listen(self) -> None:
        """Accept connections on the port."""
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads, self.server.fake = True, self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop listening, and end the open connections: connecting is refused, as to a warehouse that went away."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed by its handler
                pass
        self.connections.clear()

    def fault(self, mode: str) -> None:
        """Fail from now on, in this way."""
        self.released.clear()
        self.mode = mode
        if mode == "refuse":
            self.close()

    def recover(self) -> None:
        """Answer again; hung requests are let go (their clients gave up long ago)."""
        self.mode = "good"
        self.released.set()
        if self.server is None:
            self.listen()


@pytest.fixture
def fake():
    """A fake SQL warehouse, listening; stopped after the test."""
    warehouse = FakeWarehouse()
    warehouse.listen()
    yield warehouse
    warehouse.released.set()
    warehouse.close()


def databricks_app(fake: FakeWarehouse):
    """The service on the databricks backend, reaching the fake through the connector's plain-HTTP URI option."""
    return create_app({
        "WAREHOUSE": "databricks", "DATABRICKS_SERVER_HOSTNAME": HOST, "DATABRICKS_HTTP_PATH": HTTP_PATH,
        "DATABRICKS_TOKEN": TOKEN, "DATABRICKS_CONNECT_OPTIONS": {"_connection_uri": f"http://127.0.0.1:{fake.port}{HTTP_PATH}"},
        "QUERY_TIMEOUT_SECONDS": str(TIMEOUT), "CONNECT_TIMEOUT_SECONDS": str(TIMEOUT), "WAREHOUSE_RETRY_SECONDS": str(RETRY),
        "VERSION_CHECK_SECONDS": "0", "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "1000 per minute",
    })  # fmt: skip


def timed(call):
    """The call's result and its seconds."""
    started = time.perf_counter()
    return call(), time.perf_counter() - started


def assert_discreet(response) -> None:
    """No token, host name, address, port or HTTP path in what the client gets."""
    text = response.get_data(as_text=True)
    for secret in (TOKEN, HOST, "127.0.0.1", HTTP_PATH, "azuredatabricks"):
        assert secret not in text, (secret, text)


def assert_503(response, reasons: tuple[str, ...]) -> None:
    """A JSON 503 envelope naming one of the reasons, with nothing path-like in its message."""
    assert response.status_code == 503 and response.is_json, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == 503 and error["code"] == "warehouse_unavailable"
    assert error["message"].startswith("the warehouse could not answer: ") and any(r in error["message"] for r in reasons), error
    assert "/" not in error["message"] and "\\" not in error["message"]
    assert_discreet(response)


def past_retry_window() -> None:
    """Wait until the service tries the warehouse again after a failure."""
    time.sleep(RETRY + 0.1)


def test_the_fake_is_a_warehouse_the_connector_reads(fake):
    client = databricks_app(fake).test_client()
    answer = client.get(URL)
    assert answer.status_code == 200 and answer.json["data"] == [{"genre": "pop", "movies": 3}, {"genre": "rock", "movies": 2}]
    assert answer.json["meta"]["table_versions"] == {"genre_counts_by_year": 7} and answer.json["meta"]["stale"] is False
    assert client.get("/ready").json["status"] == "ready" and fake.sessions == 1  # one connection, reused
    assert "DESCRIBE HISTORY `spark_catalog`.`gold`.`genre_counts_by_year` LIMIT 1" in fake.statements
    assert set(fake.tokens) == {f"Bearer {TOKEN}"}


def test_answers_read_every_table_at_the_latest_release(fake):
    fake.release = ("run-41#0a1b2c3d", '{"genre_counts_by_year":5,"song_genre_popularity":9}')
    client = databricks_app(fake).test_client()
    answer = client.get(URL)
    assert answer.status_code == 200 and answer.json["meta"]["release"] == "run-41#0a1b2c3d"
    assert answer.json["meta"]["table_versions"] == {"genre_counts_by_year": 5}
    assert not [s for s in fake.statements if s.startswith("DESCRIBE HISTORY")], "versions come from the release, not the tables"
    query = next(s for s in fake.statements if "genre_counts_by_year" in s)
    assert "`spark_catalog`.`gold`.`genre_counts_by_year` VERSION AS OF 5" in query


@pytest.mark.parametrize("mode", list(FAULTS))
def test_a_fault_gives_the_stale_answer_or_a_json_503_in_time_then_a_new_connection(fake, mode, caplog):
    client = databricks_app(fake).test_client()
    fresh = client.get(URL)
    assert fresh.status_code == 200 and fake.sessions == 1
    fake.fault(mode)

    stale, seconds = timed(lambda: client.get(URL))  # a remembered URL: the fast path checks the versions, and fails
    assert stale.status_code == 200 and stale.json["meta"]["stale"] is True and stale.headers["Warning"] == '110 - "stale"'
    assert stale.json["data"] == fresh.json["data"] and seconds < TIMEOUT + MARGIN, seconds
    assert_discreet(stale)
    assert stale.headers["X-Request-Id"] in caplog.text and "latest release" in caplog.text

    refused, seconds = timed(lambda: client.get(OTHER))  # never answered: nothing stale to give
    assert_503(refused, FAULTS[mode])
    assert seconds < TIMEOUT + MARGIN, seconds
    past_retry_window()
    not_ready, seconds = timed(lambda: client.get("/ready"))
    assert_503(not_ready, FAULTS[mode])
    assert seconds < TIMEOUT + MARGIN, seconds

    fake.recover()
    past_retry_window()
    again = client.get(URL)
    assert again.status_code == 200 and again.json["meta"]["stale"] is False and "Warning" not in again.headers
    assert fake.sessions == 2  # the broken connection was dropped: the next request opened a new one
    assert client.get("/ready").json["status"] == "ready" and client.get(OTHER).status_code == 200


@pytest.mark.parametrize("mode", ["refuse", "hang"])
def test_a_warehouse_down_from_the_start_is_a_json_503_in_time_until_it_comes_up(fake, mode):
    client = databricks_app(fake).test_client()
    fake.fault(mode)
    for url in (URL, "/api/songs/top-tracks?genre=pop", "/ready"):  # the genre check reads the warehouse too
        answer, seconds = timed(lambda url=url: client.get(url))
        assert_503(answer, FAULTS[mode])
        assert seconds < TIMEOUT + MARGIN, (url, seconds)
        past_retry_window()
    fake.recover()
    past_retry_window()
    assert client.get("/ready").status_code == 200 and client.get("/api/songs/top-tracks?genre=pop").status_code == 200
    assert fake.sessions == 1


def test_the_genre_check_uses_the_last_known_genres_while_the_warehouse_fails(fake):
    client = databricks_app(fake).test_client()
    url = "/api/songs/top-tracks?genre=pop"
    assert client.get(url).status_code == 200 and client.get("/api/songs/top-tracks?genre=polka").status_code == 400
    fake.fault("http503")
    stale = client.get(url)
    assert stale.status_code == 200 and stale.json["meta"]["stale"] is True
    assert client.get("/api/songs/top-tracks?genre=polka").json["error"]["parameter"] == "genre"  # still refused, from the kept list


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/chat", {"message": "something calm for reading"}),
        ("/api/chat/stream", {"message": "upbeat songs for the gym"}),
        ("/api/schedule", {"todos": "gym 7-8, work 9-17"}),
        ("/api/chat", {"message": "gym 7-8, work 9-17, dinner 19-20"}),
    ],
)
def test_the_chat_and_the_schedule_answer_a_json_503_when_the_warehouse_fails(fake, path, body):
    client = databricks_app(fake).test_client()
    fake.fault("reset")
    answer, seconds = timed(lambda: client.post(path, json=body))
    assert_503(answer, FAULTS["reset"])
    assert seconds < TIMEOUT + MARGIN, seconds


def test_the_local_backend_names_a_missing_table_without_its_path(gold_lakehouse, tmp_path):
    root = tmp_path / "lake"
    shutil.copytree(gold_lakehouse, root)
    for folder in ("ops/releases", "gold/genre_counts_by_year", "gold/songs_catalog"):  # a lakehouse from before releases
        shutil.rmtree(root / folder, ignore_errors=True)
    client = create_app({"LAKEHOUSE_DIR": str(root), "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "1000 per minute"}).test_client()
    for answer in (client.get("/api/movies/genres-by-year"), client.post("/api/chat", json={"message": "calm songs"})):
        assert answer.status_code == 503 and answer.json["error"]["code"] == "warehouse_unavailable", answer.data
        assert str(tmp_path) not in answer.get_data(as_text=True)
    message = client.get("/api/movies/genres-by-year").json["error"]["message"]
    assert message == "the warehouse could not answer: gold table genre_counts_by_year is missing; run the ETL"


@pytest.mark.parametrize(
    "logged, told",
    [
        ("gold table box_office_by_month does not exist under /srv/lake/gold: run the ETL", "gold table box_office_by_month is missing"),
        ("no gold tables to serve under /srv/lake/gold: run the ETL first", "there are no gold tables; run the ETL"),
        ('top_tracks: IO Error: No files found that match "/srv/lake/gold/top_tracks/part-0.parquet"', "query top_tracks failed"),
        ("could not load release r-42: IO Error: /srv/lake/gold/x: Permission denied", "the server log has the details"),
        ("query timed out after 2 s", "timed out after 2 s"),
    ],
)
def test_a_public_message_names_the_problem_and_no_path(logged, told):
    message = public_message(WarehouseError(logged))
    assert told in message and "/srv" not in message and "lake" not in message
    assert public_message(WarehouseError(logged, "said by the backend")) == "the warehouse could not answer: said by the backend"
