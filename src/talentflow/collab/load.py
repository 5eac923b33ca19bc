"""Reading the frames the collaboration computations need from the warehouse (the I/O edge)."""

from __future__ import annotations

import pandas as pd

from talentflow.collab.networks import CollabParams
from talentflow.errors import WarehouseError
from talentflow.store.warehouse import Warehouse

_UNIT_SQL = {
    "country": "o.country",
    "region": "c.wb_region",
    "hub": "o.hub",
    "org": "o.institution_id",
}


def _work_filter(params) -> tuple[str, list]:
    """WHERE clause over works w (years, venues, accepted) and its parameters."""
    clauses, args = [], []
    if params.year_from is not None:
        clauses.append("w.year >= ?")
        args.append(params.year_from)
    if params.year_to is not None:
        clauses.append("w.year <= ?")
        args.append(params.year_to)
    if params.venues:
        clauses.append("list_contains(?::VARCHAR[], lower(w.venue))")
        args.append(list(params.venues))
    if params.accepted_only:
        clauses.append("w.accepted IS NOT FALSE")
    clauses.append("w.year IS NOT NULL")
    return " AND ".join(clauses), args


def affiliation_frame(wh: Warehouse, params: CollabParams) -> pd.DataFrame:
    """One row per affiliation observation on a selected work, with its unit at ``params.level``."""
    wh.require("works", "authorships", "observations", "institutions", "countries")
    where, args = _work_filter(params)
    unit = _UNIT_SQL[params.level]
    if params.level == "org" and params.org_rollup:
        unit = "coalesce(i.parent_id, o.institution_id)"
    identity = ""
    if params.identity == "stable_id":
        identity = "AND o.researcher_id IN (SELECT researcher_id FROM researchers WHERE identity = 'stable_id')"
    return wh.query(f"""
        WITH w AS (SELECT work_id, year FROM works w WHERE {where}),
        na AS (SELECT a.work_id, count(*) AS n_authors FROM authorships a JOIN w USING (work_id) GROUP BY ALL)
        SELECT o.work_id, w.year, o.researcher_id, o.weight, {unit} AS unit, i.type AS itype, na.n_authors
        FROM observations o JOIN w USING (work_id) JOIN na USING (work_id)
             LEFT JOIN institutions i ON i.institution_id = o.institution_id
             LEFT JOIN countries c ON c.iso3 = o.country
        WHERE TRUE {identity}""", args)


def unit_names(wh: Warehouse, params: CollabParams) -> pd.DataFrame:
    """(unit, unit_name) for the level: country names, institution names; regions and hubs name themselves."""
    if params.level == "country":
        return wh.query("SELECT iso3 AS unit, name AS unit_name FROM countries")
    if params.level == "org":
        return wh.query("""
            SELECT institution_id AS unit, name AS unit_name FROM institutions
            UNION ALL
            SELECT DISTINCT parent_id, parent_id FROM institutions
            WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT institution_id FROM institutions)""")
    return pd.DataFrame({"unit": pd.Series(dtype=str), "unit_name": pd.Series(dtype=str)})


# -- brain circulation -------------------------------------------------------------------------------

COUNTRY_MOVE_TYPES = ("migration", "return")
_NOT_STAYER_TYPES = ("migration", "return", "temporary", "ambiguous", "censored")


def moves_from_events(wh: Warehouse, inference_params_id: str | None = None) -> pd.DataFrame:
    """Country events of one inference run as a moves frame.

    Returns researcher_id, origin, destination, year_from, year_to, event_type for every country
    event of the types migration, return, temporary, ambiguous and censored (the brain-circulation
    code treats migration and return rows as moves and every researcher listed as a non-stayer).
    ``inference_params_id`` defaults to the latest `talentflow infer` run.
    """
    if not wh.has_table("events"):
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no events table; run `talentflow infer "
                             "--db ...` first (or pass a moves frame)")
    pid = inference_params_id
    if pid is None:
        if wh.has_table("inference_runs"):
            rows = wh.execute("SELECT params_id FROM inference_runs ORDER BY run_at DESC LIMIT 1")
        else:
            rows = wh.execute("SELECT DISTINCT params_id FROM events")
        if not rows:
            raise WarehouseError("the events table is empty; run `talentflow infer --db ...` first")
        pid = rows[0][0]
    frame = wh.query("""
        SELECT researcher_id, origin, destination, year_from, year_to, event_type FROM events
        WHERE params_id = ? AND kind = 'country' AND list_contains(?::VARCHAR[], event_type)
        ORDER BY researcher_id, year_to""", [pid, list(_NOT_STAYER_TYPES)])
    if frame.empty and not wh.execute("SELECT 1 FROM events WHERE params_id = ? LIMIT 1", [pid]):
        raise WarehouseError(f"no events under inference params_id {pid!r}")
    frame.attrs["inference_params_id"] = pid
    return frame


def career_frames(wh: Warehouse, identity: str = "stable_id") -> dict[str, pd.DataFrame]:
    """papers, coauthors and home frames (see ``talentflow.collab.circulation``) for the researchers
    of the given identity kind ('stable_id' or 'all'). Person-level: for local computation only."""
    wh.require("works", "authorships", "observations", "researchers")
    who = ("SELECT researcher_id FROM researchers WHERE identity = 'stable_id'" if identity == "stable_id"
           else "SELECT researcher_id FROM researchers")
    papers = wh.query(f"""
        SELECT DISTINCT a.researcher_id, a.work_id, w.year, lower(w.venue) AS venue
        FROM authorships a JOIN works w USING (work_id)
        WHERE w.year IS NOT NULL AND w.accepted IS NOT FALSE AND a.researcher_id IN ({who})""")
    coauthors = wh.query(f"""
        SELECT DISTINCT a.researcher_id, a.work_id, o.country
        FROM authorships a JOIN works w USING (work_id)
             JOIN observations o ON o.work_id = a.work_id AND o.researcher_id <> a.researcher_id
        WHERE w.year IS NOT NULL AND w.accepted IS NOT FALSE AND o.country IS NOT NULL
              AND a.researcher_id IN ({who})""")
    home = wh.query(f"""
        WITH c AS (
            SELECT researcher_id, country, sum(weight) AS w FROM observations
            WHERE country IS NOT NULL AND researcher_id IN ({who}) GROUP BY ALL)
        SELECT researcher_id, country AS home_country, w / total AS home_share FROM (
            SELECT *, sum(w) OVER (PARTITION BY researcher_id) AS total,
                   row_number() OVER (PARTITION BY researcher_id ORDER BY w DESC, country) AS rn FROM c)
        WHERE rn = 1""")
    return {"papers": papers, "coauthors": coauthors, "home": home}
