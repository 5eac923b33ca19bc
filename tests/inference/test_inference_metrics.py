"""Flows, rates, bootstrap, suppression, composition, pipeline; simulator and scorer; SMD recomputation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentflow import migration_api as mig
from talentflow.api import ingest_csv
from talentflow.inference.params import InferenceParams
from talentflow.metrics.pipeline import classify_stage, transitions
from talentflow.metrics.suppression import suppress
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio
from talentflow.simulate.careers import SimParams, simulate
from talentflow.simulate.score import score
from talentflow.store.warehouse import Warehouse


def _csv(tmp_path, n_movers: int = 12, n_stayers: int = 30):
    lines = ["person,year,org,country,stage"]
    for i in range(n_movers):  # USA (PhD) -> CHN (job at Tencent)
        lines += [f"m{i},2015,MIT,USA,PhD student", f"m{i},2016,MIT,USA,PhD student",
                  f"m{i},2018,Tencent,CHN,Researcher", f"m{i},2019,Tencent,CHN,Researcher"]
    for i in range(n_stayers):
        lines += [f"s{i},2015,MIT,USA,PhD student", f"s{i},2016,MIT,USA,PhD student",
                  f"s{i},2017,Google,USA,Research Scientist", f"s{i},2019,Google,USA,Research Scientist"]
    path = tmp_path / "obs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def warehouse(tmp_path):
    wh = Warehouse.memory()
    ingest_csv(wh, _csv(tmp_path))
    mig.infer(wh, InferenceParams(method="rules"))  # the figures' arithmetic on the rules' residence
    yield wh
    wh.close()


def test_flows_levels_and_rates(warehouse):
    f = mig.flows(warehouse)
    assert f.to_dict("records") == [{"origin": "USA", "destination": "CHN", "year": 2018, "count": 12}]
    assert mig.flows(warehouse, level="region").iloc[0][["origin", "destination"]].tolist() == [
        "North America", "East Asia & Pacific"]
    org = mig.flows(warehouse, level="org", period=0)
    assert set(map(tuple, org[["origin", "destination", "count"]].values.tolist())) == {
        ("Massachusetts Institute of Technology", "Tencent", 12), ("Massachusetts Institute of Technology", "Google", 30)}
    assert mig.flows(warehouse, min_cell=13).empty  # suppressed
    r = mig.rates(warehouse, countries=("USA",), period=0, n_boot=50, min_cell=1).iloc[0]
    # USA: 12 movers * 3 years (2015-2017, padded) + 30 stayers * 5 years = 186 person-years; 12 out
    assert (r["population"], r["outflows"], r["inflows"]) == (186, 12, 0)
    assert r["out_rate"] == pytest.approx(1000 * 12 / 186)
    assert r["mei"] == pytest.approx(-100)
    assert r["net_rate_lo"] <= r["net_rate"] <= r["net_rate_hi"]
    b = mig.bilateral(warehouse, "USA", "CHN", n_boot=50).iloc[0]
    assert (b["USA_to_CHN"], b["CHN_to_USA"], b["net_into_USA"]) == (12, 0, -12)


def test_composition_and_pipeline(warehouse):
    o = mig.orgs(warehouse, orgs=("tencent", "google"), n_boot=50, min_cell=1).set_index("org")
    assert o.loc["tencent", "foreign_share"] == 1.0 and o.loc["google", "foreign_share"] == 0.0
    with pytest.raises(Exception, match="nonexistent"):
        mig.orgs(warehouse, orgs=("nonexistent",))
    p = mig.pipeline(warehouse, min_cell=1)
    assert p[["study_country", "work_country", "researchers"]].values.tolist() == [["USA", "USA", 30], ["USA", "CHN", 12]]
    s = mig.pipeline(warehouse, stay=True, n_boot=50, min_cell=1).iloc[0]
    assert s["stay_rate"] == pytest.approx(30 / 42)
    # suppression at 20: the 12 leavers are small, so the CHN cell is blanked, and so is the USA cell (42
    # graduates are published: 42 - 30 would give the 12 back); the stay rate goes too (complement rule)
    assert mig.pipeline(warehouse, min_cell=20)["researchers"].isna().sum() == 2
    stay = mig.pipeline(warehouse, stay=True, n_boot=50, min_cell=20).iloc[0]
    assert stay["graduates"] == 42 and pd.isna(stay["stayed"]) and pd.isna(stay["stay_rate"])
    # at 12 nothing is small: 30 stayed, 12 left
    assert mig.pipeline(warehouse, min_cell=12)["researchers"].notna().all()


def test_stage_classes_and_transitions():
    assert [classify_stage(s) for s in ("PhD student", "Postdoc", "Intern", "Researcher+PhD student", None, "MS student")] \
        == ["study", "work", None, "study", None, "study"]
    obs = pd.DataFrame({"researcher_id": ["a"] * 3, "year": [2019, 2020, 2021], "country": ["IND", "USA", "USA"],
                        "stage": ["PhD student", "PhD student", "Assistant Professor"], "weight": 1.0})
    t = transitions(obs)
    assert t[["study_country", "work_country", "work_year"]].values.tolist() == [["USA", "USA", 2021]]


def test_bootstrap_is_seeded_and_covers():
    rng = np.random.default_rng(0)
    contrib = pd.DataFrame({"researcher_id": np.arange(400), "cell": "x", "n": 1.0,
                            "hit": (rng.random(400) < 0.3).astype(float)})
    stat = lambda s: {"share": ratio(s["hit"], s["n"])}  # noqa: E731
    a = bootstrap_cells(contrib, ["cell"], ["n", "hit"], stat, BootstrapParams(200, 5))
    b = bootstrap_cells(contrib, ["cell"], ["n", "hit"], stat, BootstrapParams(200, 5))
    assert a.equals(b)
    share = a["share"].item()
    assert a["share_lo"].item() < share < a["share_hi"].item()
    assert a["share_hi"].item() - a["share_lo"].item() == pytest.approx(2 * 1.96 * np.sqrt(share * (1 - share) / 400),
                                                                         rel=0.3)


def test_suppression_blanks_small_counts_and_dependents():
    f = pd.DataFrame({"n": [0, 3, 12], "rate": [0.0, 0.5, 0.7], "label": ["a", "b", "c"]})
    out = suppress(f, {"n": ["rate", "label"]}, 10)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["rate"].isna().tolist() == [False, True, False] and out["label"].tolist()[1] is None


def test_simulator_truth_and_scorer():
    rec, truth = simulate(SimParams(n_researchers=300, seed=3, noise=0.0))
    assert set(rec.columns) == {"person", "year", "org", "country", "stage"} and len(truth) > 0
    # a perfect prediction scores 1; a wrong year scores 0 with tolerance but counts as a pair
    pred = truth.assign(event_type="migration")
    assert score(pred, truth)["f1"] == 1.0
    shifted = score(pred.assign(year=pred["year"] + 3), truth)
    assert shifted["f1"] == 0.0 and shifted["pair_f1"] == 1.0


def test_identifiable_moves_pin_the_year_within_tolerance():
    from talentflow.simulate.careers import identifiable

    assert identifiable([2001, 2003], [2005, 2006], tolerance=1)  # 2003..2005: three years, middle 2004
    assert not identifiable([2001, 2003], [2006, 2007], tolerance=1)  # 2003..2006: no year within 1 of all
    assert identifiable([2001, 2003], [2006, 2007], tolerance=2)
    assert not identifiable([2003], [2004, 2005], tolerance=1)  # one year at the origin: maybe a visit


def test_scorer_ignores_predictions_of_moves_the_records_cannot_reveal():
    truth = pd.DataFrame({"person": ["a", "b", "c"], "origin": ["USA", "CHN", "GBR"],
                          "destination": ["CHN", "USA", "DEU"], "year": [2010, 2012, 2015],
                          "identifiable": [True, False, True]})
    pred = pd.DataFrame({"person": ["a", "b", "d", "c"], "event_type": ["migration"] * 3 + ["return"],
                         "origin": ["USA", "CHN", "FRA", "GBR"], "destination": ["CHN", "USA", "ITA", "DEU"],
                         "year": [2011, 2016, 2010, 2019]})
    s = score(pred, truth)
    # a: hit; b: a guess at a move the records cannot date, neither right nor wrong; d: spurious;
    # c: the right pair in the wrong year, wrong
    assert s["ignored"] == 1 and s["precision"] == pytest.approx(1 / 3, abs=1e-4) and s["recall"] == 0.5
    assert s["precision_all"] == 0.25 and s["pair_precision"] == pytest.approx(2 / 3, abs=1e-4)
    # once matched in any year, b is ignored, but c becomes a hit
    assert score(pred, truth.assign(identifiable=True))["pair_precision"] == 0.75


def test_simulation_end_to_end_clean_data(tmp_path):
    from talentflow.simulate.careers import write_simulation
    from talentflow.simulate.score import score_files

    write_simulation(tmp_path, SimParams(n_researchers=400, seed=11, noise=0.0))
    s = score_files(tmp_path / "obs.csv", tmp_path / "truth.csv").iloc[0]
    assert s["precision"] == 1.0 and s["recall"] == 1.0


def test_smd_rates_recomputed_exactly(mirror):
    out = mig.smd_recompute("scopus")
    assert (out["max_abs_diff"] < 1e-7).all()
    assert (out["equal_as_float32"] == out["rows"]).all()
