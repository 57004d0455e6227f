"""Job definitions: Jobs API 2.1 JSON files, checked against databricks-sdk's types and our own rules."""

import functools
import json
import os
import re
import tomllib
import zlib
from dataclasses import dataclass

from databricks.sdk.service.jobs import JobSettings, RunIf

from medialake.settings import SETTINGS, SettingError

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_IF = tuple(r.value for r in RunIf)
DYNAMIC_REFERENCE = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
KNOWN_REFERENCES = ("job.id", "job.name", "job.run_id", "job.trigger.type", "job.start_time.iso_datetime", "task.name", "task.run_id")


class DefinitionError(ValueError):
    """A job definition that is not valid: names the file, the field path and the problem."""


@dataclass(frozen=True)
class Job:
    """A loaded, validated job definition."""

    name: str
    path: str
    settings: dict

    @property
    def job_id(self) -> int:
        """A stable numeric id (Databricks gives one on create; locally derived from the name)."""
        return zlib.crc32(self.name.encode()) % 1_000_000_000

    @property
    def tasks(self) -> dict[str, dict]:
        """Tasks by task_key."""
        return {t["task_key"]: t for t in self.settings["tasks"]}


def jobs_dir(settings) -> str:
    """The folder of job definitions, relative paths taken from the project root."""
    return os.path.join(PROJECT_ROOT, settings.jobs_dir) if not os.path.isabs(settings.jobs_dir) else settings.jobs_dir


def load_all(folder: str, source_root: str = PROJECT_ROOT) -> dict[str, Job]:
    """Every *.json definition in a folder, validated, by file stem."""
    names = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".json"))
    return {name: load_job(os.path.join(folder, f"{name}.json"), source_root) for name in names}


def load_job(path: str, source_root: str = PROJECT_ROOT) -> Job:
    """Read and validate one definition; DefinitionError on the first problem."""
    try:
        with open(path) as handle:
            settings = json.load(handle)
    except json.JSONDecodeError as error:
        raise DefinitionError(f"{path}: not valid JSON: {error}") from None
    problems = validate(settings, source_root)
    if problems:
        raise DefinitionError(f"{path}: " + "; ".join(problems))
    return Job(os.path.splitext(os.path.basename(path))[0], path, settings)


def validate(settings: dict, source_root: str = PROJECT_ROOT) -> list[str]:
    """All problems found, each as '<field path>: <problem>'."""
    if not isinstance(settings, dict):
        return ["<root>: a job definition is a JSON object"]
    problems = sdk_round_trip_losses(settings) + type_problems(settings)
    if not settings.get("name"):
        problems.append("name: required")
    if not settings.get("tasks"):
        return problems + ["tasks: at least one task is required"]
    problems += task_problems(settings["tasks"], source_root) + cluster_problems(settings)
    return problems + schedule_problems(settings.get("schedule"))


def sdk_round_trip_losses(settings: dict) -> list[str]:
    """Fields that databricks-sdk's JobSettings does not carry through from_dict/as_dict: unknown fields or invalid values."""
    kept = JobSettings.from_dict(settings).as_dict()
    problem = "unknown field or invalid value for Jobs API 2.1 (lost in the JobSettings round-trip)"
    return [f"{path}: {problem}" for path in _lost(settings, kept, "")]


def _lost(given, kept, path: str) -> list[str]:
    """Paths in `given` whose value is not in `kept`."""
    if isinstance(given, dict) and isinstance(kept, dict):
        return [p for key, value in given.items() for p in _lost(value, kept.get(key, _MISSING), f"{path}.{key}" if path else key)]
    if isinstance(given, list) and isinstance(kept, list) and len(given) == len(kept):
        return [p for i, (g, k) in enumerate(zip(given, kept, strict=True)) for p in _lost(g, k, f"{path}[{i}]")]
    return [] if given == kept or (kept is _MISSING and given in ([], {}, None)) else [path]


_MISSING = object()


JOB_INTEGERS = ("max_concurrent_runs", "timeout_seconds")
TASK_INTEGERS = ("max_retries", "min_retry_interval_millis", "timeout_seconds")


def type_problems(settings: dict) -> list[str]:
    """Numbers and booleans the SDK's from_dict does not check."""
    fields = [(name, settings.get(name, 0)) for name in JOB_INTEGERS]
    for i, task in enumerate(settings.get("tasks") or []):
        fields += [(f"tasks[{i}].{name}", task.get(name, 0)) for name in TASK_INTEGERS]
        if not isinstance(task.get("retry_on_timeout", False), bool):
            fields.append((f"tasks[{i}].retry_on_timeout", "not a boolean"))
    return [
        f"{path}: {value!r} is not {'true or false' if 'retry' in path else 'an integer'}" for path, value in fields if not _integer(value)
    ]


def cluster_problems(settings: dict) -> list[str]:
    """Task cluster keys that name a job cluster; cluster sizes, medialake settings and libraries that can be used."""
    clusters = {c.get("job_cluster_key"): c.get("new_cluster") or {} for c in settings.get("job_clusters") or []}
    problems = []
    for i, cluster in enumerate(clusters.values()):
        where = f"job_clusters[{i}].new_cluster"
        if not _integer(cluster.get("num_workers", 0)):
            problems.append(f"{where}.num_workers: {cluster['num_workers']!r} is not an integer")
        problems += env_problems(cluster.get("spark_env_vars") or {}, f"{where}.spark_env_vars")
    for i, task in enumerate(settings.get("tasks") or []):
        if "job_cluster_key" in task and task["job_cluster_key"] not in clusters:
            problems.append(f"tasks[{i}].job_cluster_key: no job cluster {task['job_cluster_key']!r} in job_clusters")
        problems += library_problems(task.get("libraries") or [], f"tasks[{i}].libraries")
    return problems


SETTINGS_BY_ENV = {s.env: s for s in SETTINGS.values()}


def env_problems(env: dict, where: str) -> list[str]:
    """A cluster's environment: strings only; a MEDIALAKE_ variable must be a declared setting with a value it accepts."""
    problems = []
    for name, value in env.items():
        if not isinstance(value, str):
            problems.append(f"{where}.{name}: {value!r} is not a string")
        elif name in SETTINGS_BY_ENV:
            try:
                SETTINGS_BY_ENV[name].convert(value)
            except SettingError as error:
                problems.append(f"{where}.{name}: {error}")
        elif name.startswith("MEDIALAKE_"):
            problems.append(f"{where}.{name}: not a medialake setting (medialake/settings.py)")
    return problems


def library_problems(libraries: list[dict], where: str) -> list[str]:
    """A local wheel must be the one `make wheel` builds; a PyPI package must be pinned (name==version)."""
    problems = []
    for j, library in enumerate(libraries):
        wheel = library.get("whl")
        if wheel and not os.path.isabs(wheel) and "://" not in wheel and wheel != project_wheel():
            problems.append(f"{where}[{j}].whl: {wheel!r} is not the wheel make wheel builds ({project_wheel()!r})")
        package = (library.get("pypi") or {}).get("package")
        if package is not None and not re.fullmatch(r"[A-Za-z0-9._\[\],-]+==[A-Za-z0-9.+!-]+", package):
            problems.append(f"{where}[{j}].pypi.package: {package!r} is not pinned as name==version")
    return problems


@functools.cache
def project_wheel() -> str:
    """The wheel `make wheel` builds, relative to the project root: dist/<name>-<version>-py3-none-any.whl."""
    with open(os.path.join(PROJECT_ROOT, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    return f"dist/{re.sub(r'[-_.]+', '_', project['name'])}-{project['version']}-py3-none-any.whl"


def _integer(value) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def task_problems(tasks: list[dict], source_root: str) -> list[str]:
    """Unique keys, known dependencies, valid run_if, one task type whose file exists, no cycle."""
    problems, keys = [], [t.get("task_key") for t in tasks]
    for i, task in enumerate(tasks):
        where = f"tasks[{i}]"
        if not task.get("task_key"):
            problems.append(f"{where}.task_key: required")
        elif keys.count(task["task_key"]) > 1:
            problems.append(f"{where}.task_key: duplicate {task['task_key']!r}")
        for j, dep in enumerate(task.get("depends_on", [])):
            if dep.get("task_key") not in keys:
                problems.append(f"{where}.depends_on[{j}].task_key: no task {dep.get('task_key')!r} in this job")
        if task.get("run_if", "ALL_SUCCESS") not in RUN_IF:
            problems.append(f"{where}.run_if: {task['run_if']!r} is not one of {', '.join(RUN_IF)}")
        problems += task_type_problems(task, where, source_root)
    return problems + cycle_problems(tasks)


def task_type_problems(task: dict, where: str, source_root: str) -> list[str]:
    """Exactly one of spark_python_task / notebook_task, pointing at a file that exists; known {{references}}."""
    kinds = [k for k in ("spark_python_task", "notebook_task") if k in task]
    if len(kinds) != 1:
        return [f"{where}: exactly one of spark_python_task or notebook_task is required locally (found {kinds or 'none'})"]
    kind = kinds[0]
    field = "python_file" if kind == "spark_python_task" else "notebook_path"
    target = task[kind].get(field, "")
    problems = [] if os.path.isfile(task_file(target, kind, source_root)) else [f"{where}.{kind}.{field}: file {target!r} not found"]
    for ref in DYNAMIC_REFERENCE.findall(json.dumps(task[kind])):
        if ref not in KNOWN_REFERENCES and not ref.startswith("job.parameters."):
            problems.append(f"{where}.{kind}: unknown dynamic value reference {{{{{ref}}}}}")
    return problems


def task_file(target: str, kind: str, source_root: str) -> str:
    """The local file of a task: paths are relative to the source root; notebooks may omit .ipynb, as in a workspace."""
    path = os.path.join(source_root, target.removeprefix("./"))
    return path + ".ipynb" if kind == "notebook_task" and not path.endswith(".ipynb") else path


def cycle_problems(tasks: list[dict]) -> list[str]:
    """A cycle in depends_on, named by its task keys."""
    graph = {t.get("task_key"): [d.get("task_key") for d in t.get("depends_on", [])] for t in tasks}
    state: dict[str, str] = {}

    def visit(key, trail):
        if state.get(key) == "done" or key not in graph:
            return None
        if state.get(key) == "open":
            return trail[trail.index(key) :] + [key]
        state[key] = "open"
        for dep in graph[key]:
            if cycle := visit(dep, trail + [key]):
                return cycle
        state[key] = "done"
        return None

    for key in graph:
        if cycle := visit(key, []):
            return [f"tasks.depends_on: cycle {' -> '.join(cycle)}"]
    return []


def schedule_problems(schedule: dict | None) -> list[str]:
    """A schedule's cron expression and time zone must be valid."""
    if not schedule:
        return []
    from jobs.workflow.quartz import QuartzError, parse_schedule

    try:
        parse_schedule(schedule)
    except QuartzError as error:
        return [str(error)]
    return []
