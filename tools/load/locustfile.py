"""Locust: visitors of the medialake service, in the mix of tools/load/mix.py, with every answer checked.

make loadtest runs it headless against the production server over the demo lakehouse; the run fails (exit 1) when
the failure ratio, the p95 latency or the throughput miss the thresholds given as options.
"""

import logging
import os
import random
import sys

from locust import FastHttpUser, between, events, task

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from tools.load.mix import acceptable, draw  # noqa: E402


@events.init_command_line_parser.add_listener
def thresholds(parser):
    """The pass/fail options of a run."""
    parser.add_argument("--max-failure-ratio", type=float, default=0.0, help="highest share of failed requests")
    parser.add_argument("--max-p95-ms", type=float, default=50.0, help="highest 95th percentile response time (ms)")
    parser.add_argument("--min-rps", type=float, default=100.0, help="lowest mean throughput (requests/s)")


@events.quitting.add_listener
def judge(environment, **_):
    """Exit 1 when a threshold is missed, naming it."""
    total, options = environment.stats.total, environment.parsed_options
    misses = []
    if total.fail_ratio > options.max_failure_ratio:
        misses.append(f"failure ratio {total.fail_ratio:.4f} > {options.max_failure_ratio}")
    if total.get_response_time_percentile(0.95) > options.max_p95_ms:
        misses.append(f"p95 {total.get_response_time_percentile(0.95):.1f} ms > {options.max_p95_ms} ms")
    if total.total_rps < options.min_rps:
        misses.append(f"throughput {total.total_rps:.1f} requests/s < {options.min_rps}")
    for miss in misses:
        logging.getLogger("medialake.loadtest").error("threshold missed: %s", miss)
    if misses:
        environment.process_exit_code = 1


class Visitor(FastHttpUser):
    """One visitor: pages, their assets, statistics with varied parameters, now and then a chat message."""

    wait_time = between(0.05, 0.3)

    def on_start(self):
        """Artist names for the radar view, as a visitor would pick them from the top tracks."""
        with self.client.get("/api/songs/top-tracks?limit=50", name="/api/songs/top-tracks (start)", catch_response=True) as answer:
            self.artists = sorted({row["artist"] for row in answer.json()["data"]}) if answer.status_code == 200 else []
        self.rng = random.Random()

    @task
    def visit(self):
        """One request of the mix, checked."""
        call = draw(self.rng, self.artists)
        name = call.path.split("?")[0]
        request = self.client.post if call.method == "POST" else self.client.get
        kwargs = {"json": call.body} if call.body is not None else {}
        with request(call.path, name=name, catch_response=True, **kwargs) as answer:
            problem = acceptable(call, answer.status_code, answer.content or b"")
            answer.failure(problem) if problem else answer.success()
