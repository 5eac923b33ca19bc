"""Migration rates by country (Scholarly Migration Database definitions) with bootstrap intervals.

For country c and year t (or a period, summing years):

- ``population``: researchers resident in c in t on the padded population (residence rows,
  observed or padded), i.e. person-years for a period;
- ``population_at_risk``: the same person-years of the researchers observed in at least two
  years of the run (only they can show a move: a researcher seen once cannot), the denominator of
  ``in_rate_at_risk``, ``out_rate_at_risk`` and ``net_rate_at_risk``; on the mirror about three
  researchers in four are seen in a single year, so the two denominators differ widely;
- ``inflows`` / ``outflows``: country moves (migration and return) into / out of c whose first
  year at the destination is t; ``net`` = inflows - outflows;
- ``in_rate``, ``out_rate``, ``net_rate``: per 1,000 researchers (the SMD publishes the same
  ratios as fractions: divide by 1,000 to compare);
- ``net_share_pct``: net flow as a percentage of the workforce (BCG's presentation);
- ``mei``: migration effectiveness index, 100 * net / (inflows + outflows);
- ``turnover``: (inflows + outflows) per 1,000 researchers.

Intervals (``*_lo``, ``*_hi``) come from the seeded bootstrap over researchers. Cells with a
population, inflow or outflow of 1..min_cell-1 researchers are blanked with what derives from them.

``status`` says what a row's rates are: ``estimated``; ``suppressed`` (a small count);
``no move observed`` (no move in or out: no evidence, not a rate of zero, so the rates are
blank); ``censored`` (no move, in years too close to the end of the record for a move to be
confirmed yet). A move needs ``min_spell_years`` observed years at the destination, so moves
into the last ``min_spell_years - 1`` years of the selection's record are not counted yet:
``censored`` (bool) marks a year or period wholly in those years, ``unconfirmed_years`` counts
the year(s) of a period in them (its rates undercount the moves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentflow.errors import WarehouseError
from talentflow.inference.run import params_of
from talentflow.metrics.common import Selection
from talentflow.metrics.flows import COUNTRY_MOVES, bucket
from talentflow.metrics.suppression import suppress, with_complement
from talentflow.metrics.uncertainty import (BootstrapParams, add_intervals, ratio, replicate_sums,
                                            replicate_weights)
from talentflow.store.warehouse import Warehouse


def rate_stats(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    pop, inf, out = s["population"], s["inflows"], s["outflows"]
    net = inf - out
    stats = {
        "net": net,
        "in_rate": ratio(inf, pop, 1000.0),
        "out_rate": ratio(out, pop, 1000.0),
        "net_rate": ratio(net, pop, 1000.0),
        "net_share_pct": ratio(net, pop, 100.0),
        "mei": ratio(net, inf + out, 100.0),
        "turnover": ratio(inf + out, pop, 1000.0),
    }
    if "population_at_risk" in s:
        risk = s["population_at_risk"]
        stats.update({"in_rate_at_risk": ratio(inf, risk, 1000.0), "out_rate_at_risk": ratio(out, risk, 1000.0),
                      "net_rate_at_risk": ratio(net, risk, 1000.0)})
    return stats


RATE_STATS = ("net", "in_rate", "out_rate", "net_rate", "net_share_pct", "mei", "turnover")
AT_RISK_STATS = ("in_rate_at_risk", "out_rate_at_risk", "net_rate_at_risk")


def contribution_rows(wh: Warehouse, sel: Selection, event_types: tuple[str, ...] = COUNTRY_MOVES) -> pd.DataFrame:
    """One row per researcher, namespace, country and year of the selection: population
    (person-years), population_at_risk, inflows, outflows and observed person-years."""
    types = ", ".join("'" + t + "'" for t in event_types)
    return wh.query(f"""
        WITH risk AS (  -- researchers observed in at least two years of the run: who could show a move
            SELECT researcher_id FROM residence WHERE params_id = $pid AND status = 'observed'
            GROUP BY researcher_id HAVING count(DISTINCT year) >= 2),
        pop AS (
            SELECT researcher_id, country, year, 1.0 AS population,
                   CASE WHEN researcher_id IN (SELECT researcher_id FROM risk) THEN 1.0 ELSE 0.0 END AS population_at_risk,
                   0.0 AS inflows, 0.0 AS outflows, CASE WHEN status = 'observed' THEN 1.0 ELSE 0.0 END AS observed
            FROM residence WHERE params_id = $pid AND {sel.researcher_filter()} AND {sel.year_filter('year')}),
        ev AS (
            SELECT researcher_id, origin, destination, year_to AS year FROM events
            WHERE params_id = $pid AND kind = 'country' AND event_type IN ({types})
                  AND {sel.researcher_filter()} AND {sel.year_filter('year_to')}),
        c AS (SELECT * FROM pop
              UNION ALL SELECT researcher_id, destination, year, 0.0, 0.0, 1.0, 0.0, 0.0 FROM ev
              UNION ALL SELECT researcher_id, origin, year, 0.0, 0.0, 0.0, 1.0, 0.0 FROM ev)
        SELECT c.researcher_id, coalesce(r.namespace, '') AS namespace, c.country, c.year,
               sum(population) AS population, sum(population_at_risk) AS population_at_risk,
               sum(inflows) AS inflows, sum(outflows) AS outflows, sum(observed) AS observed
        FROM c LEFT JOIN (SELECT DISTINCT researcher_id, namespace FROM researchers) r USING (researcher_id)
        GROUP BY ALL""", {"pid": sel.params_id})


def contributions(wh: Warehouse, sel: Selection, period: int = 1,
                  event_types: tuple[str, ...] = COUNTRY_MOVES) -> pd.DataFrame:
    """One row per researcher, country and year/period: population (person-years), inflows, outflows."""
    frame = contribution_rows(wh, sel, event_types).groupby(["researcher_id", "country", "year"], as_index=False)[
        ["population", "inflows", "outflows"]].sum()
    key = "year" if period == 1 else "period"
    frame[key] = bucket(frame["year"], period, sel.year_from)
    if key != "year":
        frame = frame.groupby(["researcher_id", "country", key], as_index=False)[
            ["population", "inflows", "outflows"]].sum()
    return frame


@dataclass(frozen=True)
class RateCube:
    """Rates' additive base: per (namespace, country, year) cell, population (person-years), inflows
    and outflows summed over researchers (``point``, shape (3, cells)), the same sums in every
    bootstrap replicate (``reps``, (3, n_boot, cells); researchers keep their Poisson weights in every
    cell, see ``metrics.uncertainty``), and observed person-years (to find where moves are censored).
    Any panel and year range is a sum of cells, so ``cube_rates`` on the whole warehouse's cube gives
    exactly what ``rates`` computes for a selection from scratch; a server keeps one cube."""

    cells: pd.DataFrame  # namespace, country, year
    point: np.ndarray
    reps: np.ndarray | None
    observed: np.ndarray
    boot: BootstrapParams
    min_spell_years: int


VALUES = ("population", "population_at_risk", "inflows", "outflows")


def rate_cube(wh: Warehouse, sel: Selection, boot: BootstrapParams = BootstrapParams(),
              event_types: tuple[str, ...] = COUNTRY_MOVES) -> RateCube:
    """The cube of a selection (all of a run: ``Selection(params_id)``)."""
    frame = contribution_rows(wh, sel, event_types)
    # the rules confirm a move after min_spell_years at the destination; the residence model lists
    # a move in the last observed year with its probability, so nothing is censored under it
    try:
        p = params_of(wh, sel.params_id)
        spell = p.min_spell_years if p.method == "rules" else 1
    except WarehouseError:  # no recorded parameters: nothing is known to be censored
        spell = 1
    keys = ["namespace", "country", "year"]
    cells = frame[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    c_codes = np.asarray(pd.MultiIndex.from_frame(frame[keys]).map(
        {k: i for i, k in enumerate(pd.MultiIndex.from_frame(cells))}), dtype=np.int64) if len(frame) else \
        np.zeros(0, dtype=np.int64)
    values = np.vstack([frame[v].to_numpy(dtype=float) for v in VALUES]) if len(frame) else np.zeros((len(VALUES), 0))
    point = np.vstack([np.bincount(c_codes, weights=values[i], minlength=len(cells)) for i in range(len(VALUES))])
    observed = np.bincount(c_codes, weights=frame["observed"].to_numpy(dtype=float), minlength=len(cells))
    reps = None
    if boot.n_boot and len(frame):
        r_codes, r_ids = pd.factorize(frame["researcher_id"], sort=True)
        reps = replicate_sums(replicate_weights(np.asarray(r_ids, dtype=object), boot), r_codes, c_codes, values,
                              len(cells))
    return RateCube(cells, point, reps, observed, boot, spell)


def cube_rates(cube: RateCube, namespaces: tuple[str, ...] | None, year_from: int | None, year_to: int | None, *,
               period: int = 1, countries: tuple[str, ...] | None = None, min_cell: int = 10) -> pd.DataFrame:
    """Rates by country and year (period) of a panel and year range, summed from the cube's cells."""
    key = "year" if period == 1 else "period"
    cells = cube.cells
    mask = np.ones(len(cells), dtype=bool)
    if namespaces:
        mask &= cells["namespace"].isin(namespaces).to_numpy()
    if year_from is not None:
        mask &= (cells["year"] >= int(year_from)).to_numpy()
    if year_to is not None:
        mask &= (cells["year"] <= int(year_to)).to_numpy()
    idx = np.flatnonzero(mask)
    sub = cells.iloc[idx][["country", "year"]].reset_index(drop=True)
    observed_years = sub["year"][cube.observed[idx] > 0]
    last = int(observed_years.max()) if len(observed_years) else 10**6
    first_censored = last - max(cube.min_spell_years, 1) + 2
    sub[key] = bucket(sub["year"], period, year_from)
    if countries:
        keep = sub["country"].isin(countries).to_numpy()
        sub, idx = sub[keep].reset_index(drop=True), idx[keep]
    if not len(sub):
        return pd.DataFrame(columns=["country", key, *VALUES])
    out = sub[["country", key]].drop_duplicates().sort_values(["country", key]).reset_index(drop=True)
    codes = np.asarray(pd.MultiIndex.from_frame(sub[["country", key]]).map(
        {k: i for i, k in enumerate(pd.MultiIndex.from_frame(out))}), dtype=np.int64)
    full = {v: np.bincount(codes, weights=cube.point[i, idx], minlength=len(out)) for i, v in enumerate(VALUES)}
    for v in VALUES:
        out[v] = full[v]
    for name, arr in rate_stats(full).items():
        out[name] = arr
    if cube.reps is not None and cube.boot.n_boot:
        order = np.argsort(codes, kind="stable")
        starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
        sums = np.add.reduceat(cube.reps[:, :, idx[order]], starts, axis=2)
        add_intervals(out, rate_stats, {v: sums[i] for i, v in enumerate(VALUES)}, cube.boot.level)
    return _finish(out, key, first_censored, min_cell)


def rates(wh: Warehouse, sel: Selection, *, period: int = 1, countries: tuple[str, ...] | None = None,
          boot: BootstrapParams = BootstrapParams(), min_cell: int = 10) -> pd.DataFrame:
    """Rates by country and year (period) with intervals; see the module doc."""
    return cube_rates(rate_cube(wh, sel, boot), sel.namespaces, sel.year_from, sel.year_to, period=period,
                      countries=countries, min_cell=min_cell)


def _finish(out: pd.DataFrame, key: str, first_censored: int, min_cell: int) -> pd.DataFrame:
    """Suppression, censoring and status of the summed rates."""
    def cols(names):
        return [c for c in out.columns if c.removesuffix("_lo").removesuffix("_hi") in names]
    rate_cols = cols(RATE_STATS + AT_RISK_STATS)
    none = (out["inflows"] == 0) & (out["outflows"] == 0)
    # person-years of researchers seen in one year only (population - population_at_risk) count
    # people too: a small rest blanks the at-risk figures as a small part does
    out = suppress(with_complement(out, "population_at_risk", "population", "_single_year"),
                   {"population": ["population_at_risk", "inflows", "outflows"] + rate_cols,
                    "population_at_risk": ["population_at_risk", *cols(AT_RISK_STATS)],
                    "_single_year": ["population_at_risk", *cols(AT_RISK_STATS)],
                    "inflows": rate_cols, "outflows": rate_cols}, min_cell).drop(columns="_single_year")
    if key == "year":
        start = end = out["year"].astype(int)
    else:
        bounds = out[key].astype(str).str.split("-")
        start, end = bounds.str[0].astype(int), bounds.str[-1].astype(int)
    out["unconfirmed_years"] = (end - np.maximum(start, first_censored) + 1).clip(lower=0)
    out["censored"] = start >= first_censored
    out.loc[none, rate_cols] = np.nan
    out["status"] = np.select([out["suppressed"].to_numpy(bool), (none & out["censored"]).to_numpy(bool),
                               none.to_numpy(bool)], [SUPPRESSED, CENSORED, NO_MOVES], ESTIMATED)
    return out.sort_values([key, "population"], ascending=[True, False]).reset_index(drop=True)


ESTIMATED, SUPPRESSED, NO_MOVES, CENSORED = "estimated", "suppressed", "no move observed", "censored"


def brain_drain(wh: Warehouse, sel: Selection, *, boot: BootstrapParams = BootstrapParams(),
                min_cell: int = 10, min_population: int = 100) -> pd.DataFrame:
    """Countries ranked by net rate over the whole selection, most negative (largest drain) first."""
    out = rates(wh, sel, period=0, boot=boot, min_cell=min_cell)
    if out.empty:
        return out
    out = out[(out["population"] >= min_population) & out["net_rate"].notna()]
    out = out.sort_values("net_rate").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
