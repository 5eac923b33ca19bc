"""The residence model inside a warehouse run (``InferenceParams.method = 'hmm'``).

``run_inference`` runs the rules' steps batch by batch as always. With the model it first fits
the EM estimates on every researcher seen in two or more countries (``fit_estimates``), then in
each batch decodes that batch's multi-country researchers (``decode_batch``) and rewrites what
the batch writes (``residence_relation``, ``events_relation``):

- residence: a year's ``country`` is the model's most likely path, ``confidence`` its posterior;
  where the path's country differs from the rules', the year's institution and hub are the
  heaviest of that country in that year (none in a year without located observations there);
- events: the rules' country events of those researchers other than ``traveler`` (migration,
  return, temporary, ambiguous, censored) give way to the model's moves of probability at least
  ``hmm_threshold`` (``migration``, or ``return`` to a country of earlier residence), with
  ``probability``; institution and sector moves and travelers stay the rules'.

Researchers seen in a single country are the rules' alone: there is no move for a model to find.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentflow.inference.hmm import careers, decode, fit
from talentflow.inference.params import InferenceParams
from talentflow.inference.residence import _sector_case, country_years_sql
from talentflow.store.warehouse import Warehouse

RES_VIEW, EV_VIEW = "_hmm_res", "_hmm_ev"


def _multi_country_years(wh: Warehouse, cyears: str) -> pd.DataFrame:
    """The rows of a country-years relation (``residence.country_years_sql``) of researchers seen in
    two or more countries, with each year's heaviest institution and hub there."""
    return wh.query(f"""
        WITH cy AS (SELECT * FROM {cyears})
        SELECT researcher_id, year, country, w, pick.i AS institution_id, pick.h AS hub FROM cy
        WHERE researcher_id IN (SELECT researcher_id FROM cy GROUP BY 1 HAVING count(DISTINCT country) >= 2)""")


def fit_estimates(wh: Warehouse, p: InferenceParams, obs: str) -> dict:
    """EM estimates on the multi-country researchers of ``obs`` (all batches): every one of them,
    or the ``hmm_fit_sample`` whose keys hash lowest (a fixed, seedless sample: three scalar
    parameters need thousands of careers, not millions)."""
    cy = _multi_country_years(wh, f"({country_years_sql(p, obs)})")
    ids = pd.unique(cy["researcher_id"])
    if p.hmm_fit_sample and len(ids) > p.hmm_fit_sample:
        keys = pd.util.hash_array(np.asarray(ids).astype(str).astype(object), categorize=False)
        cy = cy[cy["researcher_id"].isin(ids[np.argsort(keys, kind="stable")[:p.hmm_fit_sample]])]
    items = careers(cy)
    est = fit(items, p.hmm)
    est["researchers"] = sum(len(g.ids) for g in items)
    return est


def store_estimates(wh: Warehouse, params_id: str, est: dict) -> None:
    wh.execute("DELETE FROM model_estimates WHERE params_id = ?", [params_id])
    for name in ("epsilon", "move_rate", "visit", "iterations", "loglik", "researchers"):
        wh.execute("INSERT INTO model_estimates VALUES (?, ?, ?)", [params_id, name, float(est[name])])


def decode_batch(wh: Warehouse, p: InferenceParams, cyears: str, est: dict) -> None:
    """Decode the multi-country researchers of the batch (``cyears``: the rules' country-years table)
    into the views ``_hmm_res`` and ``_hmm_ev`` (keyed like the batch: hashed researcher ids)."""
    cy = _multi_country_years(wh, cyears)
    items = careers(cy)
    residence, moves = decode(items, est["epsilon"], est["move_rate"], est["visit"])
    picks = cy[["researcher_id", "year", "country", "institution_id", "hub"]]
    residence = residence.merge(picks, on=["researcher_id", "year", "country"], how="left")
    moves = moves[moves["probability"] >= p.hmm_threshold].reset_index(drop=True)
    # return: the destination is a country of the path in a year before the move
    first_at = residence.groupby(["researcher_id", "country"], as_index=False)["year"].min().rename(
        columns={"country": "destination", "year": "_first"})
    moves = moves.merge(first_at, on=["researcher_id", "destination"], how="left")
    moves["event_type"] = np.where(moves["_first"] <= moves["year_from"], "return", "migration")
    moves = moves.drop(columns="_first")
    ends = picks.rename(columns={"country": "c"})
    moves = moves.merge(ends.rename(columns={"year": "year_from", "c": "origin", "institution_id": "origin_institution",
                                             "hub": "origin_hub"}), on=["researcher_id", "year_from", "origin"], how="left")
    moves = moves.merge(ends.rename(columns={"year": "year_to", "c": "destination",
                                             "institution_id": "destination_institution", "hub": "destination_hub"}),
                        on=["researcher_id", "year_to", "destination"], how="left")
    for name, frame in ((RES_VIEW, residence), (EV_VIEW, moves)):
        wh.con.register(name, frame)
    wh.con.execute(f"CREATE OR REPLACE TEMP TABLE {RES_VIEW}_t AS SELECT * FROM {RES_VIEW}")
    wh.con.execute(f"CREATE OR REPLACE TEMP TABLE {EV_VIEW}_t AS SELECT * FROM {EV_VIEW}")
    for name in (RES_VIEW, EV_VIEW):
        wh.con.unregister(name)


def residence_relation(residence: str, ids: str) -> str:
    """The batch's residence (keyed to researcher ids) with the model's path where it has one."""
    return f"""(WITH h AS (SELECT i.researcher_id, h.* EXCLUDE (researcher_id) FROM {RES_VIEW}_t h
                       JOIN {ids} i ON i.rid = h.researcher_id)
        SELECT r.* REPLACE (
            coalesce(h.country, r.country) AS country,
            CASE WHEN h.country IS NULL OR h.country = r.country THEN r.institution_id ELSE h.institution_id END
                AS institution_id,
            CASE WHEN h.country IS NULL OR h.country = r.country THEN r.hub ELSE h.hub END AS hub,
            CASE WHEN h.country IS NULL OR h.country = r.country THEN r.sector ELSE {_sector_case('t.type')} END
                AS sector,
            CASE WHEN h.country IS NULL THEN r.confidence ELSE round(h.posterior, 4) END AS confidence)
        FROM {residence} r
        LEFT JOIN h ON h.researcher_id = r.researcher_id AND h.year = r.year
        LEFT JOIN _inf_inst t ON t.institution_id = h.institution_id)"""


def events_relation(events: str, ids: str, est: dict) -> str:
    """The batch's events (keyed to researcher ids) with the model's country moves for its researchers."""
    reason = (f"'model: P(move) ' || round(e.probability, 2) || ' (hmm, epsilon {est['epsilon']:.4f}, move rate "
              f"{est['move_rate']:.4f}, visit {est['visit']:.4f})'")
    return f"""(WITH m AS (SELECT DISTINCT i.researcher_id FROM {RES_VIEW}_t h JOIN {ids} i ON i.rid = h.researcher_id),
             e AS (SELECT i.researcher_id, e.* EXCLUDE (researcher_id) FROM {EV_VIEW}_t e
                   JOIN {ids} i ON i.rid = e.researcher_id)
        SELECT * FROM {events} r
        WHERE NOT (r.kind = 'country' AND r.event_type <> 'traveler' AND r.researcher_id IN (SELECT researcher_id FROM m))
        UNION ALL BY NAME
        SELECT e.researcher_id, 'country' AS kind, e.event_type, e.origin, e.destination, e.origin AS origin_country,
               e.destination AS destination_country, e.origin_institution, e.destination_institution, e.origin_hub,
               e.destination_hub, NULL::VARCHAR AS origin_sector, NULL::VARCHAR AS destination_sector,
               CAST(e.year_from AS INTEGER) AS year_from, CAST(e.year_to AS INTEGER) AS year_to,
               CAST(e.year AS INTEGER) AS year, {reason} AS reason, CAST(e.probability AS DOUBLE) AS probability
        FROM e)"""


def drop(wh: Warehouse) -> None:
    for name in (RES_VIEW, EV_VIEW):
        wh.execute(f"DROP TABLE IF EXISTS {name}_t")
