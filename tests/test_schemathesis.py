"""Schemathesis over the app's own /openapi.json: every operation (the GETs and the chat POSTs), schema-valid and
schema-violating requests, seeded so a run is reproducible; no 5xx, and every response as documented (status code,
content type, body schema); a schema-violating request must be refused. The number of cases run is logged and
recorded as the junit test-suite property schemathesis_cases."""

import logging

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from service import create_app

MAX_EXAMPLES = 25  # per operation and mode: about 660 cases, 30 s on 2 cores
MIN_CASES = 500  # fewer means operations stopped generating: the document or the strategies changed
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SEEDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same cases every run
    deadline=None,
    database=None,  # nothing kept between runs (and no .hypothesis folder in the repo)
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),  # a slow chat answer or a filtered strategy is not a failure of the API
)
log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def api(gold_lakehouse):
    """The document as schemathesis loads it from the app, which answers its requests in-process (WSGI)."""
    app = create_app({"LAKEHOUSE_DIR": gold_lakehouse, "WAREHOUSE": "local", "ACCESS_LOG": "0", "CHAT_RATE_LIMIT": "100000 per minute"})
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def modes(operation) -> list[GenerationMode]:
    """Valid requests always; invalid ones where the operation takes input to get wrong."""
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if operation.query or operation.body else [GenerationMode.POSITIVE]


def run(operation, mode: GenerationMode) -> tuple[int, str | None]:
    """The cases run for one operation and mode, and schemathesis's report of the first failure (None if none)."""
    calls = []
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @SEEDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def cases(case):
        calls.append(case)
        case.call_and_validate(checks=checks)

    try:
        cases()
    except (AssertionError, BaseExceptionGroup) as failure:  # schemathesis's Failure and FailureGroup
        return len(calls), str(failure)
    return len(calls), None


def test_every_operation_answers_as_its_openapi_document_says(api, record_testsuite_property):
    counts, failures = {}, {}
    for result in api.get_all_operations():
        operation = result.ok()
        for mode in modes(operation):
            key = f"{operation.label} ({mode.value})"
            counts[key], failure = run(operation, mode)
            if failure:
                failures[key] = failure
    total = sum(counts.values())
    record_testsuite_property("schemathesis_cases", total)
    log.info("schemathesis ran %d cases over %d operations: %s", total, len({k.split(" (")[0] for k in counts}), counts)
    assert not failures, "\n\n".join(f"{key}:\n{text}" for key, text in failures.items())
    assert {"POST /api/chat (negative)", "POST /api/chat/stream (positive)", "POST /api/schedule (negative)"} <= set(counts)
    assert all(n > 0 for n in counts.values()) and total >= MIN_CASES, counts
