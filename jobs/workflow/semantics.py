"""Databricks' task semantics: run_if conditions, skipped-task results and the run's result from its tasks."""

FAILED_RESULTS = frozenset({"FAILED", "TIMEDOUT", "UPSTREAM_FAILED", "CANCELED", "UPSTREAM_CANCELED", "INTERNAL_ERROR"})
TERMINAL_LIFE_CYCLES = frozenset({"TERMINATED", "SKIPPED", "INTERNAL_ERROR"})


def condition_met(run_if: str, dependency_results: list[str]) -> bool:
    """Whether a task runs, given its dependencies' result states (a task with no dependencies always runs)."""
    if not dependency_results:
        return True
    succeeded = sum(r == "SUCCESS" for r in dependency_results)
    failed = sum(r in FAILED_RESULTS for r in dependency_results)
    total = len(dependency_results)
    return {
        "ALL_SUCCESS": succeeded == total,
        "ALL_DONE": True,
        "NONE_FAILED": failed == 0,
        "AT_LEAST_ONE_SUCCESS": succeeded >= 1,
        "ALL_FAILED": failed == total,
        "AT_LEAST_ONE_FAILED": failed >= 1,
    }[run_if]


def skipped_result(dependency_results: list[str]) -> str:
    """Result of a task whose run_if is not met: UPSTREAM_CANCELED/UPSTREAM_FAILED when an upstream did not succeed, else EXCLUDED."""
    if any(r in ("CANCELED", "UPSTREAM_CANCELED") for r in dependency_results):
        return "UPSTREAM_CANCELED"
    if any(r in FAILED_RESULTS for r in dependency_results):
        return "UPSTREAM_FAILED"
    return "EXCLUDED"


def run_result(tasks: list[dict]) -> str:
    """The run's result: SUCCESS; SUCCESS_WITH_FAILURES when tasks failed but every leaf task succeeded; else FAILED."""
    results = {t["task_key"]: t["state"].get("result_state") for t in tasks}
    upstream = {d["task_key"] for t in tasks for d in t.get("depends_on", [])}
    leaves = [key for key in results if key not in upstream]
    if not any(r in FAILED_RESULTS for r in results.values()):
        return "SUCCESS"
    if all(results[key] in ("SUCCESS", "EXCLUDED") for key in leaves):
        return "SUCCESS_WITH_FAILURES"
    return "FAILED"
