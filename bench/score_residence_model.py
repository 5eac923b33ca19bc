"""The residence model (``inference/hmm.py``) beside the rules on the careers gold set.

    export TALENTFLOW_MIRROR=/work/shared/data
    talentflow ingest paperlists --db /tmp/full.duckdb && talentflow infer --db /tmp/full.duckdb
    PYTHONPATH=src .venv/bin/python bench/score_residence_model.py --db /tmp/full.duckdb            # dev
    PYTHONPATH=src .venv/bin/python bench/score_residence_model.py --db /tmp/full.duckdb --split test

The model is fitted by EM on every stable-id researcher of the warehouse seen in two or more
countries (unsupervised: the gold set plays no part in the fit). Its moves are listed at a move
probability of at least ``--threshold`` (a sweep on the dev split: ``--sweep``). Residence of
researchers seen in one country, and of years outside a researcher's first..last observed year,
is the rules' residence (both methods agree there). Scored with ``talentflow gold score``'s
matching (``validation/gold.py``): a move matches a gold move of the same person, origin and
destination when its first year at the destination lies in [gold year_from, gold year_to + 1].
Reads the warehouse only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from talentflow.inference.hmm import HmmParams, careers, decode, fit
from talentflow.inference.params import InferenceParams
from talentflow.inference.residence import country_years_sql
from talentflow.inference.run import identity_filter, latest_params_id
from talentflow.store.warehouse import Warehouse
from talentflow.validation.gold import GoldParams, load_gold, match_moves, score, scored_persons

REPO = Path(__file__).resolve().parent.parent


def model_run(wh: Warehouse, params: HmmParams, rules: InferenceParams):
    obs = (f"(SELECT researcher_id, year, country, institution_id, hub, weight FROM observations o "
           f"WHERE {identity_filter(rules)})")
    cyears = wh.query(country_years_sql(rules, obs))
    items = careers(cyears)
    t0 = time.perf_counter()
    est = fit(items, params)
    t_fit = time.perf_counter() - t0
    residence, moves = decode(items, est["epsilon"], est["move_rate"], est.get("visit", 0.0))
    return items, est, t_fit, residence, moves


def scored(gold, rules_events, rules_res, residence, moves, threshold, split):
    hmm_ids = set(residence["researcher_id"])
    ev = pd.concat([rules_events[~rules_events["researcher_id"].isin(hmm_ids)],
                    moves[moves["probability"] >= threshold][["researcher_id", "origin", "destination", "year_to"]]])
    keep = rules_res[~rules_res["researcher_id"].isin(hmm_ids)]
    res = pd.concat([keep, residence[["researcher_id", "year", "country"]]])
    return score(gold, ev, res, GoldParams(split=split))


def reliability(gold, moves: pd.DataFrame, split: str, bins: int = 5) -> tuple[pd.DataFrame, float]:
    """Every candidate move of the model (any probability) of the split's scored persons, matched
    to the gold moves; per probability bin: moves, mean probability, share that are gold moves;
    and the expected calibration error (the bins' |mean probability - share|, weighted by size)."""
    ids = set(scored_persons(gold, split)["person"])
    cand = moves[moves["researcher_id"].isin(ids)].rename(columns={"researcher_id": "person", "year": "_y"})
    cand = cand.rename(columns={"year_to": "year"}).reset_index(drop=True)
    gm = gold.moves[gold.moves["person"].isin(ids)].reset_index(drop=True)
    hit, _ = match_moves(cand, gm, GoldParams().tolerance)
    cand["hit"] = hit.astype(float)
    cand["bin"] = pd.cut(cand["probability"], [i / bins for i in range(bins + 1)], include_lowest=True)
    table = cand.groupby("bin", observed=False).agg(moves=("hit", "size"), mean_probability=("probability", "mean"),
                                                    gold_share=("hit", "mean")).reset_index()
    used = table[table["moves"] > 0]
    ece = float((used["moves"] * (used["mean_probability"] - used["gold_share"]).abs()).sum() / used["moves"].sum())
    return table, ece


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--threshold", type=float, default=HmmParams().threshold)
    ap.add_argument("--sweep", action="store_true", help="thresholds 0.1..0.9 (dev only)")
    ap.add_argument("--visit0", type=float, default=HmmParams().visit0, help="0: no visit component")
    args = ap.parse_args()
    if args.sweep and args.split != "dev":
        ap.error("--sweep is for the dev split only (tune on dev, report on test)")
    gold = load_gold(REPO / "gold" / "careers")
    wh = Warehouse(args.db, read_only=True)
    pid = latest_params_id(wh)
    rules_events = wh.query("""SELECT researcher_id, origin, destination, year_to FROM events WHERE params_id = $p
                               AND kind = 'country' AND event_type IN ('migration', 'return')""", {"p": pid})
    rules_res = wh.query("SELECT researcher_id, year, country FROM residence WHERE params_id = $p", {"p": pid})
    items, est, t_fit, residence, moves = model_run(wh, HmmParams(visit0=args.visit0), InferenceParams())
    print(f"model: {sum(len(g.ids) for g in items):,} researchers with 2+ candidate countries; EM {est['iterations']} iterations "
          f"in {t_fit:.1f} s: epsilon {est['epsilon']:.4f}, move_rate {est['move_rate']:.4f}, visit {est['visit']:.4f}")
    print(f"mirror: rules {len(rules_events):,} country moves; model {int((moves['probability'] >= args.threshold).sum()):,} "
          f"at p >= {args.threshold} (expected count {moves['probability'].sum():,.1f})")
    rows = []
    base = score(gold, rules_events, rules_res, GoldParams(split=args.split)).assign(method="rules")
    rows.append(base)
    for th in ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] if args.sweep else [args.threshold]):
        rows.append(scored(gold, rules_events, rules_res, residence, moves, th, args.split).assign(method=f"model p>={th}"))
    table = pd.concat(rows)
    table["cell"] = table.apply(lambda r: f"{r['value']:.3f} ({r['lo']:.2f}-{r['hi']:.2f}) n={int(r['n'])}", axis=1)
    wide = table.pivot(index="method", columns="measure", values="cell")
    print(f"\n{args.split} split ({int(table['persons'].iloc[0])} scored persons)")
    with pd.option_context("display.width", 250, "display.max_colwidth", 40, "display.max_columns", 10):
        print(wide[["move_precision", "move_recall", "mover_precision", "mover_recall", "residence_accuracy"]])
        table, ece = reliability(gold, moves, args.split)
        print(f"\nreliability of the model's move probabilities ({args.split}; every candidate move, any probability)")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"expected calibration error: {ece:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
