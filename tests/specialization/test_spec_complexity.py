"""Proximity, density and complexity: hand-worked examples, the two complexity methods, and the oracle
comparison with the ecomplexity package's values (stored once in data/ecomplexity_oracle.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from talentflow.metrics import complexity as cx
from talentflow.metrics.specialization import rca_matrix, region_indices

ORACLE = Path(__file__).parent / "data" / "ecomplexity_oracle.json"


def test_proximity_and_density_hand_worked():
    # Fields f0, f1, f2; regions r0 {f0, f1}, r1 {f0}, r2 {f1, f2}.
    M = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]], dtype=float)
    phi = cx.proximity(M)
    # ubiquity 2, 2, 1; co-occurrence f0f1 = 1 -> 1 / max(2, 2) = .5; f1f2 = 1 -> 1 / 2 = .5; f0f2 = 0
    np.testing.assert_allclose(phi, [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]])
    dens = cx.density(M, phi)
    # r1 around f1: (M[r1] . phi[:, f1]) / sum phi[:, f1] = (1 * .5) / 2 = .25
    assert dens[1, 1] == pytest.approx(0.25)
    # r2 around f0: (0 * 1 + 1 * .5 + 1 * 0) / 1.5 = 1/3
    assert dens[2, 0] == pytest.approx(1 / 3)


def test_complexity_nested_matrix_orders_regions_by_diversity():
    # A perfectly nested matrix: region i holds fields 0..i. The most diverse region is the most
    # complex, and the rarest field (the last, held by the most diverse region only) the most complex.
    n = 6
    M = np.tril(np.ones((n, n)))
    eci, pci = cx.complexity_eigen(M)
    assert np.all(np.diff(eci) > 0)
    assert np.all(np.diff(pci) > 0)
    assert eci.mean() == pytest.approx(0, abs=1e-9) and eci.std() == pytest.approx(1)


def test_zero_rows_and_columns_get_nan():
    M = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0]], dtype=float)
    eci, pci = cx.complexity_eigen(M)
    assert np.isnan(eci[1]) and np.isnan(pci[3])
    assert np.isfinite(eci[[0, 2, 3]]).all()


presence = arrays(np.float64, st.tuples(st.integers(4, 9), st.integers(4, 7)), elements=st.sampled_from([0.0, 1.0]))


def _well_posed(M: np.ndarray, gap: float) -> bool:
    """A spectral gap below the second eigenvalue and a sign fixed by diversity."""
    Mv = M[M.sum(axis=1) > 0][:, M.sum(axis=0) > 0]
    if min(Mv.shape) < 3:
        return False
    A = Mv / np.sqrt(Mv.sum(1))[:, None] / np.sqrt(Mv.sum(0))[None, :]
    vals, vecs = np.linalg.eigh(A @ A.T)
    if vals[-2] - vals[-3] < gap or vals[-2] < 1e-9:
        return False
    eci = vecs[:, -2] / np.sqrt(Mv.sum(1))
    return np.std(Mv.sum(1)) > 0 and abs(np.corrcoef(Mv.sum(1), eci)[0, 1]) > 1e-3


@settings(max_examples=60, deadline=None)
@given(presence)
def test_reflections_agree_with_the_eigenvector(M):
    if not _well_posed(M, 0.05):
        return
    eci_e, _ = cx.complexity_eigen(M)
    eci_r, _ = cx.complexity_reflections(M, iterations=400)
    if np.isnan(eci_r).all():
        return  # diversity has no component along the second eigenvector: reflections say nothing
    ok = np.isfinite(eci_e)
    assert np.corrcoef(eci_e[ok], eci_r[ok])[0, 1] > 0.99


@settings(max_examples=60, deadline=None)
@given(presence, st.randoms(use_true_random=False))
def test_relabelling_permutes_complexity(M, rnd):
    if not _well_posed(M, 1e-6):
        return
    rows = list(range(M.shape[0]))
    cols = list(range(M.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    e1, p1 = cx.complexity_eigen(M)
    e2, p2 = cx.complexity_eigen(M[rows][:, cols])
    np.testing.assert_allclose(e2, e1[rows], atol=1e-7, equal_nan=True)
    np.testing.assert_allclose(p2, p1[cols], atol=1e-7, equal_nan=True)


# -- oracle ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def oracle() -> dict:
    return json.loads(ORACLE.read_text(encoding="utf-8"))


def test_oracle_fixture_has_provenance(oracle):
    assert "ecomplexity" in oracle["provenance"]
    assert len(oracle["regions"]) == len(oracle["counts"]) >= 20


def test_rca_matches_ecomplexity(oracle):
    X = np.array(oracle["counts"])
    np.testing.assert_allclose(rca_matrix(X), np.array(oracle["rca"]), rtol=1e-9)
    np.testing.assert_array_equal(cx.presence(rca_matrix(X)), np.array(oracle["mcp"]))


def test_diversity_ubiquity_match_ecomplexity(oracle):
    X = np.array(oracle["counts"])
    rca = rca_matrix(X)
    assert region_indices(X, rca)["diversity"].tolist() == [int(v) for v in oracle["diversity"]]
    assert cx.presence(rca).sum(axis=0).astype(int).tolist() == [int(v) for v in oracle["ubiquity"]]


def test_proximity_and_density_match_ecomplexity(oracle):
    M = cx.presence(rca_matrix(np.array(oracle["counts"])))
    phi = cx.proximity(M)
    np.testing.assert_allclose(phi, np.array(oracle["proximity"]), atol=1e-12)
    np.testing.assert_allclose(cx.density(M, phi), np.array(oracle["density"]), atol=1e-12)


def test_complexity_matches_ecomplexity(oracle):
    M = cx.presence(rca_matrix(np.array(oracle["counts"])))
    eci, pci = cx.complexity_eigen(M)
    assert np.isfinite(np.array(oracle["eci"], dtype=float)).all()  # no NaN = NaN passes
    np.testing.assert_allclose(eci, np.array(oracle["eci"], dtype=float), atol=1e-8)
    np.testing.assert_allclose(pci, np.array(oracle["pci"], dtype=float), atol=1e-8)
