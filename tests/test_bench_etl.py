"""The ETL benchmark itself, on the tiny input: each run in a process of its own, the reference beside it, medians."""

import json
import subprocess
import sys


def test_the_etl_benchmark_prints_each_run_and_the_medians_with_the_reference(tmp_path):
    out = tmp_path / "figures.json"
    command = [sys.executable, "-m", "tools.bench.etl", "--scale", "tiny", "--workdir", str(tmp_path), "--runs", "2", "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout
    assert printed.count("-- run ") == 2 and printed.count("reference bronze") >= 2
    assert "== medians of 2 run(s)" in printed and "pipeline/reference" in printed and "MiB/s" in printed
    runs = json.loads(out.read_text())
    assert len(runs) == 2
    for run in runs:
        assert run["bronze"]["rows"] > 0 and run["silver"]["rows"] > 0 and run["gold"]["rows"] > 0
        assert all(
            run[layer]["seconds"] > 0 and run[layer]["peak_gib"] > 0 and run[layer]["cores"] > 0 for layer in ("bronze", "silver", "gold")
        )
        assert run["reference"]["rows"] > 0 and run["reference"]["bronze"] > 0
    assert '"msg"' not in printed, "the engine's logs stay out of the figures"
