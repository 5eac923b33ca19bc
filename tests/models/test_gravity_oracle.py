"""Oracle: pyfixest's PPML with fixed effects equals statsmodels' Poisson GLM with dummies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentflow.models.gravity import add_fe_columns, fit_gravity
from talentflow.models.params import GravitySpec
from talentflow.models.simulate import simulate_flows
from talentflow.models.sources import build_panel, from_frame

sm = pytest.importorskip("statsmodels.api")

SMALL = ("USA", "CAN", "MEX", "GBR", "FRA", "DEU", "CHN", "IND")


def _glm(panel: pd.DataFrame, terms, fe_cols, cov_type="nonrobust"):
    """Poisson GLM with one dummy per fixed-effect level, minus one level per collinear set."""
    dummies = [pd.get_dummies(panel[c], prefix=c, dtype=float) for c in fe_cols]
    if fe_cols == ["origin_year", "destination_year"]:
        # origin-year and destination-year dummies both sum to the year indicator: drop one destination per year
        first = panel.groupby("year")["destination"].min()
        drop = [f"destination_year_{d}_{y}" for y, d in first.items()]
        dummies[1] = dummies[1].drop(columns=drop)
    else:
        dummies = [d.iloc[:, 1:] if i > 0 else d for i, d in enumerate(dummies)]
    X = pd.concat([panel[list(terms)].astype(float)] + dummies, axis=1)
    assert np.linalg.matrix_rank(X.to_numpy()) == X.shape[1]
    return sm.GLM(panel["count"].astype(float), X, family=sm.families.Poisson()).fit(
        tol=1e-13, maxiter=300, cov_type=cov_type)


@pytest.mark.parametrize("fe, fe_cols, masses, scale", [
    ("country_year", ["origin_year", "destination_year"], (), 300.0),
    ("country_and_year", ["origin", "destination", "year_fe"], ("log_researchers_origin", "log_gdp_pc_destination"), 0.5),
])
def test_estimates_match_statsmodels_glm(fe, fe_cols, masses, scale):
    flows, cy = simulate_flows(countries=SMALL, years=(2015, 2016, 2017), seed=3, scale=scale,
                               mass_beta={"log_researchers_origin": 0.7} if masses else None)
    spec = GravitySpec(fixed_effects=fe, mass_covariates=masses, tol=1e-12, maxiter=300)
    panel = build_panel(from_frame(flows, cy), spec).frame
    assert (panel["count"] == 0).any()  # the zeros are in the sample
    fit = fit_gravity(panel, spec)
    assert fit.n_separated == 0
    glm = _glm(add_fe_columns(panel, spec), spec.terms, fe_cols, cov_type="HC0")
    coefs = fit.coefficients.set_index("term")
    n, k = fit.n_obs, len(glm.params)
    for term in spec.terms:
        assert coefs.loc[term, "estimate"] == pytest.approx(glm.params[term], abs=1e-6), term
        # HC1 = HC0 x n/(n-k); pyfixest counts the fixed effects in k as statsmodels' dummies do
        hc1 = glm.bse[term] * (n / (n - k)) ** 0.5
        assert coefs.loc[term, "std_error_hetero"] == pytest.approx(hc1, rel=2e-2), term
