"""Study -> first job pipeline and stay rates, where the career stage is known.

The stage comes from the observation (paperlists ``position`` in OpenReview venues such as
"PhD student", "Postdoc", "Researcher"; a ``stage`` column in CSV input). ``classify_stage``
maps it to ``study`` (students of any level), ``work`` (any position), or None (interns,
unknown). A researcher's study country is the modal country (fractional weights) of their last
year at the study stage; their first-job country that of their first later year at the work
stage. The stay rate of a study country is the share of its graduates whose first job is there.

Caveat of the data: in some OpenReview-based records of 2021-2024 the position lists are
shuffled among co-authors, so individual stages are noisy; the figures are indicative.
"""

from __future__ import annotations

import re

import pandas as pd

from talentflow.metrics.common import Selection
from talentflow.metrics.suppression import protect_residual, suppress, with_complement
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio
from talentflow.store.warehouse import Warehouse

_STUDY = re.compile(r"\b(phd|ph\.d|doctoral student|student|undergrad|undergraduate|bachelor|master|msc|ms|mphil|"
                    r"graduate|study|studying|candidate)\b", re.I)
_WORK = re.compile(r"\b(professor|researcher|scientist|postdoc|post-doc|postdoctoral|engineer|lecturer|faculty|"
                   r"director|manager|head|staff|developer|principal|fellow|founder|work|job|employee|analyst|"
                   r"reader|chair|instructor|consultant|cto|ceo|member)\b", re.I)
_NEITHER = re.compile(r"\b(intern|internship|visiting)\b", re.I)


def classify_stage(stage: str | None) -> str | None:
    """'PhD student' -> study; 'Postdoc' -> work; 'Intern' -> None. Combined 'A+B': study if any part is."""
    if not isinstance(stage, str) or not stage.strip():
        return None
    kinds = set()
    for part in stage.split("+"):
        part = part.strip()
        if _STUDY.search(part):
            kinds.add("study")
        elif _NEITHER.search(part):
            continue
        elif _WORK.search(part):
            kinds.add("work")
    if "study" in kinds:
        return "study"
    return "work" if "work" in kinds else None


def transitions(obs: pd.DataFrame) -> pd.DataFrame:
    """Pure: observations (researcher_id, year, country, stage, weight) -> one row per researcher seen
    studying and later working: study_country, study_year, work_country, work_year."""
    o = obs.dropna(subset=["country"]).copy()
    o["kind"] = o["stage"].map(classify_stage)
    o = o.dropna(subset=["kind"])
    if o.empty:
        return pd.DataFrame(columns=["researcher_id", "study_country", "study_year", "work_country", "work_year"])
    cy = o.groupby(["researcher_id", "kind", "year", "country"], as_index=False)["weight"].sum()
    cy = cy.sort_values(["researcher_id", "kind", "year", "weight", "country"], ascending=[True, True, True, False, True])
    modal = cy.groupby(["researcher_id", "kind", "year"], as_index=False).first()
    study = modal[modal["kind"] == "study"].groupby("researcher_id", as_index=False).last()
    study = study.rename(columns={"year": "study_year", "country": "study_country"})[
        ["researcher_id", "study_year", "study_country"]]
    work = modal[modal["kind"] == "work"].merge(study, on="researcher_id")
    work = work[work["year"] > work["study_year"]].groupby("researcher_id", as_index=False).first()
    work = work.rename(columns={"year": "work_year", "country": "work_country"})[
        ["researcher_id", "work_year", "work_country"]]
    return study.merge(work, on="researcher_id")[
        ["researcher_id", "study_country", "study_year", "work_country", "work_year"]]


def _obs(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    return wh.query(f"""
        SELECT researcher_id, year, country, stage, weight FROM observations
        WHERE stage IS NOT NULL AND country IS NOT NULL AND {sel.year_filter('year')}
              AND {sel.researcher_filter()}
              AND researcher_id IN (SELECT DISTINCT researcher_id FROM residence WHERE params_id = $pid)""",
                    {"pid": sel.params_id})


def pipeline(wh: Warehouse, sel: Selection, countries: tuple[str, ...] | None = None,
             min_cell: int = 10) -> pd.DataFrame:
    """Study country x first-job country: researchers and share of the study country's graduates
    (``countries``: only these study countries)."""
    t = transitions(_obs(wh, sel))
    out = t.groupby(["study_country", "work_country"], as_index=False).size().rename(columns={"size": "researchers"})
    total = out.groupby("study_country")["researchers"].transform("sum")
    out["share_of_study_country"] = out["researchers"] / total
    if countries:
        out = out[out["study_country"].isin(countries)]
    out = out.assign(_researchers_raw=out["researchers"])
    out = suppress(out, {"researchers": ["share_of_study_country"]}, min_cell)
    # a study country's graduates are published (stay rates): its blanked cells must not sum to 1..9
    out = protect_residual(out.reset_index(drop=True), "study_country", "researchers", ["share_of_study_country"],
                           min_cell)
    return out.sort_values(["study_country", "researchers"], ascending=[True, False]).reset_index(drop=True)


def stay_rates(wh: Warehouse, sel: Selection, countries: tuple[str, ...] | None = None, *,
               boot: BootstrapParams = BootstrapParams(), min_cell: int = 10) -> pd.DataFrame:
    """Per study country: graduates with a known first job, how many stayed, stay rate with interval,
    and the main destinations of those who left."""
    t = transitions(_obs(wh, sel))
    if countries:
        t = t[t["study_country"].isin(countries)]
    t = t.assign(graduates=1.0, stayed=(t["study_country"] == t["work_country"]).astype(float))
    out = bootstrap_cells(t, ["study_country"], ["graduates", "stayed"],
                          lambda s: {"stay_rate": ratio(s["stayed"], s["graduates"])}, boot)
    if out.empty:
        return out
    left = t[t["stayed"] == 0].groupby("study_country")["work_country"].agg(
        lambda s: ", ".join(f"{k} {v}" for k, v in s.value_counts().head(3).items() if v >= min_cell))
    out["main_destinations_of_leavers"] = out["study_country"].map(left).fillna("")
    rate_cols = [c for c in out.columns if c.startswith("stay_rate")]
    # stayed of 1..9, or leavers (graduates - stayed) of 1..9, are disclosive: blank both and the rate
    out = suppress(with_complement(out, "stayed", "graduates", "leavers"),
                   {"graduates": ["stayed", *rate_cols], "stayed": [*rate_cols], "leavers": ["stayed", *rate_cols]},
                   min_cell).drop(columns="leavers")
    out["main_destinations_of_leavers"] = out["main_destinations_of_leavers"].where(~out["suppressed"], "")
    return out.sort_values("graduates", ascending=False).reset_index(drop=True)
