"""The Python API of careers and migration (issue 3): every step as a function returning DataFrames.

>>> import talentflow.migration_api as mig
>>> mig.infer("ai.duckdb")                                   # doctest: +SKIP
>>> mig.flows("ai.duckdb", level="country").head()           # doctest: +SKIP
>>> mig.rates("ai.duckdb", countries=("USA", "CHN"), period=0)  # doctest: +SKIP

``db`` is a warehouse path or an open ``Warehouse``. Results of ``infer`` are stored under the
parameter set's ``params_id``; the other functions read the latest run unless given one.
``panel`` restricts researchers to identity namespaces (``ieee``, ``acl``, ``openreview``,
``csv``...). Person-level frames (``events``) are for local use; aggregates suppress cells of
1..min_cell-1 researchers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from talentflow.store.warehouse import DB, Warehouse, opened
from talentflow.errors import ConfigError
from talentflow.inference.params import InferenceParams
from talentflow.inference.run import InferenceSummary, run_inference
from talentflow.metrics import composition as _composition
from talentflow.metrics import flows as _flows
from talentflow.metrics import pipeline as _pipeline
from talentflow.metrics import rates as _rates
from talentflow.metrics.common import select
from talentflow.metrics.uncertainty import BootstrapParams
from talentflow.store.params import stamp

EVENT_OUTPUT = ["researcher", "namespace", "kind", "event_type", "origin", "destination", "year_from", "year_to",
                "year", "probability", "origin_institution", "destination_institution", "origin_country",
                "destination_country", "reason"]


def _countries(values) -> tuple[str, ...] | None:
    if not values:
        return None
    out = tuple(v.strip().upper() for v in values if v.strip())
    bad = [v for v in out if len(v) != 3 or not v.isalpha()]
    if bad:
        raise ConfigError(f"countries must be ISO3 codes (USA, CHN...); got {bad}")
    return out


def infer(db: DB, params: InferenceParams | None = None) -> InferenceSummary:
    """Infer residence and events from the observations; store them under the params_id."""
    with opened(db) as wh:
        return run_inference(wh, params or InferenceParams())


def events(db: DB, *, kind: str | None = "country", event_types: tuple[str, ...] | None = None,
           panel=None, year_from: int | None = None, year_to: int | None = None,
           params_id: str | None = None) -> pd.DataFrame:
    """Person-level events (local use): researcher = the person key (the source's key; with
    ``--identity resolved`` a further person of a split id carries '#2', '#3'...)."""
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        conds = [f"e.params_id = $pid", sel.researcher_filter("e.researcher_id"), sel.year_filter("e.year_to")]
        args: dict = {"pid": sel.params_id}
        if kind and kind != "all":
            conds.append("e.kind = $kind")
            args["kind"] = kind
        if event_types:
            conds.append("list_contains($types, e.event_type)")
            args["types"] = list(event_types)
        frame = wh.query(f"""
            SELECT r.source_key || coalesce('#' || nullif(split_part(e.researcher_id, '#', 2), ''), '') AS researcher,
                   r.namespace, e.* FROM events e
            JOIN researchers r ON r.researcher_id = split_part(e.researcher_id, '#', 1)
            WHERE {' AND '.join(conds)}
            ORDER BY r.source_key, e.kind, e.year_to, e.event_type""", args)
        return stamp(frame[EVENT_OUTPUT], wh, sel.params_id)


def residence(db: DB, *, panel=None, year_from: int | None = None, year_to: int | None = None,
              params_id: str | None = None) -> pd.DataFrame:
    """Person-level residence years (local use)."""
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(wh.query(f"""
            SELECT r.source_key || coalesce('#' || nullif(split_part(s.researcher_id, '#', 2), ''), '') AS researcher,
                   r.namespace, s.* EXCLUDE (params_id, researcher_id) FROM residence s
            JOIN researchers r ON r.researcher_id = split_part(s.researcher_id, '#', 1)
            WHERE s.params_id = $pid AND {sel.researcher_filter('s.researcher_id')} AND {sel.year_filter('s.year')}
            ORDER BY r.source_key, s.year""", {"pid": sel.params_id}), wh, sel.params_id)


def flows(db: DB, *, level: str = "country", period: int = 1, panel=None, year_from: int | None = None,
          year_to: int | None = None, min_cell: int = 1, fold_parents: bool = True,
          event_types: tuple[str, ...] = _flows.COUNTRY_MOVES, params_id: str | None = None) -> pd.DataFrame:
    """Origin-destination flows: origin, destination, year (or period), count."""
    fp = _flows.FlowParams(level=level, period=period, event_types=event_types, fold_parents=fold_parents,
                           min_cell=min_cell)
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(_flows.flows(wh, sel, fp), wh, sel.params_id)


def top_flows(db: DB, *, level: str = "org", n: int = 10, panel=None, year_from: int | None = None,
              year_to: int | None = None, min_cell: int = 1, params_id: str | None = None) -> pd.DataFrame:
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(_flows.top_flows(wh, sel, level, n, min_cell), wh, sel.params_id)


def bilateral(db: DB, a: str, b: str, *, period: int = 0, panel=None, year_from: int | None = None,
              year_to: int | None = None, n_boot: int = 500, seed: int = 20240, min_cell: int = 1,
              params_id: str | None = None) -> pd.DataFrame:
    """Moves a->b and b->a and the net flow into a, with bootstrap intervals."""
    a, b = _countries((a, b))
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(_flows.bilateral(wh, sel, a, b, period=period, boot=BootstrapParams(n_boot, seed),
                                      min_cell=min_cell), wh, sel.params_id)


def rates(db: DB, *, countries=None, period: int = 1, panel=None, year_from: int | None = None,
          year_to: int | None = None, n_boot: int = 500, seed: int = 20240, min_cell: int = 10,
          params_id: str | None = None) -> pd.DataFrame:
    """Migration rates per 1,000 researchers (SMD definitions), MEI, turnover, with intervals."""
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(_rates.rates(wh, sel, period=period, countries=_countries(countries),
                                  boot=BootstrapParams(n_boot, seed), min_cell=min_cell), wh, sel.params_id)


def brain_drain(db: DB, *, panel=None, year_from: int | None = None, year_to: int | None = None,
                n_boot: int = 500, seed: int = 20240, min_cell: int = 10, min_population: int = 100,
                params_id: str | None = None) -> pd.DataFrame:
    """Countries ranked by net rate, largest drain first."""
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(_rates.brain_drain(wh, sel, boot=BootstrapParams(n_boot, seed), min_cell=min_cell,
                                        min_population=min_population), wh, sel.params_id)


def orgs(db: DB, *, orgs=None, top: int = 20, seat: str = "unit", origin_before_join: bool = False,
         panel=None, year_from: int | None = None, year_to: int | None = None, n_boot: int = 500,
         seed: int = 20240, min_cell: int = 10, params_id: str | None = None) -> pd.DataFrame:
    """Foreign-origin share of organizations' researchers, with intervals."""
    cp = _composition.CompositionParams(seat=seat, origin_before_join=origin_before_join, min_cell=min_cell)
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        return stamp(_composition.foreign_share(wh, sel, tuple(orgs) if orgs else None, top=top, params=cp,
                                                boot=BootstrapParams(n_boot, seed)), wh, sel.params_id)


def pipeline(db: DB, *, countries=None, stay: bool = False, panel=None, year_from: int | None = None,
             year_to: int | None = None, n_boot: int = 500, seed: int = 20240, min_cell: int = 10,
             params_id: str | None = None) -> pd.DataFrame:
    """Study country -> first-job country (or, with ``stay``, stay rates with intervals)."""
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        if stay:
            return stamp(_pipeline.stay_rates(wh, sel, _countries(countries), boot=BootstrapParams(n_boot, seed),
                                              min_cell=min_cell), wh, sel.params_id)
        return stamp(_pipeline.pipeline(wh, sel, _countries(countries), min_cell=min_cell), wh, sel.params_id)


def education_pipeline(db: DB, *, stay: bool = False, by: str = "degree", countries=None,
                       year_from: int | None = None, year_to: int | None = None, n_boot: int = 500,
                       seed: int = 20240, min_cell: int = 10) -> pd.DataFrame:
    """From ORCID education records (career_spells): degree country -> first-job country by degree
    level, or with ``stay`` stay rates by degree level (``by='degree'``) or degree level x degree
    country (``by='degree-country'``). ``countries``: these degree countries only; years bound the
    degree's end year."""
    from talentflow.metrics import education as _education

    if by not in _education.BY:
        raise ConfigError(f"--by {by!r}: expected one of {', '.join(_education.BY)}")
    with opened(db, read_only=True) as wh:
        t = _education.degree_transitions(_education.read_spells(wh), year_from, year_to)
        wanted = _countries(countries)
        if wanted:
            t = t[t["study_country"].isin(wanted)]
        if stay:
            out = _education.degree_stay_rates(t, by, boot=BootstrapParams(n_boot, seed), min_cell=min_cell)
        else:
            out = _education.degree_flows(t, min_cell=min_cell)
        return stamp(out, wh, None)


def simulate(out_dir: str | Path, **kwargs):
    """Write synthetic careers (obs.csv) and their truth (truth.csv); see talentflow.simulate.careers."""
    from talentflow.simulate.careers import SimParams, write_simulation

    return write_simulation(Path(out_dir), SimParams(**kwargs))


def sweep(db: DB, grid: dict[str, list], *, base: InferenceParams | None = None, panel=None) -> pd.DataFrame:
    """Headline figures under each parameter value (one parameter varied at a time)."""
    from talentflow.inference.sweep import sweep as run

    with opened(db, read_only=True) as wh:
        return run(wh, grid, base or InferenceParams(), panel=panel)


def smd_recompute(which: str = "scopus") -> pd.DataFrame:
    """The Scholarly Migration Database's rates recomputed from its own counts (max absolute difference)."""
    from talentflow.validation.scholarly_migration import SMD_FILES, load_smd, recompute_rates

    if which not in SMD_FILES:
        raise ConfigError(f"--smd {which!r}: expected one of {', '.join(SMD_FILES)}")
    return recompute_rates(load_smd(which)).assign(database=which)


def smd_compare(db: DB, *, which: str = "scopus", panel=None, year_from: int | None = None,
                year_to: int | None = None, min_moves: int = 5, params_id: str | None = None) -> pd.DataFrame:
    """talentflow's country net flows on a panel against the SMD's net migration, same countries and years."""
    from talentflow.validation.scholarly_migration import SMD_FILES, compare_net_direction, load_smd, panel_net

    if which not in SMD_FILES:
        raise ConfigError(f"--smd {which!r}: expected one of {', '.join(SMD_FILES)}")
    with opened(db, read_only=True) as wh:
        ours = panel_net(wh, select(wh, params_id, panel, year_from, year_to))
    return compare_net_direction(ours, load_smd(which), min_moves=min_moves)
