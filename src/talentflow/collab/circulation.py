"""Brain circulation: do researchers who move keep co-authoring with their origin country?

Pure computation over four frames (``talentflow.collab.load.career_frames`` reads them from the
warehouse; tests build them from simulated careers):

``moves``      researcher_id, origin, destination, year_to  (country moves; ``year_to`` = first
               year seen at the destination). With an ``event_type`` column only ``migration``
               and ``return`` rows are moves, but every researcher listed (temporary stays,
               ambiguous or censored spells too) is excluded from the stayers.
``papers``     researcher_id, work_id, year, venue: one row per paper of each researcher.
``coauthors``  researcher_id, work_id, country: the distinct countries of the *other* authors'
               affiliations on the paper (no row when no co-author has a known country).
``home``       researcher_id, home_country, home_share: the researcher's modal country and the
               share of their affiliation weight there (used to define stayers).

Design (docs/collab.md)
-----------------------
For each mover, the first move (origin o, year t). A paper *has an origin tie* when a co-author
has an affiliation in o. The *tie share* in a window is (papers with an origin tie) / (papers
with at least one co-author of known country). Before window: ``t - window <= year < t``; after
window: ``t + after_offset <= year < t + after_offset + window``. Movers need ``min_papers`` such
papers in each window.

Stayers (no country move, ``home_share >= stayer_min_share``) are matched exactly on home country
= o, field (modal venue, ``field="venue"``) and first publication year within ``caliper`` years
(hence on career age at t and on cohort); for a matched stayer the same windows around the
mover's t are used, so the stayer's tie share is the share of papers with domestic co-authors.
Each mover gets the mean of its matched stayers (matching with replacement).

The estimate is a difference in differences over matched movers:
``did = mean_m[(after_m - before_m) - mean_{s in S(m)} (after_s - before_s)]``: how much more (or
less) the move changes origin co-authorship than staying does over the same career years.
Percentile intervals come from a seeded bootstrap over movers (each drawn with its stayer set).

Return moves: among movers followed at least ``tie_years`` after t, those with an origin tie in
``[t + after_offset, t + after_offset + tie_years)`` against those without, and the share of each
group that later moves back to o (a later move with destination o, ``year_to >= t + tie_years``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from talentflow.collab.frames import percentile_interval
from talentflow.errors import ConfigError

MOVE_COLUMNS = ("researcher_id", "origin", "destination", "year_to")
MOVE_TYPES = ("migration", "return")  # with an event_type column, only these rows are moves
PAPER_COLUMNS = ("researcher_id", "work_id", "year", "venue")
COAUTHOR_COLUMNS = ("researcher_id", "work_id", "country")
HOME_COLUMNS = ("researcher_id", "home_country", "home_share")
ESTIMATE_COLUMNS = ("scope", "key", "measure", "estimate", "ci_low", "ci_high", "n_movers")


@dataclass(frozen=True)
class CirculationParams:
    """Every choice that changes a brain-circulation figure."""

    identity: Literal["stable_id", "all"] = "stable_id"  # which researchers are movers / stayers
    window: int | None = 5  # years in each window (None: the whole career on each side)
    after_offset: int = 0  # skip this many years after t (publication lag)
    min_papers: int = 1  # papers with a known co-author country needed in each window
    field: Literal["venue", "none"] = "venue"  # match on modal venue, or not at all
    caliper: int = 0  # |first year (mover) - first year (stayer)| allowed
    stayer_min_share: float = 0.9  # share of a stayer's affiliation weight in the home country
    tie_years: int = 3  # years after the move in which ties are looked for (return table)
    year_from: int | None = None  # first move year considered
    year_to: int | None = None  # last move year considered
    n_boot: int = 500
    ci: float = 0.95
    seed: int = 0
    min_cell: int = 10  # groups (destinations, origins, tie groups) with fewer movers are suppressed

    def __post_init__(self) -> None:
        if self.identity not in get_args(Literal["stable_id", "all"]):
            raise ConfigError(f"identity={self.identity!r} is not one of stable_id, all")
        if self.field not in ("venue", "none"):
            raise ConfigError(f"field={self.field!r} is not one of venue, none")
        if self.window is not None and self.window < 1:
            raise ConfigError(f"window must be >= 1 year (or None), got {self.window}")
        for name in ("after_offset", "caliper", "min_cell"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.min_papers < 1 or self.tie_years < 1:
            raise ConfigError("min_papers and tie_years must be >= 1")
        if not 0.5 <= self.stayer_min_share <= 1.0:
            raise ConfigError(f"stayer_min_share must be in [0.5, 1], got {self.stayer_min_share}")
        if not 0 < self.ci < 1:
            raise ConfigError(f"ci must be in (0, 1), got {self.ci}")
        if self.n_boot < 0:
            raise ConfigError(f"n_boot must be >= 0, got {self.n_boot}")


@dataclass
class CirculationResult:
    """Estimates (long format, suppressed) and, for local use only, the matched mover panel."""

    params: CirculationParams
    estimates: pd.DataFrame
    movers: pd.DataFrame  # person-level: one row per eligible mover (never published)
    params_id: str | None = None

    def scope(self, name: str) -> pd.DataFrame:
        return self.estimates[self.estimates["scope"] == name].reset_index(drop=True)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"the {name} frame lacks column(s) {missing}; expected {list(columns)}")


# -- building blocks -----------------------------------------------------------------------------

def first_moves(moves: pd.DataFrame, params: CirculationParams) -> pd.DataFrame:
    """The first country move of each researcher, with whether they later moved back to the origin.

    Columns: researcher_id, origin, destination, t, return_year (first later year_to with
    destination = origin, or NaN).
    """
    _require(moves, MOVE_COLUMNS, "moves")
    if "event_type" in moves.columns:
        moves = moves[moves["event_type"].isin(MOVE_TYPES)]
    m = moves.loc[moves["origin"].notna() & moves["destination"].notna() & moves["year_to"].notna(),
                  list(MOVE_COLUMNS)].copy()
    m["year_to"] = m["year_to"].astype("int64")
    m = m[m["origin"] != m["destination"]].sort_values(["researcher_id", "year_to", "destination"])
    first = m.drop_duplicates("researcher_id").rename(columns={"year_to": "t"})
    later = m.merge(first[["researcher_id", "origin", "t"]], on="researcher_id", suffixes=("", "_first"))
    back = later[(later["destination"] == later["origin_first"]) & (later["year_to"] > later["t"])]
    ret = back.groupby("researcher_id")["year_to"].min().rename("return_year")
    first = first.join(ret, on="researcher_id")
    if params.year_from is not None:
        first = first[first["t"] >= params.year_from]
    if params.year_to is not None:
        first = first[first["t"] <= params.year_to]
    return first.reset_index(drop=True)


def researcher_profile(papers: pd.DataFrame) -> pd.DataFrame:
    """first_year, last_year and field (modal venue; ties to the alphabetically first) per researcher."""
    _require(papers, PAPER_COLUMNS, "papers")
    years = papers.groupby("researcher_id")["year"].agg(first_year="min", last_year="max")
    venue = (papers.groupby(["researcher_id", "venue"]).size().rename("n").reset_index()
             .sort_values(["researcher_id", "n", "venue"], ascending=[True, False, True])
             .drop_duplicates("researcher_id").set_index("researcher_id")["venue"].rename("field"))
    return years.join(venue)


def paper_ties(papers: pd.DataFrame, coauthors: pd.DataFrame, focal: pd.DataFrame) -> pd.DataFrame:
    """Per (researcher, paper): year, known (any co-author country known), tie (a co-author in the
    researcher's focal country). ``focal`` maps researcher_id -> country."""
    _require(coauthors, COAUTHOR_COLUMNS, "coauthors")
    p = papers.loc[papers["researcher_id"].isin(focal["researcher_id"]), ["researcher_id", "work_id", "year"]]
    p = p.drop_duplicates(["researcher_id", "work_id"])
    c = coauthors[coauthors["researcher_id"].isin(focal["researcher_id"])]
    known = c[["researcher_id", "work_id"]].drop_duplicates().assign(known=True)
    tie = (c.merge(focal, on="researcher_id").query("country == focal_country")[["researcher_id", "work_id"]]
           .drop_duplicates().assign(tie=True))
    out = p.merge(known, on=["researcher_id", "work_id"], how="left").merge(tie, on=["researcher_id", "work_id"],
                                                                          how="left")
    out["known"] = out["known"].fillna(False).astype(bool)
    out["tie"] = out["tie"].fillna(False).astype(bool)
    return out


def window_counts(ties: pd.DataFrame, t: pd.Series, params: CirculationParams) -> pd.DataFrame:
    """Known papers and tied papers before and after each researcher's t (``t`` indexed by researcher_id)."""
    frame = ties[ties["known"]].merge(t.rename("t"), left_on="researcher_id", right_index=True)
    y, tt = frame["year"].to_numpy(), frame["t"].to_numpy()
    lo_after = tt + params.after_offset
    if params.window is None:
        before = y < tt
        after = y >= lo_after
    else:
        before = (y >= tt - params.window) & (y < tt)
        after = (y >= lo_after) & (y < lo_after + params.window)
    frame = frame.assign(nb=before, kb=before & frame["tie"].to_numpy(), na=after, ka=after & frame["tie"].to_numpy())
    counts = frame.groupby("researcher_id")[["nb", "kb", "na", "ka"]].sum()
    return counts.reindex(t.index, fill_value=0)


# -- the estimate ----------------------------------------------------------------------------------

def circulation_panel(moves: pd.DataFrame, papers: pd.DataFrame, coauthors: pd.DataFrame, home: pd.DataFrame,
                      params: CirculationParams) -> pd.DataFrame:
    """One row per eligible mover: tie shares before/after, matched stayers' mean shares, return flags.

    Person-level (for local analysis only). Columns: researcher_id, origin, destination, t, field,
    first_year, before, after, n_stayers, stayer_before, stayer_after, tie_early, followed,
    returned.
    """
    _require(home, HOME_COLUMNS, "home")
    first = first_moves(moves, params)
    profile = researcher_profile(papers)
    first = first.join(profile, on="researcher_id", how="inner")
    mt = first.set_index("researcher_id")
    focal = pd.DataFrame({"researcher_id": mt.index, "focal_country": mt["origin"].to_numpy()})
    mties = paper_ties(papers, coauthors, focal)
    mc = window_counts(mties, mt["t"], params)
    panel = mt.join(mc)
    panel = panel[(panel["nb"] >= params.min_papers) & (panel["na"] >= params.min_papers)].copy()
    panel["before"] = panel["kb"] / panel["nb"]
    panel["after"] = panel["ka"] / panel["na"]
    # early ties and returns (return table)
    early = mties[mties["known"]].merge(panel["t"], left_on="researcher_id", right_index=True)
    lo = early["t"] + params.after_offset
    in_early = (early["year"] >= lo) & (early["year"] < lo + params.tie_years)
    tie_early = early[in_early & early["tie"]].groupby("researcher_id").size()
    panel["tie_early"] = panel.index.isin(tie_early.index)
    horizon = panel["t"] + params.after_offset + params.tie_years
    panel["followed"] = panel["last_year"] >= horizon
    panel["returned"] = panel["return_year"].notna() & (panel["return_year"] >= horizon)
    # stayers and matching
    movers_all = set(moves["researcher_id"])
    stayers = home[(~home["researcher_id"].isin(movers_all)) & (home["home_share"] >= params.stayer_min_share)]
    stayers = stayers.join(profile, on="researcher_id", how="inner")
    stayers = stayers[stayers["home_country"].isin(set(panel["origin"]) | set(panel["destination"]))]
    pool = _StayerPool(stayers, papers, coauthors)
    home_ctl = pool.controls(panel, "origin", params)
    dest_ctl = pool.controls(panel, "destination", params)
    panel = panel.join(home_ctl.rename(columns={"n": "n_stayers", "before": "stayer_before", "after": "stayer_after"}))
    panel = panel.join(dest_ctl.rename(columns={"n": "n_dest_stayers", "before": "dest_before", "after": "dest_after"}))
    for col in ("n_stayers", "n_dest_stayers"):
        panel[col] = panel[col].fillna(0).astype("int64")
    cols = ["origin", "destination", "t", "field", "first_year", "nb", "na", "before", "after", "n_stayers",
            "stayer_before", "stayer_after", "n_dest_stayers", "dest_before", "dest_after", "tie_early", "followed",
            "returned"]
    return panel[cols].reset_index()


class _StayerPool:
    """Stayers' papers with a known co-author country, as integer arrays for fast repeated matching."""

    def __init__(self, stayers: pd.DataFrame, papers: pd.DataFrame, coauthors: pd.DataFrame):
        ids = stayers["researcher_id"].to_numpy(dtype=object)
        code = pd.Index(ids)
        co = coauthors[coauthors["researcher_id"].isin(code)]
        sp = papers.loc[papers["researcher_id"].isin(code), ["researcher_id", "work_id", "year"]]
        works = pd.Index(pd.unique(pd.concat([sp["work_id"], co["work_id"]], ignore_index=True).to_numpy(dtype=object)))
        nw = np.int64(max(len(works), 1))

        def keys(frame: pd.DataFrame) -> np.ndarray:
            return (code.get_indexer(frame["researcher_id"].to_numpy(dtype=object)).astype(np.int64) * nw
                    + works.get_indexer(frame["work_id"].to_numpy(dtype=object)).astype(np.int64))

        known = np.unique(keys(co))
        pkey = np.unique(keys(sp), return_index=True)  # one row per (stayer, paper)
        keep = np.isin(pkey[0], known, assume_unique=True)
        self.key = pkey[0][keep]
        self.sid = (self.key // nw).astype(np.int64)
        self.year = sp["year"].to_numpy(dtype=np.int64)[pkey[1][keep]]
        self.tie_keys = {c: np.unique(keys(g)) for c, g in co.groupby("country", sort=False)}
        self.home = stayers["home_country"].to_numpy(dtype=object)
        self.field = stayers["field"].to_numpy(dtype=object)
        self.first_year = stayers["first_year"].to_numpy(dtype=np.int64)
        rows_home = self.home[self.sid]
        self.by_home = {c: np.flatnonzero(rows_home == c) for c in pd.unique(self.home)}

    def controls(self, panel: pd.DataFrame, home_col: str, params: CirculationParams) -> pd.DataFrame:
        """For each mover, the mean tie shares (co-authors in the mover's origin) of the stayers at home
        in the mover's ``home_col`` country (origin: domestic control; destination: local baseline) who
        match on field and first year, in the mover's windows. Index researcher_id; columns n, before, after."""
        rows = []
        empty = np.array([], dtype=np.int64)
        for (home_c, focal, t), group in panel.groupby([home_col, "origin", "t"], sort=True):
            idx = self.by_home.get(home_c)
            if idx is None or idx.size == 0:
                continue
            year = self.year[idx]
            lo_after = t + params.after_offset
            if params.window is None:
                before, after = year < t, year >= lo_after
            else:
                before = (year >= t - params.window) & (year < t)
                after = (year >= lo_after) & (year < lo_after + params.window)
            inwin = before | after
            if not inwin.any():
                continue
            rows_idx = idx[inwin]
            before, after = before[inwin], after[inwin]
            tie = np.isin(self.key[rows_idx], self.tie_keys.get(focal, empty))
            sids, local = np.unique(self.sid[rows_idx], return_inverse=True)
            nb = np.bincount(local, weights=before, minlength=len(sids))
            kb = np.bincount(local, weights=before & tie, minlength=len(sids))
            na = np.bincount(local, weights=after, minlength=len(sids))
            ka = np.bincount(local, weights=after & tie, minlength=len(sids))
            ok = (nb >= params.min_papers) & (na >= params.min_papers)
            if not ok.any():
                continue
            sids, s_before, s_after = sids[ok], kb[ok] / nb[ok], ka[ok] / na[ok]
            fy, fld = self.first_year[sids], self.field[sids]
            for rid, first_year, field in zip(group.index, group["first_year"], group["field"]):
                match = np.abs(fy - first_year) <= params.caliper
                if params.field == "venue":
                    match &= fld == field
                if match.any():
                    rows.append((rid, int(match.sum()), float(s_before[match].mean()), float(s_after[match].mean())))
        return pd.DataFrame(rows, columns=["researcher_id", "n", "before", "after"]).set_index("researcher_id")


def _boot_means(values: dict[str, np.ndarray], params: CirculationParams, rng: np.random.Generator) -> dict:
    """Point estimate and percentile interval of the mean of each array (same resamples for all)."""
    n = len(next(iter(values.values())))
    idx = rng.integers(0, n, size=(params.n_boot, n)) if params.n_boot and n else None
    out = {}
    for name, arr in values.items():
        est = float(np.mean(arr)) if n else float("nan")
        if idx is None:
            out[name] = (est, float("nan"), float("nan"))
        else:
            out[name] = (est, *percentile_interval(arr[idx].mean(axis=1), params.ci))
    return out


def _matched_estimates(frame: pd.DataFrame, params: CirculationParams, rng: np.random.Generator) -> dict:
    before, after = frame["before"].to_numpy(float), frame["after"].to_numpy(float)
    sb, sa = frame["stayer_before"].to_numpy(float), frame["stayer_after"].to_numpy(float)
    vals = {"mover_before": before, "mover_after": after, "mover_change": after - before,
            "stayer_before": sb, "stayer_after": sa, "stayer_change": sa - sb,
            "did": (after - before) - (sa - sb), "after_gap": after - sa}
    return _boot_means(vals, params, rng)


def _ratio(a: np.ndarray, s: np.ndarray, params: CirculationParams, rng: np.random.Generator) -> tuple:
    """mean(a) / mean(s) with a bootstrap interval over movers (paired draws)."""
    n = len(a)
    est = float(a.mean() / s.mean()) if n and s.mean() > 0 else float("nan")
    if not params.n_boot or not n:
        return est, float("nan"), float("nan")
    idx = rng.integers(0, n, size=(params.n_boot, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = a[idx].mean(axis=1) / s[idx].mean(axis=1)
    return (est, *percentile_interval(draws, params.ci))


MEASURES = {
    "mover_before": "movers: share of papers with an origin co-author, before the move",
    "mover_after": "movers: the same share after the move",
    "mover_change": "movers: after - before",
    "stayer_before": "matched origin stayers: share of papers with a domestic co-author, same years",
    "stayer_after": "matched origin stayers: the same share, after the mover's move year",
    "stayer_change": "matched origin stayers: after - before",
    "did": "difference in differences: mover_change - stayer_change",
    "after_gap": "mover_after - stayer_after",
    "retention": "mean(mover_after) / mean(stayer_after): share of the stayers' level of origin ties kept",
    "dest_after": "matched destination stayers: share of papers with a co-author in the movers' origin",
    "excess_after": "mover_after - dest_after: origin ties beyond those of comparable locals",
    "tie_ratio": "mean(mover_after) / mean(dest_after)",
    "mover_before_all_movers": "mover_before over all eligible movers, matched or not",
    "mover_after_all_movers": "mover_after over all eligible movers, matched or not",
    "return_rate": "share of movers followed tie_years after the move who later move back to the origin",
}


def circulation_estimates(panel: pd.DataFrame, params: CirculationParams) -> pd.DataFrame:
    """The published tables (long format): overall, by destination, by origin, and returns."""
    rng = np.random.default_rng(params.seed)
    rows: list[tuple] = []
    floor = max(params.min_cell, 1)

    def add(scope: str, key: str, frame: pd.DataFrame) -> None:
        m = frame[frame["n_stayers"] > 0]
        if len(m) >= floor:
            for measure, (est, lo, hi) in _matched_estimates(m, params, rng).items():
                rows.append((scope, key, measure, est, lo, hi, len(m)))
            rows.append((scope, key, "retention",
                         *_ratio(m["after"].to_numpy(float), m["stayer_after"].to_numpy(float), params, rng), len(m)))
        d = frame[frame["n_dest_stayers"] > 0]
        if len(d) >= floor:
            a, b = d["after"].to_numpy(float), d["dest_after"].to_numpy(float)
            for measure, (est, lo, hi) in _boot_means({"dest_after": b, "excess_after": a - b}, params, rng).items():
                rows.append((scope, key, measure, est, lo, hi, len(d)))
            rows.append((scope, key, "tie_ratio", *_ratio(a, b, params, rng), len(d)))

    add("overall", "all", panel)
    if len(panel) >= floor:
        est = _boot_means({"mover_before": panel["before"].to_numpy(float),
                           "mover_after": panel["after"].to_numpy(float)}, params, rng)
        for measure, (e, lo, hi) in est.items():
            rows.append(("overall", "all", f"{measure}_all_movers", e, lo, hi, len(panel)))
    for dest, group in panel.groupby("destination", sort=True):
        add("destination", str(dest), group)
    for origin, group in panel.groupby("origin", sort=True):
        add("origin", str(origin), group)
    followed = panel[panel["followed"]]
    groups = {"origin_ties": followed[followed["tie_early"]], "no_origin_ties": followed[~followed["tie_early"]]}
    if all(len(g) >= floor for g in groups.values()):
        a, b = (g["returned"].to_numpy(float) for g in groups.values())
        for key, arr in zip(groups, (a, b)):
            (est, lo, hi), = _boot_means({"return_rate": arr}, params, rng).values()
            rows.append(("return", key, "return_rate", est, lo, hi, len(arr)))
        diff = float(a.mean() - b.mean())
        if params.n_boot:
            da = a[rng.integers(0, len(a), size=(params.n_boot, len(a)))].mean(axis=1)
            db = b[rng.integers(0, len(b), size=(params.n_boot, len(b)))].mean(axis=1)
            lo, hi = percentile_interval(da - db, params.ci)
        else:
            lo = hi = float("nan")
        rows.append(("return", "difference", "return_rate", diff, lo, hi, len(a) + len(b)))
    out = pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))
    out["n_movers"] = out["n_movers"].astype("int64")
    return out


def circulation(moves: pd.DataFrame, papers: pd.DataFrame, coauthors: pd.DataFrame, home: pd.DataFrame,
                params: CirculationParams) -> CirculationResult:
    """The matched panel and its estimates from the four input frames (see the module doc)."""
    panel = circulation_panel(moves, papers, coauthors, home, params)
    return CirculationResult(params=params, estimates=circulation_estimates(panel, params), movers=panel)
