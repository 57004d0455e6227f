"""Run history under the lakehouse (<lakehouse>/_jobs/): one JSON file per run in the shape of Jobs API runs/get."""

import fcntl
import json
import os
import time
from contextlib import contextmanager

ACTIVE = ("PENDING", "QUEUED", "RUNNING", "TERMINATING")


def now_ms() -> int:
    """Epoch milliseconds, as the Jobs API reports times."""
    return int(time.time() * 1000)


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this pid exists."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunStore:
    """Runs, task logs and the cross-process lock that enforces max_concurrent_runs."""

    def __init__(self, lakehouse_dir: str):
        self.root = os.path.join(lakehouse_dir, "_jobs")
        os.makedirs(os.path.join(self.root, "runs"), exist_ok=True)

    @contextmanager
    def locked(self):
        """An exclusive lock over the whole store, held across processes."""
        with open(os.path.join(self.root, ".lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def claim(self, run: dict, max_concurrent_runs: int) -> bool:
        """Give the run an id and save it as active, unless the job already has max_concurrent_runs active runs."""
        with self.locked():
            active = [r for r in self.list(job_id=run["job_id"]) if r["state"]["life_cycle_state"] in ACTIVE]
            live = [r for r in active if pid_alive(r.get("runner_pid")) or self._mark_lost(r)]
            run["run_id"] = self._next_id()
            run["number_in_job"] = run["run_id"]
            if max_concurrent_runs and len(live) >= max_concurrent_runs:
                self.save(refused(run, len(live)))
                return False
            self.save(run)
            return True

    def _mark_lost(self, run: dict) -> bool:
        """A run whose runner process died: INTERNAL_ERROR, so it no longer counts as active."""
        run["state"] = {"life_cycle_state": "INTERNAL_ERROR", "result_state": "FAILED", "state_message": "the runner process died"}
        run["end_time"] = run.get("end_time") or now_ms()
        self.save(run)
        return False

    def _next_id(self) -> int:
        """The next run id (call with the lock held)."""
        counter = os.path.join(self.root, "next_run_id")
        value = int(open(counter).read()) if os.path.exists(counter) else 1
        with open(counter, "w") as handle:
            handle.write(str(value + 1))
        return value

    def save(self, run: dict) -> None:
        """Write a run atomically (readers never see half a file)."""
        path = self.run_path(run["run_id"])
        with open(path + ".tmp", "w") as handle:
            json.dump(run, handle, indent=1)
        os.replace(path + ".tmp", path)

    def get(self, run_id: int) -> dict:
        """One run; KeyError when unknown."""
        path = self.run_path(run_id)
        if not os.path.exists(path):
            raise KeyError(f"no run {run_id} in {self.root}")
        with open(path) as handle:
            return json.load(handle)

    def list(self, job_id: int | None = None, limit: int | None = None) -> list[dict]:
        """Runs, newest first, optionally of one job."""
        ids = sorted((int(f[:-5]) for f in os.listdir(os.path.join(self.root, "runs")) if f.endswith(".json")), reverse=True)
        runs = [self.get(i) for i in ids]
        runs = [r for r in runs if job_id is None or r["job_id"] == job_id]
        return runs[:limit] if limit else runs

    def run_path(self, run_id: int) -> str:
        """Where a run's JSON lives."""
        return os.path.join(self.root, "runs", f"{int(run_id)}.json")

    def log_path(self, run_id: int, task_key: str, attempt: int) -> str:
        """Where one task attempt's output goes."""
        folder = os.path.join(self.root, "logs", str(run_id))
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, f"{task_key}-attempt{attempt}.log")


def refused(run: dict, active: int) -> dict:
    """A run that was not started because the job is at its concurrency limit."""
    run["state"] = {
        "life_cycle_state": "SKIPPED",
        "result_state": "MAXIMUM_CONCURRENT_RUNS_REACHED",
        "state_message": f"Skipped: the job already has {active} active run(s), its max_concurrent_runs",
    }
    run["end_time"] = now_ms()
    return run
