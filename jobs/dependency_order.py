"""Running tables side by side, each once the tables it reads are written: the order comes from their declarations."""

from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def run_in_dependency_order(names: list, after: Mapping[Hashable, set], run: Callable, workers: int, done: dict) -> None:
    """run(name) for each name once every name of after[name] that is among `names` has run, up to `workers` at once,
    the earliest listed first; each result goes into `done` as it comes. The first failure stops further starts and is
    raised once the running ones have ended (so `done` then holds every table that was written)."""
    waiting, running, failures = list(names), {}, []
    before = {name: set(after.get(name, ())) & set(names) for name in names}
    with ThreadPoolExecutor(workers, thread_name_prefix="table") as pool:
        while waiting or running:
            if not failures:
                for name in _ready(waiting, before, done)[: workers - len(running)]:
                    waiting.remove(name)
                    running[pool.submit(run, name)] = name
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            _collect(finished, running, done, failures)
    if failures:
        raise failures[0]
    if waiting:
        raise ValueError(f"tables that read each other in a cycle: {waiting}")


def _ready(waiting: list, before: Mapping, done: dict) -> list:
    """The waiting names whose predecessors have all run, in listing order."""
    return [name for name in waiting if before[name] <= done.keys()]


def _collect(finished: set[Future], running: dict, done: dict, failures: list) -> None:
    """Move finished runs out of `running`: results into `done`, errors into `failures`."""
    for future in finished:
        name = running.pop(future)
        if future.exception() is not None:
            failures.append(future.exception())
        else:
            done[name] = future.result()
