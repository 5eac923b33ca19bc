"""Scoring inferred moves against the simulator's truth: precision, recall, F1, year accuracy.

A predicted move (event_type migration or return) matches a true move of the same person,
origin and destination whose year is within ``tolerance`` of the prediction's point estimate
(each true move matched at most once, nearest year first).

The figures are scored on the *identifiable* true moves (truth.csv ``identifiable``: those the
records could reveal, with a year they pin down). A prediction of a move the records cannot
reveal is neither right nor wrong there: predictions matched to a non-identifiable true move,
and unmatched predictions of a person, origin and destination whose only true moves are
non-identifiable ones left unmatched, are *ignored* (the "don't care" convention of detection
benchmarks). So ``precision`` = hits on identifiable moves / (predictions - ignored) and
``recall`` = hits / identifiable moves. ``precision_all`` counts every prediction instead
(a hit on any true move is right, everything else wrong), and ``recall_all`` is over all true
moves. ``pair_*`` figures ignore the year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from talentflow.inference.params import InferenceParams

MOVE_TYPES = ("migration", "return")


def _match(pred: pd.DataFrame, truth: pd.DataFrame, tolerance: int | None) -> tuple[set, set]:
    """Greedy nearest-year matching; returns (matched prediction indices, matched truth indices)."""
    cand = pred.reset_index().merge(truth.reset_index(), on=["person", "origin", "destination"],
                                    suffixes=("_p", "_t"))
    cand["gap"] = (cand["year_p"] - cand["year_t"]).abs()
    if tolerance is not None:
        cand = cand[cand["gap"] <= tolerance]
    cand = cand.sort_values(["gap", "index_p", "index_t"])
    used_p: set = set()
    used_t: set = set()
    for ip, it in zip(cand["index_p"], cand["index_t"]):
        if ip not in used_p and it not in used_t:
            used_p.add(ip)
            used_t.add(it)
    return used_p, used_t


def _dont_care(pred: pd.DataFrame, truth: pd.DataFrame, mp: set, mt: set) -> int:
    """Unmatched predictions whose person, origin and destination match only non-identifiable
    true moves that are themselves unmatched: the records cannot say whether they are right."""
    keys = ["person", "origin", "destination"]
    left_t = truth.drop(index=sorted(mt))
    open_pairs = left_t.groupby(keys)["identifiable"].any()
    dont = open_pairs[~open_pairs].reset_index()[keys]
    left_p = pred.drop(index=sorted(mp))
    return int(len(left_p.merge(dont, on=keys))) if len(dont) and len(left_p) else 0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(pred: pd.DataFrame, truth: pd.DataFrame, tolerance: int = 1) -> dict:
    """Pure: predicted moves (person, event_type, origin, destination, year) vs truth."""
    pred = pred[pred["event_type"].isin(MOVE_TYPES)][["person", "origin", "destination", "year"]].reset_index(drop=True)
    truth = truth.reset_index(drop=True)
    out: dict = {"predicted": len(pred), "true_moves": len(truth), "identifiable": int(truth["identifiable"].sum())}
    for label, tol in (("", tolerance), ("pair_", None)):
        mp, mt = _match(pred, truth, tol)
        ident_hit = int(truth.loc[sorted(mt), "identifiable"].sum()) if mt else 0
        ignored = len(mp) - ident_hit + _dont_care(pred, truth, mp, mt)
        scored = len(pred) - ignored
        prec = ident_hit / scored if scored else 0.0
        rec = ident_hit / out["identifiable"] if out["identifiable"] else 0.0
        if label == "":
            out["ignored"] = ignored
        out[f"{label}precision"] = round(prec, 4)
        out[f"{label}recall"] = round(rec, 4)
        out[f"{label}f1"] = round(_f1(prec, rec), 4)
        out[f"{label}precision_all"] = round(len(mp) / len(pred), 4) if len(pred) else 0.0
        out[f"{label}recall_all"] = round(len(mt) / len(truth), 4) if len(truth) else 0.0
        if label == "":
            hits = pred.loc[sorted(mp)].reset_index().merge(truth.reset_index(), on=["person", "origin", "destination"])
            exact = hits[hits["year_x"] == hits["year_y"]]["index_x"].nunique() if not hits.empty else 0
            out["year_exact_share"] = round(exact / len(mp), 4) if mp else 0.0
    return out


def score_files(obs_csv: Path, truth_csv: Path, params: InferenceParams | None = None,
                tolerance: int = 1) -> pd.DataFrame:
    """Ingest ``obs_csv`` through the CSV ingest into an in-memory warehouse, infer, score; one row."""
    from talentflow.api import ingest_csv
    from talentflow.inference.run import run_inference
    from talentflow.store.warehouse import Warehouse

    params = params or InferenceParams()
    truth = pd.read_csv(truth_csv, dtype={"person": str})
    with Warehouse.memory() as wh:
        ingest_csv(wh, obs_csv)
        summary = run_inference(wh, params)
        pred = inferred_moves(wh, summary.params_id)
    return pd.DataFrame([{"params_id": summary.params_id, **score(pred, truth, tolerance)}])


def inferred_moves(wh, params_id: str) -> pd.DataFrame:
    return wh.query("""
        SELECT r.source_key AS person, e.event_type, e.origin, e.destination, e.year
        FROM events e JOIN researchers r USING (researcher_id)
        WHERE e.params_id = ? AND e.kind = 'country'""", [params_id])
