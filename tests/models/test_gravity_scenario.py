"""Scenario projection: IPF, levers, stock-flow accounting, bands, scenario files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentflow.errors import ConfigError
from talentflow.models.gravity import fit_gravity
from talentflow.models.params import GravitySpec, Lever, ProjectionSpec, Scenario
from talentflow.models.scenario import build_base, ipf_probabilities, load_scenario, parse_scenario, project, run_scenario
from talentflow.models.simulate import simulate_flows
from talentflow.models.sources import build_panel, from_frame

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def setup():
    flows, cy = simulate_flows(years=(2014, 2015, 2016, 2017), seed=9, scale=50.0)
    data = from_frame(flows, cy)
    spec = GravitySpec()
    fit = fit_gravity(build_panel(data, spec).frame, spec)
    return data, fit


def _scenario(levers, **proj):
    return Scenario(name="t", horizon=2022, levers=tuple(levers), projection=ProjectionSpec(draws=20, **proj))


def test_ipf_matches_margins():
    rng = np.random.default_rng(0)
    k = rng.uniform(0.1, 2, (6, 6))
    out = rng.uniform(10, 100, 6)
    inn = rng.uniform(10, 100, 6)
    inn *= out.sum() / inn.sum()
    p = ipf_probabilities(k, out, inn)
    flows = out[:, None] * p
    np.testing.assert_allclose(flows.sum(axis=1), out, rtol=1e-8)
    np.testing.assert_allclose(flows.sum(axis=0), inn, rtol=1e-6)
    assert np.all(np.diag(p) == 0)


def test_no_effect_lever_gives_the_baseline_and_stocks_add_up(setup):
    data, fit = setup
    sc = _scenario([Lever(kind="attractiveness", countries=("KOR",), start=2018, effect=0.0)])
    base = build_base(data, fit, sc.projection)
    res = project(base, sc, draws=3, rng=np.random.default_rng(1), model_uncertain=False, levers_uncertain=False)
    for v in ("stock", "inflow"):
        np.testing.assert_allclose(res["scenario"][v], res["baseline"][v])
    b = res["baseline"]
    prev = np.concatenate([np.broadcast_to(base.stock, (3, 1, len(base.stock))), b["stock"][:, :-1]], axis=1)
    np.testing.assert_allclose(b["stock"], prev + b["entrants"] - b["exits"] + b["inflow"] - b["outflow"], rtol=1e-10)
    # world migration is a transfer: inflows and outflows sum to the same total
    np.testing.assert_allclose(b["inflow"].sum(axis=2), b["outflow"].sum(axis=2), rtol=1e-10)
    # the first projected year reproduces the base window's outflow rates
    np.testing.assert_allclose(b["outflow"][0, 0], base.out_rate * base.stock, rtol=1e-10)


def test_attractiveness_diverts_movers_under_fixed_outflows(setup):
    data, fit = setup
    sc = _scenario([Lever(kind="attractiveness", countries=("KOR",), start=2018, effect=0.2)])
    base = build_base(data, fit, sc.projection)
    res = project(base, sc, draws=2, rng=np.random.default_rng(1), model_uncertain=False, levers_uncertain=False)
    k = list(base.countries).index("KOR")
    b, s = res["baseline"], res["scenario"]
    assert s["inflow"][0, 0, k] > b["inflow"][0, 0, k] * 1.15
    np.testing.assert_allclose(s["outflow"][0, 0], b["outflow"][0, 0])  # same movers in year 1
    others = np.arange(len(base.countries)) != k
    assert (s["inflow"][0, 0, others] <= b["inflow"][0, 0, others] + 1e-9).all()
    # partial equilibrium: more movers, nobody diverted
    sp = dataclasses.replace(sc, projection=dataclasses.replace(sc.projection, equilibrium="partial"))
    rp = project(base, sp, draws=2, rng=np.random.default_rng(1), model_uncertain=False, levers_uncertain=False)
    np.testing.assert_allclose(rp["scenario"]["inflow"][0, 0, others], rp["baseline"]["inflow"][0, 0, others])


def test_retention_cuts_outflows_by_the_stated_share(setup):
    data, fit = setup
    sc = _scenario([Lever(kind="retention", countries=("IND",), start=2018, effect=0.25)])
    base = build_base(data, fit, sc.projection)
    res = project(base, sc, draws=2, rng=np.random.default_rng(1), model_uncertain=False, levers_uncertain=False)
    i = list(base.countries).index("IND")
    assert res["scenario"]["outflow"][0, 0, i] == pytest.approx(0.75 * res["baseline"]["outflow"][0, 0, i])


def test_funding_and_compute_formulas(setup):
    data, fit = setup
    from talentflow.models.scenario import lever_log_effects

    base = build_base(data, fit, ProjectionSpec(draws=5))
    fund = Lever(kind="funding", countries=("FRA",), start=2018, amount_usd=1e8, baseline_budget_usd=1e9, elasticity=0.5,
                 applies_to=("attractiveness", "retention"))
    comp = Lever(kind="compute", countries=("JPN",), start=2018, increase=1.0, elasticity=0.1)
    eff = lever_log_effects((fund, comp), base, 3, np.random.default_rng(0), None, False, "destination")
    assert eff[0]["attract"][0] == pytest.approx(0.5 * np.log(1.1))
    assert eff[0]["retain"][0] == pytest.approx(-0.5 * np.log(1.1))
    assert eff[1]["attract"][0] == pytest.approx(0.1 * np.log(2.0))


def test_fitted_policy_coefficient_drives_a_funding_lever():
    flows, cy = simulate_flows(years=tuple(range(2010, 2016)), seed=3, scale=50.0)
    rng = np.random.default_rng(0)
    pol = pd.DataFrame([(c, y, "fund", float(rng.uniform(0, 1))) for c in ("FRA", "DEU", "KOR", "JPN")
                        for y in range(2010, 2016)], columns=["country", "year", "policy", "intensity"])
    spec = GravitySpec(fixed_effects="country_and_year", policies=("fund",))
    data = from_frame(flows, cy)
    fit = fit_gravity(build_panel(data, spec, policies=pol).frame, spec)
    sc = Scenario(name="p", horizon=2018, model=spec, policy_table="x.csv", projection=ProjectionSpec(draws=30),
                  levers=(Lever(kind="funding", countries=("FRA",), start=2016, policy="fund", intensity=1.0),))
    res = run_scenario(data, fit, sc, policies=pol)
    row = res.summary.set_index("country").loc["FRA"]
    coef = fit.beta["policy_fund_destination"]
    # the lever acts in both projected years at full strength: cumulative inflows change by about exp(coef) - 1
    assert row["cum_inflow_change_pct"] == pytest.approx((np.exp(coef) - 1) * 100, rel=0.35, abs=2.0)


def test_run_scenario_bands_and_drivers(setup):
    data, fit = setup
    sc = dataclasses.replace(_scenario([Lever(kind="attractiveness", countries=("KOR",), start=2018, effect=0.15,
                                              effect_se=0.05)]), report_countries=("USA",))
    res = run_scenario(data, fit, sc)
    kor = res.summary.set_index("country").loc["KOR"]
    assert kor["stock_difference_low"] < kor["stock_difference"] < kor["stock_difference_high"]
    assert kor["stock_difference"] > 0
    assert res.summary.set_index("country").loc["USA", "stock_difference"] < 0
    d = res.drivers.set_index(["country", "uncertainty"])["band_width"]
    assert d[("KOR", "levers_only")] > d[("KOR", "model_parameters_only")]
    assert set(res.series["variable"]) == {"stock", "inflow", "outflow", "net_migration", "entrants", "exits"}
    assert (res.flows["destination"].eq("KOR") | res.flows["origin"].eq("KOR") | res.flows["origin"].eq("USA")
            | res.flows["destination"].eq("USA")).all()


def test_scenario_file_errors_name_the_place(tmp_path):
    with pytest.raises(ConfigError, match=r"\[\[lever\]\] #1: unknown field"):
        parse_scenario({"scenario": {"name": "x", "horizon": 2030}, "lever": [{"type": "retention", "start": 2025,
                                                                           "country": "KOR", "cutt": 0.1}]})
    with pytest.raises(ConfigError, match="not an ISO3"):
        parse_scenario({"scenario": {"name": "x", "horizon": 2030},
                        "lever": [{"type": "retention", "start": 2025, "country": "Korea", "cut": 0.1}]})
    with pytest.raises(ConfigError, match="no lever"):
        parse_scenario({"scenario": {"name": "x", "horizon": 2030}})


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.toml")), ids=lambda p: p.name)
def test_shipped_scenarios_parse_and_are_labelled(path):
    sc = load_scenario(path)
    assert sc.illustration
    assert "illustration" in sc.name.lower()
    assert len(sc.assumptions) >= 2
    assert sc.horizon > 2018
