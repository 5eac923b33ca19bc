"""The JSON API: shape, filters, pagination, CSV, validation errors, empty states."""

from __future__ import annotations

import csv
import io

import pytest


def test_flows_country_answers_json(app_client):
    r = app_client.get("/api/v1/flows", params={"level": "country"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["missing"] is None
    assert body["columns"][:4] == ["origin", "origin_name", "destination", "destination_name"]
    assert body["total"] == len(body["data"]) or body["total"] > body["page_size"]
    assert all(row["count"] >= 10 for row in body["data"])


def test_pagination_and_csv_agree(app_client):
    full = app_client.get("/api/v1/flows", params={"level": "org", "min_cell": 10, "page_size": 1000}).json()
    page2 = app_client.get("/api/v1/flows", params={"level": "org", "page": 2, "page_size": 2}).json()
    assert page2["data"] == full["data"][2:4]
    r = app_client.get("/api/v1/flows", params={"level": "org", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == full["total"]


def test_filters_apply(app_client):
    body = app_client.get("/api/v1/flows", params={"level": "country", "country": "USA", "min_cell": 10}).json()
    assert body["filters"]["country"] == "USA"
    assert all("USA" in (row["origin"], row["destination"]) for row in body["data"])
    rates = app_client.get("/api/v1/rates", params={"region": "North America"}).json()
    assert {row["region"] for row in rates["data"]} <= {"North America"}


@pytest.mark.parametrize("params,status", [
    ({"level": "planet"}, 422), ({"country": "usa"}, 422), ({"country": "USA' OR '1'='1"}, 422),
    ({"year_from": 2020, "year_to": 2010}, 400), ({"page_size": 0}, 422), ({"min_cell": 2}, 422),
    ({"org": "x" * 300}, 422), ({"format": "xlsx"}, 422),
])
def test_bad_input_is_a_clear_4xx(app_client, params, status):
    r = app_client.get("/api/v1/flows", params=params)
    assert r.status_code == status
    assert r.json()["detail"]


def test_missing_section_names_the_command(app_client):
    body = app_client.get("/api/v1/scenarios").json()
    assert body["data"] == [] and "talentflow scenario run" in body["missing"]["command"]


def test_drill_down_and_meta(app_client):
    d = app_client.get("/api/v1/countries/USA").json()["data"]
    assert d["summary"]["name"] == "United States" and d["organizations"]
    assert app_client.get("/api/v1/countries/XXX").status_code == 404
    meta = app_client.get("/api/v1/meta").json()["data"]
    assert meta["available"]["inference"] and meta["min_cell"] == 10
    assert "North America" in meta["regions"]


def test_openapi_document(app_client):
    doc = app_client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/flows" in doc["paths"]
    params = {p["name"]: p for p in doc["paths"]["/api/v1/flows"]["get"]["parameters"]}
    assert params["level"]["schema"]["enum"] == ["country", "region", "hub", "org"]
    assert params["country"]["schema"]["anyOf"][0]["pattern"] == "^[A-Z]{3}$"


def test_dashboard_page_and_assets(app_client):
    page = app_client.get("/")
    assert page.status_code == 200 and "talentflow" in page.text
    assert "https://" not in page.text.split("<footer")[0]  # no CDN
    geo = app_client.get("/static/geo-assets.js")
    assert geo.text.startswith("window.PlotlyGeoAssets")
    assert app_client.get("/static/plotly.min.js").status_code == 200
    assert app_client.get("/static/..%2Fserver.py").status_code in (404, 422)
