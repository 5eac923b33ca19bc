"""The HTML report: one self-contained file, every section built or explicitly missing."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from talentflow.cli import app as cli
from talentflow.report.build import ReportParams, write_report


@pytest.fixture(scope="module")
def report_html(app_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    summary = write_report(app_db, out, ReportParams(n_boot=30))
    return out, summary, out.read_text(encoding="utf-8")


def test_report_is_self_contained(report_html):
    _, summary, html = report_html
    assert summary.figures >= 5
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)
    assert "@import" not in html and "fonts.googleapis" not in html
    assert "window.PlotlyGeoAssets = {topojson: {world_110m: {" in html
    assert "plotly.js v" in html  # the library itself is inlined


def test_report_sections_and_empty_states(report_html):
    _, summary, html = report_html
    for sid in ("headline", "map", "ranking", "flows", "orgs", "pipeline", "specialization", "scenarios",
                "collab", "validation", "methods"):
        assert f'id="{sid}"' in html
    assert "Scenarios" in summary.missing
    block = html.split('id="scenarios"')[1].split("</section>")[0]
    assert "Not computed yet" in block and "talentflow scenario run" in block
    assert "Stanford AI Index" in html and "meta_runs" in html and "ingest_runs" in html


def test_report_cli(app_db, tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(app_db), "-o", str(out), "--n-boot", "20",
                                      "--from", "2019", "--to", "2023"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1_000_000
    bad = CliRunner().invoke(cli, ["report", "--db", str(app_db), "-o", str(out), "--panel", "nobody"])
    assert bad.exit_code == 2 and "panel" in bad.output
