"""Collaboration and migration: lagged co-authorship as a flow covariate, and "do flows follow ties?".

``lagged_collab`` turns yearly unit and pair counts (``talentflow.collab.networks.count_tables``
with ``period_length=1``) into a table keyed (origin, destination, year): the co-authorship
between the two units in the ``window`` years ending ``lag`` years before ``year``, i.e. in
``[year - lag - window + 1, year - lag]``. Both directions are present with the same symmetric
values (``collab_share_origin`` differs). A pair-year absent from the table had no co-authored
paper in its window: left-join it on the flow panel and fill 0.

Columns: origin, destination, year, collab_papers_full, collab_papers_frac, collab_salton
(``C / sqrt(P_o P_d)`` over the window), collab_share_origin (``C / P_o``: share of the
origin's papers co-authored with the destination), collab_share_destination.

``flows_vs_collab`` asks whether flows follow these ties: over all ordered pairs of units with
at least ``min_papers`` papers in the window (zeros included), the rank correlation of flows with
lagged collaboration, raw and size-normalized, with a cluster bootstrap over origin units, and a
table of flows by class of lagged collaboration strength.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from talentflow.collab.frames import percentile_interval
from talentflow.errors import ConfigError

COVARIATE_COLUMNS = ("origin", "destination", "year", "collab_papers_full", "collab_papers_frac", "collab_salton",
                     "collab_share_origin", "collab_share_destination")
FLOW_COLUMNS = ("origin", "destination", "year", "count")


@dataclass(frozen=True)
class TiesParams:
    """Choices for the lagged-collaboration covariate and the flows-vs-collaboration table."""

    lag: int = 1  # the window ends this many years before the flow year (0: includes the flow year)
    window: int = 3  # years of co-authorship summed
    min_papers: int = 50  # units with fewer papers in the window are left out of the flows table
    strength: Literal["salton", "papers_full"] = "salton"  # what the classes of the flows table rank on
    n_classes: int = 4  # classes of pairs with some co-authorship (quantiles), plus one for none
    n_boot: int = 500
    ci: float = 0.95
    seed: int = 0
    min_cell: int = 10  # classes with fewer moves are suppressed

    def __post_init__(self) -> None:
        if self.lag < 0 or self.window < 1:
            raise ConfigError(f"lag must be >= 0 and window >= 1, got lag={self.lag}, window={self.window}")
        if self.strength not in ("salton", "papers_full"):
            raise ConfigError(f"strength={self.strength!r} is not one of salton, papers_full")
        if self.n_classes < 1 or self.min_papers < 0 or self.min_cell < 0 or self.n_boot < 0:
            raise ConfigError("n_classes must be >= 1; min_papers, min_cell and n_boot >= 0")
        if not 0 < self.ci < 1:
            raise ConfigError(f"ci must be in (0, 1), got {self.ci}")


def _year_of(frame: pd.DataFrame) -> pd.Series:
    if "year" in frame.columns:
        return frame["year"].astype("int64")
    return frame["period_start"].astype("int64")


def lagged_collab(units: pd.DataFrame, pairs: pd.DataFrame, params: TiesParams,
                  years: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The covariate table, and the units' paper counts over the same windows (unit, year, papers).

    ``units`` (unit, year or period_start, papers_full) and ``pairs`` (unit_a, unit_b, year or
    period_start, papers_full, papers_frac) are yearly tables. ``years`` defaults to every year whose
    window overlaps the data.
    """
    uy = units.assign(year=_year_of(units))[["unit", "year", "papers_full"]]
    py = pairs.assign(year=_year_of(pairs))[["unit_a", "unit_b", "year", "papers_full", "papers_frac"]]
    if years is None:
        if uy.empty:
            years = []
        else:
            years = list(range(int(uy["year"].min()) + params.lag, int(uy["year"].max()) + params.lag + 1))
    cov_parts, size_parts = [], []
    for year in years:
        hi = year - params.lag
        lo = hi - params.window + 1
        sizes = uy[(uy["year"] >= lo) & (uy["year"] <= hi)].groupby("unit")["papers_full"].sum()
        if sizes.empty:
            continue
        size_parts.append(pd.DataFrame({"unit": sizes.index, "year": year, "papers": sizes.to_numpy()}))
        win = py[(py["year"] >= lo) & (py["year"] <= hi)].groupby(["unit_a", "unit_b"])[
            ["papers_full", "papers_frac"]].sum().reset_index()
        if win.empty:
            continue
        pa = sizes.reindex(win["unit_a"]).to_numpy(float)
        pb = sizes.reindex(win["unit_b"]).to_numpy(float)
        c = win["papers_full"].to_numpy(float)
        both = pd.DataFrame({
            "origin": np.concatenate([win["unit_a"], win["unit_b"]]),
            "destination": np.concatenate([win["unit_b"], win["unit_a"]]),
            "year": year,
            "collab_papers_full": np.concatenate([c, c]).astype("int64"),
            "collab_papers_frac": np.concatenate([win["papers_frac"], win["papers_frac"]]),
            "collab_salton": np.concatenate([c / np.sqrt(pa * pb)] * 2),
            "collab_share_origin": np.concatenate([c / pa, c / pb]),
            "collab_share_destination": np.concatenate([c / pb, c / pa]),
        })
        cov_parts.append(both)
    cov = (pd.concat(cov_parts, ignore_index=True) if cov_parts
           else pd.DataFrame({c: pd.Series(dtype=float) for c in COVARIATE_COLUMNS}))
    sizes = (pd.concat(size_parts, ignore_index=True) if size_parts
             else pd.DataFrame({"unit": pd.Series(dtype=str), "year": pd.Series(dtype="int64"),
                                "papers": pd.Series(dtype="int64")}))
    cov = cov.sort_values(["year", "origin", "destination"]).reset_index(drop=True)
    return cov.loc[:, list(COVARIATE_COLUMNS)], sizes


def flows_from_moves(moves: pd.DataFrame) -> pd.DataFrame:
    """origin, destination, year (= year_to), count from a moves frame (one row per move)."""
    for col in ("origin", "destination", "year_to"):
        if col not in moves.columns:
            raise ConfigError(f"the moves frame lacks column {col!r}; expected researcher_id, origin, destination, year_to")
    m = moves[moves["origin"].notna() & moves["destination"].notna() & (moves["origin"] != moves["destination"])]
    return (m.groupby(["origin", "destination", "year_to"]).size().rename("count").reset_index()
            .rename(columns={"year_to": "year"}))


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3:
        return float("nan")
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def flow_panel(cov: pd.DataFrame, sizes: pd.DataFrame, flows: pd.DataFrame, params: TiesParams) -> pd.DataFrame:
    """All ordered pairs of units with >= min_papers papers in the window, for every year with flows,
    with lagged collaboration and flows (zeros filled)."""
    for col in FLOW_COLUMNS:
        if col not in flows.columns:
            raise ConfigError(f"the flows frame lacks column {col!r}; expected {list(FLOW_COLUMNS)}")
    big = sizes[sizes["papers"] >= max(params.min_papers, 1)]
    years = sorted(set(flows["year"].astype("int64")) & set(big["year"]))
    parts = []
    for year in years:
        units = big.loc[big["year"] == year, ["unit", "papers"]]
        grid = units.merge(units, how="cross", suffixes=("_o", "_d"))
        grid = grid[grid["unit_o"] != grid["unit_d"]].rename(columns={"unit_o": "origin", "unit_d": "destination",
                                                                      "papers_o": "papers_origin",
                                                                      "papers_d": "papers_destination"})
        parts.append(grid.assign(year=year))
    if not parts:
        return pd.DataFrame(columns=["origin", "destination", "year", "papers_origin", "papers_destination",
                                     "collab_papers_full", "collab_salton", "flow"])
    panel = pd.concat(parts, ignore_index=True)
    panel = panel.merge(cov[["origin", "destination", "year", "collab_papers_full", "collab_salton"]],
                        on=["origin", "destination", "year"], how="left")
    f = flows.assign(year=flows["year"].astype("int64")).groupby(["origin", "destination", "year"])["count"].sum()
    panel = panel.join(f.rename("flow"), on=["origin", "destination", "year"])
    panel[["collab_papers_full", "collab_salton", "flow"]] = panel[
        ["collab_papers_full", "collab_salton", "flow"]].fillna(0)
    return panel


def flows_vs_collab(cov: pd.DataFrame, sizes: pd.DataFrame, flows: pd.DataFrame,
                    params: TiesParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(correlations, classes): do moves between two units follow their earlier co-authorship?

    correlations: Spearman rank correlation over pair-years of (a) flows and lagged co-authored
    papers, (b) size-normalized flows (flow / sqrt(P_o P_d)) and Salton's cosine; 95% (``ci``)
    intervals from a bootstrap over origin units (all pairs of a drawn origin move together).
    classes: pair-years grouped by lagged collaboration (none, then ``n_classes`` quantile classes
    of ``strength``): pairs, pairs with a move, moves, moves per pair and per 1,000 pair-years.
    """
    panel = flow_panel(cov, sizes, flows, params)
    norm = panel["flow"] / np.sqrt(panel["papers_origin"] * panel["papers_destination"])
    measures = {
        "flows ~ lagged co-authored papers": (panel["flow"].to_numpy(float), panel["collab_papers_full"].to_numpy(float)),
        "flows/sqrt(size) ~ lagged Salton cosine": (norm.to_numpy(float), panel["collab_salton"].to_numpy(float)),
    }
    rng = np.random.default_rng(params.seed)
    origins = panel["origin"].to_numpy()
    uniq = np.unique(origins)
    groups = [np.flatnonzero(origins == u) for u in uniq]
    rows = []
    for name, (x, y) in measures.items():
        est = _spearman(x, y)
        draws = []
        for _ in range(params.n_boot if len(uniq) > 1 else 0):
            pick = rng.integers(0, len(uniq), size=len(uniq))
            idx = np.concatenate([groups[i] for i in pick])
            draws.append(_spearman(x[idx], y[idx]))
        lo, hi = percentile_interval(np.array(draws), params.ci) if draws else (float("nan"), float("nan"))
        rows.append({"measure": name, "spearman": est, "ci_low": lo, "ci_high": hi, "pair_years": len(x),
                     "units": len(uniq), "moves": int(panel["flow"].sum())})
    corr = pd.DataFrame(rows)
    classes = _classes(panel, params)
    return corr, classes


def _classes(panel: pd.DataFrame, params: TiesParams) -> pd.DataFrame:
    value = panel[f"collab_{params.strength}"] if params.strength == "salton" else panel["collab_papers_full"]
    label = pd.Series("0: none", index=panel.index, dtype=object)
    some = value > 0
    if some.any():
        q = pd.qcut(value[some].rank(method="first"), q=min(params.n_classes, int(some.sum())), labels=False)
        label[some] = [f"{int(k) + 1}: Q{int(k) + 1} of {params.strength}" for k in q]
    grouped = panel.assign(cls=label, moved=panel["flow"] > 0).groupby("cls")
    out = pd.DataFrame({
        "pair_years": grouped.size(),
        "strength_min": grouped[value.name].min(),
        "strength_max": grouped[value.name].max(),
        "pairs_with_moves": grouped["moved"].sum(),
        "moves": grouped["flow"].sum(),
    }).reset_index().rename(columns={"cls": "collaboration_class"})
    out["share_with_moves"] = out["pairs_with_moves"] / out["pair_years"]
    out["moves_per_1000_pair_years"] = 1000 * out["moves"] / out["pair_years"]
    out = out[out["moves"] >= params.min_cell]
    return out.reset_index(drop=True)
