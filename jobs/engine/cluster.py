"""The JVM engine put together: a standalone cluster with a Spark Connect server (`python -m jobs cluster up|down`) or
one local Connect server on local[2] owned by a process (engine `spark`)."""

import json
import os
import time

from jobs.engine import commands
from jobs.engine.commands import HOST, LOCAL_MASTER, WORKERS, Launch
from jobs.engine.processes import EngineError, alive_workers, answers, entry, ours, port_open, spawn, stop, tail, wait_until, write_json
from medialake.log import get_logger, log_event
from medialake.settings import load_settings

START_TIMEOUT = 180.0  # a cold Connect server with Delta and Hive answers after about 20 s on 2 cores
URL_FILE, PIDS_FILE = "connect.url", "pids.json"
log = get_logger("medialake.engine")


def up(lakehouse: str, timeout: float = START_TIMEOUT) -> str:
    """Start a master, its workers and a Connect server on it, or reuse the running ones; the Connect URL."""
    if running(lakehouse):
        log_event(log, "cluster already running", url=connect_url(lakehouse))
        return connect_url(lakehouse)
    commands.delta_jars()  # without `make jars`, fail before starting anything
    down(lakehouse, quiet=True)  # what is left of a cluster one of whose processes died
    began, entries = time.monotonic(), {}
    try:
        url = _start_cluster(lakehouse, entries, timeout)
    except BaseException:
        _forget(lakehouse, entries)
        raise
    _write_url(lakehouse, url)
    log_event(log, "cluster up", url=url, seconds=_since(began), logs=commands.cluster_dir(lakehouse))
    return url


def down(lakehouse: str, quiet: bool = False) -> list[str]:
    """Stop the processes recorded in pids.json, remove it and the URL file; the names of those that were running."""
    entries = recorded(lakehouse)
    if not entries:
        if not quiet:
            log_event(log, "cluster not running", pids=_path(lakehouse, PIDS_FILE))
        return []
    began = time.monotonic()
    stopped = _forget(lakehouse, entries)
    log_event(log, "cluster down", stopped=stopped, seconds=_since(began))
    return stopped


def restart_connect(lakehouse: str, timeout: float = START_TIMEOUT) -> str:
    """Replace the cluster's Connect server by a new one on the same master (tables must survive it); the new URL."""
    entries, began = recorded(lakehouse), time.monotonic()
    stop({"connect": entries.pop("connect", {})})
    launch = commands.connect_server(lakehouse, f"spark://{HOST}:{entries['master']['port']}")
    started = [_spawn(lakehouse, entries, launch)]
    url = _answering(started, timeout)
    _write_url(lakehouse, url)
    log_event(log, "connect server restarted", url=url, seconds=_since(began))
    return url


class LocalServer:
    """A Spark Connect server on local[2] that belongs to one process: its URL, and stop()."""

    def __init__(self, lakehouse: str, url: str, entries: dict):
        self.lakehouse, self.url, self.entries = lakehouse, url, entries

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after the grace period)."""
        stop(self.entries)


def start_local(lakehouse: str, timeout: float = START_TIMEOUT) -> LocalServer:
    """Start a Connect server with Delta on local[2] over the lakehouse's metastore and wait until it answers."""
    began, entries = time.monotonic(), {}
    launch = commands.connect_server(lakehouse, LOCAL_MASTER, name="spark-local")
    log_event(log, "starting local spark", master=LOCAL_MASTER, log=launch.log)
    try:
        url = _answering([_spawn(None, entries, launch)], timeout)
    except BaseException:
        stop(entries)
        raise
    log_event(log, "local spark answering", url=url, seconds=_since(began))
    return LocalServer(lakehouse, url, entries)


def running(lakehouse: str) -> bool:
    """True when every recorded process still runs and the URL is written."""
    entries = recorded(lakehouse)
    return bool(entries) and all(ours(item) for item in entries.values()) and os.path.exists(_path(lakehouse, URL_FILE))


def recorded(lakehouse: str) -> dict:
    """The processes pids.json records (empty when there is none)."""
    try:
        with open(_path(lakehouse, PIDS_FILE), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def connect_url(lakehouse: str) -> str:
    """The last line of connect.url."""
    with open(_path(lakehouse, URL_FILE), encoding="utf-8") as handle:
        return handle.read().split()[-1]


def main(action: str) -> int:
    """`python -m jobs cluster up` prints the URL as its last line; `down` stops what up started."""
    settings = load_settings()
    log.setLevel(settings.log_level)
    if action == "down":
        down(settings.lakehouse_dir)
        return 0
    try:
        url = up(settings.lakehouse_dir)
    except (EngineError, FileNotFoundError) as error:
        log.error("cluster failed", extra={"fields": {"error": str(error)[:4000]}})
        return 1
    print(url)
    return 0


def _start_cluster(lakehouse: str, entries: dict, timeout: float) -> str:
    """The master first, then the workers and the Connect server side by side; the URL once the server answers."""
    began, started = time.monotonic(), []
    master_url = _start_master(lakehouse, entries, started, timeout)
    for number in range(1, WORKERS + 1):
        started.append(_spawn(lakehouse, entries, commands.worker(lakehouse, master_url, number)))
    started.append(_spawn(lakehouse, entries, commands.connect_server(lakehouse, master_url)))
    webui = entries["master"]["webui"]  # not the Connect server: the last worker's log is the one quoted on a timeout
    wait_until(lambda: alive_workers(webui) >= WORKERS, started[:-1], timeout, f"{WORKERS} workers ALIVE")
    log_event(log, "workers up", workers=WORKERS, seconds=_since(began))
    return _answering(started, timeout)


def _start_master(lakehouse: str, entries: dict, started: list, timeout: float) -> str:
    """Start the master and wait until it listens (workers started earlier would wait seconds before retrying); its URL."""
    began, launch = time.monotonic(), commands.master(lakehouse)
    log_event(log, "starting master", port=launch.port, webui=launch.webui, logs=commands.cluster_dir(lakehouse))
    started.append(_spawn(lakehouse, entries, launch))
    wait_until(lambda: port_open(launch.port), started, timeout, "listening")
    log_event(log, "master up", url=f"spark://{HOST}:{launch.port}", seconds=_since(began))
    return f"spark://{HOST}:{launch.port}"


def _spawn(lakehouse: str | None, entries: dict, launch: Launch) -> tuple:
    """Start a process and record it at once (in pids.json for a cluster), so a failed start can still be stopped;
    (launch, process, start time)."""
    process = spawn(launch)
    entries[launch.name] = entry(launch, process)
    if lakehouse is not None:
        write_json(_path(lakehouse, PIDS_FILE), entries)
    return launch, process, entries[launch.name]["started"]


def _answering(started: list, timeout: float) -> str:
    """Wait until the Connect server (the last one started) listens and runs a one-row job; its sc:// URL."""
    launch, _, began = started[-1]
    url = f"sc://{HOST}:{launch.port}"
    wait_until(lambda: port_open(launch.port), started, timeout, "listening")
    try:
        answers(url)
    except Exception as error:
        raise EngineError(f"{launch.name} does not answer at {url}: {error}; end of {launch.log}:\n{tail(launch.log)}") from None
    log_event(log, "connect server answering", server=launch.name, url=url, seconds=round(time.time() - began, 2))
    return url


def _forget(lakehouse: str, entries: dict) -> list[str]:
    """Stop the processes, then remove the pid and URL files."""
    stopped = stop(entries)
    for name in (PIDS_FILE, URL_FILE):
        if os.path.exists(_path(lakehouse, name)):
            os.remove(_path(lakehouse, name))
    return stopped


def _write_url(lakehouse: str, url: str) -> None:
    """connect.url holds the URL on its last (only) line: `tail -1` gives it to SPARK_REMOTE."""
    with open(_path(lakehouse, URL_FILE), "w", encoding="utf-8") as handle:
        handle.write(url + "\n")


def _path(lakehouse: str, name: str) -> str:
    """A file of the engine's folder under the lakehouse."""
    return os.path.join(commands.cluster_dir(lakehouse), name)


def _since(began: float) -> float:
    """Seconds since a monotonic start, rounded for the logs."""
    return round(time.monotonic() - began, 2)
