"""What the load runs stand on: the demo lakehouse (built once by the real pipeline) and the production server."""

import json
import os
import subprocess
import sys
import urllib.request

from medialake.log import get_logger, log_event
from tools.bench.service import free_port, start_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "bench-data", "demo")
# One address stands for every visitor here, so the per-client chat limit is lifted for load runs.
LOAD_SETTINGS = {"MEDIALAKE_CHAT_RATE_LIMIT": "100000000 per minute"}


def demo_lakehouse(root: str = DEMO) -> str:
    """<root>/lakehouse at the demo scale, generated and built by `jobs` the first time (about 20 s)."""
    lakehouse = os.path.join(root, "lakehouse")
    if os.path.isdir(os.path.join(lakehouse, "gold", "songs_catalog")):
        return lakehouse
    log = get_logger("medialake.load")
    log_event(log, "building the demo lakehouse", path=lakehouse)
    raw = os.path.join(root, "raw")
    subprocess.run([sys.executable, "-m", "tools.datagen", "--scale", "demo", "--out", raw], cwd=ROOT, check=True)
    env = dict(os.environ, MEDIALAKE_RAW_DIR=raw, MEDIALAKE_LAKEHOUSE_DIR=lakehouse)
    subprocess.run([sys.executable, "-m", "jobs", "etl"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return lakehouse


def serve(lakehouse: str, warm: int = 800) -> tuple[subprocess.Popen, int]:
    """The production server (make serve's settings) on a free loopback port, warmed by the mix (a server runs warm)."""
    port = free_port()
    server = start_server(lakehouse, port, **LOAD_SETTINGS)
    warm_up(port, warm)
    return server, port


def warm_up(port: int, count: int) -> None:
    """Every worker loads the chat model and fills its caches: the mix replayed once, over several connections."""
    from concurrent.futures import ThreadPoolExecutor

    from tools.load.mix import sequence

    artists = [row["artist"] for row in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/songs/top-tracks?limit=50"))["data"]]
    calls = sequence(count, sorted(set(artists))) + [c for c in sequence(4000, []) if c.method == "POST"][:8]

    def fetch(call):
        data = json.dumps(call.body).encode() if call.body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{port}{call.path}", data=data, headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=30).read()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fetch, calls))
