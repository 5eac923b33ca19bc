"""Shared fixtures. Real-data tests read the mirror ($TALENTFLOW_MIRROR, or ../shared/data beside the
repository) and are skipped when it is absent; nothing here touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from talentflow.store.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[1]
_DEFAULT_MIRROR = REPO.parent / "shared" / "data"


def mirror_path() -> Path | None:
    value = os.environ.get("TALENTFLOW_MIRROR")
    path = Path(value) if value else _DEFAULT_MIRROR
    return path if (path / "paperlists").is_dir() else None


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path_factory):
    """Every test: a private data home, the mirror set (so nothing downloads), no default DB."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TALENTFLOW_HOME", str(home))
    monkeypatch.delenv("TALENTFLOW_DB", raising=False)
    mirror = mirror_path()
    if mirror is not None:
        monkeypatch.setenv("TALENTFLOW_MIRROR", str(mirror))
    else:
        monkeypatch.setenv("TALENTFLOW_MIRROR", str(home))  # empty mirror: a fetch fails instead of downloading


@pytest.fixture
def mirror() -> Path:
    path = mirror_path()
    if path is None:
        pytest.skip("no data mirror (set TALENTFLOW_MIRROR or put shared/data beside the repository)")
    return path


@pytest.fixture
def wh() -> Warehouse:
    w = Warehouse.memory()
    yield w
    w.close()


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory) -> Path:
    """A warehouse file with a few real venue-years (IEEE, ACL, OpenReview ids), built once per session."""
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    os.environ["TALENTFLOW_MIRROR"] = str(mirror)
    from talentflow.api import ingest_paperlists

    path = tmp_path_factory.mktemp("wh") / "small.duckdb"
    ingest_paperlists(path, venues=("icra", "acl", "corl"), years=(2019, 2021, 2022, 2023))
    return path


@pytest.fixture(scope="session")
def full_warehouse(tmp_path_factory) -> Path:
    """The whole mirror ingested once per session (about 30 s). Treat it as READ-ONLY (open it with
    read_only=True; copy the file first to write): other tests share it, and DuckDB refuses a
    read-write connection to a file that this process already has open read-only."""
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    os.environ["TALENTFLOW_MIRROR"] = str(mirror)
    from talentflow.api import ingest_paperlists

    path = tmp_path_factory.mktemp("wh") / "full.duckdb"
    ingest_paperlists(path)
    return path


def pytest_collection_modifyitems(config, items):
    """Markers from what a test needs, so that the inner loop (make test-fast:
    `pytest -m "not spark and not browser and not slow"`) leaves out the JVM, the browser and the
    minutes-long tests: `spark` for the tests of a Spark session (the spark_params fixture),
    `browser` for those of chromium (the browser fixture, or a *_browser.py file), `slow` for those
    on the whole mirror (the full_warehouse fixture, about a minute to build); the two API fuzzers
    (schemathesis, about a minute each) carry `slow` themselves."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "spark_params" in names:
            item.add_marker(pytest.mark.spark)
        if "browser" in names or item.path.name.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)
        if "full_warehouse" in names:
            item.add_marker(pytest.mark.slow)
