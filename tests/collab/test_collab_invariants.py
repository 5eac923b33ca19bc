"""Invariants of the counting, on random paper sets (Hypothesis), and the warehouse loader end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import talentflow.collab_api as tc
from talentflow.collab.networks import CollabParams, collab_tables, count_tables, pair_matrix, paper_credits
from tests.collab.wh_rows import fill

UNITS = ["USA", "CHN", "GBR", "DEU", None]

author = st.lists(st.sampled_from(UNITS), min_size=0, max_size=3)  # an author's affiliations (units or unknown)
paper = st.tuples(st.integers(2015, 2020), st.lists(author, min_size=1, max_size=6))


def _frame(papers) -> pd.DataFrame:
    rows = []
    for i, (year, authors) in enumerate(papers):
        for j, affs in enumerate(authors):
            for unit in affs:
                rows.append((f"W{i}", year, f"R{i}_{j}", 1.0 / len(affs), unit, "education", len(authors)))
    return pd.DataFrame(rows, columns=["work_id", "year", "researcher_id", "weight", "unit", "itype", "n_authors"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paper, min_size=1, max_size=25))
def test_counting_invariants(papers):
    aff = _frame(papers)
    if aff.empty or aff["unit"].isna().all():
        return
    params = CollabParams(min_cell=0, centrality=False)
    credit, pstats = paper_credits(aff, params)
    # each paper with a known unit has fractional credits summing to one
    per_paper = credit.groupby("work_id")["frac"].sum()
    assert np.allclose(per_paper.to_numpy(), 1.0)
    # all_authors: credits never exceed one
    credit_all, _ = paper_credits(aff, CollabParams(min_cell=0, centrality=False, denominator="all_authors"))
    assert (credit_all.groupby("work_id")["frac"].sum() <= 1 + 1e-9).all()
    units, pairs, summary = count_tables(credit, pstats)
    assert units["papers_frac"].sum() == pytest.approx(len(per_paper))
    # each multi-unit paper carries a pair weight of one
    assert pairs["papers_frac"].sum() == pytest.approx(int((pstats["n_units"] > 1).sum()))
    if not pairs.empty:
        size = units.set_index("unit")["papers_full"]
        assert (pairs["papers_full"] <= np.minimum(size[pairs["unit_a"]].to_numpy(),
                                                   size[pairs["unit_b"]].to_numpy())).all()
        assert ((pairs["salton"] > 0) & (pairs["salton"] <= 1 + 1e-12)).all()
        assert (pairs["unit_a"] < pairs["unit_b"]).all()
        for value in ("papers_full", "papers_frac", "salton", "obs_exp"):
            m = pair_matrix(pairs, value).to_numpy()
            assert np.array_equal(m, m.T)
            assert (np.diag(m) == 0).all()
    assert ((units["external_share"] >= 0) & (units["external_share"] <= 1)).all()
    assert (units["external_papers"] <= units["papers_full"]).all()


@settings(max_examples=15, deadline=None)
@given(st.lists(paper, min_size=2, max_size=20), st.sampled_from([1, 2, 5]))
def test_periods_partition_the_papers(papers, length):
    aff = _frame(papers)
    if aff.empty or aff["unit"].isna().all():
        return
    whole = collab_tables(aff, CollabParams(min_cell=0, centrality=False))
    split = collab_tables(aff, CollabParams(min_cell=0, centrality=False, period_length=length))
    assert split.units.groupby("unit")["papers_full"].sum().to_dict() == \
        whole.units.set_index("unit")["papers_full"].to_dict()
    assert split.summary["papers"].sum() == whole.summary["papers"].sum()


PAPERS = [
    ("w1", 2019, "icra", [("a1", [("mit", "USA")]), ("a2", [("tsinghua", "CHN")]),
                          ("a3", [("mit", "USA"), ("oxford", "GBR")])]),
    ("w2", 2020, "icra", [("b1", [("google", "USA")]), ("b2", [])]),
    ("w3", 2021, "acl", [("c1", [("tsinghua", "CHN")]), ("c2", [("deepmind", "GBR")])]),
]


def test_levels_through_the_warehouse(wh):
    fill(wh, PAPERS)
    country = tc.collaboration(wh, level="country", min_cell=0)
    u = country.units.set_index("unit")
    assert u.loc["USA", "papers_frac"] == pytest.approx(0.5 + 1.0)
    assert u.loc["GBR", "papers_frac"] == pytest.approx(1 / 6 + 0.5)
    assert u.loc["USA", "unit_name"] == "United States"
    region = tc.collaboration(wh, level="region", min_cell=0).units.set_index("unit")
    assert region.loc["North America", "papers_full"] == 2
    assert region.loc["East Asia & Pacific", "papers_full"] == 2
    hub = tc.collaboration(wh, level="hub", min_cell=0).units.set_index("unit")
    assert set(hub.index) == {"Boston", "Bay Area", "Beijing", "London"}
    assert hub.loc["Bay Area", "papers_frac"] == pytest.approx(1.0)  # w2: b2 has no affiliation
    org = tc.collaboration(wh, level="org", min_cell=0)
    assert set(org.units["unit"]) == {"mit", "tsinghua", "oxford", "google", "deepmind"}
    rolled = tc.collaboration(wh, level="org", org_rollup=True, min_cell=0).units.set_index("unit")
    assert "deepmind" not in rolled.index and rolled.loc["google", "papers_full"] == 2
    # w3 pairs a university with a company; w1 has a company? no: only w3 is academia-industry
    assert country.summary.loc[0, "acad_industry_papers"] == 1
    venues = tc.collaboration(wh, level="country", venues=("ACL",), min_cell=0).units
    assert set(venues["unit"]) == {"CHN", "GBR"}
    years = tc.collaboration(wh, level="country", year_from=2020, min_cell=0).units
    assert set(years["unit"]) == {"USA", "CHN", "GBR"} and years["papers_full"].sum() == 3
    stable = tc.collaboration(wh, level="country", identity="stable_id", min_cell=0)
    assert stable.units["papers_full"].sum() == country.units["papers_full"].sum()


def test_save_records_params(wh):
    fill(wh, PAPERS)
    res = tc.collaboration(wh, level="country", min_cell=0, save=True)
    assert res.params_id
    stored = wh.query("SELECT * FROM collab_units WHERE params_id = ?", [res.params_id])
    assert len(stored) == len(res.units) and set(stored["level"]) == {"country"}
    assert wh.query("SELECT kind FROM meta_runs WHERE params_id = ?", [res.params_id])["kind"].tolist() == ["collab"]
    again = tc.collaboration(wh, level="country", min_cell=0, save=True)  # same params: replaced, not doubled
    assert again.params_id == res.params_id
    assert wh.count("collab_pairs") == len(res.pairs)
