"""Scoring inferred careers against a hand-labelled gold set of real careers (``gold/careers``).

The gold set is labelled from the raw records, blind to talentflow's output (its README says
how): ``persons.csv`` (person, panel, stratum, split, decidable, same_person...), ``moves.csv``
(person, origin, destination, year_from = last year seen at the origin, year_to = first year seen
at the destination, kind) and ``residence.csv`` (person, year, country or UNDECIDABLE).

Pure functions here; :func:`score` takes the gold frames and talentflow's events and residence
of the scored persons and returns one row per measure with a bootstrap interval over persons:

- ``move_precision``: predicted country moves (migration, return) of scored persons that match a
  gold move / all such predicted moves;
- ``move_recall``: gold moves matched by a predicted move / all gold moves;
- ``mover_precision`` / ``mover_recall``: the same at person level (moved at least once);
- ``residence_accuracy``: decided gold person-years where talentflow's residence country equals
  the gold country / decided gold person-years (a year with no residence row counts as wrong).

A predicted move matches a gold move of the same person with the same origin and destination
when its year (``year_to``, the first year seen at the destination) lies in
``[gold year_from, gold year_to + tolerance]``; each gold move is matched at most once.
Scored persons: ``decidable`` yes or partial, and not ``same_person = merged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError, InputError
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio

PERSON_COLUMNS = ("person", "panel", "stratum", "split", "decidable", "same_person")
MOVE_COLUMNS = ("person", "origin", "destination", "year_from", "year_to")
RESIDENCE_COLUMNS = ("person", "year", "country")
SPLITS = ("dev", "test", "all")


@dataclass(frozen=True)
class GoldParams:
    """split: dev | test | all (tune on dev, report on test); tolerance: years a predicted move's
    year may lie after the gold move's first year at the destination; n_boot, seed: the interval."""

    split: str = "test"
    tolerance: int = 1
    n_boot: int = 500
    seed: int = 20240

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise ConfigError(f"--split {self.split!r}: expected one of {', '.join(SPLITS)}")
        if self.tolerance < 0:
            raise ConfigError(f"--tolerance {self.tolerance}: expected >= 0")


@dataclass(frozen=True)
class Gold:
    name: str
    persons: pd.DataFrame
    moves: pd.DataFrame
    residence: pd.DataFrame


def read_gold_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A gold file as text columns; a missing file or column is an InputError naming the file."""
    if not path.is_file():
        raise InputError(f"{path}: no such gold file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def load_gold(folder: str | Path) -> Gold:
    """The three files of a careers gold set; years as integers (a bad year names its file and line)."""
    folder = Path(folder)
    persons = read_gold_csv(folder / "persons.csv", PERSON_COLUMNS)
    moves = read_gold_csv(folder / "moves.csv", MOVE_COLUMNS)
    residence = read_gold_csv(folder / "residence.csv", RESIDENCE_COLUMNS)
    for name, frame, cols in (("moves.csv", moves, ("year_from", "year_to")), ("residence.csv", residence, ("year",))):
        for col in cols:
            years = pd.to_numeric(frame[col], errors="coerce")
            bad = years.isna()
            if bad.any():
                line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
                raise InputError(f"{folder / name}: line {line}, field {col}: not a year ({frame[col][bad].iloc[0]!r})")
            frame[col] = years.astype(int)
    return Gold(folder.name, persons, moves, residence)


def scored_persons(gold: Gold, split: str) -> pd.DataFrame:
    p = gold.persons
    keep = p["decidable"].str.strip().str.lower().isin(["yes", "partial"]) \
        & ~p["same_person"].str.strip().str.lower().eq("merged")
    if split != "all":
        keep &= p["split"].str.strip().str.lower().eq(split)
    return p[keep]


def match_moves(pred: pd.DataFrame, gold_moves: pd.DataFrame, tolerance: int) -> tuple[pd.Series, pd.Series]:
    """Pure: (matched flag per predicted move, matched flag per gold move), one-to-one, per person,
    predicted moves taken in year order."""
    p_hit = pd.Series(False, index=pred.index)
    g_hit = pd.Series(False, index=gold_moves.index)
    by_person = {k: g for k, g in gold_moves.groupby("person")}
    for i, row in pred.sort_values(["person", "year"]).iterrows():
        cands = by_person.get(row["person"])
        if cands is None:
            continue
        for j, g in cands.iterrows():
            if g_hit[j] or g["origin"] != row["origin"] or g["destination"] != row["destination"]:
                continue
            if g["year_from"] <= row["year"] <= g["year_to"] + tolerance:
                p_hit[i] = g_hit[j] = True
                break
    return p_hit, g_hit


def score(gold: Gold, events: pd.DataFrame, residence: pd.DataFrame, params: GoldParams = GoldParams()) -> pd.DataFrame:
    """Measures of talentflow's careers against the gold set (see the module doc).

    ``events``: researcher_id, origin, destination, year_to (country moves of the scored run);
    ``residence``: researcher_id, year, country."""
    persons = scored_persons(gold, params.split)
    ids = set(persons["person"])
    if not ids:
        raise ConfigError(f"the gold set {gold.name} has no scored person in split {params.split!r}")
    gm = gold.moves[gold.moves["person"].isin(ids)].reset_index(drop=True)
    pred = events.rename(columns={"researcher_id": "person", "year_to": "year"})
    pred = pred[pred["person"].isin(ids)][["person", "origin", "destination", "year"]].reset_index(drop=True)
    p_hit, g_hit = match_moves(pred, gm, params.tolerance)
    per = pd.DataFrame({"researcher_id": sorted(ids)}).set_index("researcher_id")
    per["pred"] = pred.groupby("person").size()
    per["pred_hit"] = pred[p_hit].groupby("person").size()
    per["gold"] = gm.groupby("person").size()
    per["gold_hit"] = gm[g_hit].groupby("person").size()
    per = per.fillna(0.0)
    per["pred_mover"] = (per["pred"] > 0).astype(float)
    per["gold_mover"] = (per["gold"] > 0).astype(float)
    per["both_mover"] = per["pred_mover"] * per["gold_mover"]
    gr = gold.residence[gold.residence["person"].isin(ids)
                        & ~gold.residence["country"].str.upper().isin(["UNDECIDABLE", ""])]
    res = residence.rename(columns={"researcher_id": "person", "country": "predicted"})[["person", "year", "predicted"]]
    joined = gr.merge(res, on=["person", "year"], how="left")
    joined["right"] = (joined["predicted"] == joined["country"]).astype(float)
    per["years"] = joined.groupby("person").size()
    per["years_right"] = joined.groupby("person")["right"].sum()
    per = per.fillna(0.0).reset_index().assign(cell="all")
    values = ["pred", "pred_hit", "gold", "gold_hit", "pred_mover", "gold_mover", "both_mover", "years", "years_right"]
    stats = bootstrap_cells(per, ["cell"], values, lambda s: {
        "move_precision": ratio(s["pred_hit"], s["pred"]), "move_recall": ratio(s["gold_hit"], s["gold"]),
        "mover_precision": ratio(s["both_mover"], s["pred_mover"]),
        "mover_recall": ratio(s["both_mover"], s["gold_mover"]),
        "residence_accuracy": ratio(s["years_right"], s["years"])},
        BootstrapParams(n_boot=params.n_boot, seed=params.seed)).iloc[0]
    n = {"move_precision": stats["pred"], "move_recall": stats["gold"], "mover_precision": stats["pred_mover"],
         "mover_recall": stats["gold_mover"], "residence_accuracy": stats["years"]}
    rows = [{"gold": gold.name, "split": params.split, "measure": m, "value": _f(stats.get(m)),
             "lo": _f(stats.get(f"{m}_lo")), "hi": _f(stats.get(f"{m}_hi")), "n": int(n[m]),
             "persons": len(ids)} for m in n]
    return pd.DataFrame(rows)


def _f(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v
