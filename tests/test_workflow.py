"""The local job runner: Databricks task semantics with real processes and real time (bounded)."""

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from jobs.workflow.definitions import PROJECT_ROOT, DefinitionError, Job, load_all, load_job, project_wheel, validate
from jobs.workflow.history import RunStore
from jobs.workflow.runner import Runner, RunRefused

TASK = "tests/workflow_tasks/task.py"


def python_task(key, *params, depends_on=(), **options) -> dict:
    """A spark_python_task running the test task script."""
    task = {"task_key": key, "spark_python_task": {"python_file": TASK, "parameters": list(params)}, **options}
    if depends_on:
        task["depends_on"] = [{"task_key": d} for d in depends_on]
    return task


def make_job(name, tasks, **settings) -> Job:
    """A validated in-memory job."""
    definition = {"name": name, "max_concurrent_runs": 1, "tasks": tasks, **settings}
    assert validate(definition) == []
    return Job(name, f"<{name}>", definition)


def results(run) -> dict:
    """task_key -> result_state."""
    return {t["task_key"]: t["state"].get("result_state") for t in run["tasks"]}


@pytest.fixture
def store(tmp_path):
    """A run store in a fresh lakehouse folder."""
    return RunStore(str(tmp_path / "lake"))


def test_every_shipped_definition_validates():
    jobs = load_all(os.path.join(PROJECT_ROOT, "jobs", "definitions"))
    assert {"etl", "movies", "songs"} <= set(jobs)
    etl = jobs["etl"]
    assert etl.settings["schedule"] == {"quartz_cron_expression": "0 0 6 * * ?", "timezone_id": "Europe/London", "pause_status": "UNPAUSED"}
    assert "quality_gate" in etl.tasks and {d["task_key"] for d in etl.tasks["gold_movies"]["depends_on"]} == {"quality_gate"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["tasks"][1].update(retries=3), "tasks[1].retries: unknown field"),
        (lambda d: d["tasks"][2].update(run_if="WHEN_I_FEEL_LIKE_IT"), "tasks[2].run_if"),
        (lambda d: d["tasks"][1]["depends_on"].append({"task_key": "nope"}), "tasks[1].depends_on[1].task_key: no task 'nope'"),
        (lambda d: d["tasks"][0].update(depends_on=[{"task_key": "gold_movies"}]), "cycle"),
        (lambda d: d["tasks"][0]["spark_python_task"].update(python_file="jobs/tasks/missing.py"), "python_file: file"),
        (lambda d: d["schedule"].update(quartz_cron_expression="0 0 6 * *"), "schedule.quartz_cron_expression"),
        (lambda d: d["schedule"].update(timezone_id="Mars/Olympus"), "schedule.timezone_id: unknown time zone"),
        (lambda d: d["tasks"][0]["spark_python_task"]["parameters"].append("{{job.paramters.x}}"), "unknown dynamic value reference"),
        (lambda d: d.update(max_concurrent_runs="one"), "max_concurrent_runs"),
        # What a Databricks job cluster gets: libraries, the cluster spec and its environment.
        (
            lambda d: d["tasks"][0]["libraries"][0].update(wheel=d["tasks"][0]["libraries"][0].pop("whl")),
            "tasks[0].libraries[0].wheel: unknown field",
        ),
        (
            lambda d: d["tasks"][3]["libraries"][1].update(pypi={"pakage": "deltalake==1.6.6"}),
            "tasks[3].libraries[1].pypi.pakage: unknown field",
        ),
        (
            lambda d: d["tasks"][1]["libraries"][1]["pypi"].update(package="deltalake"),
            "tasks[1].libraries[1].pypi.package: 'deltalake' is not pinned",
        ),
        (
            lambda d: d["tasks"][2]["libraries"][0].update(whl="dist/medialake-0.0.1-py3-none-any.whl"),
            "tasks[2].libraries[0].whl: 'dist/medialake-0.0.1",
        ),
        (lambda d: d["tasks"][0].update(job_cluster_key="etl2"), "tasks[0].job_cluster_key: no job cluster 'etl2'"),
        (
            lambda d: d["job_clusters"][0]["new_cluster"].update(node_type="Standard_D4ds_v5"),
            "job_clusters[0].new_cluster.node_type: unknown field",
        ),
        (
            lambda d: d["job_clusters"][0]["new_cluster"].update(data_security_mode="SINGLE"),
            "job_clusters[0].new_cluster.data_security_mode: unknown",
        ),
        (
            lambda d: d["job_clusters"][0]["new_cluster"].update(num_workers="two"),
            "job_clusters[0].new_cluster.num_workers: 'two' is not an integer",
        ),
        (
            lambda d: d["job_clusters"][0]["new_cluster"].update(spark_env_var=d["job_clusters"][0]["new_cluster"].pop("spark_env_vars")),
            "job_clusters[0].new_cluster.spark_env_var: unknown field",
        ),
        (
            lambda d: d["job_clusters"][0]["new_cluster"]["spark_env_vars"].update(MEDIALAKE_TABLE_NAME="catalog"),
            "spark_env_vars.MEDIALAKE_TABLE_NAME: not a medialake setting",
        ),
        (
            lambda d: d["job_clusters"][0]["new_cluster"]["spark_env_vars"].update(MEDIALAKE_TABLE_NAMES="catalogue"),
            "spark_env_vars.MEDIALAKE_TABLE_NAMES: MEDIALAKE_TABLE_NAMES must be one of path, catalog, got 'catalogue'",
        ),
    ],
)
def test_a_corrupted_definition_names_the_field(tmp_path, change, message):
    definition = json.load(open(os.path.join(PROJECT_ROOT, "jobs", "definitions", "etl.json")))
    change(definition)
    path = tmp_path / "etl.json"
    path.write_text(json.dumps(definition))
    with pytest.raises(DefinitionError, match="etl.json") as error:
        load_job(str(path))
    assert message in str(error.value)


def test_locally_the_job_cluster_and_libraries_are_ignored(store, tmp_path, monkeypatch):
    """A run on this machine keeps its own settings: the cluster's /Volumes paths and catalog are Databricks' only."""
    monkeypatch.setenv("MEDIALAKE_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.delenv("MEDIALAKE_TABLE_NAMES", raising=False)
    cluster = {"spark_version": "17.3.x-scala2.13", "node_type_id": "Standard_D4ds_v5", "num_workers": 2,
               "spark_env_vars": {"MEDIALAKE_RAW_DIR": "/Volumes/main/medialake/raw", "MEDIALAKE_TABLE_NAMES": "catalog"}}  # fmt: skip
    libraries = [{"whl": project_wheel()}, {"pypi": {"package": "deltalake==1.6.6"}}]  # not installed: the checkout is used
    task = python_task("t", "--print-env", "MEDIALAKE_RAW_DIR", "--print-env", "MEDIALAKE_TABLE_NAMES", job_cluster_key="c")
    job = make_job("local", [task | {"libraries": libraries}], job_clusters=[{"job_cluster_key": "c", "new_cluster": cluster}])
    run = Runner(job, store).run()
    assert results(run) == {"t": "SUCCESS"}
    printed = open(run["tasks"][0]["log_path"]).read()
    assert f"MEDIALAKE_RAW_DIR={tmp_path / 'raw'}\n" in printed and "MEDIALAKE_TABLE_NAMES=\n" in printed, printed
    shipped = load_all(os.path.join(PROJECT_ROOT, "jobs", "definitions"))["etl"]
    env = Runner(shipped, store).task_env(shipped.tasks["bronze_movies"])
    assert env["MEDIALAKE_RAW_DIR"] == str(tmp_path / "raw") and "MEDIALAKE_TABLE_NAMES" not in env


def test_a_task_that_fails_twice_then_succeeds_is_retried_after_the_interval(store, tmp_path):
    counter = str(tmp_path / "count")
    job = make_job("flaky", [python_task("t", "--mode", "flaky", "--state", counter, max_retries=2, min_retry_interval_millis=400)])
    run = Runner(job, store).run()
    task = run["tasks"][0]
    assert run["state"]["result_state"] == "SUCCESS"
    assert [a["result_state"] for a in task["attempts"]] == ["FAILED", "FAILED", "SUCCESS"]
    assert task["attempt_number"] == 2
    gaps = [b["start_time"] - a["end_time"] for a, b in zip(task["attempts"], task["attempts"][1:], strict=False)]
    assert all(gap >= 400 for gap in gaps), gaps


def test_retries_run_out(store, tmp_path):
    job = make_job("out", [python_task("t", "--mode", "flaky", "--state", str(tmp_path / "c"), "--succeed-on", "5", max_retries=1)])
    run = Runner(job, store).run()
    assert run["state"]["result_state"] == "FAILED"
    assert len(run["tasks"][0]["attempts"]) == 2
    assert "flaky task failed on attempt 2" in run["tasks"][0]["error"]
    assert os.path.exists(run["tasks"][0]["log_path"])


def test_a_task_past_its_timeout_is_killed_and_timedout(store):
    job = make_job("slow", [python_task("t", "--mode", "sleep", "--seconds", "60", timeout_seconds=1, max_retries=2)])
    started = time.monotonic()
    run = Runner(job, store).run()
    assert time.monotonic() - started < 10
    assert results(run) == {"t": "TIMEDOUT"} and run["state"]["result_state"] == "FAILED"
    assert len(run["tasks"][0]["attempts"]) == 1  # retry_on_timeout defaults to false


def test_retry_on_timeout(store):
    task = python_task("t", "--mode", "sleep", "--seconds", "60", timeout_seconds=1, max_retries=1, retry_on_timeout=True)
    run = Runner(make_job("slow", [task]), store).run()
    assert [a["result_state"] for a in run["tasks"][0]["attempts"]] == ["TIMEDOUT", "TIMEDOUT"]


def test_job_timeout_ends_the_run_timedout(store):
    job = make_job(
        "slowjob", [python_task("t", "--mode", "sleep", "--seconds", "60"), python_task("after", depends_on=["t"])], timeout_seconds=1
    )
    run = Runner(job, store).run()
    assert run["state"]["result_state"] == "TIMEDOUT"
    assert results(run) == {"t": "TIMEDOUT", "after": "CANCELED"}


def test_upstream_failure_and_run_if(store, tmp_path):
    marker = str(tmp_path / "ran")
    tasks = [
        python_task("extract", "--mode", "fail"),
        python_task("ok", "--marker", marker),
        python_task("load", "--marker", marker, depends_on=["extract"]),
        python_task("after_load", "--marker", marker, depends_on=["load"]),
        python_task("cleanup", "--marker", marker, depends_on=["extract", "ok"], run_if="ALL_DONE"),
        python_task("alert", "--marker", marker, depends_on=["extract", "ok"], run_if="AT_LEAST_ONE_FAILED"),
        python_task("all_failed", "--marker", marker, depends_on=["ok"], run_if="ALL_FAILED"),
        python_task("none_failed", "--marker", marker, depends_on=["ok"], run_if="NONE_FAILED"),
    ]
    run = Runner(make_job("graph", tasks), store).run()
    assert results(run) == {
        "extract": "FAILED",
        "ok": "SUCCESS",
        "load": "UPSTREAM_FAILED",
        "after_load": "UPSTREAM_FAILED",
        "cleanup": "SUCCESS",
        "alert": "SUCCESS",
        "all_failed": "EXCLUDED",
        "none_failed": "SUCCESS",
    }
    ran = {line.split()[0] for line in open(marker)}
    assert ran == {"ok", "cleanup", "alert", "none_failed"}
    assert run["state"]["result_state"] == "FAILED"
    assert "task failed on purpose" in run["tasks"][0]["error"]


def test_leaf_success_after_a_failure_is_success_with_failures(store):
    tasks = [python_task("a", "--mode", "fail"), python_task("finally", depends_on=["a"], run_if="ALL_DONE")]
    run = Runner(make_job("swf", tasks), store).run()
    assert run["state"]["result_state"] == "SUCCESS_WITH_FAILURES"


def test_independent_tasks_run_concurrently_up_to_the_limit(store, tmp_path):
    marker = str(tmp_path / "ran")
    tasks = [python_task(k, "--mode", "sleep", "--seconds", "1.5", "--marker", marker) for k in ("a", "b", "c")]
    run = Runner(make_job("par", tasks), store, max_parallel=2).run()
    spans = sorted((t["attempts"][0]["start_time"], t["attempts"][0]["end_time"]) for t in run["tasks"])
    assert spans[1][0] < spans[0][1], "a and b should overlap"
    assert spans[2][0] >= min(spans[0][1], spans[1][1]) - 50, "c waits for a free slot"


def test_job_parameters_reach_the_task(store, tmp_path):
    marker = str(tmp_path / "ran")
    task = python_task("t", "--marker", marker, "--mode", "{{job.parameters.mode}}", "--seconds", "{{job.run_id}}")
    job = make_job("params", [task], parameters=[{"name": "mode", "default": "fail"}])
    run = Runner(job, store).run({"mode": "ok"})
    assert run["state"]["result_state"] == "SUCCESS"
    assert open(marker).read().split()[2:] == ["--marker", marker, "--mode", "ok", "--seconds", str(run["run_id"])]
    with pytest.raises(RunRefused, match="unknown job parameter"):
        Runner(job, store).run({"colour": "red"})


def test_repair_reruns_only_failed_tasks_and_their_dependents(store, tmp_path):
    flag, marker = tmp_path / "broken", str(tmp_path / "ran")
    flag.write_text("x")
    tasks = [
        python_task("fine", "--marker", marker),
        python_task("fragile", "--mode", "flag", "--state", str(flag), "--marker", marker),
        python_task("downstream", "--marker", marker, depends_on=["fragile", "fine"]),
    ]
    job = make_job("repairable", tasks)
    first = Runner(job, store).run()
    assert results(first) == {"fine": "SUCCESS", "fragile": "FAILED", "downstream": "UPSTREAM_FAILED"}
    flag.unlink()
    repaired = Runner(job, store).repair(first["run_id"])
    assert repaired["run_id"] == first["run_id"] and repaired["state"]["result_state"] == "SUCCESS"
    assert sorted(line.split()[0] for line in open(marker)) == ["downstream", "fine", "fragile", "fragile"]
    assert len(repaired["repair_history"]) == 1 and repaired["repair_history"][0]["task_keys"] == ["fragile", "downstream"]
    assert store.get(first["run_id"])["state"]["result_state"] == "SUCCESS"
    with pytest.raises(RunRefused, match="no failed task"):
        Runner(job, store).repair(first["run_id"])


def test_failure_webhook_is_posted(store):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    job = make_job("hooked", [python_task("t", "--mode", "fail")], webhook_notifications={"on_failure": [{"id": "ops"}]})
    run = Runner(job, store, webhooks={"ops": f"http://127.0.0.1:{server.server_port}/hook"}).run()
    server.shutdown()
    assert received == [{"event_type": "jobs.on_failure", "job": {"job_id": job.job_id, "name": "hooked"},
                         "run": {"run_id": run["run_id"], "state": run["state"]}}]  # fmt: skip


def test_notebook_task_gets_its_widgets(store, tmp_path):
    out = tmp_path / "out.txt"
    task = {"task_key": "nb", "notebook_task": {"notebook_path": "tests/workflow_tasks/widgets", "base_parameters": {"out": str(out)}}}
    job = make_job("nb", [task], parameters=[{"name": "who", "default": "world"}])
    run = Runner(job, store).run({"who": "analysts"})
    assert run["state"]["result_state"] == "SUCCESS", run["tasks"][0].get("error")
    assert out.read_text() == "hello analysts"


def write_definitions(folder, **jobs) -> None:
    """Definition files for CLI and scheduler tests."""
    folder.mkdir(exist_ok=True)
    for name, definition in jobs.items():
        (folder / f"{name}.json").write_text(json.dumps(definition))


def cli(tmp_path, *args, **popen) -> subprocess.Popen:
    """python -m jobs ... with the test's jobs dir and lakehouse."""
    env = dict(os.environ, MEDIALAKE_JOBS_DIR=str(tmp_path / "defs"), MEDIALAKE_LAKEHOUSE_DIR=str(tmp_path / "lake"))
    return subprocess.Popen([sys.executable, "-m", "jobs", *args], cwd=PROJECT_ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)  # fmt: skip


def test_two_concurrent_starts_of_a_single_run_job_give_one_run_and_one_refusal(tmp_path):
    slow = {"name": "single", "max_concurrent_runs": 1, "tasks": [python_task("t", "--mode", "sleep", "--seconds", "3")]}
    write_definitions(tmp_path / "defs", single=slow)
    first = cli(tmp_path, "run", "single")
    time.sleep(1.0)
    second = cli(tmp_path, "run", "single")
    codes = [first.wait(30), second.wait(30)]
    assert codes == [0, 1]
    assert "MAXIMUM_CONCURRENT_RUNS_REACHED" in second.communicate()[0]
    states = {r["state"].get("result_state") for r in RunStore(str(tmp_path / "lake")).list()}
    assert states == {"SUCCESS", "MAXIMUM_CONCURRENT_RUNS_REACHED"}


def test_history_survives_a_restart_through_the_cli(tmp_path):
    write_definitions(tmp_path / "defs", once={"name": "once", "tasks": [python_task("t")]})
    assert cli(tmp_path, "run", "once").wait(30) == 0
    listing = cli(tmp_path, "runs", "list")
    out, _ = listing.communicate(timeout=30)
    assert "once" in out and "SUCCESS" in out
    got = cli(tmp_path, "runs", "get", "1")
    run = json.loads(got.communicate(timeout=30)[0])
    assert run["run_id"] == 1 and run["state"] == {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""}
    missing = cli(tmp_path, "runs", "get", "99")
    assert missing.wait(30) == 2 and "no run 99" in missing.communicate()[1]


def test_the_scheduler_fires_on_a_per_second_cron_and_stops_on_sigterm(tmp_path):
    marker = tmp_path / "ran"
    every_second = {"quartz_cron_expression": "* * * * * ?", "timezone_id": "Europe/Paris", "pause_status": "UNPAUSED"}
    job = {"name": "tick", "max_concurrent_runs": 1, "schedule": every_second, "tasks": [python_task("t", "--marker", str(marker))]}
    paused = {**job, "name": "paused", "schedule": {**every_second, "pause_status": "PAUSED"}}
    write_definitions(tmp_path / "defs", tick=job, paused=paused)
    scheduler = cli(tmp_path, "schedule")
    deadline = time.monotonic() + 15
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    scheduler.terminate()
    _, err = scheduler.communicate(timeout=20)
    assert scheduler.returncode == 0, err
    assert marker.exists(), err
    assert '"msg": "scheduled", "job": "tick"' in err and "paused" not in err.replace('"job": "paused"', "")
    runs = RunStore(str(tmp_path / "lake")).list()
    assert runs and {r["trigger"] for r in runs} == {"PERIODIC"}
    assert all(r["state"]["life_cycle_state"] in ("TERMINATED", "SKIPPED") for r in runs)


def test_after_downtime_a_missed_schedule_runs_once(tmp_path):
    daily = {"quartz_cron_expression": "0 0 0 * * ?", "timezone_id": "UTC", "pause_status": "UNPAUSED"}
    write_definitions(tmp_path / "defs", nightly={"name": "nightly", "schedule": daily, "tasks": [python_task("t")]})
    state = tmp_path / "lake" / "_jobs" / "scheduler_state.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"nightly": "2026-01-01T00:00:00+00:00"}))  # many midnights ago
    scheduler = cli(tmp_path, "schedule")
    time.sleep(6)
    scheduler.terminate()
    _, err = scheduler.communicate(timeout=20)
    runs = RunStore(str(tmp_path / "lake")).list()
    assert len(runs) == 1 and runs[0]["state"]["result_state"] == "SUCCESS", err
    assert "running a missed schedule once" in err


def test_an_invalid_cron_is_refused_with_a_clear_message(tmp_path):
    bad = {"quartz_cron_expression": "0 61 6 * * ?", "timezone_id": "UTC"}
    write_definitions(tmp_path / "defs", bad={"name": "bad", "schedule": bad, "tasks": [python_task("t")]})
    scheduler = cli(tmp_path, "schedule")
    _, err = scheduler.communicate(timeout=30)
    assert scheduler.returncode == 2
    assert "schedule.quartz_cron_expression: '0 61 6 * * ?' is not a valid Quartz expression" in err
