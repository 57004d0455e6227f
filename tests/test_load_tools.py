"""The load-test tools work (not how fast anything is): pace's open-loop runs, the Locust user and its thresholds, the report."""

import csv
import json
import re
import subprocess

from tools.bench.service import free_port, start_server
from tools.load import report, run, sweep
from tools.load.mix import CACHED, sequence


def test_pace_sends_on_schedule_and_reports_percentiles(gold_lakehouse, tmp_path):
    pace = sweep.build_pace()
    port = free_port()
    server = start_server(gold_lakehouse, port, MEDIALAKE_CHAT_RATE_LIMIT="100000 per minute")
    try:
        listing = tmp_path / "paths.txt"
        listing.write_text("\n".join(CACHED + ['POST /api/chat {"message": "calm"}', "/api/songs/no-such-endpoint"]) + "\n")
        out = subprocess.run([pace, f"127.0.0.1:{port}", str(listing), "200", "2", "8"], capture_output=True, text=True, check=True)
    finally:
        server.terminate()
        server.wait(15)
    figures = json.loads(out.stdout)
    assert figures["sent"] == 400 and figures["completed"] == 400 and figures["errors"] == 0
    assert figures["non_2xx"] == 400 // 6, "the unknown endpoint is counted as a wrong answer"
    latency = figures["latency_ms"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p999"] <= latency["max"]
    assert sum(count for _, count in figures["histogram_us"]) == 400
    assert 150 <= figures["achieved_rps"] <= 210


def test_the_mix_is_weighted_like_visitors():
    calls = sequence(4000, ["A", "B", "C"])
    share = lambda test: sum(map(test, calls)) / len(calls)  # noqa: E731
    assert 0.57 < share(lambda c: c.path.startswith("/api/") and c.method == "GET") < 0.67
    assert 0.001 < share(lambda c: c.method == "POST") < 0.01
    assert share(lambda c: c.path.startswith("/static/")) > 0.12


def test_locust_run_passes_and_a_missed_threshold_fails_it(gold_lakehouse, tmp_path):
    passed = run.main(["--lakehouse", gold_lakehouse, "--users", "5", "--seconds", "4", "--min-rps", "5", "--max-p95-ms", "2000",
                       "--csv-dir", str(tmp_path / "ok")])  # fmt: skip
    rows = {r["Name"]: r for r in csv.DictReader(open(tmp_path / "ok" / "locust_stats.csv"))}
    assert passed == 0 and int(rows["Aggregated"]["Request Count"]) > 20 and int(rows["Aggregated"]["Failure Count"]) == 0
    # statistics are 62% of the mix: more than 20 requests without one would be a broken mix, not chance (p < 1e-8)
    assert any(name.startswith(("/api/movies/", "/api/songs/")) and "(start)" not in name for name in rows)
    failed = run.main(
        ["--lakehouse", gold_lakehouse, "--users", "2", "--seconds", "2", "--max-p95-ms", "0.001", "--csv-dir", str(tmp_path / "no")]
    )
    assert failed == 1


def test_sweep_and_report_write_figures_tables_and_plots(gold_lakehouse, tmp_path, monkeypatch):
    out = tmp_path / "sweep.json"
    monkeypatch.setattr("sys.argv", ["sweep", "--lakehouse", gold_lakehouse, "--levels", "cached:100,400;mix:100;cold:20", "--seconds", "1",
                                     "--repeats", "1", "--out", str(out)])  # fmt: skip
    sweep.main()
    recorded = json.loads(out.read_text())
    assert [(r["workload"], r["offered_rps"]) for r in recorded["runs"]] == [("cached", 100), ("cached", 400), ("mix", 100), ("cold", 20)]
    assert all(r["errors"] == 0 and r["non_2xx"] == 0 and r["server_cores"] > 0 for r in recorded["runs"])
    assert report.main(["--load-dir", str(tmp_path), "--images", str(tmp_path), "--out", str(tmp_path / "performance.md")]) == 0
    text = (tmp_path / "performance.md").read_text()
    assert "| 400 |" in text and "What limits throughput" in text and "coordinated omission" in text
    assert "times a cached answer" in text and not re.search(r"\{[^}]*\}", text), "every figure filled in, no template left"
    for plot in ("load_latency_vs_offered", "load_throughput", "load_distribution_cached", "load_cpu_cached"):
        assert (tmp_path / f"{plot}.png").stat().st_size > 10_000
