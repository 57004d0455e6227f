"""Test helper: real processes on loopback (the production server, free ports) and waiting for them to answer."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(ready, seconds: float = 60) -> None:
    """Poll `ready()` until it is true, failing the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not answering after {seconds} s")


@contextmanager
def service_process(lakehouse: str, log_path, **settings: str):
    """`python -m service.serve` (granian) over a lakehouse with these settings, its output in log_path; yields its URL
    and process once /health answers, and stops it afterwards."""
    port = free_port()
    env = dict(os.environ, MEDIALAKE_LAKEHOUSE_DIR=lakehouse, MEDIALAKE_PORT=str(port), MEDIALAKE_HOST="127.0.0.1", **settings)
    with open(log_path, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "service.serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(lambda: urllib.request.urlopen(f"{url}/health", timeout=1).status == 200)
        yield url, process
    finally:
        process.terminate()
        process.wait(15)
