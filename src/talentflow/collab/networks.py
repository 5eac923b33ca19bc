"""Co-authorship networks: paper counts, pair counts, size-normalized strength, centrality, communities.

Counting rules (docs/collab.md has worked examples)
---------------------------------------------------
A *unit* is what an affiliation resolves to at the chosen level: its country (ISO3), the country's
World Bank region, its AI hub, or its institution (optionally rolled up to ``parent_id``).

* **Full counting.** A unit gets 1 for every paper with at least one author affiliation in it; a
  pair of units gets 1 for every paper on which both appear.
* **Fractional counting.** Each paper carries a credit of 1. With ``denominator="known_authors"``
  (default) the credit is split equally over the authors who have at least one affiliation with a
  known unit, and each author's share over their affiliations with a known unit in proportion to
  ``observations.weight`` (1 / number of the author's affiliations). So for a paper p
  ``f_p(u) = (1 / n_p) * sum_a [ sum_{k: unit(a,k)=u} w_ak / sum_{k: unit known} w_ak ]`` and
  ``sum_u f_p(u) = 1`` for every paper with a known unit. With ``denominator="all_authors"``
  ``f_p(u) = (1 / N_p) * sum_{a,k: unit(a,k)=u} w_ak`` with N_p all authors of the paper; the part
  of the credit held by authors or affiliations without a known unit is left unassigned.
* **Fractional pair counts.** Each paper with two or more units carries a link weight of 1, split
  over its unordered unit pairs in proportion to ``f_p(u) * f_p(v)``:
  ``g_p(u, v) = 2 f_p(u) f_p(v) / (S_p^2 - sum_w f_p(w)^2)`` with ``S_p = sum_w f_p(w)``. A paper
  with two units gives 1 to their pair whatever the split; three units with equal shares give 1/3
  to each pair. Single-unit papers give no link weight.
* **Salton's cosine** ``C_uv / sqrt(P_u P_v)`` (full counts: C pair papers, P unit papers).
* **Observed / expected** ``C_uv / (s_u s_v / T)`` with ``s_u = sum_v C_uv`` the unit's link total
  and ``T = sum_u s_u``: above 1 the pair co-authors more than their overall collaboration
  volumes predict.
* **External share**: share of a unit's papers (full counting) with a co-author affiliation in
  another unit at the same level; at country level the international co-authorship share.
* **Academia-industry papers**: papers with at least one ``education`` and at least one
  ``company`` affiliation (institution types), whatever the level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import networkx as nx
import numpy as np
import pandas as pd

from talentflow.collab.frames import assign_periods, sql_frames
from talentflow.errors import ConfigError

Level = Literal["country", "region", "hub", "org"]
Denominator = Literal["known_authors", "all_authors"]
NetworkWeight = Literal["full", "fractional"]

AFFILIATION_COLUMNS = ("work_id", "year", "researcher_id", "weight", "unit", "itype", "n_authors")


@dataclass(frozen=True)
class CollabParams:
    """Every choice that changes a collaboration figure."""

    level: Level = "country"
    year_from: int | None = None
    year_to: int | None = None
    period_length: int | None = None  # None: one period over the whole range; 1: yearly; 5: five-year bins
    venues: tuple[str, ...] | None = None  # None: all venues
    accepted_only: bool = True  # drop works flagged accepted = false (rejected / withdrawn submissions)
    identity: Literal["all", "stable_id"] = "all"  # count only affiliations of stable-id researchers?
    denominator: Denominator = "known_authors"
    org_rollup: bool = False  # org level: fold institutions into parent_id (DeepMind -> Google)
    network_weight: NetworkWeight = "full"  # link weight for centrality and communities
    centrality: bool = True
    betweenness_max_nodes: int = 1000  # larger period networks get NULL betweenness
    resolution: float = 1.0  # Louvain resolution
    seed: int = 0  # Louvain seed
    min_cell: int = 10  # rows with fewer papers (full count) are suppressed

    def __post_init__(self) -> None:
        _check_choice("level", self.level, Level)
        _check_choice("denominator", self.denominator, Denominator)
        _check_choice("network_weight", self.network_weight, NetworkWeight)
        _check_choice("identity", self.identity, Literal["all", "stable_id"])
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ConfigError(f"year_from {self.year_from} is after year_to {self.year_to}")
        if self.period_length is not None and self.period_length < 1:
            raise ConfigError(f"period_length must be >= 1 year, got {self.period_length}")
        if self.min_cell < 0:
            raise ConfigError(f"min_cell must be >= 0, got {self.min_cell}")
        if self.resolution <= 0:
            raise ConfigError(f"resolution must be > 0, got {self.resolution}")
        if self.org_rollup and self.level != "org":
            raise ConfigError("org_rollup only applies to --level org")
        if self.venues is not None:
            object.__setattr__(self, "venues", tuple(sorted({v.lower() for v in self.venues})))


def _check_choice(name: str, value, literal) -> None:
    options = get_args(literal)
    if value not in options:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(map(str, options))}")


@dataclass
class CollabResult:
    """The tables of one collaboration run (suppressed to ``params.min_cell``)."""

    params: CollabParams
    units: pd.DataFrame
    pairs: pd.DataFrame
    summary: pd.DataFrame
    params_id: str | None = None
    extra: dict = field(default_factory=dict)


# -- counting ----------------------------------------------------------------------------------

def paper_credits(aff: pd.DataFrame, params: CollabParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fractional credit of each unit on each paper, and per-paper statistics.

    ``aff`` has one row per affiliation observation: work_id, year, researcher_id, weight (1 / the
    author's affiliations on the work), unit (NULL when unknown at this level), itype (institution
    type or NULL), n_authors (all authors of the work). Returns ``credit`` (work_id, unit, frac) and
    ``papers`` (work_id, year, period, period_start, period_end, n_units, s, s2, acad, ind).
    """
    missing = [c for c in AFFILIATION_COLUMNS if c not in aff.columns]
    if missing:
        raise ConfigError(f"affiliation frame lacks columns {missing}")
    frame = aff.loc[:, list(AFFILIATION_COLUMNS)].copy()
    bad = frame["weight"].isna() | (frame["weight"] <= 0) | (frame["weight"] > 1)
    if bad.any():
        row = frame[bad].iloc[0]
        raise ConfigError(f"affiliation weight must be in (0, 1]; work {row.work_id} researcher {row.researcher_id} "
                          f"has {row.weight!r}")
    frame = pd.concat([frame, assign_periods(frame["year"], params.period_length, params.year_from,
                                             params.year_to)], axis=1)
    known_mode = params.denominator == "known_authors"
    credit = sql_frames(f"""
        WITH known AS (
            SELECT work_id, researcher_id, unit, sum(weight) AS w FROM aff WHERE unit IS NOT NULL GROUP BY ALL),
        author AS (SELECT work_id, researcher_id, sum(w) AS wk FROM known GROUP BY ALL),
        npaper AS (SELECT work_id, count(*) AS n_known FROM author GROUP BY ALL),
        nall AS (SELECT work_id, max(n_authors) AS n_all FROM aff GROUP BY ALL)
        SELECT k.work_id, k.unit,
               sum({"k.w / au.wk / np.n_known" if known_mode else "k.w / greatest(na.n_all, np.n_known)"}) AS frac
        FROM known k JOIN author au USING (work_id, researcher_id) JOIN npaper np USING (work_id)
             JOIN nall na USING (work_id)
        GROUP BY ALL ORDER BY k.work_id, k.unit""", {"aff": frame})
    papers = sql_frames("""
        WITH p AS (
            SELECT work_id, any_value(year) AS year, any_value(period) AS period,
                   any_value(period_start) AS period_start, any_value(period_end) AS period_end,
                   coalesce(bool_or(itype = 'education'), false) AS acad,
                   coalesce(bool_or(itype = 'company'), false) AS ind
            FROM aff GROUP BY ALL),
        c AS (SELECT work_id, count(*) AS n_units, sum(frac) AS s, sum(frac * frac) AS s2 FROM credit GROUP BY ALL)
        SELECT p.*, c.n_units, c.s, c.s2 FROM p JOIN c USING (work_id) ORDER BY work_id""",
                        {"aff": frame, "credit": credit})
    return credit, papers


def count_tables(credit: pd.DataFrame, papers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Unit, pair and period-summary tables from per-paper credits (nothing suppressed yet)."""
    frames = {"credit": credit, "papers": papers}
    units = sql_frames("""
        SELECT p.period, p.period_start, p.period_end, c.unit,
               count(*) AS papers_full, sum(c.frac) AS papers_frac,
               count(*) FILTER (WHERE p.n_units > 1) AS external_papers,
               coalesce(sum(c.frac) FILTER (WHERE p.n_units > 1), 0) / sum(c.frac) AS external_frac_share,
               count(*) FILTER (WHERE p.acad AND p.ind) AS acad_industry_papers
        FROM credit c JOIN papers p USING (work_id)
        GROUP BY ALL ORDER BY p.period_start, c.unit""", frames)
    units["external_share"] = units["external_papers"] / units["papers_full"]
    units["acad_industry_share"] = units["acad_industry_papers"] / units["papers_full"]
    pairs = sql_frames("""
        SELECT p.period, p.period_start, p.period_end, a.unit AS unit_a, b.unit AS unit_b,
               count(*) AS papers_full,
               sum(2 * a.frac * b.frac / (p.s * p.s - p.s2)) AS papers_frac
        FROM credit a JOIN credit b ON a.work_id = b.work_id AND a.unit < b.unit
             JOIN papers p ON p.work_id = a.work_id
        GROUP BY ALL ORDER BY p.period_start, unit_a, unit_b""", frames)
    pairs = _pair_strength(pairs, units)
    summary = sql_frames("""
        SELECT period, period_start, period_end, count(*) AS papers,
               count(*) FILTER (WHERE n_units > 1) AS multi_unit_papers,
               count(*) FILTER (WHERE acad AND ind) AS acad_industry_papers,
               sum(s) AS credit_assigned
        FROM papers GROUP BY ALL ORDER BY period_start""", frames)
    summary["multi_unit_share"] = summary["multi_unit_papers"] / summary["papers"]
    summary["acad_industry_share"] = summary["acad_industry_papers"] / summary["papers"]
    n_units = units.groupby("period").size().rename("units")
    n_pairs = pairs.groupby("period").size().rename("pairs")
    summary = summary.join(n_units, on="period").join(n_pairs, on="period")
    summary["pairs"] = summary["pairs"].fillna(0).astype("int64")
    return units, pairs, summary


def _pair_strength(pairs: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add Salton's cosine, observed/expected and each side's share to a pair table."""
    if pairs.empty:
        for col in ("salton", "obs_exp", "share_a", "share_b"):
            pairs[col] = pd.Series(dtype=float)
        return pairs
    size = units.set_index(["period", "unit"])["papers_full"]
    pa = size.reindex(pd.MultiIndex.from_arrays([pairs["period"], pairs["unit_a"]])).to_numpy(dtype=float)
    pb = size.reindex(pd.MultiIndex.from_arrays([pairs["period"], pairs["unit_b"]])).to_numpy(dtype=float)
    c = pairs["papers_full"].to_numpy(dtype=float)
    pairs["salton"] = c / np.sqrt(pa * pb)
    links = pd.concat([pairs[["period", "unit_a", "papers_full"]].rename(columns={"unit_a": "unit"}),
                       pairs[["period", "unit_b", "papers_full"]].rename(columns={"unit_b": "unit"})])
    s = links.groupby(["period", "unit"])["papers_full"].sum()
    total = s.groupby(level="period").sum()
    sa = s.reindex(pd.MultiIndex.from_arrays([pairs["period"], pairs["unit_a"]])).to_numpy(dtype=float)
    sb = s.reindex(pd.MultiIndex.from_arrays([pairs["period"], pairs["unit_b"]])).to_numpy(dtype=float)
    t = total.reindex(pairs["period"]).to_numpy(dtype=float)
    pairs["obs_exp"] = c * t / (sa * sb)
    pairs["share_a"] = c / pa
    pairs["share_b"] = c / pb
    return pairs


def pair_matrix(pairs: pd.DataFrame, value: str = "papers_full", period: str | None = None) -> pd.DataFrame:
    """The symmetric unit x unit matrix of one pair measure (zero diagonal) for one period."""
    frame = pairs if period is None else pairs[pairs["period"] == period]
    if period is None and frame["period"].nunique() > 1:
        raise ConfigError("pairs span several periods; pass period=...")
    labels = sorted(set(frame["unit_a"]) | set(frame["unit_b"]))
    mat = pd.DataFrame(0.0, index=labels, columns=labels)
    for a, b, v in frame[["unit_a", "unit_b", value]].itertuples(index=False):
        mat.loc[a, b] = v
        mat.loc[b, a] = v
    return mat


# -- network measures ------------------------------------------------------------------------------

def network_measures(units: pd.DataFrame, pairs: pd.DataFrame, params: CollabParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Degree, strength, eigenvector and betweenness centrality and Louvain communities, per period.

    Returns (units with the measure columns added, per-period frame with modularity and communities).
    """
    weight_col = "papers_full" if params.network_weight == "full" else "papers_frac"
    rows, stats = [], []
    for period, group in units.groupby("period", sort=False):
        links = pairs[pairs["period"] == period].sort_values(["unit_a", "unit_b"])
        graph = nx.Graph()
        graph.add_nodes_from(sorted(group["unit"]))
        for a, b, w in links[["unit_a", "unit_b", weight_col]].itertuples(index=False):
            graph.add_edge(a, b, weight=float(w), distance=1.0 / float(w))
        measures = pd.DataFrame(index=pd.Index(sorted(group["unit"]), name="unit"))
        measures["degree"] = pd.Series(dict(graph.degree()), dtype="int64")
        measures["strength"] = pd.Series(dict(graph.degree(weight="weight")), dtype=float)
        measures["eigenvector"] = _eigenvector(graph)
        if graph.number_of_nodes() <= params.betweenness_max_nodes and graph.number_of_edges() > 0:
            measures["betweenness"] = pd.Series(nx.betweenness_centrality(graph, weight="distance", normalized=True))
        else:
            measures["betweenness"] = np.nan
        if graph.number_of_edges() > 0:
            comms = nx.community.louvain_communities(graph, weight="weight", resolution=params.resolution,
                                                     seed=params.seed)
            comms = sorted(comms, key=lambda c: (-sum(measures.loc[list(c), "strength"]), min(c)))
            label = {u: i + 1 for i, comm in enumerate(comms) for u in comm}
            modularity = nx.community.modularity(graph, comms, weight="weight", resolution=params.resolution)
        else:
            comms, label, modularity = [], {}, float("nan")
        measures["community"] = pd.Series(label, dtype="Int64")
        measures = measures.reset_index()
        measures["period"] = period
        rows.append(measures)
        stats.append({"period": period, "modularity": modularity,
                      "communities": sum(1 for c in comms if len(c) > 1)})
    if not rows:
        empty = units.assign(degree=pd.Series(dtype="int64"), strength=pd.Series(dtype=float),
                             eigenvector=pd.Series(dtype=float), betweenness=pd.Series(dtype=float),
                             community=pd.Series(dtype="Int64"))
        return empty, pd.DataFrame(columns=["period", "modularity", "communities"])
    merged = units.merge(pd.concat(rows, ignore_index=True), on=["period", "unit"], how="left")
    return merged, pd.DataFrame(stats)


def _eigenvector(graph: nx.Graph) -> pd.Series:
    """Weighted eigenvector centrality scaled to a maximum of 1 (0 for isolated units)."""
    if graph.number_of_edges() == 0:
        return pd.Series(0.0, index=list(graph.nodes))
    try:
        values = nx.eigenvector_centrality(graph, weight="weight", max_iter=2000, tol=1e-10)
    except nx.PowerIterationFailedConvergence:
        return pd.Series(np.nan, index=list(graph.nodes))
    series = pd.Series(values, dtype=float)
    top = series.max()
    return series / top if top > 0 else series


# -- the whole run ---------------------------------------------------------------------------------

UNIT_COLUMNS = ("period", "period_start", "period_end", "unit", "unit_name", "papers_full", "papers_frac",
                "external_papers", "external_share", "external_frac_share", "acad_industry_papers",
                "acad_industry_share", "degree", "strength", "eigenvector", "betweenness", "community")
PAIR_COLUMNS = ("period", "period_start", "period_end", "unit_a", "unit_b", "name_a", "name_b", "papers_full",
                "papers_frac", "salton", "obs_exp", "share_a", "share_b")


def collab_tables(aff: pd.DataFrame, params: CollabParams, names: pd.DataFrame | None = None) -> CollabResult:
    """Everything from an affiliation frame (see ``paper_credits``): counts, strength, network, suppression.

    ``names`` (unit, unit_name) labels the units. Rows with fewer than ``params.min_cell`` papers
    (full counting) are dropped from units, pairs and summary; network measures are computed on the
    whole, unsuppressed network first.
    """
    credit, papers = paper_credits(aff, params)
    units, pairs, summary = count_tables(credit, papers)
    if params.centrality:
        units, stats = network_measures(units, pairs, params)
        summary = summary.merge(stats, on="period", how="left")
    else:
        for col in ("degree", "strength", "eigenvector", "betweenness", "community"):
            units[col] = np.nan
    lookup = {} if names is None else dict(zip(names["unit"], names["unit_name"]))
    units["unit_name"] = [lookup.get(u, u) for u in units["unit"]]
    pairs["name_a"] = [lookup.get(u, u) for u in pairs["unit_a"]]
    pairs["name_b"] = [lookup.get(u, u) for u in pairs["unit_b"]]
    units = units.loc[units["papers_full"] >= params.min_cell, list(UNIT_COLUMNS)]
    pairs = pairs.loc[pairs["papers_full"] >= params.min_cell, list(PAIR_COLUMNS)]
    summary = summary[summary["papers"] >= params.min_cell]
    units = units.sort_values(["period_start", "papers_full", "unit"], ascending=[True, False, True])
    pairs = pairs.sort_values(["period_start", "papers_full", "unit_a", "unit_b"], ascending=[True, False, True, True])
    return CollabResult(params=params, units=units.reset_index(drop=True), pairs=pairs.reset_index(drop=True),
                        summary=summary.reset_index(drop=True))
