"""Precision and recall of a domain tagger against the hand-labelled evaluation set.

The set (``data/domain_eval.csv``, package data, described in the README beside it) has one
row per work: work_id, title, venue, year, labels (domain ids separated by ';', empty for none),
stratum and split. ``score_tags`` is pure: labels and predictions in, one row per domain out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from talentflow.errors import ConfigError, InputError
from talentflow.tagging.params import DOMAINS

EVAL_SET = Path(__file__).resolve().parent / "data" / "domain_eval.csv"  # the shipped evaluation set

EVAL_COLUMNS = ("work_id", "title", "venue", "year", "labels")


def read_eval_set(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"work_id": str, "title": str, "venue": str, "labels": str}, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(f"evaluation set {path}: cannot read it ({exc})") from exc
    missing = [c for c in EVAL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"evaluation set {path}: missing column(s) {missing}")
    for i, labels in enumerate(frame["labels"], start=2):
        unknown = [x for x in split_labels(labels) if x not in DOMAINS]
        if unknown:
            raise InputError(f"evaluation set {path} line {i} (work {frame['work_id'].iloc[i - 2]}): "
                             f"field labels has unknown domain(s) {unknown}; known: {', '.join(DOMAINS)}")
    if frame["work_id"].duplicated().any():
        dup = frame.loc[frame["work_id"].duplicated(), "work_id"].iloc[0]
        raise InputError(f"evaluation set {path}: work_id {dup} appears twice")
    return frame


def split_labels(value) -> list[str]:
    if not isinstance(value, str):
        return []
    return [x.strip() for x in value.split(";") if x.strip()]


def score_tags(labels: pd.DataFrame, predicted: pd.DataFrame, domains: tuple[str, ...] = DOMAINS) -> pd.DataFrame:
    """One row per domain (and a micro-average): support, predicted, tp, precision, recall, f1.

    ``labels``: work_id, labels (';'-separated). ``predicted``: long frame work_id, domain; works of
    ``predicted`` outside ``labels`` are ignored.
    """
    if "work_id" not in predicted.columns or "domain" not in predicted.columns:
        raise ConfigError("score_tags: predictions need work_id and domain columns")
    ids = set(labels["work_id"])
    truth = {(w, d) for w, lab in zip(labels["work_id"], labels["labels"]) for d in split_labels(lab)}
    pred = {(w, d) for w, d in zip(predicted["work_id"], predicted["domain"]) if w in ids}
    rows = []
    for domain in domains:
        t = {w for w, d in truth if d == domain}
        p = {w for w, d in pred if d == domain}
        tp = len(t & p)
        rows.append({"domain": domain, "support": len(t), "predicted": len(p), "tp": tp,
                     "precision": tp / len(p) if p else float("nan"), "recall": tp / len(t) if t else float("nan")})
    t_all = {x for x in truth if x[1] in domains}
    p_all = {x for x in pred if x[1] in domains}
    tp = len(t_all & p_all)
    rows.append({"domain": "(micro average)", "support": len(t_all), "predicted": len(p_all), "tp": tp,
                 "precision": tp / len(p_all) if p_all else float("nan"), "recall": tp / len(t_all) if t_all else float("nan")})
    out = pd.DataFrame(rows)
    denom = out["precision"] + out["recall"]
    out["f1"] = (2 * out["precision"] * out["recall"] / denom).where(denom > 0, 0.0)
    return out
