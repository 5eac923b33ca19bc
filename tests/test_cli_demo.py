"""`talentflow demo` asks before it downloads (``--yes`` skips the question)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from talentflow.cli import app

runner = CliRunner()


class _Ingested(Exception):
    """Raised in place of the ingest: the demo went past the question."""


@pytest.fixture
def plan(monkeypatch):
    import talentflow.api as api

    monkeypatch.setattr(api, "paperlists_download_plan", lambda venues, years: (6, 12_000_000))

    def ingest(*a, **k):
        raise _Ingested

    monkeypatch.setattr(api, "ingest_paperlists", ingest)


def test_demo_asks_before_downloading(plan, tmp_path):
    r = runner.invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb")], input="n\n")
    assert "to download: 6 file(s), 12.0 MB" in r.output and "download them?" in r.output
    assert r.exit_code == 1 and not isinstance(r.exception, _Ingested)


def test_demo_yes_does_not_ask(plan, tmp_path):
    r = runner.invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb"), "--yes"])
    assert "download them?" not in r.output and isinstance(r.exception, _Ingested)
