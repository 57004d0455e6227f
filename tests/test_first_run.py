"""A first run without surprises: `python -m jobs etl` prints JSON lines and the run summary only (no engine noise),
the summary's columns stay aligned on long names, and the home page is titled "medialake"."""

import json
import os
import re
import subprocess
import sys

from jobs.pipeline import NAME_WIDTH, RunSummary, TableStats, fit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY_ROW = re.compile(r"^(?P<name>.+?) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+\.\d\d)$")


def etl_output(raw: str, lakehouse: str) -> subprocess.CompletedProcess:
    """`python -m jobs etl` in its own process, with the environment a user's shell would have (no RUST_LOG)."""
    environ = {**os.environ, "MEDIALAKE_RAW_DIR": raw, "MEDIALAKE_LAKEHOUSE_DIR": lakehouse, "MEDIALAKE_BATCH_ID": "first"}
    for name in ("RUST_LOG", "SPARK_REMOTE", "MEDIALAKE_ENGINE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE"):
        environ.pop(name, None)  # the test session's Sail server sets RUST_LOG in this process: the child must choose its own
    return subprocess.run([sys.executable, "-m", "jobs", "etl"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=600)


def json_object(line: str) -> dict | None:
    """The line as a JSON object, or None when it is anything else."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def assert_is_a_summary(text: str) -> None:
    """The text is the run summary: the header, a rule, then rows of a name and five numbers, all one width."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("table ") and set(lines[1]) == {"-"}, lines[:2]
    assert all(SUMMARY_ROW.match(line) for line in lines[2:]), [line for line in lines[2:] if not SUMMARY_ROW.match(line)]
    assert {len(line) for line in lines} == {len(lines[0])}, "the columns are not aligned"


def test_a_successful_etl_prints_json_lines_and_the_summary_and_nothing_else(tiny_raw, tmp_path):
    done = etl_output(tiny_raw, str(tmp_path / "lakehouse"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "WARN sail" not in done.stdout + done.stderr and "aborting" not in done.stdout + done.stderr
    not_json = [line for line in done.stderr.splitlines() if line.strip() and json_object(line) is None]
    assert not not_json, not_json[:5]
    assert_is_a_summary(done.stdout)
    assert "gold.songs_catalog" in done.stdout and "bronze.spotify_songs <- spotify/spotify_songs.csv" in done.stdout


def test_the_summary_keeps_its_columns_aligned_on_a_long_name():
    long_name = "bronze.mdb_movies_metadata <- " + "nested/" * 12 + "movies_metadata.csv"
    summary = RunSummary("r", [TableStats(long_name, 124, 124, 0, 0, 0.07), TableStats("silver.movies", 123, 120, 3, 9, 0.21)])
    text = summary.render()
    assert_is_a_summary(text)
    shown = SUMMARY_ROW.match(text.splitlines()[2]).group("name")
    assert len(shown) == NAME_WIDTH and shown.startswith("bronze.mdb_movies_metadata") and shown.endswith("movies_metadata.csv")
    assert "..." in shown and SUMMARY_ROW.match(text.splitlines()[3]).groups()[1:] == ("123", "120", "3", "9", "0.21")


def test_fit_keeps_short_text_and_cuts_the_middle_of_long_text():
    assert fit("silver.movies", 20) == "silver.movies"
    assert fit("abcdefghijkl", 9) == "abc...jkl" and fit("abcdefghijkl", 10) == "abc...ijkl"


def test_the_home_page_is_titled_medialake_and_a_view_names_itself_then_medialake(client):
    from service.pages import PAGES

    def title(path):
        return re.search(r"<title>(.*?)</title>", client.get(path).get_data(as_text=True)).group(1)

    assert title("/") == "medialake"
    assert title(f"/{PAGES[0].slug}") == f"{PAGES[0].title} · medialake"
