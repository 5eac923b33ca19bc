"""The read-query layer: validation, suppression, empty states, drill-down."""

from __future__ import annotations

import pytest

from talentflow.app import queries as q
from talentflow.errors import ConfigError


@pytest.mark.parametrize("bad", [
    {"level": "planet"}, {"country": "usa"}, {"country": "USA' OR 1=1 --"}, {"year_from": 1800},
    {"year_from": 2020, "year_to": 2010}, {"region": "x" * 200}, {"org": "a;DROP TABLE works"}, {"min_cell": 0},
    {"panel": "everyone"}, {"n_boot": -1},
])
def test_filters_reject_bad_values(bad):
    with pytest.raises(ConfigError):
        q.Filters(**bad)


def test_flows_are_aggregates_above_min_cell(app_db):
    with q.Reader.open(app_db) as r:
        for level in ("country", "region", "hub", "org"):
            out = q.flows(r, q.Filters(level=level, min_cell=3))
            assert (out["count"] >= 3).all(), level
            assert "researcher_id" not in out.columns
        country = q.flows(r, q.Filters(level="country", min_cell=1))
        assert len(country) > 0 and country["count"].sum() > 0
        usa = q.flows(r, q.Filters(level="country", min_cell=1, country="USA"))
        assert ((usa["origin"] == "USA") | (usa["destination"] == "USA")).all()


def test_net_rates_are_sorted_and_carry_intervals(app_db):
    with q.Reader.open(app_db) as r:
        rates = q.net_rates(r, q.Filters(n_boot=30))
        assert {"country", "name", "population", "net_rate", "net_rate_lo", "net_rate_hi"} <= set(rates.columns)
        shown = rates["net_rate"].dropna()
        assert list(shown) == sorted(shown, reverse=True)
        assert (rates["population"].dropna() >= 10).all()
        ok = rates.dropna(subset=["net_rate", "net_rate_lo", "net_rate_hi"])
        assert (ok["net_rate_lo"] <= ok["net_rate_hi"]).all()


def test_missing_sections_name_the_command(app_db):
    with q.Reader.open(app_db) as r:
        with pytest.raises(q.MissingData) as exc:
            q.scenarios(r, q.Filters())
        assert "talentflow scenario run" in exc.value.command
        assert f"--db {app_db.name}" in exc.value.command and str(app_db.parent) not in exc.value.command
        with pytest.raises(q.MissingData) as exc:
            q.specialization(r, q.Filters(field_kind="domain"))
        assert "talentflow tag" in exc.value.command
        ov = q.overview(r)
        assert ov["available"]["inference"] and ov["available"]["specialization"]
        assert not ov["available"]["scenarios"]


def test_specialization_suppresses_small_cells(app_db):
    with q.Reader.open(app_db) as r:
        cells = q.specialization(r, q.Filters(min_cell=25))
        small = cells[cells["suppressed"]]
        assert len(small) > 0
        assert small["rca"].isna().all() and small["n_researchers"].isna().all()
        assert (cells.loc[~cells["suppressed"], "n_researchers"] >= 25).all()


def test_country_drill_down(app_db):
    with q.Reader.open(app_db) as r:
        d = q.country_detail(r, q.Filters(n_boot=20), "USA")
        assert d["summary"]["name"] == "United States"
        assert len(d["organizations"]) > 0
        assert (d["organizations"]["researchers"] >= 10).all()
        assert (d["inflows"]["destination"] == "USA").all()
        with pytest.raises(ConfigError):
            q.country_detail(r, q.Filters(), "XXX")


def test_validation_places_published_figures_beside_ours(app_db, mirror):
    with q.Reader.open(app_db) as r:
        t = q.validation(r, q.Filters(n_boot=20))
    assert len(t) >= 70  # one row per published figure
    assert t["published_value"].notna().all()
    assert t["why_they_differ"].str.len().gt(0).all()
    stanford = t[t["metric"] == "net_ai_talent_migration_per_10k"]
    assert stanford["comparable"].all()
