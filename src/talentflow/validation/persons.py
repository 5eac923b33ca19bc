"""Scoring person identities against the hand-labelled persons gold set (``gold/persons``), with B³.

The gold set (its README says how it was made) labels authorships — ``work_id`` and
``author_position``, keyed as the warehouse's ``authorships`` — of hard name blocks (merged ACL
ids, split IEEE ids, name-only twins, cross-namespace persons, common names) with a person label
within the block, or UNDECIDABLE. :func:`b_cubed` compares any clustering of those authorships
(today the warehouse's ``researcher_id``: the source id, or a name key for name-only venues; a
person resolver later) with the gold labels: per authorship, precision = |same predicted cluster
and same gold person| / |same predicted cluster|, recall = the same over |same gold person|, both
within the block, micro-averaged over authorships; F1 their harmonic mean. Intervals: percentile
bootstrap over blocks. Pure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError
from talentflow.validation.gold import read_gold_csv

AUTHORSHIP_COLUMNS = ("block", "work_id", "author_position", "person", "confidence")
BLOCK_COLUMNS = ("block", "stratum", "split")


def load_persons_gold(folder: str | Path) -> pd.DataFrame:
    """The gold authorships with their block's stratum and split, UNDECIDABLE ones left out."""
    folder = Path(folder)
    a = read_gold_csv(folder / "authorships.csv", AUTHORSHIP_COLUMNS)
    b = read_gold_csv(folder / "blocks.csv", BLOCK_COLUMNS)
    a = a[a["person"].str.upper() != "UNDECIDABLE"].merge(b[list(BLOCK_COLUMNS)], on="block", how="inner")
    a["author_position"] = pd.to_numeric(a["author_position"], errors="coerce").astype("Int64")
    return a


def _per_authorship(frame: pd.DataFrame, predicted: str) -> pd.DataFrame:
    """Per authorship: B³ precision and recall terms, within its block."""
    both = frame.groupby(["block", predicted, "person"])["work_id"].transform("size")
    pred = frame.groupby(["block", predicted])["work_id"].transform("size")
    gold = frame.groupby(["block", "person"])["work_id"].transform("size")
    return pd.DataFrame({"block": frame["block"], "p": both / pred, "r": both / gold})


def b_cubed(frame: pd.DataFrame, predicted: str = "predicted", *, n_boot: int = 500, seed: int = 20240) -> dict:
    """B³ precision, recall and F1 of the ``predicted`` clusters against ``person``, with
    bootstrap intervals over blocks. Authorships with no prediction are their own cluster."""
    if frame.empty:
        raise ConfigError("no gold authorship to score")
    f = frame.copy()
    missing = f[predicted].isna()
    f.loc[missing, predicted] = "_alone:" + f.index[missing].astype(str)
    terms = _per_authorship(f, predicted)
    blocks = terms.groupby("block").agg(p=("p", "sum"), r=("r", "sum"), n=("p", "size"))

    def stats(b: pd.DataFrame) -> tuple[float, float, float]:
        p, r = b["p"].sum() / b["n"].sum(), b["r"].sum() / b["n"].sum()
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    point = stats(blocks)
    rng = np.random.default_rng(seed)
    reps = np.array([stats(blocks.iloc[rng.integers(0, len(blocks), len(blocks))]) for _ in range(n_boot)]) \
        if n_boot else np.empty((0, 3))
    out = {"authorships": int(blocks["n"].sum()), "blocks": len(blocks)}
    for k, name in enumerate(("b3_precision", "b3_recall", "b3_f1")):
        out[name] = float(point[k])
        out[f"{name}_lo"] = float(np.percentile(reps[:, k], 2.5)) if len(reps) else None
        out[f"{name}_hi"] = float(np.percentile(reps[:, k], 97.5)) if len(reps) else None
    return out
