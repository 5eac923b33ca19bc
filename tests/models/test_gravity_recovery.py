"""Simulation recovery: flows generated from known coefficients are fitted and the coefficients recovered."""

from __future__ import annotations

import numpy as np
import pytest

from talentflow.models.gravity import draw_coefficients, fit_gravity
from talentflow.models.params import GravitySpec
from talentflow.models.simulate import DEFAULT_BETA, simulate_flows
from talentflow.models.sources import build_panel, from_frame


def test_recovers_pair_coefficients_with_country_year_effects():
    flows, cy = simulate_flows(years=(2010, 2011, 2012, 2013), seed=11, scale=200.0)
    spec = GravitySpec()
    panel = build_panel(from_frame(flows, cy), spec)
    assert panel.diagnostics["zero_flows_added"] > 0
    fit = fit_gravity(panel.frame, spec)
    coefs = fit.coefficients.set_index("term")
    for term, true in DEFAULT_BETA.items():
        est, se = coefs.loc[term, "estimate"], coefs.loc[term, "std_error"]
        assert abs(est - true) < 0.1, (term, est, true)
        assert abs(est - true) < 4 * se, (term, est, se)


def test_recovers_masses_with_country_and_year_effects_under_overdispersion():
    mass = {"log_researchers_destination": 0.8, "log_gdp_pc_origin": -0.5}
    flows, cy = simulate_flows(years=tuple(range(2005, 2013)), seed=5, scale=0.02, overdispersion=5.0, mass_beta=mass)
    spec = GravitySpec(fixed_effects="country_and_year", mass_covariates=tuple(mass))
    fit = fit_gravity(build_panel(from_frame(flows, cy), spec).frame, spec)
    coefs = fit.coefficients.set_index("term")
    for term, true in {**DEFAULT_BETA, **mass}.items():
        est, se = coefs.loc[term, "estimate"], coefs.loc[term, "std_error"]
        assert abs(est - true) < 4 * se + 0.05, (term, est, true, se)


def test_wrong_model_is_detected():
    """A recovery test that cannot fail proves nothing: with the distance effect doubled in the data,
    the estimate moves away from the default value."""
    flows, cy = simulate_flows(seed=11, scale=200.0, beta={**DEFAULT_BETA, "log_distance": -1.6})
    spec = GravitySpec()
    fit = fit_gravity(build_panel(from_frame(flows, cy), spec).frame, spec)
    assert fit.beta["log_distance"] < -1.4


def test_coefficient_draws_follow_the_covariance():
    flows, cy = simulate_flows(seed=2, scale=200.0)
    spec = GravitySpec()
    fit = fit_gravity(build_panel(from_frame(flows, cy), spec).frame, spec)
    draws = draw_coefficients(fit, 4000, np.random.default_rng(0))
    se = fit.coefficients.set_index("term")["std_error"]
    for term in DEFAULT_BETA:
        assert draws[term].mean() == pytest.approx(fit.beta[term], abs=4 * se[term] / np.sqrt(4000) * 3)
        assert draws[term].std() == pytest.approx(se[term], rel=0.08)
