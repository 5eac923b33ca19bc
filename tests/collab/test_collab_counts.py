"""Co-authorship counts worked by hand: full vs fractional counting, a paper with three countries,
pairs, Salton's cosine, observed/expected, periods, suppression, and the loader on a tiny warehouse."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from talentflow.collab.frames import assign_periods
from talentflow.collab.networks import CollabParams, collab_tables, count_tables, pair_matrix, paper_credits
from talentflow.errors import ConfigError

# P1: a1 USA (education), a2 CHN (company), a3 two affiliations USA + GBR  -> three countries
# P2: b1 USA (education), b2 without any affiliation                        -> one country, 2 authors
# P3: c1 CHN, c2 CHN (education), c3 an affiliation with no known country    -> domestic
AFF = pd.DataFrame([
    ("P1", 2019, "a1", 1.0, "USA", "education", 3),
    ("P1", 2019, "a2", 1.0, "CHN", "company", 3),
    ("P1", 2019, "a3", 0.5, "USA", "education", 3),
    ("P1", 2019, "a3", 0.5, "GBR", "education", 3),
    ("P2", 2020, "b1", 1.0, "USA", "education", 2),
    ("P3", 2021, "c1", 1.0, "CHN", "education", 3),
    ("P3", 2021, "c2", 1.0, "CHN", "education", 3),
    ("P3", 2021, "c3", 1.0, None, "other", 3),
], columns=["work_id", "year", "researcher_id", "weight", "unit", "itype", "n_authors"])


def _credit(params=None) -> dict[tuple[str, str], float]:
    credit, _ = paper_credits(AFF, params or CollabParams(min_cell=0))
    return {(w, u): f for w, u, f in credit[["work_id", "unit", "frac"]].itertuples(index=False)}


def test_fractional_known_authors_by_hand():
    c = _credit()
    # P1: 1/3 per author; a3's third split 0.5/0.5 between USA and GBR
    assert c[("P1", "USA")] == pytest.approx(1 / 3 + 1 / 6)
    assert c[("P1", "CHN")] == pytest.approx(1 / 3)
    assert c[("P1", "GBR")] == pytest.approx(1 / 6)
    # P2: b2 has no affiliation, so b1 holds the paper; P3: c3's unknown country drops out
    assert c[("P2", "USA")] == pytest.approx(1.0)
    assert c[("P3", "CHN")] == pytest.approx(1.0)
    assert len(c) == 5


def test_fractional_all_authors_by_hand():
    c = _credit(CollabParams(min_cell=0, denominator="all_authors"))
    assert c[("P1", "USA")] == pytest.approx(0.5)
    assert c[("P2", "USA")] == pytest.approx(0.5)  # b2 counts in the denominator
    assert c[("P3", "CHN")] == pytest.approx(2 / 3)  # c3's third is unassigned


def test_unit_and_pair_tables_by_hand():
    res = collab_tables(AFF, CollabParams(min_cell=0, centrality=False))
    u = res.units.set_index("unit")
    assert u.loc["USA", "papers_full"] == 2 and u.loc["USA", "papers_frac"] == pytest.approx(1.5)
    assert u.loc["CHN", "papers_full"] == 2 and u.loc["CHN", "papers_frac"] == pytest.approx(4 / 3)
    assert u.loc["GBR", "papers_full"] == 1 and u.loc["GBR", "papers_frac"] == pytest.approx(1 / 6)
    assert u.loc["USA", "external_papers"] == 1 and u.loc["USA", "external_share"] == pytest.approx(0.5)
    assert u.loc["USA", "external_frac_share"] == pytest.approx(0.5 / 1.5)
    assert u.loc["GBR", "external_share"] == pytest.approx(1.0)
    assert u.loc["USA", "acad_industry_papers"] == 1  # P1 only (education + company)
    assert u.loc["CHN", "acad_industry_share"] == pytest.approx(0.5)
    p = res.pairs.set_index(["unit_a", "unit_b"])
    assert set(p.index) == {("CHN", "USA"), ("GBR", "USA"), ("CHN", "GBR")}
    assert (p["papers_full"] == 1).all()
    # fractional pair weights of P1: 2 f_u f_v / (1 - sum f^2), sum f^2 = 1/4 + 1/9 + 1/36 = 7/18
    assert p.loc[("CHN", "USA"), "papers_frac"] == pytest.approx(6 / 11)
    assert p.loc[("GBR", "USA"), "papers_frac"] == pytest.approx(3 / 11)
    assert p.loc[("CHN", "GBR"), "papers_frac"] == pytest.approx(2 / 11)
    assert p["papers_frac"].sum() == pytest.approx(1.0)
    assert p.loc[("CHN", "USA"), "salton"] == pytest.approx(1 / math.sqrt(2 * 2))
    assert p.loc[("GBR", "USA"), "salton"] == pytest.approx(1 / math.sqrt(1 * 2))
    # link totals s = 2 for each unit, T = 6: expected 2*2/6, observed 1
    assert p["obs_exp"].to_numpy() == pytest.approx([1.5, 1.5, 1.5])
    assert p.loc[("CHN", "USA"), "share_a"] == pytest.approx(0.5)
    s = res.summary.iloc[0]
    assert (s["papers"], s["multi_unit_papers"], s["acad_industry_papers"]) == (3, 1, 1)
    assert s["credit_assigned"] == pytest.approx(3.0)


def test_two_country_paper_gives_its_pair_weight_one():
    aff = pd.DataFrame([("P", 2020, "x", 1.0, "USA", None, 4), ("P", 2020, "y", 1.0, "USA", None, 4),
                        ("P", 2020, "z", 1.0, "USA", None, 4), ("P", 2020, "w", 1.0, "DEU", None, 4)],
                       columns=AFF.columns)
    res = collab_tables(aff, CollabParams(min_cell=0, centrality=False))
    assert res.pairs["papers_frac"].tolist() == pytest.approx([1.0])
    assert res.units.set_index("unit")["papers_frac"].to_dict() == pytest.approx({"USA": 0.75, "DEU": 0.25})


def test_periods_and_suppression():
    res = collab_tables(AFF, CollabParams(min_cell=0, period_length=1, centrality=False))
    assert sorted(res.units["period"].unique()) == ["2019", "2020", "2021"]
    assert res.pairs["period"].unique().tolist() == ["2019"]
    small = collab_tables(AFF, CollabParams(min_cell=2, centrality=False))
    assert set(small.units["unit"]) == {"USA", "CHN"}  # GBR has one paper
    assert small.pairs.empty  # every pair has one paper


def test_assign_periods():
    years = pd.Series([2013, 2015, 2019, 2020, 2024])
    five = assign_periods(years, 5, None, None)
    assert five["period"].tolist() == ["2013-2014", "2015-2019", "2015-2019", "2020-2024", "2020-2024"]
    anchored = assign_periods(pd.Series([2013, 2017, 2018, 2022]), 5, 2013, 2022)
    assert anchored["period"].tolist() == ["2013-2017", "2013-2017", "2018-2022", "2018-2022"]
    cut = assign_periods(pd.Series([2020, 2021]), 5, None, 2021)
    assert cut["period"].tolist() == ["2020-2021", "2020-2021"] and cut["period_end"].tolist() == [2021, 2021]
    one = assign_periods(years, None, None, None)
    assert set(one["period"]) == {"2013-2024"}
    with pytest.raises(ConfigError):
        assign_periods(years, 0, None, None)


def test_pair_matrix_symmetric():
    res = collab_tables(AFF, CollabParams(min_cell=0, centrality=False))
    m = pair_matrix(res.pairs, "papers_frac")
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert m.loc["USA", "CHN"] == pytest.approx(6 / 11) and m.loc["USA", "USA"] == 0


def test_bad_params_and_frames():
    with pytest.raises(ConfigError, match="level"):
        CollabParams(level="planet")
    with pytest.raises(ConfigError, match="org_rollup"):
        CollabParams(level="country", org_rollup=True)
    with pytest.raises(ConfigError, match="year_from"):
        CollabParams(year_from=2020, year_to=2010)
    bad = AFF.assign(weight=AFF["weight"].where(AFF["researcher_id"] != "a2", 0.0))
    with pytest.raises(ConfigError, match="work P1 researcher a2"):
        paper_credits(bad, CollabParams())
    with pytest.raises(ConfigError, match="lacks columns"):
        paper_credits(AFF.drop(columns=["n_authors"]), CollabParams())


def test_network_measures_star_and_communities():
    # two triangles (A,B,C) and (D,E,F) joined through A-D; many papers inside triangles
    rows, k = [], 0
    for a, b, n in [("A", "B", 5), ("B", "C", 5), ("A", "C", 5), ("D", "E", 5), ("E", "F", 5), ("D", "F", 5),
                    ("A", "D", 1)]:
        for _ in range(n):
            k += 1
            rows += [(f"W{k}", 2020, f"r{k}a", 1.0, a, None, 2), (f"W{k}", 2020, f"r{k}b", 1.0, b, None, 2)]
    res = collab_tables(pd.DataFrame(rows, columns=AFF.columns), CollabParams(min_cell=0))
    u = res.units.set_index("unit")
    comm = u["community"].to_dict()
    assert comm["A"] == comm["B"] == comm["C"] != comm["D"] == comm["E"] == comm["F"]
    assert u.loc["A", "betweenness"] > u.loc["B", "betweenness"]  # A bridges the two groups
    assert u.loc["A", "degree"] == 3 and u.loc["A", "strength"] == 11
    assert u["eigenvector"].max() == pytest.approx(1.0)
    assert res.summary.loc[0, "modularity"] > 0.3
