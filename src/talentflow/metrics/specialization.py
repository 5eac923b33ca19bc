"""Regional specialization: fractional counting, RCA (location quotient), specialization indices,
bootstrap intervals and trends. Pure functions over DataFrames and arrays; no I/O.

Notation: ``X[r, f]`` is the (fractional) output of region r in field f, ``T[r]`` the region's
total output (the RCA base; by default the row sum of X), ``X_f = sum_r X[r, f]`` and
``T = sum_r T[r]``. Then

    RCA[r, f] = (X[r, f] / T[r]) / (X_f / T)

so the T-weighted mean of RCA over regions is 1 for every field, and scaling all counts leaves RCA
unchanged. With application domains (a work may have none or several) ``T[r]`` is the region's
output in all works, so RCA compares a region's share of, say, healthcare AI with its share of AI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError

Level = Literal["country", "region", "hub", "org"]
By = Literal["subfield", "domain"]
Counting = Literal["fractional", "full"]
AuthorBase = Literal["located", "all"]
DomainBase = Literal["all_works", "tagged_works"]
MultiDomain = Literal["full", "split"]
ComplexityMethod = Literal["eigenvector", "reflections"]


@dataclass(frozen=True)
class SpecializationParams:
    """Every choice that changes a specialization figure.

    level: region level: country (ISO3 of the affiliation), region (World Bank region of that
        country), hub (AI hub of the affiliation's city), org (institution).
    by: fields: taxonomy subfields (one per work) or application domains (tagged; zero or more).
    year_from / year_to: inclusive year range (None: open).
    period_length: 0 for one period over the whole range; else periods of this many years,
        starting at ``period_origin`` (e.g. 5 and 2000: 2000-2004, 2005-2009, ...).
    counting: fractional (a work counts 1, split equally among its authors and each author's
        share split among their affiliations by observations.weight) or full (every region on a
        work gets 1).
    author_base: fractional counting: divide among the authors with a known country (located;
        an author's share is split over their affiliations with a known country), so every
        located work counts 1, or among all authors (unlocated shares are lost).
    domain_base: by domain: the RCA base is the region's output in all works, or only in works
        with at least one domain.
    multi_domain: by domain: a work with k domains counts fully in each (full) or 1/k in each (split).
    include_rejected: keep works the source marks as rejected or withdrawn.
    min_cell: cells behind fewer distinct researchers are suppressed (figures withheld).
    min_region_output: regions with less total output stay out of the presence-matrix measures
        (ubiquity, proximity, density, complexity), where a handful of papers would make noise.
    presence_threshold: RCA at or above which a region counts as specialized (presence, M = 1).
    min_rank_count: cells with less fractional output (papers) are flagged ``small_base`` and
        ranked after every other cell: an RCA of 15 on 4.85 papers is noise, not a specialization.
    bootstrap: bootstrap replicates (works resampled with replacement within a period); 0 = none.
    ci: width of the bootstrap percentile interval.
    seed: random seed of the bootstrap.
    complexity_method: eigenvector (second eigenvector of the region-region matrix) or the
        method of reflections (``reflections`` iterations).
    taxonomy_version / tagging_params_id: what the fields came from (filled in by the API).
    """

    level: Level = "country"
    by: By = "subfield"
    year_from: int | None = None
    year_to: int | None = None
    period_length: int = 0
    period_origin: int = 2000
    counting: Counting = "fractional"
    author_base: AuthorBase = "located"
    domain_base: DomainBase = "all_works"
    multi_domain: MultiDomain = "full"
    include_rejected: bool = False
    min_cell: int = 10
    min_region_output: float = 20.0
    presence_threshold: float = 1.0
    min_rank_count: float = 10.0
    bootstrap: int = 200
    ci: float = 0.90
    seed: int = 20240501
    complexity_method: ComplexityMethod = "eigenvector"
    reflections: int = 40
    taxonomy_version: str = ""
    tagging_params_id: str = ""

    def __post_init__(self) -> None:
        for name, kind in (("level", Level), ("by", By), ("counting", Counting), ("author_base", AuthorBase),
                           ("domain_base", DomainBase), ("multi_domain", MultiDomain), ("complexity_method", ComplexityMethod)):
            if getattr(self, name) not in get_args(kind):
                raise ConfigError(f"{name} {getattr(self, name)!r} is not one of {', '.join(get_args(kind))}")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ConfigError(f"--from {self.year_from} is after --to {self.year_to}")
        if self.period_length < 0:
            raise ConfigError(f"period_length must be >= 0, got {self.period_length}")
        if self.min_cell < 0 or self.min_region_output < 0 or self.min_rank_count < 0:
            raise ConfigError("min_cell, min_region_output and min_rank_count must be >= 0")
        if self.bootstrap < 0:
            raise ConfigError(f"bootstrap must be >= 0, got {self.bootstrap}")
        if not 0 < self.ci < 1:
            raise ConfigError(f"ci must lie in (0, 1), got {self.ci}")
        if self.presence_threshold <= 0:
            raise ConfigError(f"presence_threshold must be > 0, got {self.presence_threshold}")
        if self.reflections < 2 or self.reflections % 2:
            raise ConfigError(f"reflections must be an even number >= 2, got {self.reflections}")


# -- periods ----------------------------------------------------------------------------------

def period_labels(years: pd.Series, length: int, origin: int) -> pd.Series:
    """Period label of each year: 'all' when length is 0, else 'YYYY-YYYY' bins of ``length`` years."""
    if length == 0:
        return pd.Series("all", index=years.index)
    start = origin + ((years.astype(int) - origin) // length) * length
    return start.astype(str) + "-" + (start + length - 1).astype(str)


# -- counting ---------------------------------------------------------------------------------

def work_region_shares(obs: pd.DataFrame, authors: pd.DataFrame, counting: Counting = "fractional",
                       author_base: AuthorBase = "located") -> pd.DataFrame:
    """Share of each work credited to each region.

    ``obs``: one row per affiliation observation: work_id, researcher_id, region (None when the
    observation has no key at this level), weight (1 / affiliations of the author on the work),
    located (the observation has a country). ``authors``: work_id, n_authors (all authors).

    Fractional, author_base='located': only located observations count; each located author of a
    work gets 1 / (located authors) and splits it over their located affiliations in proportion
    to weight. So every work with a located author distributes exactly 1 over the countries (and
    at most 1 over hubs or institutions, which not every affiliation has).
    Fractional, author_base='all': share = weight / (all authors of the work); unlocated authors'
    shares are lost. Full: 1 per region on the work.
    Returns work_id, region, share (rows with no region dropped).
    """
    need = {"work_id", "researcher_id", "region", "weight", "located"}
    if need - set(obs.columns):
        raise ConfigError(f"work_region_shares: obs lacks {sorted(need - set(obs.columns))}")
    if counting == "full":
        keyed = obs.dropna(subset=["region"])[["work_id", "region"]].drop_duplicates()
        return keyed.assign(share=1.0).reset_index(drop=True)
    if author_base == "located":
        located = obs.loc[obs["located"].astype(bool)]
        per_author = located.groupby(["work_id", "researcher_id"])["weight"].transform("sum")
        n = located.groupby("work_id")["researcher_id"].transform("nunique")
        keyed = located.assign(share=located["weight"] / per_author / n).dropna(subset=["region"])
    else:
        denom = authors.set_index("work_id")["n_authors"].rename("n")
        keyed = obs.dropna(subset=["region"]).join(denom, on="work_id")
        keyed = keyed[keyed["n"] > 0]
        keyed = keyed.assign(share=keyed["weight"] / keyed["n"])
    return keyed.groupby(["work_id", "region"], as_index=False, sort=False)["share"].sum()


def field_weights(work_fields: pd.DataFrame, multi: MultiDomain = "full") -> pd.DataFrame:
    """work_id, field, fweight: 1 per (work, field), or 1/k for a work with k fields when split."""
    frame = work_fields[["work_id", "field"]].drop_duplicates()
    if multi == "split":
        k = frame.groupby("work_id")["field"].transform("size")
        return frame.assign(fweight=1.0 / k)
    return frame.assign(fweight=1.0)


# -- RCA and indices ----------------------------------------------------------------------------

def rca_matrix(X: np.ndarray, totals: np.ndarray | None = None) -> np.ndarray:
    """RCA of a regions x fields matrix; ``totals`` is the per-region base (default: row sums).

    Rows with a zero base and columns with no output give NaN.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ConfigError("rca_matrix expects a 2-D regions x fields matrix")
    T = X.sum(axis=1) if totals is None else np.asarray(totals, dtype=float)
    if T.shape != (X.shape[0],):
        raise ConfigError(f"rca_matrix: totals has shape {T.shape}, expected ({X.shape[0]},)")
    if (X < 0).any() or (T < 0).any():
        raise ConfigError("rca_matrix: counts must be non-negative")
    field_tot = X.sum(axis=0)
    grand = T.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = X / T[:, None]
        world = field_tot / grand
        out = share / world[None, :]
    out[~np.isfinite(out)] = np.nan
    return out


def region_indices(X: np.ndarray, rca: np.ndarray, threshold: float = 1.0) -> pd.DataFrame:
    """Per region (rows of X): output, HHI, Krugman, entropy, normalized entropy, diversity.

    Field shares s[r, f] = X[r, f] / sum_f X[r, f]; the world's w[f] = X_f / sum X.
    HHI = sum_f s^2; Krugman = sum_f |s - w| (0 = same mix as the world, 2 = disjoint);
    entropy = -sum_f s ln s (diversity of the mix; normalized by ln of the number of fields);
    diversity = number of fields with RCA >= threshold.
    """
    X = np.asarray(X, dtype=float)
    rowsum = X.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = X / rowsum[:, None]
        w = X.sum(axis=0) / X.sum()
        hhi = (s**2).sum(axis=1)
        krugman = np.abs(s - w[None, :]).sum(axis=1)
        logs = np.where(s > 0, np.log(np.where(s > 0, s, 1.0)), 0.0)
        entropy = -(s * logs).sum(axis=1)
        norm_entropy = entropy / np.log(X.shape[1]) if X.shape[1] > 1 else np.full(len(X), np.nan)
    empty = rowsum <= 0
    for arr in (hhi, krugman, entropy, norm_entropy):
        arr[empty] = np.nan
    diversity = (np.nan_to_num(rca, nan=0.0) >= threshold).sum(axis=1)
    return pd.DataFrame({"output": rowsum, "hhi": hhi, "krugman": krugman, "entropy": entropy,
                         "entropy_norm": norm_entropy, "diversity": diversity})


def field_indices(X: np.ndarray, totals: np.ndarray, rca: np.ndarray, threshold: float = 1.0) -> pd.DataFrame:
    """Per field (columns of X): output, Hoover, ubiquity.

    Hoover (localization) = 1/2 sum_r |X[r, f] / X_f - T[r] / T|: the share of the field's output
    that would have to move for it to be spread like output in general (0 = even, 1 = all elsewhere).
    Ubiquity = number of regions with RCA >= threshold.
    """
    X = np.asarray(X, dtype=float)
    T = np.asarray(totals, dtype=float)
    col = X.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        hoover = 0.5 * np.abs(X / col[None, :] - (T / T.sum())[:, None]).sum(axis=0)
    hoover[col <= 0] = np.nan
    ubiquity = (np.nan_to_num(rca, nan=0.0) >= threshold).sum(axis=0)
    return pd.DataFrame({"output": col, "hoover": hoover, "ubiquity": ubiquity})


# -- bootstrap ----------------------------------------------------------------------------------

def bootstrap_rca(cell_work: np.ndarray, cell_index: np.ndarray, cell_value: np.ndarray,
                  total_work: np.ndarray, total_region: np.ndarray, total_value: np.ndarray,
                  n_works: int, n_regions: int, n_fields: int, *, replicates: int, ci: float, seed: int,
                  keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of RCA, resampling works with replacement.

    Cell contributions: work ``cell_work[i]`` adds ``cell_value[i]`` to flat cell
    ``cell_index[i]`` (= region * n_fields + field); base contributions: work ``total_work[j]``
    adds ``total_value[j]`` to region ``total_region[j]``. Each replicate draws n_works works with
    replacement (a multiplicity per work) and recomputes X, T and RCA. ``keep``: flat cell indices
    to return (default: all). Returns (lo, hi) arrays over the kept cells.
    """
    rng = np.random.default_rng(seed)
    keep = np.arange(n_regions * n_fields) if keep is None else np.asarray(keep)
    if replicates == 0 or len(keep) == 0:
        nan = np.full(len(keep), np.nan)
        return nan, nan.copy()
    keep_region, keep_field = np.divmod(keep, n_fields)
    draws = np.empty((replicates, len(keep)), dtype=float)
    for b in range(replicates):
        mult = np.bincount(rng.integers(0, n_works, n_works), minlength=n_works).astype(float)
        X = np.bincount(cell_index, weights=mult[cell_work] * cell_value, minlength=n_regions * n_fields)
        T = np.bincount(total_region, weights=mult[total_work] * total_value, minlength=n_regions)
        Xm = X.reshape(n_regions, n_fields)
        with np.errstate(divide="ignore", invalid="ignore"):
            world = Xm.sum(axis=0) / T.sum()
            draws[b] = (Xm[keep_region, keep_field] / T[keep_region]) / world[keep_field]
    alpha = (1 - ci) / 2
    with np.errstate(invalid="ignore"):
        draws[~np.isfinite(draws)] = np.nan
    all_nan = np.isnan(draws).all(axis=0)
    draws[:, all_nan] = 0.0  # silences nanquantile's warning; set back to NaN below
    lo = np.nanquantile(draws, alpha, axis=0)
    hi = np.nanquantile(draws, 1 - alpha, axis=0)
    lo[all_nan] = np.nan
    hi[all_nan] = np.nan
    return lo, hi


# -- trends -------------------------------------------------------------------------------------

def rca_trend(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (region, field): RCA in the first and last period and the least-squares slope of RCA
    per year over the periods' mid-years. ``cells`` needs region, field, period ('YYYY-YYYY'), rca.
    """
    frame = cells.dropna(subset=["rca"]).copy()
    frame = frame[frame["period"] != "all"]
    if frame.empty:
        return pd.DataFrame(columns=["region", "field", "periods", "first_period", "rca_first", "last_period",
                                     "rca_last", "slope_per_year"])
    bounds = frame["period"].str.split("-", expand=True).astype(int)
    frame["mid"] = (bounds[0] + bounds[1]) / 2
    rows = []
    for (region, field), g in frame.sort_values("mid").groupby(["region", "field"], sort=True):
        slope = float(np.polyfit(g["mid"], g["rca"], 1)[0]) if len(g) >= 2 else float("nan")
        rows.append({"region": region, "field": field, "periods": len(g), "first_period": g["period"].iloc[0],
                     "rca_first": g["rca"].iloc[0], "last_period": g["period"].iloc[-1], "rca_last": g["rca"].iloc[-1],
                     "slope_per_year": slope})
    return pd.DataFrame(rows)
