"""Fixtures of the report / dashboard / API tests: one small real warehouse with inference,
specialization cells and a collaboration network (built once per session), the ASGI app over
it, and a live uvicorn server on loopback for the browser tests."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def app_db(small_warehouse, tmp_path_factory) -> Path:
    """A copy of the small warehouse with `infer`, `specialization` and `collab --save` results.
    Scenario results are deliberately absent (the empty state is part of what is tested)."""
    from talentflow import collab_api, migration_api, specialization_api
    from talentflow.store.warehouse import Warehouse

    path = tmp_path_factory.mktemp("appwh") / "app.duckdb"
    shutil.copy(small_warehouse, path)
    with Warehouse(path) as wh:
        migration_api.infer(wh)
        specialization_api.specialization(wh)
        collab_api.collaboration(wh, save=True)
    return path


@pytest.fixture(scope="session")
def app_client(app_db):
    from fastapi.testclient import TestClient

    from talentflow.app.server import create_app

    with TestClient(create_app(app_db, n_boot=50), base_url="http://127.0.0.1") as client:
        yield client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app_db):
    """The API and dashboard served by uvicorn on 127.0.0.1 in a thread; yields the base URL.

    min_cell 1 (the local-use setting): every flow of the small test warehouse is under 10 moves,
    so with the default the flow charts would only show their empty state (tested in test_app_api)."""
    import uvicorn

    from talentflow.app.server import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(app_db, n_boot=50, min_cell=1), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (no browser download); skipped when either is absent."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (run scripts/ensure_chromium.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
