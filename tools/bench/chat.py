"""make bench-chat: embedding model load time and memory, then offline chat answers through the app, as printed figures."""

import argparse
import os
import statistics
import time

import psutil

from medialake.log import get_logger
from medialake.settings import load_settings

MESSAGES = ["I'm feeling upbeat", "something calm for reading", "a funny movie from the 90s", "my boss made me mad",
            "date night", "rock songs for the gym", "xkcd blorp", "studying for finals"]  # fmt: skip


def load_figures() -> dict:
    """Seconds and resident memory (MiB) to load the mood matcher (the MiniLM weights and the anchors' embeddings)."""
    from service.chat.mood import default_matcher

    process = psutil.Process()
    before, started = process.memory_info().rss, time.perf_counter()
    matcher = default_matcher()  # the first call loads; the apps built afterwards share it
    return {"encoder": matcher.kind, "load_s": time.perf_counter() - started, "rss_mib": (process.memory_info().rss - before) / 2**20}


def answer_ms(lakehouse: str, runs: int, cached: bool) -> dict:
    """Milliseconds per POST /api/chat through Flask and DuckDB (in process), after one warm-up round; the answer cache
    emptied before each request unless cached."""
    from service import create_app

    app = create_app({"LAKEHOUSE_DIR": lakehouse, "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "1000000 per minute"})
    client = app.test_client()
    for message in MESSAGES:
        assert client.post("/api/chat", json={"message": message}).status_code == 200
    times = []
    for i in range(runs):
        if not cached:
            app.extensions["chat"].cache.clear()
        started = time.perf_counter()
        response = client.post("/api/chat", json={"message": MESSAGES[i % len(MESSAGES)]})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return {"runs": runs, "p50": statistics.median(times), "p90": times[int(runs * 0.9)], "p99": times[int(runs * 0.99)]}


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lakehouse", default=load_settings().lakehouse_dir)
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    log = get_logger("bench.chat")
    if not os.path.isdir(os.path.join(args.lakehouse, "gold")):
        raise SystemExit(f"no gold tables under {args.lakehouse}: run `make etl` first")
    load = load_figures()
    log.info("model loaded", extra={"fields": load})
    print(f"encoder {load['encoder']}: load {load['load_s']:.2f} s, +{load['rss_mib']:.0f} MiB resident")
    for cached in (False, True):
        figures = answer_ms(args.lakehouse, args.runs, cached)
        log.info("offline answers", extra={"fields": figures | {"cached": cached}})
        print(
            f"offline /api/chat, {'answer cache hit' if cached else 'computed'}, over {figures['runs']} requests: "
            f"p50 {figures['p50']:.1f} ms, p90 {figures['p90']:.1f} ms, p99 {figures['p99']:.1f} ms"
        )


if __name__ == "__main__":
    main()
