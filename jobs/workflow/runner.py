"""Runs a job's task graph locally with the semantics Databricks documents; each task attempt is its own process."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from jobs.workflow import semantics
from jobs.workflow.definitions import DYNAMIC_REFERENCE, PROJECT_ROOT, Job, task_file
from jobs.workflow.history import ACTIVE, RunStore, now_ms
from jobs.workflow.notify import notify
from medialake.log import get_logger, log_event

log = get_logger("medialake.jobs")
KILL_GRACE_SECONDS = 10
ENGINE_LOG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\dT[\d:]+Z (TRACE|DEBUG|INFO|WARN) ")  # Sail (Rust) logging, not the task's error


class RunRefused(RuntimeError):
    """A run or repair that cannot start (concurrency limit, run still active, unknown parameter)."""


@dataclass
class Attempt:
    """One running task attempt."""

    key: str
    process: subprocess.Popen
    started: float
    deadline: float | None


class Runner:
    """Starts or repairs runs of one job."""

    def __init__(self, job: Job, store: RunStore, *, source_root=PROJECT_ROOT, max_parallel=2, webhooks=None, stop_event=None):
        self.job, self.store, self.source_root = job, store, source_root
        self.max_parallel, self.webhooks = max_parallel, webhooks or {}
        self.stop_event = stop_event or threading.Event()
        self.poll_seconds = 0.05

    def run(self, params: dict | None = None, trigger: str = "ONE_TIME") -> dict:
        """Start a run and wait for it; a run beyond max_concurrent_runs comes back SKIPPED/MAXIMUM_CONCURRENT_RUNS_REACHED."""
        run = self.new_run(self.job_parameters(params or {}), trigger)
        if not self.store.claim(run, self.job.settings.get("max_concurrent_runs", 1)):
            log.warning("run refused", extra={"fields": {"job": self.job.name, "run": run["run_id"], "why": run["state"]["state_message"]}})
            return run
        log_event(log, "run started", job=self.job.name, job_run_id=run["run_id"], trigger=trigger)
        notify("on_start", self.job.settings, run, self.webhooks)
        return self.execute(run, list(self.job.tasks))

    def job_parameters(self, given: dict) -> list[dict]:
        """The job's declared parameters with --param values; an undeclared name is refused."""
        declared = {p["name"]: p.get("default", "") for p in self.job.settings.get("parameters", [])}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise RunRefused(f"unknown job parameter(s) {unknown}; {self.job.name} declares {sorted(declared) or 'none'}")
        return [{"name": name, "default": default, "value": str(given.get(name, default))} for name, default in declared.items()]

    def new_run(self, parameters: list[dict], trigger: str) -> dict:
        """A runs/get-shaped record, PENDING."""
        tasks = [self.task_record(t) for t in self.job.settings["tasks"]]
        return {
            "job_id": self.job.job_id,
            "run_name": self.job.name,
            "creator_user_name": os.environ.get("USER", "local"),
            "run_type": "JOB_RUN",
            "trigger": trigger,
            "runner_pid": os.getpid(),
            "start_time": now_ms(),
            "end_time": 0,
            "state": {"life_cycle_state": "PENDING", "state_message": ""},
            "job_parameters": parameters,
            "tasks": tasks,
            "repair_history": [],
        }

    def task_record(self, task: dict) -> dict:
        """A task's entry in the run, before it runs."""
        return {
            "task_key": task["task_key"],
            "depends_on": task.get("depends_on", []),
            "run_if": task.get("run_if", "ALL_SUCCESS"),
            "attempt_number": 0,
            "attempts": [],
            "start_time": 0,
            "end_time": 0,
            "state": {"life_cycle_state": "PENDING", "state_message": ""},
        }

    def repair(self, run_id: int) -> dict:
        """Rerun the run's unsuccessful tasks and everything downstream of them, recorded in the same run."""
        with self.store.locked():
            run = self.store.get(run_id)
            if run["state"]["life_cycle_state"] in ACTIVE:
                raise RunRefused(f"run {run_id} is still {run['state']['life_cycle_state']}; repair it when it has finished")
            rerun = tasks_to_repair(run["tasks"])
            if not rerun:
                raise RunRefused(f"run {run_id} has no failed task to repair")
            run["runner_pid"] = os.getpid()
            run["state"] = {"life_cycle_state": "RUNNING", "state_message": f"repairing {', '.join(rerun)}"}
            self.store.save(run)
        entry = {"type": "REPAIR", "id": len(run["repair_history"]) + 1, "start_time": now_ms(), "task_keys": rerun}
        log_event(log, "repair started", job=self.job.name, job_run_id=run_id, tasks=rerun)
        for task in run["tasks"]:
            if task["task_key"] in rerun:
                task["state"] = {"life_cycle_state": "PENDING", "state_message": "repair"}
        run = self.execute(run, rerun)
        entry.update(end_time=run["end_time"], state=run["state"])
        run["repair_history"].append(entry)
        self.store.save(run)
        return run

    def execute(self, run: dict, keys: list[str]) -> dict:
        """Drive the given tasks to a terminal state, then settle and save the run."""
        run["state"] = {"life_cycle_state": "RUNNING", "state_message": ""}
        self.store.save(run)
        tasks = {t["task_key"]: t for t in run["tasks"]}
        pending, running, not_before = list(keys), {}, {}
        timeout = self.job.settings.get("timeout_seconds") or 0
        deadline = time.monotonic() + timeout if timeout else None
        ended_by = None
        while pending or running:
            if self.stop_event.is_set() or (deadline and time.monotonic() > deadline):
                ended_by = "CANCELED" if self.stop_event.is_set() else "TIMEDOUT"
                self.abort(run, tasks, pending, running, ended_by)
                break
            self.start_ready(run, tasks, pending, running, not_before)
            self.reap(run, tasks, pending, running, not_before)
            time.sleep(self.poll_seconds)
        return self.finish(run, ended_by)

    def start_ready(self, run, tasks, pending, running, not_before) -> None:
        """Launch or skip every pending task whose dependencies are done."""
        for key in list(pending):
            deps = [tasks[d["task_key"]] for d in tasks[key]["depends_on"]]
            if any(d["task_key"] in pending or d["task_key"] in running for d in deps) or time.monotonic() < not_before.get(key, 0):
                continue
            results = [d["state"].get("result_state") for d in deps]
            if not semantics.condition_met(tasks[key]["run_if"], results):
                pending.remove(key)
                self.set_state(run, tasks[key], "SKIPPED", semantics.skipped_result(results), "run_if condition not met")
            elif len(running) < self.max_parallel:
                pending.remove(key)
                running[key] = self.launch(run, tasks[key])

    def launch(self, run: dict, record: dict) -> Attempt:
        """Start one attempt of a task in its own process group, output to its log file."""
        task = self.job.tasks[record["task_key"]]
        record["attempt_number"] = len(record["attempts"])
        record["log_path"] = self.store.log_path(run["run_id"], task["task_key"], record["attempt_number"])
        record["start_time"], record["end_time"] = now_ms(), 0
        record.pop("error", None)
        with open(record["log_path"], "w") as output:
            process = subprocess.Popen(
                self.command(run, task), cwd=self.source_root, stdout=output, stderr=subprocess.STDOUT,
                env=self.task_env(task), start_new_session=True,
            )  # fmt: skip
        timeout = task.get("timeout_seconds") or 0
        self.set_state(run, record, "RUNNING", None, f"attempt {record['attempt_number']}")
        return Attempt(task["task_key"], process, time.monotonic(), time.monotonic() + timeout if timeout else None)

    def command(self, run: dict, task: dict) -> list[str]:
        """The argv of a task: the Python file with its parameters, or the notebook runner with its widgets."""
        if "spark_python_task" in task:
            spec = task["spark_python_task"]
            path = task_file(spec["python_file"], "spark_python_task", self.source_root)
            return [sys.executable, path, *[self.resolve(run, task, p) for p in spec.get("parameters", [])]]
        spec = task["notebook_task"]
        path = task_file(spec["notebook_path"], "notebook_task", self.source_root)
        widgets = {p["name"]: p["value"] for p in run["job_parameters"]}
        widgets.update({k: self.resolve(run, task, v) for k, v in spec.get("base_parameters", {}).items()})
        return [sys.executable, "-m", "jobs.workflow.notebook", path, *[f"--param={k}={v}" for k, v in widgets.items()]]

    def resolve(self, run: dict, task: dict, text: str) -> str:
        """Substitute {{job.run_id}}, {{job.parameters.name}} and the other dynamic value references."""
        values = {
            "job.id": str(run["job_id"]),
            "job.name": run["run_name"],
            "job.run_id": str(run["run_id"]),
            "job.trigger.type": run["trigger"],
            "job.start_time.iso_datetime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(run["start_time"] / 1000)),
            "task.name": task["task_key"],
            "task.run_id": f"{run['run_id']}-{task['task_key']}",
        }
        values.update({f"job.parameters.{p['name']}": p["value"] for p in run["job_parameters"]})
        return DYNAMIC_REFERENCE.sub(lambda m: values.get(m.group(1), m.group(0)), str(text))

    def task_env(self, task: dict) -> dict:
        """The task's environment: ours, plus the task's key and the project on PYTHONPATH."""
        # job_clusters (new_cluster, its spark_env_vars) and libraries are for Databricks and never applied here: the
        # cluster's /Volumes paths and catalog would replace the local settings, and the checkout stands in for the wheel.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PROJECT_ROOT, env.get("PYTHONPATH")]))
        env["MEDIALAKE_TASK_KEY"] = task["task_key"]
        env.setdefault("RUST_LOG", "warn")  # Sail's info lines would bury the task's own error at the end of its log
        return env

    def reap(self, run, tasks, pending, running, not_before) -> None:
        """Collect finished or timed-out attempts; queue retries as the task allows."""
        for key, attempt in list(running.items()):
            timed_out = attempt.deadline is not None and time.monotonic() > attempt.deadline
            if timed_out:
                stop_process(attempt.process)
            elif attempt.process.poll() is None:
                continue
            del running[key]
            result = "TIMEDOUT" if timed_out else ("SUCCESS" if attempt.process.returncode == 0 else "FAILED")
            self.end_attempt(run, tasks[key], attempt, result)
            if self.should_retry(tasks[key], result):
                pending.append(key)
                not_before[key] = time.monotonic() + self.job.tasks[key].get("min_retry_interval_millis", 0) / 1000

    def end_attempt(self, run: dict, record: dict, attempt: Attempt, result: str) -> None:
        """Record how an attempt ended, with the error and log of a failure."""
        seconds = time.monotonic() - attempt.started
        message = "" if result == "SUCCESS" else failure_message(result, attempt, record["log_path"], self.job.tasks[record["task_key"]])
        if message:
            record["error"] = message
        record["attempts"].append(
            {"attempt_number": record["attempt_number"], "start_time": record["start_time"], "end_time": now_ms(),
             "result_state": result, "seconds": round(seconds, 3)}
        )  # fmt: skip
        self.set_state(run, record, "TERMINATED", result, message)

    def should_retry(self, record: dict, result: str) -> bool:
        """Failed attempts retry up to max_retries; timed-out ones only with retry_on_timeout."""
        task = self.job.tasks[record["task_key"]]
        if result == "SUCCESS" or (result == "TIMEDOUT" and not task.get("retry_on_timeout", False)):
            return False
        retries = task.get("max_retries", 0)
        return retries == -1 or len(record["attempts"]) <= retries

    def abort(self, run, tasks, pending, running, result: str) -> None:
        """Job timeout or shutdown: kill running attempts, mark the rest as not run."""
        for key, attempt in running.items():
            stop_process(attempt.process)
            self.end_attempt(run, tasks[key], attempt, result)
        for key in pending:
            self.set_state(run, tasks[key], "SKIPPED", "CANCELED", f"not run: the job run was {result.lower()}")
        pending.clear()
        running.clear()

    def set_state(self, run: dict, record: dict, life_cycle: str, result: str | None, message: str) -> None:
        """Change a task's state, save the run and log the transition."""
        record["state"] = {"life_cycle_state": life_cycle, "state_message": message}
        if result:
            record["state"]["result_state"] = result
        if life_cycle in semantics.TERMINAL_LIFE_CYCLES:
            record["end_time"] = now_ms()
        self.store.save(run)
        log_event(log, f"task {record['task_key']} {result or life_cycle}", job_run_id=run["run_id"], task=record["task_key"],
                  attempt=record["attempt_number"], message=message[:300])  # fmt: skip

    def finish(self, run: dict, ended_by: str | None) -> dict:
        """Settle the run's result from its tasks, save it and send notifications."""
        result = ended_by or semantics.run_result(run["tasks"])
        failed = [t["task_key"] for t in run["tasks"] if t["state"].get("result_state") in semantics.FAILED_RESULTS]
        message = f"tasks not successful: {', '.join(failed)}" if failed else ""
        run["state"] = {"life_cycle_state": "TERMINATED", "result_state": result, "state_message": message}
        run["end_time"] = now_ms()
        run["execution_duration"] = run["end_time"] - run["start_time"]
        self.store.save(run)
        log_event(log, "run finished", job=self.job.name, job_run_id=run["run_id"], result=result)
        notify("on_success" if result == "SUCCESS" else "on_failure", self.job.settings, run, self.webhooks)
        return run


def tasks_to_repair(tasks: list[dict]) -> list[str]:
    """Unsuccessful tasks and all tasks downstream of them, in definition order."""
    chosen = {t["task_key"] for t in tasks if t["state"].get("result_state") not in ("SUCCESS", "EXCLUDED")}
    grew = True
    while grew:
        downstream = {t["task_key"] for t in tasks if any(d["task_key"] in chosen for d in t["depends_on"])}
        grew = not downstream <= chosen
        chosen |= downstream
    return [t["task_key"] for t in tasks if t["task_key"] in chosen]


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM the attempt's process group (our ETL rolls back on it), SIGKILL after a grace period."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def failure_message(result: str, attempt: Attempt, log_path: str, task: dict) -> str:
    """Why an attempt failed: the timeout, or the last lines of its output."""
    if result == "TIMEDOUT":
        return f"timed out after {task.get('timeout_seconds')} s and was killed"
    if result == "CANCELED":
        return "canceled and killed"
    with open(log_path, errors="replace") as handle:
        lines = [line.strip() for line in handle.read()[-8000:].splitlines() if line.strip() and not ENGINE_LOG_LINE.match(line)]
    tail = " | ".join(lines[-3:]) if lines else "(no output)"
    return f"exit code {attempt.process.returncode}: {tail}"[:1000]
