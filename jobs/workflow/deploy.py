"""Deploy the job definitions to a Databricks workspace with databricks-sdk: upload the wheel and task files, create or reset each job."""

import copy
import os

from databricks.sdk.service.jobs import JobSettings
from databricks.sdk.service.workspace import ImportFormat

from jobs.workflow.definitions import PROJECT_ROOT, Job
from medialake.log import get_logger, log_event

log = get_logger("medialake.deploy")


def workspace_settings(job: Job, workspace_root: str, wheel_root: str) -> dict:
    """The job's JobSettings exactly as sent: task files under workspace_root, the project's wheel under wheel_root."""
    settings = copy.deepcopy(job.settings)
    for task in settings["tasks"]:
        if "spark_python_task" in task:
            task["spark_python_task"]["python_file"] = f"{workspace_root}/{task['spark_python_task']['python_file']}"
        if "notebook_task" in task:
            task["notebook_task"]["notebook_path"] = f"{workspace_root}/{task['notebook_task']['notebook_path'].removesuffix('.ipynb')}"
        for library in task.get("libraries", []):
            if _local(library.get("whl")):
                library["whl"] = f"{wheel_root}/{os.path.basename(library['whl'])}"
    return JobSettings.from_dict(settings).as_dict()


def uploads(jobs: dict[str, Job], workspace_root: str, wheel_root: str) -> list[dict]:
    """Every local file the jobs name (task files, the wheel) with where it goes, each once."""
    plan = {}
    for job in jobs.values():
        for task in job.settings["tasks"]:
            if "spark_python_task" in task:
                source = task["spark_python_task"]["python_file"].removeprefix("./")
                plan[source] = f"{workspace_root}/{source}"
            if "notebook_task" in task:
                path = task["notebook_task"]["notebook_path"].removeprefix("./").removesuffix(".ipynb")
                plan[f"{path}.ipynb"] = f"{workspace_root}/{path}"
            for library in task.get("libraries", []):
                if _local(library.get("whl")):
                    plan[library["whl"]] = f"{wheel_root}/{os.path.basename(library['whl'])}"
    return [{"source": source, "target": target} for source, target in sorted(plan.items())]


def _local(wheel: str | None) -> bool:
    """A wheel named by its path in this project (dist/...), not one already in a workspace, Volume or bucket."""
    return bool(wheel) and not os.path.isabs(wheel) and "://" not in wheel


def missing(plan: list[dict]) -> list[str]:
    """Sources of the plan that are not on disk (the wheel before `make wheel`)."""
    return [item["source"] for item in plan if not os.path.isfile(os.path.join(PROJECT_ROOT, item["source"]))]


def upload(client, plan: list[dict]) -> None:
    """Copy each file to its target, overwriting: Volumes through the Files API, the rest through the Workspace API."""
    for item in plan:
        target = item["target"]
        with open(os.path.join(PROJECT_ROOT, item["source"]), "rb") as handle:
            if target.startswith("/Volumes/"):
                client.files.create_directory(os.path.dirname(target))
                client.files.upload(target, handle, overwrite=True)
            else:
                client.workspace.mkdirs(os.path.dirname(target))
                kind = ImportFormat.JUPYTER if item["source"].endswith(".ipynb") else ImportFormat.AUTO
                client.workspace.upload(target, handle, format=kind, overwrite=True)
        log_event(log, "uploaded", source=item["source"], target=target)


def deploy(client, jobs: dict[str, Job], workspace_root: str, wheel_root: str) -> dict[str, int]:
    """Upload, then create each job or reset the job of that name; returns job ids by name."""
    plan = uploads(jobs, workspace_root, wheel_root)
    if absent := missing(plan):
        raise FileNotFoundError(f"not found: {', '.join(absent)} (run make wheel first)")
    upload(client, plan)
    existing = {j.settings.name: j.job_id for j in client.jobs.list() if j.settings}
    deployed = {}
    for job in jobs.values():
        settings = JobSettings.from_dict(workspace_settings(job, workspace_root, wheel_root))
        if job.settings["name"] in existing:
            client.jobs.reset(existing[job.settings["name"]], settings)
            deployed[job.name] = existing[job.settings["name"]]
        else:
            deployed[job.name] = client.jobs.create(**settings.__dict__).job_id
        log_event(log, "job deployed", job=job.settings["name"], job_id=deployed[job.name])
    return deployed
