"""Synthetic careers with known moves, written as generic CSV records with realistic noise.

Each researcher has a true residence (country, organization) every year of a career; moves
happen at a yearly hazard after at least ``min_stay`` years, some of them returns. The records
are what publication data would show, with noise scaled by ``noise`` (0 = clean):

- sparse publication years: papers per year ~ Poisson(``papers_per_year``), many years none;
- publication lag: a paper may show the affiliation of the previous year (after a move, the
  old one);
- co-affiliations abroad (traveler rows) and one-year visits (a year showing only a foreign
  organization);
- missing countries (the organization is still given) and mixed country spellings (ISO2,
  ISO3, English names);
- a ``stage`` column: "PhD student" in the first years of a career, then a position.

``truth.csv`` has one row per true move: person, origin, destination, year (first year of
residence at the destination), kind (migration/return) and ``identifiable``: whether the
records themselves could reveal it. A country that appears in a single year cannot be told
apart from a visit, and a year is only known within the interval between the last year seen
at the origin and the first year seen at the destination; so a move is identifiable when the
records show the origin in at least two distinct years of its spell, the destination in at
least two distinct years of its spell, and that interval is at most 2 * ``tolerance`` + 1
years wide, end years included (its middle is then within ``tolerance`` of the true year). See docs/inference.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

from talentflow.errors import ConfigError

COUNTRIES = {"USA": 0.28, "CHN": 0.2, "GBR": 0.07, "DEU": 0.07, "CAN": 0.05, "FRA": 0.05, "JPN": 0.05, "KOR": 0.04,
             "IND": 0.04, "CHE": 0.03, "AUS": 0.03, "ITA": 0.03, "NLD": 0.02, "SGP": 0.02, "ESP": 0.02}
ORG_STEMS = ("University", "Institute of Technology", "AI Lab", "Research Center")


@dataclass(frozen=True)
class SimParams:
    n_researchers: int = 5000
    seed: int = 1
    first_year: int = 2000
    last_year: int = 2024
    noise: float = 1.0
    move_hazard: float = 0.06
    return_share: float = 0.3
    min_stay: int = 2
    inst_move_hazard: float = 0.05
    papers_per_year: float = 1.3
    lag_prob: float = 0.3
    coaff_prob: float = 0.08
    visit_prob: float = 0.03
    missing_country_prob: float = 0.05
    tolerance: int = 1
    countries: dict = field(default_factory=lambda: dict(COUNTRIES))

    def __post_init__(self) -> None:
        if self.n_researchers < 1 or self.last_year - self.first_year < 5:
            raise ConfigError("simulate: need at least one researcher and a span of at least 5 years")
        if not 0 <= self.noise <= 5:
            raise ConfigError(f"simulate: noise={self.noise} must be in [0, 5]")


def _spellings(iso3: str) -> list[str]:
    c = pycountry.countries.get(alpha_3=iso3)
    names = {"USA": "United States", "GBR": "United Kingdom", "KOR": "South Korea", "CHN": "China"}
    return [iso3, c.alpha_2, names.get(iso3, c.name)]


def identifiable(a_years: list[int], b_years: list[int], tolerance: int) -> bool:
    """Could the records reveal a move, given the sorted distinct years the origin was seen in its
    spell (``a_years``) and the destination in its spell (``b_years``)? Each must be seen in two
    years (one year cannot be told from a visit), and [last year at a, first year at b], which
    holds the true year, must count at most 2 * tolerance + 1 years, end years included: its
    middle is then within ``tolerance`` of any of them."""
    return (len(a_years) >= 2 and len(b_years) >= 2
            and b_years[0] - a_years[-1] + 1 <= 2 * tolerance + 1)


def simulate(p: SimParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pure: (records person,year,org,country,stage; truth of moves)."""
    rng = np.random.default_rng(p.seed)
    codes = list(p.countries)
    probs = np.array([p.countries[c] for c in codes], dtype=float)
    probs /= probs.sum()
    spell = {c: _spellings(c) for c in codes}
    orgs = {c: [f"{c.title()} {stem} {k}" for stem in ORG_STEMS for k in (1, 2)] for c in codes}
    records: list[tuple] = []
    truth: list[tuple] = []
    z = p.noise
    for i in range(p.n_researchers):
        person = f"sim{p.seed}-{i:06d}"
        start = int(rng.integers(p.first_year - 10, p.last_year - 2))
        length = int(rng.integers(3, 26))
        years = list(range(max(start, p.first_year), min(start + length, p.last_year + 1)))
        if len(years) < 3:
            continue
        country = codes[rng.choice(len(codes), p=probs)]
        org = orgs[country][int(rng.integers(len(orgs[country])))]
        history: list[tuple[int, str, str]] = []
        lived = [country]
        since = years[0]
        phd_years = int(rng.integers(0, 5)) if start >= p.first_year else 0
        moves: list[tuple[int, str, str, str]] = []
        for y in years:
            if y - since >= p.min_stay and rng.random() < p.move_hazard:
                previous = [c for c in lived if c != country]
                if previous and rng.random() < p.return_share:
                    dest, kind = previous[-1], "return"
                else:
                    choices = [c for c in codes if c != country]
                    w = np.array([p.countries[c] for c in choices])
                    dest, kind = choices[rng.choice(len(choices), p=w / w.sum())], "migration"
                moves.append((y, country, dest, kind))
                country, since = dest, y
                org = orgs[country][int(rng.integers(len(orgs[country])))]
                lived.append(dest)
            elif y - since >= 1 and rng.random() < p.inst_move_hazard:
                org = orgs[country][int(rng.integers(len(orgs[country])))]
            history.append((y, country, org))
        res = {y: (c, o) for y, c, o in history}
        seen: list[tuple[int, str, bool]] = []  # (year, country shown, primary row with a country)
        for y, c, o in history:
            stage = "PhD student" if y - years[0] < phd_years else "Researcher"
            n_papers = int(rng.poisson(p.papers_per_year)) if z > 0 else 1
            visit = z > 0 and rng.random() < p.visit_prob * z
            if visit:
                vc = codes[rng.choice(len(codes), p=probs)]
                if vc != c:
                    for _ in range(max(n_papers, 1)):
                        records.append((person, y, orgs[vc][0], rng.choice(spell[vc]), stage))
                    continue
            for _ in range(n_papers):
                shown_c, shown_o = c, o
                if z > 0 and y - 1 in res and rng.random() < p.lag_prob * z:
                    shown_c, shown_o = res[y - 1]
                missing = z > 0 and rng.random() < p.missing_country_prob * z
                records.append((person, y, shown_o, "" if missing else rng.choice(spell[shown_c]), stage))
                if not missing:
                    seen.append((y, shown_c, True))
                if z > 0 and rng.random() < p.coaff_prob * z:
                    cc = codes[rng.choice(len(codes), p=probs)]
                    if cc != shown_c:
                        records.append((person, y, orgs[cc][1], rng.choice(spell[cc]), stage))
        bounds = [m[0] for m in moves] + [years[-1] + 1]
        for k, (y, a, b, kind) in enumerate(moves):
            prev_start = moves[k - 1][0] if k else years[0]
            nxt = bounds[k + 1]
            a_years = sorted({sy for sy, sc, _ in seen if prev_start <= sy <= y and sc == a})
            b_years = sorted({sy for sy, sc, _ in seen if y <= sy <= nxt and sc == b})
            truth.append((person, a, b, y, kind, identifiable(a_years, b_years, p.tolerance)))
    rec = pd.DataFrame(records, columns=["person", "year", "org", "country", "stage"])
    tru = pd.DataFrame(truth, columns=["person", "origin", "destination", "year", "kind", "identifiable"])
    return rec, tru


def write_simulation(out_dir: Path, p: SimParams) -> pd.DataFrame:
    """Write obs.csv and truth.csv into ``out_dir``; return a one-row summary."""
    rec, tru = simulate(p)
    out_dir.mkdir(parents=True, exist_ok=True)
    rec.to_csv(out_dir / "obs.csv", index=False)
    tru.to_csv(out_dir / "truth.csv", index=False)
    return pd.DataFrame([{"obs_csv": str(out_dir / "obs.csv"), "truth_csv": str(out_dir / "truth.csv"),
                          "researchers": rec["person"].nunique(), "records": len(rec), "true_moves": len(tru),
                          "identifiable_moves": int(tru["identifiable"].sum()), "seed": p.seed, "noise": p.noise}])
