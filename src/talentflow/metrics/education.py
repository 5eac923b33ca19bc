"""The pipeline from education records: degree country -> first job country, by degree level.

Input: ``career_spells`` (ORCID education and employment entries, see docs/orcid.md). Unlike
``metrics.pipeline`` (which reads career stages off affiliation observations and needs an
inference run), the stages here are stated by the person: an education entry with a degree
level and an end year, and employment entries with start years.

Rules (pure, :func:`degree_transitions`):
- A degree is an education spell of level bachelor, master or phd with an end year and a
  country. A person with several degrees of one level counts once at that level: the one that
  ended last (ties: the smallest spell id).
- The first job after a degree is the employment spell with a country whose start year is the
  degree's end year or later (a job begun the year one graduates counts; jobs begun before, such
  as a teaching assistantship held while studying, do not); the earliest start wins (ties: the
  spell that ended first, then the smallest spell id). Degrees with no such job are left out.
- The stay rate of a cell (degree level, or degree level x degree country) is the share of its
  graduates whose first job is in the degree country; the interval is a seeded bootstrap over
  persons (``metrics.uncertainty``). The small-cell rule (``metrics.suppression``) blanks
  graduates, stayed and leavers of 1..min_cell-1 and every rate derived from them; flows are
  also protected against recovery from the published graduate totals (``protect_residual``).
"""

from __future__ import annotations

import pandas as pd

from talentflow.errors import WarehouseError
from talentflow.metrics.suppression import protect_residual, suppress, with_complement
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio

LEVELS = ("bachelor", "master", "phd")
TRANSITION_COLUMNS = ["researcher_id", "degree_level", "study_country", "degree_end_year", "work_country",
                      "job_start_year"]
BY = {"degree": ["degree_level"], "degree-country": ["degree_level", "study_country"]}


def degree_transitions(spells: pd.DataFrame, year_from: int | None = None, year_to: int | None = None) -> pd.DataFrame:
    """Pure: career spells (spell_id, researcher_id, kind, degree_level, country, start_year,
    end_year) -> one row per (person, degree level) with a first job after the degree:
    study_country, degree_end_year, work_country, job_start_year. ``year_from`` / ``year_to``
    bound the degree's end year."""
    s = spells.copy()
    edu = s[(s["kind"] == "education") & s["degree_level"].isin(LEVELS) & s["end_year"].notna()
            & s["country"].notna()]
    if year_from is not None:
        edu = edu[edu["end_year"] >= year_from]
    if year_to is not None:
        edu = edu[edu["end_year"] <= year_to]
    edu = edu.sort_values(["researcher_id", "degree_level", "end_year", "spell_id"],
                          ascending=[True, True, False, True])
    edu = edu.drop_duplicates(["researcher_id", "degree_level"], keep="first")  # whole rows (first() mixes non-nulls)
    edu = edu.rename(columns={"country": "study_country", "end_year": "degree_end_year"})[
        ["researcher_id", "degree_level", "study_country", "degree_end_year"]]
    emp = s[(s["kind"] == "employment") & s["start_year"].notna() & s["country"].notna()][
        ["researcher_id", "spell_id", "country", "start_year", "end_year"]]
    pairs = edu.merge(emp, on="researcher_id")
    pairs = pairs[pairs["start_year"] >= pairs["degree_end_year"]]
    if pairs.empty:
        return pd.DataFrame(columns=TRANSITION_COLUMNS)
    pairs = pairs.assign(_end=pairs["end_year"].fillna(10_000)).sort_values(
        ["researcher_id", "degree_level", "start_year", "_end", "spell_id"])
    first = pairs.drop_duplicates(["researcher_id", "degree_level"], keep="first")
    first = first.rename(columns={"country": "work_country", "start_year": "job_start_year"})
    out = first[TRANSITION_COLUMNS].copy()
    out["degree_end_year"] = out["degree_end_year"].astype("int64")
    out["job_start_year"] = out["job_start_year"].astype("int64")
    return out.sort_values(["researcher_id", "degree_level"]).reset_index(drop=True)


def degree_flows(t: pd.DataFrame, min_cell: int = 10) -> pd.DataFrame:
    """Pure: transitions -> degree level x degree country x first-job country: researchers and the
    share of the degree country's graduates (of that level)."""
    cols = ["degree_level", "study_country", "work_country"]
    if t.empty:
        return pd.DataFrame(columns=[*cols, "researchers", "share_of_study_country", "suppressed"])
    out = t.groupby(cols, as_index=False).size().rename(columns={"size": "researchers"})
    total = out.groupby(["degree_level", "study_country"])["researchers"].transform("sum")
    out["share_of_study_country"] = out["researchers"] / total
    out = out.assign(_researchers_raw=out["researchers"], _group=out["degree_level"] + "|" + out["study_country"])
    out = suppress(out, {"researchers": ["share_of_study_country"]}, min_cell)
    # a (level, country)'s graduates are published beside (stay rates): its blanked cells must not sum to 1..9
    out = protect_residual(out.reset_index(drop=True), "_group", "researchers", ["share_of_study_country"], min_cell)
    out = out.drop(columns="_group")
    return out.sort_values(["degree_level", "study_country", "researchers", "work_country"],
                           ascending=[True, True, False, True], na_position="last").reset_index(drop=True)


def degree_stay_rates(t: pd.DataFrame, by: str = "degree", *, boot: BootstrapParams = BootstrapParams(),
                      min_cell: int = 10) -> pd.DataFrame:
    """Pure: transitions -> per cell (``by``: 'degree' = degree level; 'degree-country' = degree
    level x degree country): graduates with a known first job, stayed, stay rate with bootstrap
    interval, small cells blanked."""
    cells = BY[by]
    if t.empty:
        return pd.DataFrame(columns=[*cells, "graduates", "stayed", "stay_rate", "stay_rate_lo", "stay_rate_hi",
                                     "suppressed"])
    c = t.assign(graduates=1.0, stayed=(t["study_country"] == t["work_country"]).astype(float))
    out = bootstrap_cells(c, cells, ["graduates", "stayed"],
                          lambda s: {"stay_rate": ratio(s["stayed"], s["graduates"])}, boot)
    rate_cols = [col for col in out.columns if col.startswith("stay_rate")]
    # stayed of 1..9, or leavers (graduates - stayed) of 1..9, are disclosive: blank both and the rate
    out = suppress(with_complement(out, "stayed", "graduates", "leavers"),
                   {"graduates": ["stayed", *rate_cols], "stayed": [*rate_cols], "leavers": ["stayed", *rate_cols]},
                   min_cell).drop(columns="leavers")
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    out = out.assign(_o=out["degree_level"].map(order)).sort_values(["_o", *cells[1:]]).drop(columns="_o")
    return out.reset_index(drop=True)


def read_spells(wh) -> pd.DataFrame:
    """The warehouse's career spells (columns the pipeline needs)."""
    if not wh.has_table("career_spells"):
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no ORCID records (table career_spells); "
                             "ingest some first: talentflow ingest orcid PATH (or --api ORCID_ID)")
    return wh.query("SELECT spell_id, researcher_id, kind, degree_level, country, start_year, end_year "
                    "FROM career_spells ORDER BY spell_id")
