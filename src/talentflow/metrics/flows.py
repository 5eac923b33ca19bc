"""Origin-destination flows of moves at country, world region, AI hub and organization level.

Country and region flows count country events of the chosen types (default: migration and
return); hub and organization flows count institution moves (domestic ones too), hubs being
labelled ``other <ISO3>`` outside the AI hubs and organizations folded to their top parent
(``fold_parents``). A flow's year is the first year seen at the destination (``year_to``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import pandas as pd

from talentflow.errors import ConfigError
from talentflow.metrics.common import Selection, organization_groups
from talentflow.metrics.suppression import suppress
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells
from talentflow.store.warehouse import Warehouse

Level = Literal["country", "region", "hub", "org"]
COUNTRY_MOVES = ("migration", "return")


@dataclass(frozen=True)
class FlowParams:
    """level: country | region | hub | org; period: years per bucket (1 = yearly, 0 = the whole range);
    event_types: country event types counted; fold_parents: organizations folded to their top parent;
    min_cell: flows of 1..min_cell-1 moves are blanked (1 = none, for local analysis)."""

    level: Level = "country"
    period: int = 1
    event_types: tuple[str, ...] = COUNTRY_MOVES
    fold_parents: bool = True
    min_cell: int = 1

    def __post_init__(self) -> None:
        if self.level not in get_args(Level):
            raise ConfigError(f"--level {self.level!r}: expected one of {', '.join(get_args(Level))}")
        if self.period < 0:
            raise ConfigError(f"--period {self.period}: expected 0 (whole range) or a number of years")


def moves(wh: Warehouse, sel: Selection, level: Level = "country",
          event_types: tuple[str, ...] = COUNTRY_MOVES, fold_parents: bool = True) -> pd.DataFrame:
    """One row per move at ``level``: researcher_id, origin, destination, year (= year_to)."""
    types = ", ".join("'" + t.replace("'", "''") + "'" for t in event_types)
    where = f"params_id = ? AND {sel.researcher_filter()} AND {sel.year_filter('year_to')}"
    if level in ("country", "region"):
        frame = wh.query(f"""
            SELECT researcher_id, origin, destination, year_to AS year FROM events
            WHERE kind = 'country' AND event_type IN ({types}) AND {where}""", [sel.params_id])
        if level == "region":
            regions = dict(wh.execute("SELECT iso3, wb_region FROM countries"))
            frame["origin"] = frame["origin"].map(regions).fillna("(unknown region)")
            frame["destination"] = frame["destination"].map(regions).fillna("(unknown region)")
        return frame
    frame = wh.query(f"""
        SELECT researcher_id, origin, destination, origin_country, destination_country, origin_hub, destination_hub,
               year_to AS year
        FROM events WHERE kind = 'institution' AND {where}""", [sel.params_id])
    if level == "hub":
        frame["origin"] = frame["origin_hub"].fillna("other " + frame["origin_country"].fillna("?"))
        frame["destination"] = frame["destination_hub"].fillna("other " + frame["destination_country"].fillna("?"))
    elif fold_parents:
        groups = organization_groups(wh.query("SELECT institution_id, name, type, country, parent_id FROM institutions"))
        root = dict(zip(groups["institution_id"], groups["group_id"]))
        frame["origin"] = frame["origin"].map(lambda x: root.get(x, x))
        frame["destination"] = frame["destination"].map(lambda x: root.get(x, x))
    frame = frame[frame["origin"] != frame["destination"]]
    return frame[["researcher_id", "origin", "destination", "year"]].reset_index(drop=True)


def bucket(years: pd.Series, period: int, lo: int | None = None, hi: int | None = None) -> pd.Series:
    """Year -> period label: the year itself (period 1), 'first-last' buckets of ``period`` years, or the range (0).

    A bucket's last year is clipped to ``hi`` (default: the last year present), so that a period
    never names years the data does not reach (2025-2025, not 2025-2029)."""
    if years.empty:
        return years.astype(str)
    if period == 1:
        return years.astype(int)
    if period == 0:
        return pd.Series(f"{int(years.min())}-{int(years.max())}", index=years.index)
    base = int(lo if lo is not None else years.min())
    top = int(hi if hi is not None else years.max())
    start = base + ((years.astype(int) - base) // period) * period
    return start.astype(str) + "-" + (start + period - 1).clip(upper=max(top, int(start.max()))).astype(str)


def od_table(counts: pd.DataFrame, params: FlowParams, year_from: int | None,
             names: dict | None = None) -> pd.DataFrame:
    """Pure: moves counted per origin, destination and year (column ``n``) -> the OD table: years
    bucketed into periods, organizations named (``names``), ordered, small cells suppressed.
    Shared by every engine, so their tables agree row for row."""
    key = "year" if params.period == 1 else "period"
    frame = counts.copy()
    frame["year"] = frame["year"].astype("int64")
    frame[key] = bucket(frame["year"], params.period, year_from)
    out = frame.groupby(["origin", "destination", key], as_index=False)["n"].sum().rename(columns={"n": "count"})
    if params.level == "org" and names is not None:
        out["origin"] = out["origin"].map(lambda x: names.get(x, x))
        out["destination"] = out["destination"].map(lambda x: names.get(x, x))
    out = out.sort_values([key, "count", "origin", "destination"], ascending=[True, False, True, True])
    if params.min_cell > 1:
        out = suppress(out, {"count": []}, params.min_cell)
        out = out[~out["suppressed"]].drop(columns="suppressed")
    out["count"] = out["count"].astype("int64")
    return out.reset_index(drop=True)


def flows(wh: Warehouse, sel: Selection, params: FlowParams = FlowParams()) -> pd.DataFrame:
    """The OD matrix in long form: origin, destination, year (or period), count."""
    m = moves(wh, sel, params.level, params.event_types, params.fold_parents)
    counts = m.groupby(["origin", "destination", "year"], as_index=False).size().rename(columns={"size": "n"})
    names = dict(wh.execute("SELECT institution_id, name FROM institutions")) if params.level == "org" else None
    return od_table(counts, params, sel.year_from, names)


def top_flows(wh: Warehouse, sel: Selection, level: Level = "org", n: int = 10, min_cell: int = 1,
              fold_parents: bool = True) -> pd.DataFrame:
    """The ``n`` largest flows over the whole selection (all years together)."""
    out = flows(wh, sel, FlowParams(level=level, period=0, fold_parents=fold_parents, min_cell=min_cell))
    return out.sort_values(["count", "origin"], ascending=[False, True]).head(n).reset_index(drop=True)


def bilateral(wh: Warehouse, sel: Selection, a: str, b: str, *, period: int = 0,
              boot: BootstrapParams = BootstrapParams(), min_cell: int = 1) -> pd.DataFrame:
    """Moves a->b, b->a and the net flow into ``a`` (b->a minus a->b), with bootstrap intervals."""
    m = moves(wh, sel, "country")
    m = m[((m["origin"] == a) & (m["destination"] == b)) | ((m["origin"] == b) & (m["destination"] == a))].copy()
    key = "year" if period == 1 else "period"
    m[key] = bucket(m["year"], period, sel.year_from)
    m["a_to_b"] = (m["origin"] == a).astype(float)
    m["b_to_a"] = (m["origin"] == b).astype(float)
    contrib = m.groupby(["researcher_id", key], as_index=False)[["a_to_b", "b_to_a"]].sum()
    out = bootstrap_cells(contrib, [key], ["a_to_b", "b_to_a"],
                          lambda s: {f"net_into_{a}": s["b_to_a"] - s["a_to_b"]}, boot)
    if out.empty:
        return pd.DataFrame({key: [], f"{a}_to_{b}": [], f"{b}_to_{a}": [], f"net_into_{a}": []})
    out = out.rename(columns={"a_to_b": f"{a}_to_{b}", "b_to_a": f"{b}_to_{a}"})
    out = suppress(out, {f"{a}_to_{b}": [f"net_into_{a}", f"net_into_{a}_lo", f"net_into_{a}_hi"],
                         f"{b}_to_{a}": [f"net_into_{a}", f"net_into_{a}_lo", f"net_into_{a}_hi"]}, min_cell)
    return out.sort_values(key).reset_index(drop=True)
