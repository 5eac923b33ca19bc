"""Brain circulation: the matched comparison recovers a known effect on simulated careers; the pieces
(first moves, returns, ties excluding oneself) by hand; the warehouse path end to end."""

from __future__ import annotations

import pandas as pd
import pytest

import talentflow.collab_api as tc
from talentflow.collab.circulation import CirculationParams, circulation, first_moves, paper_ties
from talentflow.errors import ConfigError
from tests.collab.careers_sim import simulate_careers
from tests.collab.wh_rows import fill

DELTA = {"BBB": 0.1, "CCC": 0.3, "DDD": 0.45}


@pytest.fixture(scope="module")
def simulated():
    frames = simulate_careers(delta=DELTA, seed=3)
    return circulation(*frames, CirculationParams(n_boot=300, seed=1))


def _get(res, scope, key, measure):
    e = res.estimates
    row = e[(e["scope"] == scope) & (e["key"] == key) & (e["measure"] == measure)]
    assert len(row) == 1, (scope, key, measure)
    return row.iloc[0]


def test_did_recovers_the_known_effect_per_destination(simulated):
    for dest, delta in DELTA.items():
        row = _get(simulated, "destination", dest, "did")
        assert row["ci_low"] <= -delta <= row["ci_high"], (dest, row.to_dict())
        assert row["estimate"] == pytest.approx(-delta, abs=0.06)


def test_matching_removes_the_career_age_trend(simulated):
    # movers' raw before/after change also carries the age trend of staying; the DiD does not
    change = _get(simulated, "overall", "all", "mover_change")
    did = _get(simulated, "overall", "all", "did")
    stayer = _get(simulated, "overall", "all", "stayer_change")
    assert stayer["ci_high"] < -0.05  # staying lowers the domestic share over these career years
    assert change["estimate"] < did["estimate"] - 0.05
    truth = -sum(DELTA[d] * _get(simulated, "destination", d, "did")["n_movers"] for d in DELTA) / \
        _get(simulated, "overall", "all", "did")["n_movers"]
    assert did["ci_low"] <= truth <= did["ci_high"]


def test_destinations_ranked_by_kept_ties(simulated):
    retention = {d: _get(simulated, "destination", d, "retention")["estimate"] for d in DELTA}
    assert retention["BBB"] > retention["CCC"] > retention["DDD"]


def test_returns_follow_ties(simulated):
    ties = _get(simulated, "return", "origin_ties", "return_rate")
    none = _get(simulated, "return", "no_origin_ties", "return_rate")
    diff = _get(simulated, "return", "difference", "return_rate")
    assert ties["ci_low"] <= 0.5 <= ties["ci_high"]
    assert none["ci_low"] <= 0.1 <= none["ci_high"]
    assert diff["ci_low"] > 0.2


def test_no_effect_gives_an_interval_around_zero():
    frames = simulate_careers(n_stayers=2000, n_movers=400, delta={"BBB": 0.0, "CCC": 0.0, "DDD": 0.0},
                              p_return=(0.2, 0.2), seed=5)
    res = circulation(*frames, CirculationParams(n_boot=300, seed=2))
    did = _get(res, "overall", "all", "did")
    assert did["ci_low"] <= 0 <= did["ci_high"]
    diff = _get(res, "return", "difference", "return_rate")
    assert diff["ci_low"] <= 0 <= diff["ci_high"]


def test_bootstrap_is_seeded_and_cells_suppressed():
    frames = simulate_careers(n_stayers=600, n_movers=120, seed=9)
    a = circulation(*frames, CirculationParams(n_boot=100, seed=4)).estimates
    b = circulation(*frames, CirculationParams(n_boot=100, seed=4)).estimates
    pd.testing.assert_frame_equal(a, b)
    big = circulation(*frames, CirculationParams(n_boot=0, min_cell=50)).estimates
    assert (big["n_movers"] >= 50).all()
    assert set(big["scope"]) <= {"overall", "destination", "origin", "return"}


def test_first_moves_and_returns_by_hand():
    moves = pd.DataFrame([
        ("r1", "CHN", "USA", 2015, "migration"), ("r1", "USA", "CHN", 2019, "return"),
        ("r2", "DEU", "GBR", 2012, "temporary"), ("r2", "DEU", "CHE", 2016, "migration"),
        ("r3", "IND", "USA", 2018, "migration"), ("r3", "USA", "CAN", 2020, "migration"),
    ], columns=["researcher_id", "origin", "destination", "year_to", "event_type"])
    first = first_moves(moves, CirculationParams()).set_index("researcher_id")
    assert first.loc["r1", ["origin", "destination", "t", "return_year"]].tolist() == ["CHN", "USA", 2015, 2019]
    assert first.loc["r2", ["origin", "destination", "t"]].tolist() == ["DEU", "CHE", 2016]  # temporary is no move
    assert pd.isna(first.loc["r3", "return_year"])
    later = first_moves(moves, CirculationParams(year_from=2016))
    assert set(later["researcher_id"]) == {"r2", "r3"}


def test_paper_ties_exclude_the_researcher_and_need_a_known_coauthor():
    papers = pd.DataFrame([("m", "w1", 2010, "icra"), ("m", "w2", 2011, "icra"), ("m", "w3", 2012, "icra")],
                          columns=["researcher_id", "work_id", "year", "venue"])
    coauthors = pd.DataFrame([("m", "w1", "USA"), ("m", "w1", "CHN"), ("m", "w2", "USA")],
                             columns=["researcher_id", "work_id", "country"])
    ties = paper_ties(papers, coauthors, pd.DataFrame({"researcher_id": ["m"], "focal_country": ["CHN"]}))
    t = ties.set_index("work_id")
    assert t["known"].tolist() == [True, True, False] and t["tie"].tolist() == [True, False, False]


def test_params_are_validated():
    with pytest.raises(ConfigError):
        CirculationParams(window=0)
    with pytest.raises(ConfigError):
        CirculationParams(field="topic")
    with pytest.raises(ConfigError):
        CirculationParams(stayer_min_share=0.2)
    with pytest.raises(ConfigError, match="frame lacks column"):
        circulation(pd.DataFrame({"researcher_id": []}), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                    CirculationParams())


def _sim_to_papers(moves, papers, coauthors, home, n_keep: int) -> list[tuple]:
    """The simulated careers as paper records: the focal author at the country of the year, and one
    co-author per co-author country."""
    keep = set(home["researcher_id"].head(n_keep)) | set(moves["researcher_id"])
    first = {r: (o, d, t) for r, o, d, t in moves.sort_values("year_to").drop_duplicates("researcher_id")[
        ["researcher_id", "origin", "destination", "year_to"]].itertuples(index=False)}
    home_c = dict(zip(home["researcher_id"], home["home_country"]))
    co = coauthors.groupby("work_id")["country"].apply(list).to_dict()
    out = []
    for rid, wid, year, venue in papers[papers["researcher_id"].isin(keep)].itertuples(index=False):
        if rid in first:
            origin, dest, t = first[rid]
            country = dest if year >= t else origin
        else:
            country = home_c[rid]
        authors = [(rid, [(None, country)])]
        authors += [(f"co_{wid}_{k}", [(None, c)]) for k, c in enumerate(co.get(wid, []))]
        out.append((wid, int(year), venue, authors))
    return out


def test_warehouse_path_with_a_moves_frame(wh, tmp_path):
    moves, papers, coauthors, home = simulate_careers(n_stayers=1000, n_movers=250, delta=DELTA, seed=11)
    moves = moves.sort_values(["researcher_id", "year_to"]).drop_duplicates("researcher_id")  # first moves only
    fill(wh, _sim_to_papers(moves, papers, coauthors, home, n_keep=1000))
    res = tc.circulation(wh, moves=moves, n_boot=200, seed=0, min_cell=5)
    did = _get(res, "overall", "all", "did")
    truth = -sum(DELTA[d] * _get(res, "destination", d, "did")["n_movers"] for d in DELTA) / did["n_movers"]
    assert did["ci_low"] - 0.02 <= truth <= did["ci_high"] + 0.02
    # the loader sees co-authors only (never the researcher's own affiliation) and stable ids only
    frames = tc.load.career_frames(wh, "stable_id")
    own = frames["coauthors"].merge(frames["papers"], on=["researcher_id", "work_id"])
    assert len(own) == len(frames["coauthors"])
    path = tmp_path / "moves.csv"
    moves.to_csv(path, index=False)
    assert len(tc.read_moves(path)) == len(moves)
    (tmp_path / "bad.csv").write_text("researcher_id,origin,destination,year_to\nr1,AAA,BBB,20x1\n")
    with pytest.raises(ConfigError, match="record 1, field year_to"):
        tc.read_moves(tmp_path / "bad.csv")


def test_career_frames_by_hand(wh):
    from tests.collab.test_collab_invariants import PAPERS

    fill(wh, PAPERS)
    frames = tc.load.career_frames(wh, "stable_id")
    co = frames["coauthors"].groupby(["researcher_id", "work_id"])["country"].apply(set).to_dict()
    assert co[("a1", "w1")] == {"CHN", "USA", "GBR"}  # a3 is at MIT (USA) and Oxford
    assert co[("a2", "w1")] == {"USA", "GBR"}
    assert ("b1", "w2") not in co  # b2 has no affiliation
    assert co[("c1", "w3")] == {"GBR"}
    home = frames["home"].set_index("researcher_id")
    assert home.loc["a3", "home_share"] == pytest.approx(0.5)
    assert len(frames["papers"]) == 7
