"""The warehouse-fed pair terms: log_collab (lagged co-authorship) and specialization_similarity."""

import numpy as np
import pandas as pd
import pytest

from talentflow.errors import ConfigError
from talentflow.models.gravity import fit_gravity
from talentflow.models.params import GravitySpec
from talentflow.models.sources import FlowData, build_panel

COUNTRIES = ["DEU", "FRA", "ITA", "ESP", "GBR", "NLD", "BEL", "AUT", "CHE", "POL"]


def _synthetic(beta_collab: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    rows, collab = [], []
    for year in (2015, 2016, 2017):
        for o in COUNTRIES:
            for d in COUNTRIES:
                if o == d:
                    continue
                papers = int(rng.integers(0, 60))
                collab.append((o, d, year, papers))
                mu = np.exp(0.5 + beta_collab * np.log1p(papers))
                rows.append((o, d, year, float(rng.poisson(mu))))
    flows = pd.DataFrame(rows, columns=["origin", "destination", "year", "count"])
    col = pd.DataFrame(collab, columns=["origin", "destination", "year", "collab_papers_full"])
    return FlowData("synthetic", flows), col


def test_log_collab_effect_is_recovered():
    data, col = _synthetic(0.6)
    spec = GravitySpec(fixed_effects="country_and_year", pair_covariates=("log_collab",))
    panel = build_panel(data, spec, collaboration=col)
    fit = fit_gravity(panel.frame, spec, diagnostics=panel.diagnostics)
    est = fit.coefficients.set_index("term").loc["log_collab"]
    assert abs(est["estimate"] - 0.6) < 4 * est["std_error"] and abs(est["estimate"] - 0.6) < 0.1


def test_absent_pair_years_count_as_no_collaboration():
    data, col = _synthetic(0.0)
    spec = GravitySpec(fixed_effects="country_and_year", pair_covariates=("log_collab",))
    panel = build_panel(data, spec, collaboration=col.iloc[:10])
    assert panel.diagnostics["rows_without_collaboration"] == len(panel.frame) - 10
    assert (panel.frame["log_collab"] >= 0).all() and panel.frame["log_collab"].notna().all()


def test_missing_tables_are_clear_errors():
    data, _ = _synthetic(0.0)
    with pytest.raises(ConfigError, match="log_collab needs a collaboration table"):
        build_panel(data, GravitySpec(fixed_effects="country_and_year", pair_covariates=("log_collab",)))
    from talentflow.models_api import fit_model

    with pytest.raises(ConfigError, match="computed from a warehouse: give --db"):
        fit_model("scholarly-migration", spec=GravitySpec(pair_covariates=("log_distance", "log_collab")))


def test_warehouse_pair_terms_end_to_end(small_warehouse, tmp_path):
    """infer -> flows; the two pair terms computed from the same warehouse; the fit runs."""
    import shutil

    from talentflow.migration_api import infer
    from talentflow.models_api import collaboration_table, specialization_profiles

    db = tmp_path / "w.duckdb"
    shutil.copy(small_warehouse, db)
    infer(db)
    prof = specialization_profiles(db)
    assert {"country", "year", "field", "value"} <= set(prof.columns) and (prof["value"] > 0).all()
    col = collaboration_table(db)
    assert {"origin", "destination", "year", "collab_papers_full"} <= set(col.columns)
    usa_chn = col[(col.origin == "USA") & (col.destination == "CHN")]
    chn_usa = col[(col.origin == "CHN") & (col.destination == "USA")]
    assert usa_chn["collab_papers_full"].sum() == chn_usa["collab_papers_full"].sum() > 0
