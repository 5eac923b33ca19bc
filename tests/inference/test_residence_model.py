"""The residence model (inference/hmm.py): it recovers its own parameters, finds moves the rules
cannot see (a single observed year at the destination), leaves one-off co-affiliations alone,
and runs inside `talentflow infer --method hmm` with the CSV sequence intact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentflow import migration_api as mig
from talentflow.api import ingest_csv
from talentflow.errors import ConfigError
from talentflow.inference.hmm import HmmParams, careers, decode, fit
from talentflow.inference.params import InferenceParams
from talentflow.store.warehouse import Warehouse


def _from_model(n: int, eps: float, mu: float, seed: int = 3) -> pd.DataFrame:
    """Careers drawn from the model itself: residence a Markov chain over 3 countries, 1-3 located
    papers a year, each elsewhere with probability eps."""
    rng = np.random.default_rng(seed)
    cs = np.array(["USA", "CHN", "DEU"])
    rows = []
    for i in range(n):
        state = int(rng.integers(3))
        for y in range(2000, 2000 + int(rng.integers(4, 15))):
            if y > 2000 and rng.random() < mu:
                state = int(rng.choice([s for s in range(3) if s != state]))
            for _ in range(int(rng.integers(1, 4))):
                c = state if rng.random() >= eps else int(rng.choice([s for s in range(3) if s != state]))
                rows.append((f"r{i}", y, cs[c], 1.0))
    frame = pd.DataFrame(rows, columns=["researcher_id", "year", "country", "w"])
    return frame.groupby(["researcher_id", "year", "country"], as_index=False)["w"].sum()


def test_em_recovers_the_parameters_of_careers_drawn_from_the_model():
    groups = careers(_from_model(3000, eps=0.06, mu=0.08))
    est = fit(groups, HmmParams(visit0=0))
    # the fit sees only researchers observed in two or more countries, some of them only through
    # noise: both estimates are those of that selection, above the population's (documented)
    assert 0.06 <= est["epsilon"] <= 0.08
    assert 0.08 <= est["move_rate"] <= 0.11
    assert est["iterations"] > 1


def _cy(rows):
    return pd.DataFrame(rows, columns=["researcher_id", "year", "country", "w"])


def test_a_single_last_year_abroad_after_a_long_stay_is_a_likely_move_and_a_one_off_coaffiliation_is_not():
    rows = [("mover", y, "USA", 2.0) for y in range(2010, 2016)] + [("mover", 2016, "CHN", 2.0)]
    rows += [("stayer", y, "USA", 2.0) for y in range(2010, 2017)] + [("stayer", 2013, "CHN", 0.5)]
    rows += [("clear", y, "DEU", 1.0) for y in range(2010, 2014)] + [("clear", y, "GBR", 1.0) for y in range(2015, 2019)]
    residence, moves = decode(careers(_cy(rows)), epsilon=0.08, move_rate=0.1)
    by = {r: m for r, m in moves.groupby("researcher_id")}
    assert "stayer" not in by
    mover = by["mover"].iloc[0]
    assert (mover["origin"], mover["destination"], mover["year_from"], mover["year_to"]) == ("USA", "CHN", 2015, 2016)
    assert mover["probability"] > 0.5
    clear = by["clear"].iloc[0]
    assert (clear["origin"], clear["destination"], clear["year_from"], clear["year_to"]) == ("DEU", "GBR", 2013, 2015)
    assert clear["probability"] > 0.85 and clear["year"] in (2014, 2015)
    stayer = residence[residence["researcher_id"] == "stayer"]
    assert set(stayer["country"]) == {"USA"} and len(stayer) == 7


def test_stacked_researchers_decode_as_each_alone():
    frame = _from_model(300, eps=0.1, mu=0.1, seed=5)
    together_res, together_mv = decode(careers(frame), 0.1, 0.1, 0.01)
    for rid in ["r1", "r7", "r42", "r200"]:
        alone_res, alone_mv = decode(careers(frame[frame["researcher_id"] == rid]), 0.1, 0.1, 0.01)
        a = together_mv[together_mv["researcher_id"] == rid].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, alone_mv.reset_index(drop=True), check_dtype=False)
        b = together_res[together_res["researcher_id"] == rid].reset_index(drop=True)
        pd.testing.assert_frame_equal(b, alone_res.reset_index(drop=True), check_dtype=False)


def test_bad_model_parameters_name_the_field():
    with pytest.raises(ConfigError, match="hmm_threshold"):
        InferenceParams(method="hmm", hmm_threshold=1.5)
    with pytest.raises(ConfigError, match="method"):
        InferenceParams(method="markov")
    with pytest.raises(ConfigError, match="hmm_move_rate0"):
        InferenceParams(hmm_move_rate0=0)


def test_infer_with_the_model_keeps_the_csv_sequence_and_gives_probabilities(tmp_path):
    lines = ["person,year,org,country"]
    for i in range(15):  # movers with a single observed year at the destination: the rules miss them
        lines += [f"m{i},{y},MIT,USA" for y in (2014, 2015, 2016, 2017)] + [f"m{i},2018,Tencent,CHN"]
    for i in range(30):
        lines += [f"s{i},{y},Stanford,USA" for y in (2014, 2016, 2018)]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    wh = Warehouse.memory()
    try:
        ingest_csv(wh, path)
        rules = mig.infer(wh, InferenceParams(method="rules"))
        model = mig.infer(wh, InferenceParams(method="hmm"))
        assert model.params_id != rules.params_id
        ev = mig.events(wh, params_id=model.params_id)
        assert {"researcher", "event_type", "origin", "destination", "year_from", "year_to", "probability"} <= set(ev.columns)
        moves = ev[ev["event_type"].isin(["migration", "return"])]
        assert len(moves) == 15 and (moves["probability"] >= 0.5).all() and (moves["probability"] <= 1).all()
        assert set(zip(moves["origin"], moves["destination"])) == {("USA", "CHN")}
        assert (mig.events(wh, params_id=rules.params_id)["probability"] == 1.0).all()
        flows = mig.flows(wh, params_id=model.params_id, period=0)
        assert flows[["origin", "destination", "count"]].values.tolist() == [["USA", "CHN", 15]]
        est = dict(wh.execute("SELECT name, value FROM model_estimates WHERE params_id = ?", [model.params_id]))
        assert {"epsilon", "move_rate", "visit", "iterations", "researchers"} <= set(est) and est["researchers"] == 15
    finally:
        wh.close()
