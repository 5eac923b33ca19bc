"""Lagged collaboration as a flow covariate (worked by hand) and "do flows follow ties?"."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from talentflow.collab.ties import TiesParams, flows_from_moves, flows_vs_collab, lagged_collab
from talentflow.errors import ConfigError

UNITS = pd.DataFrame([("USA", 2010, 100), ("CHN", 2010, 50), ("USA", 2011, 120), ("CHN", 2011, 60),
                      ("DEU", 2011, 30)], columns=["unit", "year", "papers_full"])
PAIRS = pd.DataFrame([("CHN", "USA", 2010, 10, 8.0), ("CHN", "USA", 2011, 20, 15.0), ("DEU", "USA", 2011, 3, 2.5)],
                     columns=["unit_a", "unit_b", "year", "papers_full", "papers_frac"])


def test_lagged_window_by_hand():
    cov, sizes = lagged_collab(UNITS, PAIRS, TiesParams(lag=1, window=2), years=[2012, 2013])
    row = cov[(cov["origin"] == "USA") & (cov["destination"] == "CHN") & (cov["year"] == 2012)].iloc[0]
    # window 2010-2011: 30 pair papers, USA 220 papers, CHN 110
    assert row["collab_papers_full"] == 30 and row["collab_papers_frac"] == pytest.approx(23.0)
    assert row["collab_salton"] == pytest.approx(30 / math.sqrt(220 * 110))
    assert row["collab_share_origin"] == pytest.approx(30 / 220)
    assert row["collab_share_destination"] == pytest.approx(30 / 110)
    back = cov[(cov["origin"] == "CHN") & (cov["destination"] == "USA") & (cov["year"] == 2012)].iloc[0]
    assert back["collab_salton"] == row["collab_salton"] and back["collab_share_origin"] == pytest.approx(30 / 110)
    y13 = cov[(cov["origin"] == "USA") & (cov["destination"] == "CHN") & (cov["year"] == 2013)].iloc[0]
    assert y13["collab_papers_full"] == 20  # window 2011-2012
    assert set(cov.columns) >= {"origin", "destination", "year", "collab_papers_full", "collab_salton"}
    assert sizes.set_index(["unit", "year"]).loc[("USA", 2012), "papers"] == 220


def test_default_years_and_lag_zero():
    cov, _ = lagged_collab(UNITS, PAIRS, TiesParams(lag=0, window=1))
    assert sorted(cov["year"].unique()) == [2010, 2011]
    assert (cov.groupby(["origin", "destination", "year"]).size() == 1).all()


def test_flows_from_moves():
    moves = pd.DataFrame([("a", "CHN", "USA", 2015), ("b", "CHN", "USA", 2015), ("c", "USA", "USA", 2015),
                          ("d", "USA", "CHN", 2016)], columns=["researcher_id", "origin", "destination", "year_to"])
    flows = flows_from_moves(moves).set_index(["origin", "destination", "year"])["count"].to_dict()
    assert flows == {("CHN", "USA", 2015): 2, ("USA", "CHN", 2016): 1}
    with pytest.raises(ConfigError):
        flows_from_moves(moves.drop(columns=["year_to"]))


def _world(seed: int, follow: bool):
    rng = np.random.default_rng(seed)
    names = [f"C{i:02d}" for i in range(25)]
    size = dict(zip(names, rng.integers(100, 2000, size=len(names))))
    units, pairs, flows = [], [], []
    for year in range(2010, 2016):
        for u in names:
            units.append((u, year, size[u]))
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                tie = rng.gamma(0.5) * math.sqrt(size[a] * size[b]) / 200
                c = int(rng.poisson(tie))
                if c:
                    pairs.append((a, b, year, c, c * 0.8))
                for o, d in ((a, b), (b, a)):
                    lam = 0.5 * c if follow else 0.5 * rng.gamma(0.5) * math.sqrt(size[a] * size[b]) / 200
                    n = int(rng.poisson(lam))
                    if n:
                        flows.append((o, d, year + 1, n))
    return (pd.DataFrame(units, columns=["unit", "year", "papers_full"]),
            pd.DataFrame(pairs, columns=["unit_a", "unit_b", "year", "papers_full", "papers_frac"]),
            pd.DataFrame(flows, columns=["origin", "destination", "year", "count"]))


def test_flows_that_follow_ties_are_detected():
    units, pairs, flows = _world(1, follow=True)
    params = TiesParams(lag=1, window=1, min_papers=0, n_boot=200, min_cell=0)
    cov, sizes = lagged_collab(units, pairs, params)
    corr, classes = flows_vs_collab(cov, sizes, flows, params)
    assert (corr["spearman"] > 0.5).all() and (corr["ci_low"] > 0.3).all()
    rates = classes.set_index("collaboration_class")["moves_per_1000_pair_years"]
    assert rates.is_monotonic_increasing
    assert classes["pair_years"].sum() == corr["pair_years"].iloc[0]


def test_size_driven_flows_show_no_normalized_association():
    units, pairs, flows = _world(2, follow=False)
    params = TiesParams(lag=1, window=1, min_papers=0, n_boot=200, min_cell=0)
    cov, sizes = lagged_collab(units, pairs, params)
    corr, _ = flows_vs_collab(cov, sizes, flows, params)
    by = corr.set_index("measure")
    norm = by.loc["flows/sqrt(size) ~ lagged Salton cosine"]
    assert norm["ci_low"] <= 0.05 and abs(norm["spearman"]) < 0.15


def test_params_validated():
    with pytest.raises(ConfigError):
        TiesParams(window=0)
    with pytest.raises(ConfigError):
        TiesParams(strength="jaccard")
