"""Python API of international collaboration and brain circulation (issue 8).

>>> import talentflow.collab_api as tc
>>> res = tc.collaboration("ai.duckdb", level="country", period_length=5)      # doctest: +SKIP
>>> res.units.head(); res.pairs.head(); res.summary                            # doctest: +SKIP
>>> cov = tc.collab_covariates("ai.duckdb", lag=1, window=3)                    # doctest: +SKIP
>>> circ = tc.circulation("ai.duckdb")            # needs `talentflow infer` (or moves=frame)  # doctest: +SKIP

Everything returned is aggregated with cells under ``min_cell`` suppressed, except
``CirculationResult.movers`` (person-level, for local analysis; never written anywhere).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from talentflow.collab import load
from talentflow.collab.circulation import CirculationParams, CirculationResult, circulation_estimates, circulation_panel
from talentflow.collab.networks import CollabParams, CollabResult, collab_tables, count_tables, paper_credits
from talentflow.collab.ties import TiesParams, flows_from_moves, flows_vs_collab, lagged_collab
from talentflow.errors import ConfigError
from talentflow.schema.collab import TABLES
from talentflow.store.params import params_id, record_params, stamp
from talentflow.store.warehouse import DB, Warehouse, opened

KIND_COLLAB = "collab"
KIND_CIRCULATION = "circulation"


def _params(cls, params, overrides: dict):
    if params is not None and overrides:
        return dataclasses.replace(params, **overrides)
    if params is not None:
        return params
    try:
        return cls(**overrides)
    except TypeError as exc:
        raise ConfigError(f"{cls.__name__}: {exc}") from None


def _replace_rows(wh: Warehouse, table: str, params_id: str, frame: pd.DataFrame, extra: dict) -> None:
    schema_table = next(t for t in TABLES if t.name == table)
    frame = frame.assign(params_id=params_id, **extra)
    cols = [c for c in schema_table.column_names if c in frame.columns]
    wh.execute(f"DELETE FROM {table} WHERE params_id = ?", [params_id])
    if frame.empty:
        return
    wh.con.register("_collab_incoming", frame[cols])
    try:
        wh.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _collab_incoming")
    finally:
        wh.con.unregister("_collab_incoming")


# -- co-authorship networks ----------------------------------------------------------------------------

def collaboration(db: DB = None, params: CollabParams | None = None, *, save: bool = False,
                  **overrides) -> CollabResult:
    """Co-authorship network tables (units, pairs, summary) at one level, by period.

    Parameters are a ``CollabParams`` or its fields as keywords (level="country", year_from=...,
    period_length=5, min_cell=10...). ``save=True`` stores units and pairs in collab_units /
    collab_pairs under the run's params_id (recorded in meta_runs).
    """
    params = _params(CollabParams, params, overrides)
    with opened(db, read_only=not save and not isinstance(db, Warehouse)) as wh:
        aff = load.affiliation_frame(wh, params)
        result = collab_tables(aff, params, load.unit_names(wh, params))
        if save:
            wh.apply_schema(TABLES)
            with wh.transaction():
                pid = record_params(wh, KIND_COLLAB, params)
                _replace_rows(wh, "collab_units", pid, result.units, {"level": params.level})
                _replace_rows(wh, "collab_pairs", pid, result.pairs, {"level": params.level})
            result.params_id = pid
        pid = getattr(result, "params_id", None) or params_id(KIND_COLLAB, params)
        for frame in (result.units, result.pairs):
            stamp(frame, wh, pid)
        return result


def _yearly_counts(wh: Warehouse, params: CollabParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    yearly = dataclasses.replace(params, period_length=1, centrality=False, min_cell=0)
    credit, papers = paper_credits(load.affiliation_frame(wh, yearly), yearly)
    units, pairs, _ = count_tables(credit, papers)
    return units, pairs


def collab_covariates(db: DB = None, *, lag: int = 1, window: int = 3, years: list[int] | None = None,
                      counting: CollabParams | None = None) -> pd.DataFrame:
    """Lagged co-authorship between two units as a gravity covariate.

    One row per (origin, destination, year) with co-authored papers in
    ``[year - lag - window + 1, year - lag]``: collab_papers_full, collab_papers_frac,
    collab_salton, collab_share_origin, collab_share_destination (see talentflow.collab.ties).
    Symmetric in origin/destination except the share columns. Pair-years absent had no co-authored
    paper in the window (fill 0 after a left join). ``counting`` sets the level (default country),
    venues and counting rules; its years bound the papers used. Not suppressed: these are
    paper counts between countries, not people.
    """
    counting = counting or CollabParams()
    ties = TiesParams(lag=lag, window=window)
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        units, pairs = _yearly_counts(wh, counting)
    cov, _ = lagged_collab(units, pairs, ties, years)
    return cov


def flows_vs_collab_table(db: DB = None, *, moves: pd.DataFrame | None = None, params: TiesParams | None = None,
                          counting: CollabParams | None = None, inference_params_id: str | None = None,
                          **overrides) -> dict[str, pd.DataFrame]:
    """"Do flows follow collaboration ties?": rank correlations and flows by class of lagged co-authorship.

    Flows are the country moves (migration and return) of ``moves`` (researcher_id, origin,
    destination, year_to), by default the events table of the latest inference run.
    """
    params = _params(TiesParams, params, overrides)
    counting = counting or CollabParams()
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        units, pairs = _yearly_counts(wh, counting)
        if moves is None:
            moves = load.moves_from_events(wh, inference_params_id)
    if "event_type" in moves.columns:
        moves = moves[moves["event_type"].isin(load.COUNTRY_MOVE_TYPES)]
    cov, sizes = lagged_collab(units, pairs, params)
    corr, classes = flows_vs_collab(cov, sizes, flows_from_moves(moves), params)
    return {"Do flows follow collaboration ties? (rank correlation over country pair-years)": corr,
            "Moves by class of lagged collaboration strength": classes}


# -- brain circulation -------------------------------------------------------------------------------------

def circulation(db: DB = None, params: CirculationParams | None = None, *, moves: pd.DataFrame | None = None,
                inference_params_id: str | None = None, save: bool = False, **overrides) -> CirculationResult:
    """Brain circulation: movers' co-authorship with their origin country before and after the move,
    against stayers matched on origin, field and career age; by destination; returns after ties.

    ``moves`` (researcher_id, origin, destination, year_to[, event_type]) defaults to the country
    events of the latest `talentflow infer` run. ``save=True`` stores the estimates in
    circulation_estimates under the run's params_id.
    """
    params = _params(CirculationParams, params, overrides)
    with opened(db, read_only=not save and not isinstance(db, Warehouse)) as wh:
        if moves is None:
            moves = load.moves_from_events(wh, inference_params_id)
            inference_params_id = moves.attrs.get("inference_params_id")
        frames = load.career_frames(wh, params.identity)
        panel = circulation_panel(moves, frames["papers"], frames["coauthors"], frames["home"], params)
        result = CirculationResult(params=params, estimates=circulation_estimates(panel, params), movers=panel)
        if save:
            wh.apply_schema(TABLES)
            record = {**dataclasses.asdict(params), "inference_params_id": inference_params_id}
            with wh.transaction():
                pid = record_params(wh, KIND_CIRCULATION, record)
                _replace_rows(wh, "circulation_estimates", pid, result.estimates, {})
            result.params_id = pid
        return result


# -- helpers for the command line ---------------------------------------------------------------------------

COLLAB_VIEWS = ("units", "pairs", "summary")
COMPACT = {
    "units": ["period", "unit", "papers_full", "papers_frac", "external_share", "acad_industry_share", "eigenvector",
              "community"],
    "pairs": ["period", "unit_a", "unit_b", "papers_full", "papers_frac", "salton", "obs_exp"],
    "summary": ["period", "papers", "multi_unit_share", "acad_industry_share", "units", "pairs", "modularity"],
}


def collab_view(result: CollabResult, view: str = "units", *, unit: str | None = None,
                pair: tuple[str, str] | None = None, top: int | None = None, sort: str | None = None,
                compact: bool = False) -> pd.DataFrame:
    """One table of a collaboration result, optionally filtered to a unit or a pair, sorted by ``sort``
    (descending, within period; default papers_full) and cut to ``top`` rows per period; ``compact``
    keeps the columns that fit a terminal."""
    if view not in COLLAB_VIEWS:
        raise ConfigError(f"view {view!r} is not one of {', '.join(COLLAB_VIEWS)}")
    frame = getattr(result, view)
    if view == "summary":
        return frame[[c for c in COMPACT[view] if c in frame.columns]] if compact else frame
    if pair is not None:
        if view != "pairs":
            raise ConfigError("a pair filter needs the pairs view (--view pairs)")
        a, b = sorted(pair)
        frame = frame[(frame["unit_a"] == a) & (frame["unit_b"] == b)]
    if unit is not None:
        frame = (frame[frame["unit"] == unit] if view == "units"
                 else frame[(frame["unit_a"] == unit) | (frame["unit_b"] == unit)])
    if sort is not None:
        if sort not in frame.columns:
            raise ConfigError(f"--sort {sort!r} is not a column of the {view} view: {', '.join(frame.columns)}")
        frame = frame.sort_values(["period_start", sort], ascending=[True, False], kind="stable")
    if top is not None:
        frame = frame.groupby("period", sort=False, group_keys=False).head(top)
    if compact:
        frame = frame[COMPACT[view]]
    return frame.reset_index(drop=True)


def read_moves(path: str | Path) -> pd.DataFrame:
    """A moves frame from a CSV or Parquet file with columns researcher_id, origin, destination,
    year_to (event_type optional), e.g. `talentflow events --format csv` output renamed, or your own."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no moves file at {path}")
    frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    if "researcher_id" not in frame.columns and "researcher" in frame.columns:
        frame = frame.rename(columns={"researcher": "researcher_id"})
    missing = [c for c in ("researcher_id", "origin", "destination", "year_to") if c not in frame.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {missing}; expected researcher_id, origin, destination, year_to")
    years = pd.to_numeric(frame["year_to"], errors="coerce")
    bad = years.isna() & frame["year_to"].notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise ConfigError(f"{path}: record {row + 1}, field year_to: {frame['year_to'].iloc[row]!r} is not a year")
    return frame.assign(year_to=years.astype("Int64"))
