"""The API docs page (/api/v1/docs) works offline: Swagger UI's script and stylesheet are served by
the app itself (fastapi-offline), not loaded from a CDN."""

from __future__ import annotations

import re


def test_docs_page_loads_its_assets_from_the_server(app_client):
    html = app_client.get("/api/v1/docs").text
    assert not re.search(r"(src|href)=\"https?:", html), html  # FastAPI's default loads cdn.jsdelivr.net
    assets = re.findall(r"(?:src|href)=\"(/[^\"]+)\"", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert app_client.get(asset).status_code == 200, asset


def test_docs_page_renders_operations_with_the_network_off(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(live_server):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(summaries) >= 15 and any("/api/v1/flows" in s for s in summaries), summaries
    assert page.locator(".opblock-tag").count() >= 5  # the tags (meta, migration, ...) as sections
    assert blocked == [] and errors == []
    context.close()
