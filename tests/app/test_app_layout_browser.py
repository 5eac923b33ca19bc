"""Layout in a real browser (Debian's chromium via Playwright, skipped without either; see conftest):
the report's tables keep their text inside their cells, charts on a 390 px phone use short labels and
do not widen the page, and the dashboard says in words why a flow selection is empty and what to change."""

from __future__ import annotations

import pytest

from talentflow.report.build import ReportParams, write_report

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

OVERFLOWING_CELLS = """() => Array.from(document.querySelectorAll(%s)).filter(
    td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent.slice(0, 60))"""


def _labels(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent.trim()).filter(t => t)")


@pytest.fixture(scope="module")
def report_path(app_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "report.html"
    write_report(app_db, path, ReportParams(n_boot=20, min_cell=1))
    return path


def test_report_table_cells_hold_their_text(browser, report_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(report_path.as_uri())
    page.wait_for_function("document.body.dataset.tfReady !== undefined", timeout=60_000)
    # the methods tables hold JSON parameter sets and long hashes and URLs: they wrap or scroll in their cell
    assert page.evaluate(OVERFLOWING_CELLS % "'td'") == []
    assert page.locator("#methods td.code .scroll").count() > 0
    context.close()


def test_report_on_a_phone(browser, report_path):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(report_path.as_uri())
    page.wait_for_function("document.body.dataset.tfReady !== undefined", timeout=60_000)
    assert page.evaluate("document.body.dataset.tfReady") == "1"
    assert page.get_attribute("#fig-sankey", "data-narrow") == "1"
    labels = _labels(page, "#fig-sankey .sankey-node .node-label")
    assert labels and max(len(x) for x in labels) <= 16, labels  # codes, not names running into each other
    net = _labels(page, "#fig-network .textpoint text")
    assert net and max(len(x) for x in net) <= 4, net
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing widens the page
    assert page.evaluate(OVERFLOWING_CELLS % "'td'") == []
    context.close()


def test_dashboard_explains_an_empty_flow_selection(browser, live_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # no move is dated in the warehouse's first year, so no flow at any level in 2019 alone
    page.goto(live_server + "/?level=org&year_from=2019&year_to=2019")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    box = page.locator("#sankey .empty[data-why='no-flows']")
    assert box.is_visible()
    text = box.inner_text()
    assert "No flow of at least 1 move at organization level in 2019" in text
    assert "suppressed" in text
    assert "To see flows" in text or "None of the nearby selections" in text
    assert "organization level in 2019" in page.inner_text("#flows-empty")
    suggestions = page.locator("#sankey .empty button.linkish")
    if suggestions.count():
        label = suggestions.first.inner_text()
        assert "flows)" in label
        suggestions.first.click()
        page.wait_for_function("document.body.dataset.ready === '1' && "
                               "document.getElementById('sankey').dataset.state === 'ok'", timeout=60_000)
        assert page.locator("#sankey .sankey-link").count() > 0
    assert errors == []
    context.close()


def test_dashboard_on_a_phone(browser, live_server):
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    sankey = _labels(page, "#sankey .sankey-node .node-label")
    assert sankey and max(len(x) for x in sankey) <= 16, sankey
    orgs = _labels(page, "#orgs .ytick text")
    assert orgs and max(len(x) for x in orgs) <= 18, orgs
    fields = _labels(page, "#spec .xtick text")
    assert fields and max(len(x) for x in fields) <= 14, fields
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the map's colour bar lies under the map instead of taking a third of its width
    bar = page.locator("#map .colorbar").bounding_box()
    assert bar and bar["width"] > bar["height"]
    context.close()
