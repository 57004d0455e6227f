"""The job commands of `python -m jobs`: validate, run, runs list/get, repair, schedule, deploy."""

import json
import signal
import sys
import time

from jobs.workflow.definitions import DefinitionError, jobs_dir, load_all
from jobs.workflow.history import RunStore
from jobs.workflow.runner import Runner, RunRefused
from medialake.settings import load_settings


def dispatch(args) -> int:
    """Run one job command; definition errors and refusals exit 2 with the message."""
    settings = load_settings()
    try:
        jobs = load_all(jobs_dir(settings))
        return COMMANDS[args.command](args, settings, jobs)
    except (DefinitionError, RunRefused, KeyError) as error:
        print(f"error: {str(error).strip(chr(39))}", file=sys.stderr)
        return 2


def validate(args, settings, jobs) -> int:
    """Every definition loaded (load_all raises on the first bad one)."""
    for name, job in jobs.items():
        print(f"{name}: ok ({len(job.tasks)} tasks, job id {job.job_id})")
    return 0


def runner(settings, job, stop_event=None) -> Runner:
    """A runner with the configured parallelism and webhooks."""
    store = RunStore(settings.lakehouse_dir)
    return Runner(job, store, max_parallel=settings.max_parallel_tasks, webhooks=settings.webhooks, stop_event=stop_event)


def run(args, settings, jobs) -> int:
    """Run a job, print its summary, exit 0 only on SUCCESS."""
    if args.job not in jobs:
        raise KeyError(f"no job {args.job!r}; defined: {', '.join(jobs)}")
    params = dict(p.split("=", 1) for p in args.param)
    result = runner(settings, jobs[args.job]).run(params)
    print(render_run(result))
    return 0 if result["state"].get("result_state") == "SUCCESS" else 1


def repair(args, settings, jobs) -> int:
    """Repair a run of a job defined here."""
    run = RunStore(settings.lakehouse_dir).get(args.run_id)
    job = next((j for j in jobs.values() if j.job_id == run["job_id"]), None)
    if job is None:
        raise KeyError(f"run {args.run_id} belongs to job {run['run_name']!r}, which is no longer defined")
    result = runner(settings, job).repair(args.run_id)
    print(render_run(result))
    return 0 if result["state"].get("result_state") == "SUCCESS" else 1


def runs(args, settings, jobs) -> int:
    """runs list | runs get <id>."""
    store = RunStore(settings.lakehouse_dir)
    if args.runs_command == "get":
        print(json.dumps(store.get(args.run_id), indent=2))
        return 0
    job_id = jobs[args.job].job_id if args.job else None
    print(f"{'run id':>7}  {'job':18} {'trigger':10} {'started (UTC)':20} {'seconds':>8}  state")
    for r in store.list(job_id=job_id, limit=args.limit):
        seconds = (r["end_time"] - r["start_time"]) / 1000 if r["end_time"] else 0
        state = r["state"].get("result_state") or r["state"]["life_cycle_state"]
        print(f"{r['run_id']:>7}  {r['run_name']:18} {r['trigger']:10} {_utc(r['start_time']):20} {seconds:>8.1f}  {state}")
    return 0


def schedule(args, settings, jobs) -> int:
    """Serve schedules until SIGTERM/SIGINT."""
    from jobs.workflow.scheduler import Scheduler

    store = RunStore(settings.lakehouse_dir)
    scheduler = Scheduler(jobs, lambda name, stop: runner(settings, jobs[name], stop), f"{store.root}/scheduler_state.json")
    signal.signal(signal.SIGTERM, scheduler.stop)
    signal.signal(signal.SIGINT, scheduler.stop)
    scheduler.serve()
    return 0


def deploy(args, settings, jobs) -> int:
    """Print what would be uploaded and sent (dry run: no client, no credentials), or deploy it."""
    from jobs.workflow import deploy as deployment

    plan = deployment.uploads(jobs, args.workspace_root, args.wheel_root)
    absent = deployment.missing(plan)
    if args.dry_run:
        if absent:
            deployment.log.warning("not built yet: a deploy would stop", extra={"fields": {"missing": absent, "fix": "make wheel"}})
        jobs_sent = {name: deployment.workspace_settings(job, args.workspace_root, args.wheel_root) for name, job in jobs.items()}
        print(json.dumps({"uploads": plan, "jobs": jobs_sent}, indent=2))
        return 0
    if absent:
        print(f"error: not found: {', '.join(absent)} (run make wheel first)", file=sys.stderr)
        return 2
    from databricks.sdk import WorkspaceClient

    try:
        client = WorkspaceClient()  # DATABRICKS_HOST with a token, OIDC, azure-cli or a ~/.databrickscfg profile
    except ValueError as error:  # the SDK's "cannot configure default credentials", which names what to set
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(deployment.deploy(client, jobs, args.workspace_root, args.wheel_root)))
    return 0


def render_run(run: dict) -> str:
    """The end-of-run summary: one line per task, then the run's result."""
    lines = [f"run {run['run_id']} of {run['run_name']}: {run['state'].get('result_state')}  {run['state'].get('state_message', '')}"]
    for t in run["tasks"]:
        seconds = sum(a["seconds"] for a in t["attempts"])
        result = t["state"].get("result_state", t["state"]["life_cycle_state"])
        lines.append(f"  {t['task_key']:22} {result:18} attempts {len(t['attempts'])}  {seconds:7.1f}s  {t.get('error', '')[:160]}")
        if t.get("error"):
            lines.append(f"  {'':22} log: {t['log_path']}")
    return "\n".join(lines)


def _utc(ms: int) -> str:
    """Epoch milliseconds as a UTC timestamp."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000))


COMMANDS = {"validate": validate, "run": run, "runs": runs, "repair": repair, "schedule": schedule, "deploy": deploy}
