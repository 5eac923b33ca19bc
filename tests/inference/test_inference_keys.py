"""The warehouse run keys researchers by a hash of their id; on a collision it falls back to dense numbers."""

from __future__ import annotations

import pandas as pd

from talentflow.inference import run as run_module
from talentflow.inference.params import InferenceParams
from talentflow.simulate.careers import SimParams, write_simulation
from talentflow.store.warehouse import Warehouse


def _results(wh: Warehouse, pid: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    res = wh.query("SELECT * EXCLUDE (params_id) FROM residence WHERE params_id = ? ORDER BY ALL", [pid])
    ev = wh.query("SELECT * EXCLUDE (params_id) FROM events WHERE params_id = ? ORDER BY ALL", [pid])
    return res, ev


def test_hash_keys_and_dense_fallback_give_the_same_results(tmp_path, monkeypatch):
    from talentflow.api import ingest_csv

    write_simulation(tmp_path, SimParams(n_researchers=300, seed=3))
    with Warehouse.memory() as wh:
        ingest_csv(wh, tmp_path / "obs.csv")
        hashed = _results(wh, run_module.run_inference(wh, InferenceParams()).params_id)
        monkeypatch.setattr(run_module, "_hashes_unique", lambda _wh: False)  # as if two ids collided
        dense = _results(wh, run_module.run_inference(wh, InferenceParams()).params_id)
    assert len(hashed[0]) > 1000 and (hashed[1]["event_type"] == "migration").sum() > 10
    assert set(hashed[0]["researcher_id"]) <= set(f"csv:sim3-{i:06d}" for i in range(300))
    pd.testing.assert_frame_equal(hashed[0], dense[0])
    pd.testing.assert_frame_equal(hashed[1], dense[1])


def test_batches_of_researchers_give_the_same_results(tmp_path):
    from talentflow.api import ingest_csv

    write_simulation(tmp_path, SimParams(n_researchers=300, seed=4))
    with Warehouse.memory() as wh:
        ingest_csv(wh, tmp_path / "obs.csv")
        whole = run_module.run_inference(wh, InferenceParams())
        one = _results(wh, whole.params_id)
        split = run_module.run_inference(wh, InferenceParams(), batch_rows=500)
        many = _results(wh, split.params_id)
    assert whole.step_seconds["batches"] == 1 and split.step_seconds["batches"] > 5
    assert (split.n_researchers, split.n_residence, split.n_events) == (whole.n_researchers, whole.n_residence,
                                                                         whole.n_events)
    pd.testing.assert_frame_equal(one[0], many[0])
    pd.testing.assert_frame_equal(one[1], many[1])
