"""The delivery files are real and checked: Dockerfile (hadolint, and the image's file list runs), devcontainer,
GitHub workflows (actionlint), the ARM template and its parameters, and the Makefile's entry points."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from importlib import metadata

import pytest

from medialake.settings import SETTINGS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def read(path: str) -> str:
    """A repository file's text."""
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


@pytest.mark.parametrize("dockerfile", ["Dockerfile", ".devcontainer/Dockerfile"])
def test_hadolint_passes(dockerfile):
    result = subprocess.run([os.path.join(BIN, "hadolint"), dockerfile], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [(line.split()[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_is_multi_stage_distroless_non_root_with_port_entrypoint_and_probe():
    steps = instructions(read("Dockerfile"))
    froms = [args for key, args in steps if key == "FROM"]
    assert len(froms) == 2 and froms[0].startswith("debian:12") and froms[1].startswith("gcr.io/distroless/python3-debian12")
    final = steps[[i for i, (key, _) in enumerate(steps) if key == "FROM"][1] :]
    keys = dict(final)
    assert re.fullmatch(r"\d+:\d+", keys["USER"]) and not keys["USER"].startswith("0")
    assert keys["EXPOSE"] == SETTINGS["port"].default
    assert json.loads(keys["ENTRYPOINT"]) == ["/venv/bin/python", "-m", "service.serve"]
    assert "/health" in keys["HEALTHCHECK"] and "CMD [" in keys["HEALTHCHECK"], "exec-form probe: there is no shell"
    assert "RUN" not in keys, "the distroless stage has no shell to RUN with"


def image_files() -> list[str]:
    """The project files the Dockerfile copies into the image."""
    copies = [args.split() for key, args in instructions(read("Dockerfile")) if key == "COPY" and "--from" not in args]
    return [src for args in copies for src in args[:-1] if not src.startswith("requirements")]


def test_the_image_file_list_runs_the_service(gold_lakehouse, tmp_path):
    for source in image_files():
        target = tmp_path / source
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if os.path.isdir(os.path.join(ROOT, source)) else shutil.copy
        copy(os.path.join(ROOT, source), target)
    port = 18000 + os.getpid() % 1000
    env = {"PATH": os.environ["PATH"], "MEDIALAKE_LAKEHOUSE_DIR": gold_lakehouse, "MEDIALAKE_PORT": str(port), "MEDIALAKE_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "service.serve"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        body = None
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/chat", data=b'{"message": "calm"}', headers={"Content-Type": "application/json"}
                )
                body = json.load(urllib.request.urlopen(request, timeout=10))
                break
            except OSError:
                time.sleep(0.2)
        assert body and len(body["data"]["picks"]) == 3, server.stderr.read1().decode() if body is None else body
        assert json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/songs/genres"))["data"]
    finally:
        server.terminate()
        server.wait(10)


def requirement_names(path: str) -> list[str]:
    """Distribution names in a requirements file."""
    lines = [line.split("#")[0].strip() for line in read(path).splitlines()]
    return [re.split(r"[=<>\[ ]", line)[0] for line in lines if line]


def canonical(name: str) -> str:
    """A distribution name as pip compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_image_requirements_are_pinned_and_cover_every_import():
    pinned = {canonical(n) for n in requirement_names("requirements.txt")}
    serve = {canonical(n) for n in requirement_names("requirements-serve.txt")}
    assert serve <= pinned, f"not pinned in requirements.txt: {serve - pinned}"
    # benchmarks and load tests live in tools/, which the image does not copy (.dockerignore leaves it out)
    sources = [
        os.path.join(d, f) for src in image_files() for d, _, fs in os.walk(os.path.join(ROOT, src)) for f in fs if f.endswith(".py")
    ]
    sources += [os.path.join(ROOT, src) for src in image_files() if src.endswith(".py")]
    imported = {m for path in sources for m in re.findall(r"^\s*(?:from|import) ([a-zA-Z_]\w*)", open(path).read(), flags=re.M)}
    distributions = metadata.packages_distributions()
    installed = serve | {canonical(n) for n in requirement_names("requirements-nodeps.txt")}
    # a namespace package (databricks) maps to several distributions: one of them must be installed
    missing = {m for m in imported if m in distributions and not {canonical(d) for d in distributions[m]} & installed}
    assert not missing - set(sys.stdlib_module_names), f"imported by the image but not installed in it: {missing}"


def test_devcontainer_has_python_java_chromium_install_and_port():
    config = json.loads(read(".devcontainer/devcontainer.json"))
    dockerfile = read(".devcontainer/Dockerfile")
    assert "python:1-3.11" in dockerfile and "openjdk-17" in dockerfile and "chromium" in dockerfile
    assert "make install" in config["postCreateCommand"] and int(SETTINGS["port"].default) in config["forwardPorts"]


def test_actionlint_passes_on_the_workflows():
    workflows = sorted(os.path.join(".github", "workflows", f) for f in os.listdir(os.path.join(ROOT, ".github", "workflows")))
    result = subprocess.run([os.path.join(BIN, "actionlint"), *workflows], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_has_install_lint_format_and_the_readme_test_command_with_badges():
    ci = read(".github/workflows/ci.yml")
    jobs = re.findall(r"^  ([a-z-]+):\n    (?:needs|runs-on)", ci, flags=re.M)
    assert jobs == ["install", "lint", "format", "test"]
    assert "ruff check" in ci and "ruff format --check" in ci and "run: make test" in ci and "cache: pip" in ci
    readme = read("README.md")
    for job in jobs:
        assert f"nameFilter={job}" in readme, f"no badge for {job}"


def test_cd_builds_pushes_and_deploys_with_oidc_environments_and_concurrency():
    cd = read(".github/workflows/cd.yml")
    assert "branches: [main]" in cd and "concurrency:" in cd and "environment:" in cd and "id-token: write" in cd
    assert "docker/build-push-action" in cd and "azure/login" in cd and "client-id: ${{ secrets.AZURE_CLIENT_ID }}" in cd
    assert "azure/webapps-deploy" in cd and "make deploy-jobs" in cd and "github-oidc" in cd


@pytest.mark.parametrize("target", ["install", "demo", "etl", "serve", "schedule", "test", "lint", "format", "notebooks", "images",
                                    "bench", "docker-build", "deploy", "loadtest", "report", "help"])  # fmt: skip
def test_the_makefile_has_every_entry_point(target):
    assert re.search(rf"^{target}:.*## ", read("Makefile"), flags=re.M), target
    listed = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    assert re.search(rf"^\s+{target}\s+\S", listed, flags=re.M)


def recipe(rule: str) -> list[str]:
    """The recipe lines of one Makefile rule, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", read("Makefile"))
    return re.search(rf"^{re.escape(rule)}:.*\n((?:\t.*\n)+)", text, flags=re.M).group(1).splitlines()


def prerequisites(target: str) -> list[str]:
    """A make target's prerequisites, in order."""
    return re.search(rf"^{target}:([^#\n]*)", read("Makefile"), flags=re.M).group(1).split()


def test_make_test_checks_java_and_maven_before_it_fetches_the_jars():
    assert prerequisites("test").index("java") < prerequisites("test").index("jars") and "java" in prerequisites("jars")
    dry_run = subprocess.run(["make", "--no-print-directory", "-n", "java"], cwd=ROOT, capture_output=True, text=True)
    assert dry_run.stdout == "tools/java.sh\n", dry_run.stdout + dry_run.stderr
    done = subprocess.run([os.path.join(ROOT, "tools", "java.sh")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr  # make test has Java 17 and Maven by now


def stand_in_tools(tmp_path, java_version: str | None, mvn: bool) -> str:
    """A PATH holding only what tools/java.sh runs, a java printing java_version and an mvn: no apt-get, no sudo."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("bash", "sed", "head", "id"):
        (folder / tool).symlink_to(shutil.which(tool))
    scripts = {
        "java": f"echo 'openjdk version \"{java_version}\" 2024-01-16' >&2" if java_version else None,
        "mvn": "echo Maven" if mvn else None,
    }
    for name, body in scripts.items():
        if body:
            (folder / name).write_text(f"#!/bin/sh\n{body}\n")
            (folder / name).chmod(0o755)
    return str(folder)


@pytest.mark.parametrize(
    "java_version, mvn, found",
    [("17.0.15", True, None), ("21.0.2", True, None), ("11.0.22", True, "java 11, mvn present"),
     ("1.8.0_402", True, "java 1, mvn present"), (None, True, "java none, mvn present"), ("17.0.15", False, "java 17, mvn missing")],
)  # fmt: skip
def test_make_java_accepts_java_17_and_later_with_maven_else_stops_at_once_with_the_command(tmp_path, java_version, mvn, found):
    path = stand_in_tools(tmp_path, java_version, mvn)
    done = subprocess.run(
        [os.path.join(path, "bash"), os.path.join(ROOT, "tools", "java.sh")], env={"PATH": path}, capture_output=True, text=True, timeout=30
    )
    if found is None:
        assert done.returncode == 0 and done.stdout + done.stderr == ""
    else:
        assert done.returncode == 1 and f"(found {found})" in done.stderr, done.stderr
        assert "\n  apt-get update && apt-get install -y openjdk-17-jdk-headless maven\n" in done.stderr


def step(tmp_path, *command: str, heartbeat: str = "30") -> subprocess.CompletedProcess:
    """tools/step.sh running one command as a step of a target named demo, logging under tmp_path/logs."""
    env = {**os.environ, "STEP_LOG_DIR": str(tmp_path / "logs"), "STEP_HEARTBEAT_SECONDS": heartbeat}
    script = os.path.join(ROOT, "tools", "step.sh")
    return subprocess.run([script, "demo", "the label", *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def test_a_step_prints_its_label_and_seconds_and_keeps_the_commands_output_in_its_log(tmp_path):
    done = step(tmp_path, "bash", "-c", "echo pip says a lot; echo a warning >&2")
    assert done.returncode == 0 and done.stderr == ""
    assert re.fullmatch(r"\[demo\] the label \.\.\.\n\[demo\] the label \.\.\. \d+ s\n", done.stdout), done.stdout
    log = (tmp_path / "logs" / "demo.log").read_text()
    assert "pip says a lot" in log and "a warning" in log


def test_a_long_step_prints_a_heartbeat(tmp_path):
    done = step(tmp_path, "sleep", "2.5", heartbeat="1")
    assert done.returncode == 0 and re.search(r"^\[demo\] the label \.\.\. \d+ s, still running$", done.stdout, flags=re.M)


def test_a_failing_step_exits_with_its_status_and_prints_the_tail_of_its_own_output(tmp_path):
    assert step(tmp_path, "echo", "an earlier step").returncode == 0
    done = step(tmp_path, "bash", "-c", "echo 'ERROR: No matching distribution found'; exit 3")
    assert done.returncode == 3 and "[demo] the label ... failed after" in done.stderr
    assert "ERROR: No matching distribution found" in done.stderr and "an earlier step" not in done.stderr


def test_the_install_and_llm_steps_run_through_step_sh_and_the_llama_build_says_how_long():
    pip_lines = [line for rule in ("$(VENV)/.installed", "$(VENV)/.llm-installed") for line in recipe(rule) if "$(PIP)" in line]
    assert len(pip_lines) >= 5 and all("$(STEP)" in line.split("$(PIP)")[0] for line in pip_lines), pip_lines
    assert not [line for line in pip_lines if "--quiet" in line], "a quiet step's output belongs in its log"
    assert [line for line in pip_lines if "llama-cpp-python" in line and "about 10 min" in line]


def test_make_datagen_generates_the_settings_scale_demo_unless_scale_is_given():
    env = {k: v for k, v in os.environ.items() if k not in ("SCALE", "MEDIALAKE_DATAGEN_SCALE", "MAKEFLAGS", "MFLAGS")}

    def dry_run(*args):
        done = subprocess.run(["make", "--no-print-directory", "-n", "datagen", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        return [line for line in done.stdout.splitlines() if "tools.datagen" in line][0]

    assert "--scale" not in dry_run() and "--scale tiny" in dry_run("SCALE=tiny")
    assert SETTINGS["datagen_scale"].default == "demo"


# --- ARM template ---------------------------------------------------------------------------------------------

TEMPLATE, PARAMETERS = json.loads(read("template.json")), json.loads(read("parameters.json"))


def strings(node):
    """Every string in a JSON document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def top_level_args(text: str) -> list[str]:
    """The arguments of a call, split at top-level commas."""
    args, depth, current, quoted = [], 0, "", False
    for char in text:
        quoted = not quoted if char == "'" else quoted
        depth += (char == "(") - (char == ")") if not quoted else 0
        if char == "," and depth == 0 and not quoted:
            args.append(current.strip())
            current = ""
        else:
            current += char
    return args + [current.strip()] if current.strip() else args


def name_segments(name: str) -> list[str]:
    """A resource name expression as its '/'-separated segments (literals unquoted, expressions kept)."""
    inner = name[1:-1] if name.startswith("[") else f"'{name}'"
    parts = top_level_args(inner[len("concat(") : -1]) if inner.startswith("concat(") else [inner]
    segments = []
    for part in parts:
        segments += [s for s in part.strip("'").split("/") if s] if part.startswith("'") else [part]
    return segments


def test_template_schema_and_content_version():
    assert TEMPLATE["$schema"].endswith("/deploymentTemplate.json#") and TEMPLATE["contentVersion"] == "1.0.0.0"


def test_every_parameter_and_variable_reference_resolves():
    text = list(strings({k: v for k, v in TEMPLATE.items() if k != "parameters"})) + list(strings(TEMPLATE["parameters"]))
    params = {m for s in text for m in re.findall(r"parameters\('([^']+)'\)", s)}
    variables = {m for s in text for m in re.findall(r"variables\('([^']+)'\)", s)}
    assert params <= set(TEMPLATE["parameters"]) and variables <= set(TEMPLATE["variables"])
    assert set(TEMPLATE["parameters"]) <= params, f"unused parameters: {set(TEMPLATE['parameters']) - params}"
    assert set(TEMPLATE["variables"]) <= variables, f"unused variables: {set(TEMPLATE['variables']) - variables}"


def test_every_resource_has_type_api_version_and_its_depends_on_exist():
    declared = {(r["type"], tuple(name_segments(r["name"]))) for r in TEMPLATE["resources"]}
    for resource in TEMPLATE["resources"]:
        assert re.fullmatch(r"[A-Za-z.]+/[A-Za-z/]+", resource["type"]) and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}(-preview)?", resource["apiVersion"]
        )
        for dependency in resource.get("dependsOn", []):
            call = re.fullmatch(r"\[resourceId\((.*)\)\]", dependency)
            assert call, dependency
            kind, *segments = top_level_args(call.group(1))
            segments = [s.strip("'") if s.startswith("'") else s for s in segments]
            assert (kind.strip("'"), tuple(segments)) in declared, f"{resource['name']} depends on an undeclared {dependency}"


def test_parameters_are_typed_described_and_secrets_have_no_default():
    for name, spec in TEMPLATE["parameters"].items():
        assert spec["type"] in ("string", "securestring", "int", "bool", "object", "array") and spec["metadata"]["description"], name
        if spec["type"] == "securestring":
            assert "defaultValue" not in spec, f"secret {name} has a default"
        if "allowedValues" in spec and "defaultValue" in spec:
            assert spec["defaultValue"] in spec["allowedValues"], name


def test_parameters_file_matches_the_template():
    assert PARAMETERS["$schema"].endswith("/deploymentParameters.json#") and PARAMETERS["contentVersion"] == "1.0.0.0"
    given, declared = set(PARAMETERS["parameters"]), TEMPLATE["parameters"]
    assert given <= set(declared), f"unknown parameters: {given - set(declared)}"
    required = {n for n, s in declared.items() if "defaultValue" not in s and s["type"] != "securestring"}
    assert required <= given, f"required parameters missing: {required - given}"
    assert not {n for n in given if declared[n]["type"] == "securestring"}, "secrets are passed on the command line, never committed"
    for name, value in PARAMETERS["parameters"].items():
        if "allowedValues" in declared[name]:
            assert value["value"] in declared[name]["allowedValues"], name


def by_type(kind: str) -> list[dict]:
    """The template's resources of one type."""
    return [r for r in TEMPLATE["resources"] if r["type"] == kind]


def test_template_declares_the_platform():
    storage = by_type("Microsoft.Storage/storageAccounts")[0]
    assert storage["properties"]["isHnsEnabled"] is True and by_type("Microsoft.Storage/storageAccounts/blobServices/containers")
    assert by_type("Microsoft.Databricks/workspaces") and by_type("Microsoft.Insights/components")
    assert by_type("Microsoft.KeyVault/vaults")[0]["properties"]["enableRbacAuthorization"] is True
    secrets = {r["name"].split("'/")[-1].rstrip("')]") for r in by_type("Microsoft.KeyVault/vaults/secrets")}
    assert secrets == {"databricks-token", "openai-api-key"}
    plan = by_type("Microsoft.Web/serverfarms")[0]
    assert plan["kind"] == "linux" and plan["properties"]["reserved"] is True
    site = by_type("Microsoft.Web/sites")[0]
    assert site["identity"]["type"] == "SystemAssigned" and "container" in site["kind"]
    settings = {s["name"]: s["value"] for s in site["properties"]["siteConfig"]["appSettings"]}
    assert settings["DATABRICKS_TOKEN"].startswith("[concat('@Microsoft.KeyVault(") and settings["OPENAI_API_KEY"].startswith(
        "[concat('@Microsoft.KeyVault("
    )
    known = {s.env for s in SETTINGS.values()} | {"WEBSITES_PORT", "APPLICATIONINSIGHTS_CONNECTION_STRING"}
    assert set(settings) <= known, f"app settings the service does not read: {set(settings) - known}"
    role = by_type("Microsoft.Authorization/roleAssignments")[0]
    assert "4633458b-17de-408a-b874-0445c86b69e6" in TEMPLATE["variables"]["keyVaultSecretsUserRole"]  # Key Vault Secrets User
    assert "identity.principalId" in role["properties"]["principalId"]
    assert {"webAppUrl", "workspaceUrl"} <= set(TEMPLATE["outputs"])


def test_readme_gives_the_deployment_command():
    assert "az deployment group create" in read("README.md") and "--template-file template.json" in read("README.md")
