"""Schemathesis against the OpenAPI document: no generated request may cause a 5xx.

Every operation of the document gets FUZZ_EXAMPLES valid (positive) and FUZZ_EXAMPLES invalid
(negative) requests, derandomized so the run is repeatable and bounded. (Schemathesis's pytest
plugin is not used: it does not support the pytest of this project; its strategies are.)"""

from __future__ import annotations

import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

FUZZ_EXAMPLES = 12
# Operations whose every new filter combination recomputes bootstraps over all researchers: fewer examples.
SLOW = {"/api/v1/validation": 3, "/api/v1/organizations": 6, "/api/v1/headline": 6}


@pytest.mark.slow  # about a minute of generated requests (make test-fast leaves it out)
def test_no_server_error_on_generated_requests(app_db):
    from talentflow.app.server import create_app

    # an app of its own (schemathesis runs the ASGI lifespan around its requests); the server answers
    # loopback Host names only (DNS rebinding), and the ASGI client's default is "testserver"
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(app_db, n_boot=50),
                                            headers={"Host": "127.0.0.1"})
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 15
    counts = {"requests": 0, "server_errors": 0, "operations": len(ops)}
    statuses: dict[int, int] = {}
    failures: list[str] = []
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not list(op.iter_parameters()):
                continue  # nothing to make invalid
            @given(op.as_strategy(generation_mode=mode))
            @settings(max_examples=SLOW.get(op.path, FUZZ_EXAMPLES), deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers={"Host": "127.0.0.1"})
                counts["requests"] += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    counts["server_errors"] += 1
                    failures.append(f"{case.method} {case.formatted_path} {case.query}: {response.text[:200]}")

            started = time.perf_counter()
            run()
            took = time.perf_counter() - started
            if took > 2:
                print(f"slow: {op.label} {mode.value} {took:.1f} s")
    print(f"\nfuzz: {counts['operations']} operations, {counts['requests']} requests, "
          f"{counts['server_errors']} server errors; statuses {dict(sorted(statuses.items()))}")
    assert counts["requests"] >= 8 * len(ops)
    assert not failures, failures[:5]
    assert set(statuses) <= {200, 400, 404, 422}, statuses
