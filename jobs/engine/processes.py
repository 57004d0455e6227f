"""Start JVM processes in the background, wait until they answer, record their pids and stop exactly those."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import psutil

from jobs.engine.commands import HOST, Launch

GRACE_SECONDS = 15.0


class EngineError(RuntimeError):
    """A JVM process did not start or answer in time; the message quotes the end of its log."""


def spawn(launch: Launch) -> subprocess.Popen:
    """Start one process in a session of its own (a Ctrl-C in the terminal does not reach it), all output to its log file."""
    os.makedirs(os.path.dirname(launch.log), exist_ok=True)
    with open(launch.log, "ab") as log:
        return subprocess.Popen(launch.argv, env=launch.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def tail(path: str, lines: int = 25) -> str:
    """The last lines of a log file."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.path.getsize(path) - 32_000))
            return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(check, started: list[tuple], timeout: float, what: str) -> None:
    """Poll check() until it is true; fail quoting a log when one of the started (launch, process, ...) exits or the
    timeout passes."""
    deadline = time.monotonic() + timeout
    while not check():
        for launch, process, *_ in started:
            if process.poll() is not None:
                raise EngineError(f"{launch.name} exited with {process.returncode} before {what}; end of {launch.log}:\n{tail(launch.log)}")
        if time.monotonic() > deadline:
            launch = started[-1][0]
            raise EngineError(f"not {what} after {timeout:g} s; end of {launch.log}:\n{tail(launch.log)}")
        time.sleep(0.25)


def port_open(port: int) -> bool:
    """True when something accepts TCP connections on the loopback port."""
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def alive_workers(webui: int) -> int:
    """How many workers the standalone master's web UI (/json/) lists as ALIVE; 0 while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{webui}/json/", timeout=2) as answer:
            return sum(w["state"] == "ALIVE" for w in json.load(answer)["workers"])
    except (OSError, ValueError, KeyError):
        return 0


def client(url: str):
    """A Spark Connect session to url that does not become this process's default session (builder.getOrCreate would
    hand back an existing one, e.g. the tests' Sail session, whatever the URL)."""
    from pyspark.sql.connect.session import SparkSession

    return SparkSession(connection=url)


def answers(url: str) -> bool:
    """True when the Spark Connect server at url runs a one-row job."""
    session = client(url)
    try:
        return session.range(1).count() == 1
    finally:
        session.stop()


def entry(launch: Launch, process: subprocess.Popen) -> dict:
    """What pids.json keeps of one process: pid and start time (to never signal a reused pid), ports, log."""
    started = psutil.Process(process.pid).create_time()
    return {"pid": process.pid, "started": started, "port": launch.port, "webui": launch.webui, "log": launch.log}


def write_json(path: str, value) -> None:
    """Replace a JSON file in one step (a reader never sees half of it)."""
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
    os.replace(path + ".tmp", path)


def ours(item: dict) -> psutil.Process | None:
    """The recorded process if it still runs (same pid and start time), else None."""
    try:
        process = psutil.Process(item["pid"])
        return process if abs(process.create_time() - item["started"]) < 0.01 and process.status() != psutil.STATUS_ZOMBIE else None
    except (psutil.NoSuchProcess, psutil.AccessDenied, KeyError):
        return None


def stop(entries: dict, grace: float = GRACE_SECONDS) -> list[str]:
    """SIGTERM the recorded processes that are still ours (and their process groups: a worker's executors), SIGKILL
    what is left after the grace period; the names of those that were running."""
    running = {name: process for name, process in ((n, ours(e)) for n, e in entries.items()) if process}
    targets = [p for process in running.values() for p in [process, *_children(process)]]
    for process in running.values():
        _signal_group(process.pid, signal.SIGTERM)
    _, left = psutil.wait_procs(targets, timeout=grace)
    for process in left:
        _signal_group(process.pid, signal.SIGKILL)
    psutil.wait_procs(left, timeout=5)
    return sorted(running)


def _children(process: psutil.Process) -> list[psutil.Process]:
    """The live processes a recorded one started (a worker's executors), found before it is signalled; not the zombie
    left by spark-class's command substitution, which only goes away with its parent."""
    try:
        return [child for child in process.children(recursive=True) if child.status() != psutil.STATUS_ZOMBIE]
    except psutil.NoSuchProcess:
        return []


def _signal_group(pid: int, signum: int) -> None:
    """Signal the process group the process leads (spawn gave it its own), or the process alone if it leads none."""
    try:
        os.killpg(pid, signum) if os.getpgid(pid) == pid else os.kill(pid, signum)
    except ProcessLookupError:
        pass
