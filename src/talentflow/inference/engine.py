"""Running the inference steps: named SQL steps materialized as temporary tables in a DuckDB connection.

``inference_steps`` lists the steps (observed years -> spells -> core spells -> residence of the
observed years -> events -> padded residence) as ``(table, SELECT)`` pairs; ``run_steps``
materializes them in any DuckDB connection. ``infer`` is the pure entry point: DataFrames in, DataFrames out (an in-memory
DuckDB does the work); ``talentflow.inference.run`` runs the same steps inside the warehouse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb
import pandas as pd

from talentflow.inference.events import EVENT_COLUMNS, events_sql
from talentflow.inference.params import InferenceParams
from talentflow.inference.residence import (RESIDENCE_COLUMNS, core_sql, country_years_sql, mspells_sql,
                                            observed_years_sql,
                                            residence_from_sql, rspells_sql, ryears_sql)

OBS_COLUMNS = ("researcher_id", "year", "country", "institution_id", "hub", "weight")


def inference_steps(p: InferenceParams, obs: str, institutions: str, prefix: str = "_inf_") -> list[tuple[str, str]]:
    """The steps as (temporary table name, SELECT statement), in order."""
    cy, oy, rsp, msp, core, ry, ev, res = (prefix + n for n in ("cyears", "oyears", "rspells", "mspells", "core",
                                                                "ryears", "events", "residence"))
    return [
        (cy, country_years_sql(p, obs)),
        (oy, observed_years_sql(p, cy)),
        (rsp, rspells_sql(p, oy)),
        (msp, mspells_sql(p, rsp, cy)),
        (core, core_sql(msp)),
        (ry, ryears_sql(p, oy, rsp, msp, institutions)),
        (ev, events_sql(p, cy, oy, msp, core, ry)),
        (res, residence_from_sql(p, ry)),  # last: nothing reads it, so it can be streamed into the results
    ]


def run_steps(con: duckdb.DuckDBPyConnection, steps: list[tuple[str, str]]) -> dict[str, float]:
    """Materialize the steps in order; returns each step's wall time in seconds."""
    seconds = {}
    for name, sql in steps:
        started = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}").fetchall()
        seconds[name] = round(time.perf_counter() - started, 3)
    return seconds


def drop_steps(con: duckdb.DuckDBPyConnection, steps: list[tuple[str, str]]) -> None:
    for name, _ in steps:
        con.execute(f"DROP TABLE IF EXISTS {name}").fetchall()


def obs_view_sql(source: str, p: InferenceParams, where: str = "TRUE") -> str:
    return (f"SELECT researcher_id, CAST(year AS INTEGER) AS year, country, institution_id, hub, "
            f"CAST(weight AS DOUBLE) AS weight FROM {source} "
            f"WHERE year BETWEEN {int(p.year_min)} AND {int(p.year_max)} AND ({where})")


@dataclass(frozen=True)
class Inferred:
    residence: pd.DataFrame
    events: pd.DataFrame


def infer(obs: pd.DataFrame, params: InferenceParams | None = None,
          institutions: pd.DataFrame | None = None) -> Inferred:
    """Pure: observations -> residence years and events.

    ``obs`` needs researcher_id, year, country (ISO3) and optionally institution_id, hub and
    weight (default 1); ``institutions`` (institution_id, type) gives sectors. ``identity`` is
    not applied here: pass the observations of the researchers you want.
    """
    params = params or InferenceParams()
    frame = obs.copy()
    for col in OBS_COLUMNS:
        if col not in frame.columns:
            frame[col] = 1.0 if col == "weight" else None
    inst = institutions if institutions is not None else pd.DataFrame(
        {"institution_id": pd.Series(dtype=str), "type": pd.Series(dtype=str)})
    con = duckdb.connect(":memory:")
    try:
        con.register("obs_in", frame[list(OBS_COLUMNS)])
        con.register("inst_in", inst[["institution_id", "type"]])
        con.execute("CREATE TEMP VIEW obs AS " + obs_view_sql("obs_in", params))
        con.execute("CREATE TEMP VIEW inst AS SELECT CAST(institution_id AS VARCHAR) AS institution_id, "
                    "CAST(type AS VARCHAR) AS type FROM inst_in")
        run_steps(con, inference_steps(params, "obs", "inst"))
        residence = con.execute(f"SELECT {', '.join(RESIDENCE_COLUMNS)} FROM _inf_residence "
                                "ORDER BY researcher_id, year").df()
        events = con.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM _inf_events "
                             "ORDER BY researcher_id, kind, year_to, event_type").df()
        return Inferred(residence, events)
    finally:
        con.close()
