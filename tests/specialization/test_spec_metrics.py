"""RCA, counting, indices, bootstrap and trends: hand-worked examples and Hypothesis invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from talentflow.errors import ConfigError
from talentflow.metrics.specialization import (
    SpecializationParams,
    bootstrap_rca,
    field_indices,
    field_weights,
    period_labels,
    rca_matrix,
    rca_trend,
    region_indices,
    work_region_shares,
)

# -- hand-worked examples ----------------------------------------------------------------------

def test_rca_hand_worked():
    # Region A: 30 robotics, 10 vision; region B: 10 robotics, 50 vision. World: 40 / 60 of 100.
    X = np.array([[30.0, 10.0], [10.0, 50.0]])
    rca = rca_matrix(X)
    # A robotics: (30/40) / (40/100) = 1.875; A vision: (10/40) / (60/100) = 0.41667
    # B robotics: (10/60) / 0.4 = 0.41667; B vision: (50/60) / 0.6 = 1.38889
    np.testing.assert_allclose(rca, [[1.875, 0.25 / 0.6], [(1 / 6) / 0.4, (5 / 6) / 0.6]])


def test_rca_with_an_explicit_base():
    # Domains: A has 100 papers in all, 10 of them healthcare; B 300 papers, 6 healthcare.
    X = np.array([[10.0], [6.0]])
    rca = rca_matrix(X, totals=np.array([100.0, 300.0]))
    # world healthcare share 16/400 = 0.04; A: 0.10 / 0.04 = 2.5; B: 0.02 / 0.04 = 0.5
    np.testing.assert_allclose(rca[:, 0], [2.5, 0.5])


def test_rca_zero_rows_and_columns_are_nan_not_errors():
    X = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 0.0]])
    rca = rca_matrix(X)
    assert np.isnan(rca[0]).all() and np.isnan(rca[:, 2]).all()
    with pytest.raises(ConfigError):
        rca_matrix(np.array([[-1.0, 2.0]]))


def test_fractional_counting_hand_worked():
    # Work w1: three authors; a in USA (one affiliation), b split USA/CHN (two affiliations),
    # c without any affiliation. Located authors: a, b -> each 1/2; b's half split 1/4 + 1/4.
    obs = pd.DataFrame({
        "work_id": ["w1", "w1", "w1"],
        "researcher_id": ["a", "b", "b"],
        "region": ["USA", "USA", "CHN"],
        "weight": [1.0, 0.5, 0.5],
        "located": [True, True, True],
    })
    authors = pd.DataFrame({"work_id": ["w1"], "n_authors": [3]})
    located = work_region_shares(obs, authors, "fractional", "located").set_index("region")["share"]
    assert located.to_dict() == pytest.approx({"USA": 0.75, "CHN": 0.25})
    everyone = work_region_shares(obs, authors, "fractional", "all").set_index("region")["share"]
    assert everyone.to_dict() == pytest.approx({"USA": 0.5, "CHN": 1 / 6})  # c's third is lost
    full = work_region_shares(obs, authors, "full").set_index("region")["share"]
    assert full.to_dict() == {"USA": 1.0, "CHN": 1.0}


def test_hub_level_keeps_the_country_denominator():
    # Two located authors; only one is in a hub: the hub gets 1/2, not 1.
    obs = pd.DataFrame({"work_id": ["w", "w"], "researcher_id": ["a", "b"], "region": ["Seoul", None],
                        "weight": [1.0, 1.0], "located": [True, True]})
    shares = work_region_shares(obs, pd.DataFrame({"work_id": ["w"], "n_authors": [2]}))
    assert shares["share"].tolist() == [0.5]


def test_field_weights_split():
    wf = pd.DataFrame({"work_id": ["a", "a", "b"], "field": ["x", "y", "x"]})
    assert field_weights(wf, "split")["fweight"].tolist() == [0.5, 0.5, 1.0]
    assert field_weights(wf, "full")["fweight"].tolist() == [1.0, 1.0, 1.0]


def test_indices_hand_worked():
    X = np.array([[30.0, 10.0], [10.0, 50.0]])
    rca = rca_matrix(X)
    ri = region_indices(X, rca)
    # A: shares .75/.25 -> HHI .625; world .4/.6 -> Krugman |.75-.4| + |.25-.6| = .7
    assert ri.loc[0, "hhi"] == pytest.approx(0.625)
    assert ri.loc[0, "krugman"] == pytest.approx(0.7)
    assert ri.loc[0, "entropy"] == pytest.approx(-(0.75 * np.log(0.75) + 0.25 * np.log(0.25)))
    assert ri["diversity"].tolist() == [1, 1]
    fi = field_indices(X, X.sum(axis=1), rca)
    # robotics: A holds 30/40 = .75 of it but .4 of all output; Hoover = .5 (|.75-.4| + |.25-.6|) = .35
    assert fi.loc[0, "hoover"] == pytest.approx(0.35)
    assert fi["ubiquity"].tolist() == [1, 1]


def test_period_labels():
    years = pd.Series([2000, 2004, 2005, 2019, 1999])
    assert period_labels(years, 5, 2000).tolist() == ["2000-2004", "2000-2004", "2005-2009", "2015-2019", "1995-1999"]
    assert set(period_labels(years, 0, 2000)) == {"all"}


def test_trend_slope():
    cells = pd.DataFrame({"region": "KOR", "field": "robotics", "period": ["2000-2004", "2005-2009", "2010-2014"],
                          "rca": [1.0, 1.5, 2.0]})
    tr = rca_trend(cells).iloc[0]
    assert tr["slope_per_year"] == pytest.approx(0.1)
    assert (tr["rca_first"], tr["rca_last"]) == (1.0, 2.0)


def test_params_are_validated():
    with pytest.raises(ConfigError, match="level"):
        SpecializationParams(level="planet")
    with pytest.raises(ConfigError, match="after"):
        SpecializationParams(year_from=2020, year_to=2010)
    with pytest.raises(ConfigError):
        SpecializationParams(ci=1.5)


# -- bootstrap ---------------------------------------------------------------------------------

def _toy_entries(rng, n_works=300, R=3, F=2):
    region = rng.integers(0, R, n_works)
    field = rng.integers(0, F, n_works)
    cell_work = np.arange(n_works)
    cell_index = region * F + field
    values = np.ones(n_works)
    return cell_work, cell_index, values, cell_work, region, values, n_works, R, F


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(0)
    e = _toy_entries(rng)
    lo1, hi1 = bootstrap_rca(*e, replicates=300, ci=0.9, seed=7)
    lo2, hi2 = bootstrap_rca(*e, replicates=300, ci=0.9, seed=7)
    np.testing.assert_array_equal(lo1, lo2)
    X = np.bincount(e[1], minlength=e[7] * e[8]).reshape(e[7], e[8]).astype(float)
    point = rca_matrix(X).ravel()
    assert ((lo1 <= point + 1e-9) & (point - 1e-9 <= hi1)).all()
    assert (hi1 > lo1).all()
    lo3, _ = bootstrap_rca(*e, replicates=300, ci=0.9, seed=8)
    assert not np.array_equal(lo1, lo3)


def test_bootstrap_interval_narrows_with_more_works():
    widths = []
    for n in (200, 5000):
        e = _toy_entries(np.random.default_rng(1), n_works=n)
        lo, hi = bootstrap_rca(*e, replicates=200, ci=0.9, seed=3)
        widths.append(np.nanmean(hi - lo))
    assert widths[1] < widths[0] / 2


# -- invariants (Hypothesis) -----------------------------------------------------------------

counts = arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(2, 6)),
                elements=st.floats(0, 1000, allow_nan=False, allow_subnormal=False))


def _usable(X):
    return X.sum(axis=1).min() > 1e-6 and X.sum(axis=0).min() > 1e-6


@settings(max_examples=150, deadline=None)
@given(counts, st.floats(1e-3, 1e4))
def test_rca_unchanged_when_all_counts_scale(X, k):
    if not _usable(X):
        return
    np.testing.assert_allclose(rca_matrix(X * k), rca_matrix(X), rtol=1e-9, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(counts, st.booleans())
def test_share_weighted_mean_rca_is_one_for_every_field(X, with_base):
    if not _usable(X):
        return
    T = X.sum(axis=1) * (1.5 if with_base else 1.0) + (7.0 if with_base else 0.0)  # base >= row sums
    rca = rca_matrix(X, T)
    weights = T / T.sum()
    np.testing.assert_allclose(weights @ rca, np.ones(X.shape[1]), rtol=1e-9)


@settings(max_examples=100, deadline=None)
@given(counts, st.randoms(use_true_random=False))
def test_relabelling_regions_permutes_the_output(X, rnd):
    if not _usable(X):
        return
    perm = list(range(X.shape[0]))
    rnd.shuffle(perm)
    np.testing.assert_allclose(rca_matrix(X[perm]), rca_matrix(X)[perm], rtol=1e-12)
    ri = region_indices(X, rca_matrix(X))
    rp = region_indices(X[perm], rca_matrix(X[perm]))
    np.testing.assert_allclose(rp.to_numpy(dtype=float), ri.to_numpy(dtype=float)[perm], rtol=1e-9, atol=1e-12, equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(counts)
def test_indices_stay_in_their_ranges(X):
    if not _usable(X):
        return
    ri = region_indices(X, rca_matrix(X))
    F = X.shape[1]
    assert ((ri["hhi"] >= 1 / F - 1e-12) & (ri["hhi"] <= 1 + 1e-12)).all()
    assert ((ri["krugman"] >= -1e-12) & (ri["krugman"] <= 2 + 1e-12)).all()
    assert ((ri["entropy_norm"] >= -1e-12) & (ri["entropy_norm"] <= 1 + 1e-12)).all()
    fi = field_indices(X, X.sum(axis=1), rca_matrix(X))
    assert ((fi["hoover"] >= -1e-12) & (fi["hoover"] <= 1 + 1e-12)).all()


def test_an_unlocated_second_affiliation_does_not_lose_the_authors_share():
    # b has two affiliations, only one with a country: b's half goes wholly to CHN.
    obs = pd.DataFrame({"work_id": ["w", "w", "w"], "researcher_id": ["a", "b", "b"], "region": ["USA", "CHN", None],
                        "weight": [1.0, 0.5, 0.5], "located": [True, True, False]})
    shares = work_region_shares(obs, pd.DataFrame({"work_id": ["w"], "n_authors": [2]})).set_index("region")["share"]
    assert shares.to_dict() == pytest.approx({"USA": 0.5, "CHN": 0.5})
