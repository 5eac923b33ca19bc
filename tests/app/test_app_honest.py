"""Honest outputs of the report, the API and `serve` (issue 14): no absolute local paths in what may be
published, a warning when small cells are served, every researcher panel offered."""

from __future__ import annotations

from typer.testing import CliRunner

from talentflow.cli import app as cli
from tests.conftest import mirror_path


def test_report_names_the_published_file_not_its_path(app_db, tmp_path):
    from talentflow.report.build import ReportParams, write_report

    out = tmp_path / "report.html"
    write_report(app_db, out, ReportParams(n_boot=20))
    html = out.read_text(encoding="utf-8")
    assert "Published figures: published_figures.csv" in html
    assert str(mirror_path()) not in html and str(app_db.parent) not in html


def test_meta_names_the_warehouse_file_not_its_path(app_client, app_db):
    text = app_client.get("/api/v1/meta").text
    assert app_client.get("/api/v1/meta").json()["data"]["warehouse"] == app_db.name
    assert str(app_db.parent) not in text


def test_panels_offer_openalex(app_client):
    assert "openalex" in app_client.get("/api/v1/meta").json()["data"]["panels"]
    assert app_client.get("/api/v1/rates", params={"panel": "openalex"}).status_code == 200
    spec = app_client.get("/api/v1/openapi.json").json()
    panel = next(p for p in spec["paths"]["/api/v1/rates"]["get"]["parameters"] if p["name"] == "panel")
    assert "openalex" in str(panel["schema"])


def test_serve_below_ten_warns_like_report(monkeypatch, app_db):
    import talentflow.app.server as server

    calls = []
    monkeypatch.setattr(server, "serve", lambda *a, **k: calls.append(k["min_cell"]))
    low = CliRunner().invoke(cli, ["serve", "--db", str(app_db), "--min-cell", "3"])
    assert low.exit_code == 0, low.output
    assert calls == [3] and "warning" in low.output and "fewer than 10 researchers" in low.output
    default = CliRunner().invoke(cli, ["serve", "--db", str(app_db)])
    assert default.exit_code == 0 and "warning" not in default.output
