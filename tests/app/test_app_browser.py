"""Real-browser tests: Debian's chromium, headless, driven by Playwright (no browser download).

1. The report opens with the network off: every request that is not the file itself is
   aborted, and the world map and the Sankey diagram still render.
2. The dashboard: open it, change a filter, see a chart and a table update and the URL keep
   the state, drill down into a country, download a CSV, take a screenshot.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlparse

import pytest

from talentflow.report.build import ReportParams, write_report


def _offline(context, allowed_prefix: str) -> list[str]:
    """Abort every request outside ``allowed_prefix``; return the list of aborted URLs."""
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(allowed_prefix):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    return blocked


def test_report_renders_offline(browser, app_db, tmp_path):
    path = tmp_path / "report.html"
    # min_cell 1 (the local-use setting): the small test warehouse's country flows are all under 10 moves
    write_report(app_db, path, ReportParams(n_boot=20, min_cell=1))
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    blocked = _offline(context, "file://")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.tfReady !== undefined", timeout=60_000)
    assert page.evaluate("document.body.dataset.tfReady") == "1"
    from talentflow.app import queries as q

    with q.Reader.open(app_db) as r:  # countries with an estimated rate (no move observed: not drawn as a zero)
        drawn = int((q.net_rates(r, q.Filters(n_boot=20, min_cell=1))["status"] == "estimated").sum())
    assert drawn >= 5
    assert page.locator("#fig-map path.choroplethlocation").count() == drawn  # drawn from the inlined outlines
    assert page.locator("#fig-sankey .sankey-link").count() > 0
    assert page.locator("#fig-map .modebar-btn[data-title='Download plot as SVG']").count() == 1
    assert errors == [] and blocked == []
    page.locator("section#map").screenshot(path=str(tmp_path / "report_map.png"))
    context.close()


def test_dashboard_filters_drilldown_csv_screenshot(browser, live_server, tmp_path):
    # bypass_csp: wait_for_function evaluates strings, which the CSP forbids (test_app_hardening checks the CSP)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, bypass_csp=True)
    blocked = _offline(context, live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    # countries with an estimated rate: a country with no observed move is left blank, not drawn as 0
    assert page.locator("#map path.choroplethlocation").count() >= 5
    assert int(page.get_attribute("#ranking", "data-rows")) >= 5  # countries with an estimated rate
    sankey_before = page.locator("#sankey .sankey-node").count()
    flows_version = page.get_attribute("#flows", "data-version")
    sankey_rendered = page.get_attribute("#sankey", "data-rendered")
    first_flow = page.locator("#flows tbody tr").first.inner_text()

    # change a filter: country flows -> world-region flows
    page.select_option("#f-level", "region")
    page.wait_for_function(f"document.getElementById('flows').dataset.version !== '{flows_version}' && "
                           "document.body.dataset.ready === '1'", timeout=60_000)
    assert page.get_attribute("#sankey", "data-rendered") != sankey_rendered
    assert page.locator("#flows tbody tr").first.inner_text() != first_flow
    assert "Asia" in page.locator("#flows").inner_text() or "Europe" in page.locator("#flows").inner_text()
    assert page.locator("#sankey .sankey-node").count() != sankey_before or sankey_before == 0
    assert parse_qs(urlparse(page.url).query)["level"] == ["region"]

    # drill down into a country from the ranking table; the URL keeps it
    page.select_option("#f-level", "country")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    page.locator("#ranking tbody tr", has_text="United States").first.click()
    page.wait_for_function("!document.getElementById('drill').hidden && document.body.dataset.ready === '1'",
                           timeout=60_000)
    assert "United States" in page.inner_text("#drill-title")
    assert page.locator("#drill-body table").first.locator("tbody tr").count() > 0
    assert parse_qs(urlparse(page.url).query)["country"] == ["USA"]

    # a reload restores the view from the URL
    page.reload()
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    assert page.input_value("#f-country") == "USA" and not page.locator("#drill").is_hidden()

    # CSV download of the flows shown
    with page.expect_download() as info:
        page.click("#flows-csv")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows and {"origin", "destination", "count"} <= set(rows[0])
    assert all("USA" in (r["origin"], r["destination"]) for r in rows)

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert errors == [] and blocked == []
    context.close()


@pytest.mark.parametrize("query", ["?level=planet", "?year_from=2030&year_to=2000"])
def test_dashboard_shows_errors_plainly(browser, live_server, query):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/" + query)
    page.wait_for_function("document.body.dataset.ready === 'error'", timeout=60_000)
    assert page.locator("#error").is_visible()
    assert "Could not load the data" in page.inner_text("#error")
    context.close()
