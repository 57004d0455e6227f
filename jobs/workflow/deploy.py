"""Deploy the same job definitions to a Databricks workspace with databricks-sdk: upload the code, create or reset each job."""

import copy
import os

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import JobSettings
from databricks.sdk.service.workspace import ImportFormat

from jobs.workflow.definitions import PROJECT_ROOT, Job
from medialake.log import get_logger, log_event

log = get_logger("medialake.deploy")


def workspace_settings(job: Job, workspace_root: str) -> dict:
    """The definition with task files pointed at the uploaded copy in the workspace."""
    settings = copy.deepcopy(job.settings)
    for task in settings["tasks"]:
        if "spark_python_task" in task:
            task["spark_python_task"]["python_file"] = f"{workspace_root}/{task['spark_python_task']['python_file']}"
        if "notebook_task" in task:
            task["notebook_task"]["notebook_path"] = f"{workspace_root}/{task['notebook_task']['notebook_path'].removesuffix('.ipynb')}"
    return settings


CODE_PACKAGES = ("jobs", "medialake")  # the jobs and the shared core they import


def code_files() -> list[str]:
    """The project files a job needs on the workspace: the jobs package and the shared core."""
    found = []
    for package in CODE_PACKAGES:
        for folder, _, names in os.walk(os.path.join(PROJECT_ROOT, package)):
            found += [os.path.relpath(os.path.join(folder, n), PROJECT_ROOT) for n in names if n.endswith(".py")]
    return sorted(found)


def upload(client: WorkspaceClient, workspace_root: str) -> int:
    """Copy the jobs package into the workspace, overwriting."""
    for relative in code_files():
        target = f"{workspace_root}/{relative}"
        client.workspace.mkdirs(os.path.dirname(target))
        with open(os.path.join(PROJECT_ROOT, relative), "rb") as handle:
            client.workspace.upload(target, handle, format=ImportFormat.AUTO, overwrite=True)
    return len(code_files())


def deploy(client: WorkspaceClient, jobs: dict[str, Job], workspace_root: str) -> dict[str, int]:
    """Create each job, or reset it when a job of that name exists; returns job ids by name."""
    upload(client, workspace_root)
    existing = {j.settings.name: j.job_id for j in client.jobs.list() if j.settings}
    deployed = {}
    for job in jobs.values():
        settings = JobSettings.from_dict(workspace_settings(job, workspace_root))
        if job.settings["name"] in existing:
            client.jobs.reset(existing[job.settings["name"]], settings)
            deployed[job.name] = existing[job.settings["name"]]
        else:
            deployed[job.name] = client.jobs.create(**settings.__dict__).job_id
        log_event(log, "job deployed", job=job.settings["name"], job_id=deployed[job.name])
    return deployed
