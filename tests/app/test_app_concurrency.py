"""Issue 15, item 10: concurrent requests run concurrently (a DuckDB cursor per thread, no global
lock), errors that are answers are memoized and cached, the work of one request is bounded, the
dashboard's default views are warmed in the background, and an unknown organization costs a set
lookup, not a bootstrap."""

from __future__ import annotations

import threading
import time

import pytest

from talentflow.app import queries as q
from talentflow.errors import ConfigError


@pytest.fixture
def reader(app_db):
    with q.Reader.open(app_db) as r:
        yield r


def test_two_computations_run_side_by_side(reader):
    """A slow computation does not hold up another key (the old global lock serialized them)."""
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(10)
        return "slow"

    t = threading.Thread(target=lambda: reader.memo(("slow",), slow))
    t.start()
    assert started.wait(5)
    t0 = time.perf_counter()
    done = []
    other = threading.Thread(target=lambda: done.append(reader.memo(("fast",), lambda: reader.wh.execute(
        "SELECT count(*) FROM researchers")[0][0])))
    other.start()
    other.join(5)
    took = time.perf_counter() - t0
    release.set()
    t.join(5)
    assert done and done[0] > 0, "the second computation waited for the first"
    assert took < 3


def test_each_thread_has_its_own_cursor(reader):
    seen = {}

    def grab(k):
        seen[k] = reader.wh
        reader.wh.execute("SELECT 1")

    threads = [threading.Thread(target=grab, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(w.con) for w in seen.values()}) == 3
    assert reader.wh is reader.wh  # one per thread, reused


def test_same_key_is_computed_once_under_concurrency(reader):
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.3)
        return 42

    out = []
    threads = [threading.Thread(target=lambda: out.append(reader.memo(("once",), compute))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42] * 6 and len(calls) == 1


def test_errors_that_are_answers_are_memoized(reader):
    calls = []

    def compute():
        calls.append(1)
        raise ConfigError("no researchers at organization(s) ['Nowhere']")

    for _ in range(3):
        with pytest.raises(ConfigError, match="Nowhere"):
            reader.memo(("neg",), compute)
    assert len(calls) == 1
    boom = []

    def crash():
        boom.append(1)
        raise RuntimeError("transient")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            reader.memo(("crash",), crash)
    assert len(boom) == 2  # a crash is not an answer: not kept


def test_computations_are_bounded_and_busy_is_raised(app_db):
    with q.Reader.open(app_db, max_compute=1, compute_wait=0.2) as r:
        started, release = threading.Event(), threading.Event()
        t = threading.Thread(target=lambda: r.memo(("hold",), lambda: (started.set(), release.wait(10))))
        t.start()
        assert started.wait(5)
        with pytest.raises(q.Busy):
            r.memo(("other",), lambda: 1)
        # nested memo calls of the running computation do not need another slot
        release.set()
        t.join(5)
        assert r.memo(("outer",), lambda: r.memo(("inner",), lambda: 2) + 1) == 3


def test_unknown_org_is_a_cheap_cached_404(app_client, monkeypatch):
    calls = []
    real = q.foreign_share
    monkeypatch.setattr(q, "foreign_share", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    t0 = time.perf_counter()
    r = app_client.get("/api/v1/organizations?org=No%20Such%20Org%20Anywhere")
    assert r.status_code == 404 and "No Such Org Anywhere" in r.json()["detail"]
    assert not calls, "an unknown organization still ran the organization query"
    assert time.perf_counter() - t0 < 2
    cache = _response_cache(app_client.app)
    hits = cache.hits
    assert app_client.get("/api/v1/organizations?org=No%20Such%20Org%20Anywhere").status_code == 404
    assert cache.hits == hits + 1  # the 4xx answer is served from the cache


def test_known_org_matches_like_the_query(app_db):
    with q.Reader.open(app_db) as r:
        name = r.wh.execute("SELECT name FROM institutions WHERE name IS NOT NULL LIMIT 1")[0][0]
        assert r.known_org(name) and r.known_org(name.upper()) and r.known_org(f"  {name} ")
        assert not r.known_org("Certainly Not An Institution 123")


def test_long_request_lines_are_refused(app_client):
    r = app_client.get("/api/v1/flows?region=" + "a" * 3000)
    assert r.status_code == 414


def test_busy_answers_503_with_retry_after(app_db):
    from fastapi.testclient import TestClient

    from talentflow.app.server import create_app

    app = create_app(app_db, n_boot=0, cache=False)
    app.state.reader.max_compute = 1
    app.state.reader.compute_wait = 0.1
    app.state.reader._slots = threading.BoundedSemaphore(1)
    app.state.reader._slots.acquire()  # a computation holds the only slot
    with TestClient(app, base_url="http://127.0.0.1") as client:
        r = client.get("/api/v1/rates?year_from=2001&year_to=2002")
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
    app.state.reader._slots.release()


def test_warm_up_computes_the_default_views_in_the_background(app_db):
    from fastapi.testclient import TestClient

    from talentflow.app.server import create_app

    app = create_app(app_db, n_boot=20, warm=True)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        deadline = time.monotonic() + 120
        while client.get("/api/v1/health").json()["warm"] != "done" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get("/api/v1/health").json()["warm"] == "done"
        r = app.state.reader
        for panel in q.PANELS:
            f = q.Filters(panel=panel, min_cell=app.state.min_cell, n_boot=20)
            assert r.cached(("headline", f)), panel
        assert r.cached(("net_rates", None, None, "ieee", app.state.min_cell, 20))


def _response_cache(app):
    from talentflow.app.cache import ResponseCache

    stack = app.middleware_stack or app.build_middleware_stack()
    node = stack
    while node is not None:
        if isinstance(node, ResponseCache):
            return node
        node = getattr(node, "app", None)
    raise AssertionError("no ResponseCache in the stack")
