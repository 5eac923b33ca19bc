"""Migration rates by country (Scholarly Migration Database definitions) with bootstrap intervals.

For country c and year t (or a period, summing years):

- ``population``: researchers resident in c in t on the padded population (residence rows,
  observed or padded), i.e. person-years for a period;
- ``inflows`` / ``outflows``: country moves (migration and return) into / out of c whose first
  year at the destination is t; ``net`` = inflows - outflows;
- ``in_rate``, ``out_rate``, ``net_rate``: per 1,000 researchers (the SMD publishes the same
  ratios as fractions: divide by 1,000 to compare);
- ``net_share_pct``: net flow as a percentage of the workforce (BCG's presentation);
- ``mei``: migration effectiveness index, 100 * net / (inflows + outflows);
- ``turnover``: (inflows + outflows) per 1,000 researchers.

Intervals (``*_lo``, ``*_hi``) come from the seeded bootstrap over researchers. Cells with a
population, inflow or outflow of 1..min_cell-1 researchers are blanked with what derives from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentflow.metrics.common import Selection
from talentflow.metrics.flows import COUNTRY_MOVES, bucket
from talentflow.metrics.suppression import suppress
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio
from talentflow.store.warehouse import Warehouse


def rate_stats(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    pop, inf, out = s["population"], s["inflows"], s["outflows"]
    net = inf - out
    return {
        "net": net,
        "in_rate": ratio(inf, pop, 1000.0),
        "out_rate": ratio(out, pop, 1000.0),
        "net_rate": ratio(net, pop, 1000.0),
        "net_share_pct": ratio(net, pop, 100.0),
        "mei": ratio(net, inf + out, 100.0),
        "turnover": ratio(inf + out, pop, 1000.0),
    }


def contributions(wh: Warehouse, sel: Selection, period: int = 1,
                  event_types: tuple[str, ...] = COUNTRY_MOVES) -> pd.DataFrame:
    """One row per researcher, country and year/period: population (person-years), inflows, outflows."""
    types = ", ".join("'" + t + "'" for t in event_types)
    frame = wh.query(f"""
        WITH pop AS (
            SELECT researcher_id, country, year, 1.0 AS population, 0.0 AS inflows, 0.0 AS outflows
            FROM residence WHERE params_id = $pid AND {sel.researcher_filter()} AND {sel.year_filter('year')}),
        ev AS (
            SELECT researcher_id, origin, destination, year_to AS year FROM events
            WHERE params_id = $pid AND kind = 'country' AND event_type IN ({types})
                  AND {sel.researcher_filter()} AND {sel.year_filter('year_to')})
        SELECT researcher_id, country, year, sum(population) AS population, sum(inflows) AS inflows,
               sum(outflows) AS outflows
        FROM (SELECT * FROM pop
              UNION ALL SELECT researcher_id, destination, year, 0.0, 1.0, 0.0 FROM ev
              UNION ALL SELECT researcher_id, origin, year, 0.0, 0.0, 1.0 FROM ev)
        GROUP BY ALL""", {"pid": sel.params_id})
    key = "year" if period == 1 else "period"
    frame[key] = bucket(frame["year"], period, sel.year_from)
    if key != "year":
        frame = frame.groupby(["researcher_id", "country", key], as_index=False)[
            ["population", "inflows", "outflows"]].sum()
    return frame


def rates(wh: Warehouse, sel: Selection, *, period: int = 1, countries: tuple[str, ...] | None = None,
          boot: BootstrapParams = BootstrapParams(), min_cell: int = 10) -> pd.DataFrame:
    """Rates by country and year (period) with intervals; see the module doc."""
    key = "year" if period == 1 else "period"
    contrib = contributions(wh, sel, period)
    if countries:
        contrib = contrib[contrib["country"].isin(countries)]
    out = bootstrap_cells(contrib, ["country", key], ["population", "inflows", "outflows"], rate_stats, boot)
    if out.empty:
        return out
    rate_cols = [c for c in out.columns if c.split("_lo")[0].split("_hi")[0] in
                 ("net", "in_rate", "out_rate", "net_rate", "net_share_pct", "mei", "turnover")]
    out = suppress(out, {"population": ["inflows", "outflows"] + rate_cols,
                         "inflows": rate_cols, "outflows": rate_cols}, min_cell)
    return out.sort_values([key, "population"], ascending=[True, False]).reset_index(drop=True)


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
