"""Issue 15, item 11: the OpenAPI document is the contract. Schemathesis, with all its checks
(server errors, status codes, content types, response schemas, headers, positive data accepted,
negative data rejected, ...), runs in process against the ASGI app, bounded and derandomized.

Negative data may also meet the bound on the request line (414, documented). Positive data
acceptance expects 400 too: a request can be well formed and still name a value
the warehouse cannot use (year_from after year_to, a region it does not know); the API documents
400 for that on every operation."""

from __future__ import annotations

import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

EXAMPLES = 10
SLOW = {"/api/v1/validation": 3, "/api/v1/organizations": 5, "/api/v1/headline": 5, "/api/v1/rates": 6,
        "/api/v1/countries/{iso3}": 5, "/api/v1/rates/{iso3}/years": 5, "/api/v1/pipeline/stay": 5,
        "/api/v1/validation/smd": 3}
HEADERS = {"Host": "127.0.0.1"}


def _schema(app):
    config = schemathesis.config.SchemathesisConfig.from_dict({
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]},
                   # 414: a generated query string over the server's bound (documented on every operation)
                   "negative_data_rejection": {"expected-statuses": ["400", "404", "414", "422"]}}})
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=config, headers=HEADERS)


def test_schema_documents_the_server_floor_csv_and_errors(app_client):
    doc = app_client.get("/api/v1/openapi.json").json()
    floor = app_client.app.state.min_cell
    params = [p for path in doc["paths"].values() for op in path.values() for p in op.get("parameters", [])]
    mins = {p["schema"].get("minimum", p["schema"].get("anyOf", [{}])[0].get("minimum")) for p in params
            if p["name"] == "min_cell"}
    assert mins == {floor}
    flows = doc["paths"]["/api/v1/flows"]["get"]["responses"]
    assert "text/csv" in flows["200"]["content"] and "application/json" in flows["200"]["content"]
    assert flows["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ValidationErrorOut"}
    patterns = [p["schema"].get("pattern") or next((s.get("pattern") for s in p["schema"].get("anyOf", [])
                                                    if "pattern" in s), None) for p in params]
    assert not [p for p in patterns if p and "\\w" in p], "\\w means ASCII in the schema, Unicode in Python"
    # the 422 bodies match the advertised schema: a failed validation and the min_cell floor
    for url in ("/api/v1/flows?year_from=abc", "/api/v1/flows?min_cell=2"):
        body = app_client.get(url).json()
        assert isinstance(body["detail"], list) and {"parameter", "message", "input"} <= set(body["detail"][0])


def test_name_pattern_is_explicit_and_within_the_queries_rule():
    import re

    from talentflow.app import queries as q
    from talentflow.app.server import NAME_PATTERN

    assert "\\w" not in NAME_PATTERN
    server = re.compile(NAME_PATTERN)
    ascii_w = re.compile(r"^[A-Za-z0-9_]$")
    for code in range(0x110000):
        ch = chr(code)
        if server.match(ch):  # everything the API lets through, the queries accept too
            assert q.NAME_RE.match(ch), hex(code)
        elif code < 0x80:
            assert not ascii_w.match(ch) or ch in " .,&'()/+:-", hex(code)
    for name in ("Université Paris-Saclay", "ETH Zürich", "São Paulo", "Tsinghua University", "清华大学", "서울대학교",
                 "Europe & Central Asia", "Αθήνα", "МГУ"):
        assert server.match(name), name


@pytest.mark.slow  # about a minute of generated requests (make test-fast leaves it out)
def test_schemathesis_all_checks_pass(app_client):
    schema = _schema(app_client.app)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 15
    failures: list[str] = []
    counts = {"requests": 0}
    started_all = time.perf_counter()
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not list(op.iter_parameters()):
                continue

            @given(op.as_strategy(generation_mode=mode))
            @settings(max_examples=SLOW.get(op.path, EXAMPLES), deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                counts["requests"] += 1
                try:
                    case.call_and_validate(headers=HEADERS)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - schemathesis's failures (a group)
                    inner = getattr(exc, "exceptions", None) or [exc]
                    failures.append(f"{mode.value} {case.method} {case.formatted_path} {case.query}: "
                                    + " | ".join(f"{type(e).__name__}: {str(e)[:300]}" for e in inner))

            run()
    print(f"\nschemathesis: {len(ops)} operations, {counts['requests']} requests, {len(failures)} failures, "
          f"{time.perf_counter() - started_all:.0f} s")
    assert not failures, "\n".join(failures[:8])
