"""Fires each unpaused job on its Quartz schedule in its time zone; a missed slot runs once after downtime."""

import json
import os
import threading
from datetime import UTC, datetime

from jobs.workflow.definitions import Job
from jobs.workflow.quartz import Schedule, parse_schedule
from medialake.log import get_logger, log_event

log = get_logger("medialake.scheduler")


def missed_fire(schedule: Schedule, last_fired: datetime | None, now: datetime) -> datetime | None:
    """The latest slot between the last fire and now, if any: one catch-up run however many slots were missed."""
    if last_fired is None:
        return None
    latest = schedule.last_fire(now)
    return latest if latest > last_fired else None


class Scheduler:
    """One process scheduling every job that has an unpaused schedule."""

    def __init__(self, jobs: dict[str, Job], runner_for, state_path: str):
        self.schedules = {name: parse_schedule(job.settings["schedule"]) for name, job in jobs.items() if job.settings.get("schedule")}
        self.schedules = {name: s for name, s in self.schedules.items() if not s.paused}
        self.runner_for, self.state_path = runner_for, state_path
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []

    def announce(self, now: datetime, count: int = 3) -> dict[str, list[str]]:
        """Log and return the next fire times of every scheduled job."""
        upcoming = {name: [t.isoformat() for t in s.next_fires(now, count)] for name, s in self.schedules.items()}
        for name, times in upcoming.items():
            log_event(log, "scheduled", job=name, cron=self.schedules[name].quartz, zone=str(self.schedules[name].zone), next=times)
        return upcoming

    def serve(self) -> None:
        """Catch up once, then fire on schedule until stop() is called; waits for running jobs to end."""
        state = self.load_state()
        now = datetime.now(UTC)
        for name, schedule in self.schedules.items():
            last = datetime.fromisoformat(state[name]) if name in state else None
            if missed := missed_fire(schedule, last, now):
                log_event(log, "running a missed schedule once", job=name, missed_slot=missed.isoformat())
                self.fire(name, state, now)
            state.setdefault(name, now.isoformat())
        self.save_state(state)
        self.announce(now)
        if not self.schedules:
            log.warning("no unpaused schedule in the job definitions; waiting for a stop signal")
            self.stop_event.wait()
        while not self.stop_event.is_set():
            name, at = min(((n, s.next_fires(now)[0]) for n, s in self.schedules.items()), key=lambda item: item[1])
            if self.stop_event.wait(max(0.0, (at - datetime.now(UTC)).total_seconds())):
                break
            now = at
            self.fire(name, state, at)
        for thread in self.threads:
            thread.join()
        log_event(log, "scheduler stopped")

    def fire(self, name: str, state: dict, at: datetime) -> None:
        """Start a PERIODIC run in a thread (the runner refuses it beyond max_concurrent_runs) and remember the slot."""
        runner = self.runner_for(name, self.stop_event)
        thread = threading.Thread(target=runner.run, kwargs={"trigger": "PERIODIC"}, name=f"run-{name}")
        thread.start()
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        state[name] = at.isoformat()
        self.save_state(state)

    def stop(self, *_signal) -> None:
        """Stop firing; running tasks are killed and marked CANCELED."""
        self.stop_event.set()

    def load_state(self) -> dict:
        """Last fire time per job."""
        if not os.path.exists(self.state_path):
            return {}
        with open(self.state_path) as handle:
            return json.load(handle)

    def save_state(self, state: dict) -> None:
        """Persist last fire times atomically."""
        with open(self.state_path + ".tmp", "w") as handle:
            json.dump(state, handle, indent=1)
        os.replace(self.state_path + ".tmp", self.state_path)
