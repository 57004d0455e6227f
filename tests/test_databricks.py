"""Databricks as deployed: the wheel, what `jobs deploy --dry-run` would send, and the cluster's own SparkSession."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from databricks.sdk.service.jobs import JobSettings

from jobs.workflow.definitions import PROJECT_ROOT, load_all, project_wheel
from medialake.settings import load_settings

DEFINITIONS = os.path.join(PROJECT_ROOT, "jobs", "definitions")
CLUSTER_ENV = {
    "MEDIALAKE_RAW_DIR": "/Volumes/main/medialake/raw",
    "MEDIALAKE_LAKEHOUSE_DIR": "/Volumes/main/medialake/lakehouse",
    "MEDIALAKE_TABLE_NAMES": "catalog",
    "MEDIALAKE_CATALOG": "main",
}


def requirement_pins() -> set[str]:
    """name==version lines of requirements.txt, extras dropped."""
    with open(os.path.join(PROJECT_ROOT, "requirements.txt")) as handle:
        lines = [line.split("#")[0].strip() for line in handle]
    return {line.split("==")[0].split("[")[0] + "==" + line.split("==")[1] for line in lines if "==" in line}


def test_every_task_installs_the_wheel_and_the_pinned_packages_the_runtime_lacks():
    pins = requirement_pins()
    for name, job in load_all(DEFINITIONS).items():
        cluster = {c["job_cluster_key"]: c["new_cluster"] for c in job.settings["job_clusters"]}
        for key, task in job.tasks.items():
            wheels = [lib["whl"] for lib in task["libraries"] if "whl" in lib]
            packages = {lib["pypi"]["package"] for lib in task["libraries"] if "pypi" in lib}
            assert wheels == [project_wheel()], (name, key)
            assert packages == {"deltalake==1.6.6"} and packages <= pins, (name, key, packages)  # delta_ops imports it at load
            spec = cluster[task["job_cluster_key"]]
            assert spec["spark_env_vars"] == CLUSTER_ENV and "MEDIALAKE_ENGINE" not in spec["spark_env_vars"]
            assert spec["spark_version"].startswith(("16.", "17.")) and spec["spark_version"].endswith("scala2.13")


def dry_run(tmp_path, *args) -> dict:
    """`python -m jobs deploy --dry-run` in a process with no credentials and no config file; its stdout parsed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "ARM_", "AZURE_"))}
    # A workspace on a closed loopback port: any request the dry run made would fail the command.
    env.update(HOME=str(tmp_path), DATABRICKS_HOST="http://127.0.0.1:9", DATABRICKS_TOKEN="not-a-token")
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "deploy", "--dry-run", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_dry_run_prints_the_uploads_and_each_job_as_sent(tmp_path):
    out = dry_run(tmp_path, "--workspace-root", "/Workspace/Users/ci@medialake.example/ml", "--wheel-root", "/Volumes/main/ops/wheels")
    wheel = os.path.basename(project_wheel())
    uploads = {u["source"]: u["target"] for u in out["uploads"]}
    assert uploads.pop(project_wheel()) == f"/Volumes/main/ops/wheels/{wheel}"
    # Only the task entry files: the code they import comes from the wheel.
    assert sorted(uploads) == [f"jobs/tasks/{step}.py" for step in ("bronze", "gold", "quality_gate", "silver")]
    assert all(target == f"/Workspace/Users/ci@medialake.example/ml/{source}" for source, target in uploads.items())
    assert set(out["jobs"]) == set(load_all(DEFINITIONS))
    for name, sent in out["jobs"].items():
        assert JobSettings.from_dict(sent).as_dict() == sent, name  # printed exactly as the SDK sends it
        assert sent["job_clusters"][0]["new_cluster"]["spark_env_vars"] == CLUSTER_ENV
        for task in sent["tasks"]:
            assert task["spark_python_task"]["python_file"] in uploads.values()
            assert task["libraries"] == [{"whl": f"/Volumes/main/ops/wheels/{wheel}"}, {"pypi": {"package": "deltalake==1.6.6"}}]


def test_dry_run_defaults_to_the_shared_workspace_and_the_medialake_volume(tmp_path):
    out = dry_run(tmp_path)
    task = out["jobs"]["etl"]["tasks"][0]
    assert task["spark_python_task"]["python_file"] == "/Workspace/Shared/medialake/jobs/tasks/bronze.py"
    assert task["libraries"][0]["whl"] == f"/Volumes/main/medialake/artifacts/{os.path.basename(project_wheel())}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> str:
    """The wheel built as `make wheel` builds it, from a copy of the sources (the work tree gets no build/ folder)."""
    source = tmp_path_factory.mktemp("source")
    for package in ("jobs", "medialake"):
        shutil.copytree(os.path.join(PROJECT_ROOT, package), source / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(PROJECT_ROOT, "pyproject.toml"), source)
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return str(dist / os.path.basename(project_wheel()))


def test_the_wheel_holds_the_jobs_and_the_core_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"jobs", "medialake", os.path.basename(wheel).split("-py3")[0] + ".dist-info"}
    assert {"jobs/tasks/step.py", "jobs/pipeline.py", "medialake/settings.py", "medialake/gold/__init__.py"} <= set(names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Dist" not in metadata  # nothing for pip to replace in the runtime (pyspark, pyarrow, pandas)


def test_the_wheel_and_the_uploaded_task_files_alone_run_every_task(wheel, tmp_path):
    """As on a job cluster: the wheel installed as a library, the task files copied to the workspace folder, no checkout."""
    site, workspace = tmp_path / "site", tmp_path / "workspace"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site), wheel]
    subprocess.run(install, check=True, capture_output=True, timeout=120)
    out = dry_run(tmp_path)
    for item in out["uploads"]:
        if item["source"].endswith(".py"):
            os.makedirs(workspace / os.path.dirname(item["source"]), exist_ok=True)
            shutil.copy(os.path.join(PROJECT_ROOT, item["source"]), workspace / item["source"])
    env = dict({k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, PYTHONPATH=str(site))
    for task in sorted(out["jobs"]["etl"]["tasks"], key=lambda t: t["task_key"]):
        path = str(workspace / task["spark_python_task"]["python_file"].removeprefix("/Workspace/Shared/medialake/"))
        done = subprocess.run([sys.executable, path, "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "--domain" in done.stdout, f"{path}: {done.stderr[-800:]}"
    check = "import jobs, jobs.pipeline, jobs.quality_gate, medialake.gold; print(jobs.__file__)"
    done = subprocess.run([sys.executable, "-c", check], cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().startswith(str(site)), done.stderr[-800:]


class _Recorder:
    """A fake SDK service: every call kept as (method, first argument, keyword arguments)."""

    def __init__(self, calls, name):
        self.calls, self.name = calls, name

    def __getattr__(self, method):
        def call(target, content=None, **options):
            data = content.read() if hasattr(content, "read") else content
            self.calls.append((f"{self.name}.{method}", target, data, options))
            return type("Created", (), {"job_id": 7})()

        return call


class _Jobs(_Recorder):
    """The jobs service of a workspace that already has medialake-movies as job 41."""

    def list(self):
        return [type("Job", (), {"job_id": 41, "settings": JobSettings(name="medialake-movies")})()]

    def create(self, **settings):
        self.calls.append(("jobs.create", settings["name"], JobSettings(**settings).as_dict(), {}))
        return type("Created", (), {"job_id": 7})()


def test_deploy_uploads_the_wheel_to_the_volume_then_creates_or_resets_each_job(wheel, tmp_path, monkeypatch):
    from jobs.workflow import deploy

    root = tmp_path / "checkout"  # the project as deploy reads it, with the wheel built
    shutil.copytree(os.path.join(PROJECT_ROOT, "jobs", "tasks"), root / "jobs" / "tasks")
    os.makedirs(root / "dist")
    shutil.copy(wheel, root / project_wheel())
    monkeypatch.setattr(deploy, "PROJECT_ROOT", str(root))
    calls = []
    client = type(
        "Client", (), {"files": _Recorder(calls, "files"), "workspace": _Recorder(calls, "workspace"), "jobs": _Jobs(calls, "jobs")}
    )
    jobs = load_all(DEFINITIONS)
    assert deploy.deploy(client, jobs, "/Workspace/Shared/ml", "/Volumes/main/ops/wheels") == {"etl": 7, "movies": 41, "songs": 7}
    target = f"/Volumes/main/ops/wheels/{os.path.basename(project_wheel())}"
    assert ("files.create_directory", "/Volumes/main/ops/wheels", None, {}) in calls
    assert ("files.upload", target, open(wheel, "rb").read(), {"overwrite": True}) in calls
    uploaded = {c[1] for c in calls if c[0] == "workspace.upload"}
    assert uploaded == {f"/Workspace/Shared/ml/jobs/tasks/{step}.py" for step in ("bronze", "gold", "quality_gate", "silver")}
    sent = {c[1]: c[2] for c in calls if c[0] == "jobs.create"}
    assert sent == {
        jobs[n].settings["name"]: deploy.workspace_settings(jobs[n], "/Workspace/Shared/ml", "/Volumes/main/ops/wheels")
        for n in ("etl", "songs")
    }
    reset = [c for c in calls if c[0] == "jobs.reset"]
    assert len(reset) == 1 and reset[0][1] == 41
    assert reset[0][2].as_dict() == deploy.workspace_settings(jobs["movies"], "/Workspace/Shared/ml", "/Volumes/main/ops/wheels")


class _Builder:
    """Stands in for SparkSession.builder: records which way the session was asked for."""

    def __init__(self, calls):
        self.calls = calls

    def remote(self, url):
        self.calls.append(("remote", url))
        return self

    def getOrCreate(self):
        self.calls.append(("getOrCreate",))
        return "the cluster's session"


def test_on_databricks_get_spark_returns_the_runtime_session_and_starts_no_engine(monkeypatch):
    import jobs.spark

    calls = []
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "17.3")
    monkeypatch.setattr(jobs.spark, "SparkSession", type("FakeSession", (), {"builder": _Builder(calls)}))
    monkeypatch.setattr(jobs.spark, "_start_sail", lambda: pytest.fail("Sail started on Databricks"))
    monkeypatch.setattr(jobs.spark, "_start_jvm_spark", lambda lakehouse: pytest.fail("JVM Spark started on Databricks"))
    for engine in ("sail", "spark"):
        assert jobs.spark.get_spark(load_settings({"engine": engine, "spark_remote": ""})) == "the cluster's session"
    assert calls == [("getOrCreate",), ("getOrCreate",)]  # never .remote(...): the runtime's classic session


def test_on_databricks_stop_spark_leaves_the_cluster_session_running(monkeypatch):
    import jobs.spark

    session = type("Session", (), {"stop": lambda self: pytest.fail("stopped the cluster's session")})()
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "17.3")
    monkeypatch.setattr(jobs.spark, "_servers", [])  # the test session's own Sail server is not this test's to stop
    monkeypatch.setattr(jobs.spark, "SparkSession", type("FakeSession", (), {"getActiveSession": staticmethod(lambda: session)}))
    jobs.spark.stop_spark()


def test_off_databricks_get_spark_does_not_take_the_runtime_branch(monkeypatch):
    import jobs.spark

    calls = []
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    monkeypatch.setattr(jobs.spark, "SparkSession", type("FakeSession", (), {"builder": _Builder(calls)}))
    monkeypatch.setattr(jobs.spark, "_start_sail", lambda: "sc://127.0.0.1:1")
    assert jobs.spark.get_spark(load_settings({"engine": "sail", "spark_remote": ""})) == "the cluster's session"
    assert calls == [("remote", "sc://127.0.0.1:1"), ("getOrCreate",)]
