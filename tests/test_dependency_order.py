"""The order tables are built in: side by side, each once the tables it reads are written."""

import threading
import time

import pytest

from jobs.dependency_order import run_in_dependency_order
from jobs.silver.tables import SILVER, DeclaredSources


def recorder(seconds: dict):
    """A run that sleeps each name's seconds and records when it started and ended, and how many ran at once."""
    log, lock, live = [], threading.Lock(), [0, 0]

    def run(name):
        with lock:
            live[0] += 1
            live[1] = max(live)
            log.append(("start", name))
        time.sleep(seconds.get(name, 0))
        with lock:
            live[0] -= 1
            log.append(("end", name))
        return name.upper()

    return run, log, live


def test_a_table_starts_only_after_every_table_it_reads():
    run, log, live = recorder({"links": 0.05, "ratings": 0.2, "cpi": 0.01})
    after = {"movies": {"links"}, "ratings": {"links"}, "genres": {"movies"}}
    done = {}
    run_in_dependency_order(["links", "movies", "ratings", "cpi", "genres"], after, run, 2, done)
    assert done == {name: name.upper() for name in ("links", "movies", "ratings", "cpi", "genres")}
    for table, reads in after.items():
        for read in reads:
            assert log.index(("end", read)) < log.index(("start", table)), f"{table} started before {read} ended"
    assert live[1] == 2, "two tables ran at once"
    assert log.index(("start", "cpi")) < log.index(("end", "ratings")), "a table that reads nothing waits for no other"


def test_one_worker_runs_them_one_at_a_time_in_listing_order():
    run, log, live = recorder({})
    run_in_dependency_order(["a", "b", "c"], {"a": {"c"}}, run, 1, {})
    assert [name for event, name in log if event == "start"] == ["b", "c", "a"] and live[1] == 1


def test_a_failure_stops_new_starts_lets_running_tables_finish_and_is_raised():
    started = []

    def run(name):
        started.append(name)
        if name == "bad":
            raise RuntimeError("bad broke")
        time.sleep(0.1 if name == "slow" else 0)
        return name

    done = {}
    with pytest.raises(RuntimeError, match="bad broke"):
        run_in_dependency_order(["slow", "bad", "after_bad", "later"], {"after_bad": {"bad"}}, run, 2, done)
    assert done == {"slow": "slow"}, "the running table finished and is kept"
    assert "after_bad" not in started and "later" not in started


def test_tables_that_read_each_other_are_named():
    with pytest.raises(ValueError, match=r"cycle: \['a', 'b'\]"):
        run_in_dependency_order(["a", "b"], {"a": {"b"}, "b": {"a"}}, lambda name: name, 2, {})


def test_a_read_of_a_table_not_being_built_does_not_wait():
    done = {}
    run_in_dependency_order(["genres"], {"genres": {"movies"}}, lambda name: name, 2, done)
    assert done == {"genres": "genres"}


def test_a_silver_table_sees_only_the_sources_it_declares():
    ratings = next(spec for spec in SILVER if spec.name == "ratings")
    sources = DeclaredSources(ratings, {"ratings": "bronze rows", "silver.movies": "movies"})
    assert sources["ratings"] == "bronze rows" and sources.get("silver.links") is None
    with pytest.raises(KeyError, match="silver.ratings reads 'silver.movies', which is not among the sources it declares"):
        sources.get("silver.movies")
