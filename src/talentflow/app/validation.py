"""Validation beside published figures: each published figure next to talentflow's closest comparable.

The published figures (``published/published_figures.csv`` of the data mirror: Stanford AI
Index, MacroPolo, CSET, BCG, Element AI...) come from other data and other definitions
(LinkedIn members, NeurIPS authors' undergraduate countries, nationality). Each row here says
what talentflow computes instead, its value with a 95% interval where it has one, and why the
two differ. Nothing is fitted to them.

``RULES`` maps a published metric to a comparison; ``compare`` is the pure join of the table
with the values a :class:`Comparables` provides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError, InputError

PUBLISHED_COLUMNS = ("source", "metric", "definition", "entity", "year", "value", "unit", "basis", "note")
PUBLISHED_PATH = "published/published_figures.csv"

# Entity names of the published table that are not English short names of the countries table.
ENTITY_ISO3 = {
    "United States": "USA", "United Kingdom": "GBR", "South Korea": "KOR", "Korea": "KOR", "China": "CHN",
    "Russia": "RUS", "Turkey": "TUR", "Türkiye": "TUR", "Czech Republic": "CZE", "Czechia": "CZE",
    "Vietnam": "VNM", "Iran": "IRN", "Taiwan": "TWN", "Hong Kong": "HKG", "Netherlands": "NLD",
    "United Arab Emirates": "ARE", "Saudi Arabia": "SAU", "Egypt": "EGY",
}
# Published organizations -> talentflow organization groups (names as in the institutions table).
ORG_NAMES = {"Meta": "meta", "Google": "google", "Amazon": "amazon", "Microsoft": "microsoft",
             "OpenAI": "openai", "Anthropic": "anthropic", "xAI": "xai"}


def published_path(path: str | Path | None = None) -> Path:
    """The published figures file: ``path``, else ``$TALENTFLOW_MIRROR/published/published_figures.csv``."""
    if path is not None:
        p = Path(path)
    else:
        from talentflow.fetch import mirror_dir

        mirror = mirror_dir()
        if mirror is None:
            raise ConfigError("the validation needs published_figures.csv: set TALENTFLOW_MIRROR to the data mirror "
                              "(e.g. ../shared/data) or pass --published FILE")
        p = mirror / PUBLISHED_PATH
    if not p.is_file():
        raise ConfigError(f"no published figures file at {p}")
    return p


def read_published(path: str | Path | None = None) -> pd.DataFrame:
    p = published_path(path)
    try:
        frame = pd.read_csv(p, dtype={"year": str})
    except (OSError, ValueError) as exc:
        raise InputError(f"{p}: cannot read the published figures: {exc}") from None
    missing = [c for c in PUBLISHED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{p}: missing column(s) {missing}; expected {', '.join(PUBLISHED_COLUMNS)}")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame.attrs["path"] = str(p)
    return frame


@dataclass(frozen=True)
class Value:
    """A talentflow figure: value with 95% interval, its unit, what it measures, and the gap to explain."""

    value: float | None
    lo: float | None
    hi: float | None
    unit: str
    definition: str
    gap: str


Rule = Callable[["Comparables", pd.Series], Value | None]


class Comparables:
    """talentflow's figures that the published ones can be set beside, computed on demand."""

    def __init__(self, reader, filters):
        self.reader = reader
        self.f = filters
        self._yearly: pd.DataFrame | None = None

    # -- building blocks -------------------------------------------------------------------------------
    def iso3(self, entity: str) -> str | None:
        if entity in ENTITY_ISO3:
            return ENTITY_ISO3[entity]
        from talentflow.app.queries import _names

        by_name = {v.casefold(): k for k, v in _names(self.reader).items()}
        return by_name.get(str(entity).casefold())

    def years(self) -> tuple[int, int]:
        """First and last year with residence data in the filter's range."""
        from talentflow.app.queries import _selection

        sel = _selection(self.reader, self.f)
        row = self.reader.query(f"SELECT min(year) AS lo, max(year) AS hi FROM residence WHERE params_id = ? "
                                f"AND {sel.year_filter('year')}", [sel.params_id])
        if row.empty or pd.isna(row["lo"].iloc[0]):
            raise ConfigError(f"no researcher is resident in the selected years ({self.f.year_from}..{self.f.year_to})")
        return int(row["lo"].iloc[0]), int(row["hi"].iloc[0])

    def move_window(self, length: int = 5) -> tuple[int, int]:
        """The latest ``length`` years ending at the last year with at least min_cell moves (moves of
        the last years of a record are not yet confirmed, so those years show almost none)."""
        from talentflow.app.queries import _selection

        sel = _selection(self.reader, self.f)
        rows = self.reader.query(f"""
            SELECT year_to AS year, count(*) AS n FROM events
            WHERE params_id = ? AND kind = 'country' AND event_type IN ('migration', 'return')
                  AND {sel.year_filter('year_to')} GROUP BY ALL HAVING count(*) >= ? ORDER BY year""",
                                 [sel.params_id, self.f.min_cell])
        if rows.empty:
            lo, hi = self.years()
        else:
            lo, hi = int(rows["year"].min()), int(rows["year"].max())
        return max(lo, hi - length + 1), hi

    def year_near(self, year: int) -> int:
        lo, hi = self.years()
        return int(min(max(year, lo), hi))

    def resident(self) -> pd.DataFrame:
        """Per researcher and year of residence: residence country and origin (first observed country)."""
        if self._yearly is None:
            from talentflow.app.queries import _selection

            sel = _selection(self.reader, self.f)
            self._yearly = self.reader.query(f"""
                WITH first AS (
                    SELECT researcher_id, arg_min(coalesce(observed_country, country), year) AS origin
                    FROM residence WHERE params_id = $pid AND status = 'observed' GROUP BY researcher_id)
                SELECT r.researcher_id, r.year, r.country, f.origin
                FROM residence r JOIN first f USING (researcher_id)
                WHERE r.params_id = $pid AND {sel.researcher_filter('r.researcher_id')}
                ORDER BY r.researcher_id, r.year""", {"pid": sel.params_id})
        return self._yearly

    def share(self, base: pd.DataFrame, hit: pd.Series) -> tuple[float | None, float | None, float | None, int]:
        """Share (percent) of ``base`` researchers where ``hit``, with a bootstrap interval; suppressed
        (None) when the base or the hits number 1..min_cell-1."""
        from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio

        n, k = len(base), int(hit.sum())
        if n == 0 or (0 < n < self.f.min_cell) or (0 < k < self.f.min_cell):
            return None, None, None, n
        contrib = pd.DataFrame({"researcher_id": base["researcher_id"].to_numpy(), "cell": "all",
                                "n": 1.0, "k": hit.to_numpy(dtype=float)})
        out = bootstrap_cells(contrib, ["cell"], ["n", "k"], lambda s: {"p": ratio(s["k"], s["n"], 100.0)},
                              BootstrapParams(n_boot=self.f.n_boot)).iloc[0]
        return float(out["p"]), _num(out.get("p_lo")), _num(out.get("p_hi")), n


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def _year(row: pd.Series) -> int | None:
    try:
        return int(str(row["year"])[:4])
    except (TypeError, ValueError):
        return None


# -- rules ---------------------------------------------------------------------------------------------

def _net_rate(c: Comparables, row: pd.Series) -> Value | None:
    iso = c.iso3(row["entity"])
    if iso is None:
        return None
    from talentflow.app.queries import net_rates

    first, hi_y = c.move_window()
    rates = net_rates(c.reader, c.f.replace(year_from=first, year_to=hi_y, country=iso, region=None))
    gap = ("LinkedIn members with AI skills (all sectors, self-reported) vs authors of AI conference papers; "
           f"2024 vs talentflow's latest five years with confirmed moves ({first}-{hi_y}); per 10,000 members vs per 10,000 "
           "resident researchers (person-years)")
    definition = (f"net migration rate of AI-venue authors per 10,000 resident researchers, {first}-{hi_y} "
                  "(talentflow net_rate per 1,000 x 10)")
    if rates.empty:
        return Value(None, None, None, "per 10,000 researchers", definition, gap + "; no residents in the panel")
    r = rates.iloc[0]
    if r["status"] != "estimated" or pd.isna(r["net_rate"]):
        return Value(None, None, None, "per 10,000 researchers", definition, gap + f"; talentflow: {r['status']}")
    if float(r["population"]) < SMD_MIN_PERSON_YEARS:
        return Value(None, None, None, "per 10,000 researchers", definition,
                     gap + f"; talentflow: fewer than {SMD_MIN_PERSON_YEARS} person-years")
    return Value(10 * float(r["net_rate"]), _scale(r.get("net_rate_lo")), _scale(r.get("net_rate_hi")),
                 "per 10,000 researchers", definition, gap)


def _scale(x) -> float | None:
    v = _num(x)
    return None if v is None else 10 * v


def _outside_origin(c: Comparables, row: pd.Series) -> Value:
    y = c.year_near(_year(row) or c.years()[1])
    res = c.resident()
    base = res[res["year"] == y]
    v, lo, hi, _ = c.share(base, base["country"] != base["origin"])
    return Value(v, lo, hi, "percent",
                 f"share of researchers resident in {y} whose residence country differs from their first "
                 "observed country",
                 "the first observed country (first paper) stands in for the undergraduate or PhD country; "
                 "records start at the first paper, often after the degree, so talentflow understates "
                 "mobility before it; the panel is IEEE/ACL/OpenReview venues, not NeurIPS top-tier authors")


def _mobile(c: Comparables, row: pd.Series) -> Value | None:
    from talentflow.app.queries import headline

    h = headline(c.reader, c.f)
    hit = h[h["figure"] == "Researchers who moved abroad"]
    if hit.empty:
        return None
    r = hit.iloc[0]
    return Value(_num(r["value"]), _num(r["lo"]), _num(r["hi"]), "percent",
                 "share of researchers with at least one inferred country move (migration or return) in the "
                 "selected years",
                 "talentflow counts migrants only (travelers, who add a foreign affiliation, are not moves); "
                 "AI venues only; years differ (2008-2015 in the published study)")


def _resident_share(c: Comparables, row: pd.Series, column: str, what: str, note: str) -> Value | None:
    """Share of the researchers resident in the figure's year whose ``column`` is the figure's country."""
    iso = c.iso3(row["entity"])
    if iso is None:
        return None
    y = c.year_near(_year(row) or c.years()[1])
    res = c.resident()
    base = res[res["year"] == y]
    v, lo, hi, _ = c.share(base, base[column] == iso)
    return Value(v, lo, hi, "percent", f"share of researchers resident in {y} whose {what} is {iso}", note)


def _working_in(c: Comparables, row: pd.Series) -> Value | None:
    return _resident_share(c, row, "country", "residence country",
                           "talentflow places people by affiliation country, not by the institution's headquarters; "
                           "its venues (robotics, NLP, OpenReview venues) differ from NeurIPS")


def _by_origin(c: Comparables, row: pd.Series) -> Value | None:
    return _resident_share(c, row, "origin", "first observed country",
                           "first observed (affiliation) country instead of undergraduate country: people who studied "
                           "abroad before their first paper count for the country of that paper")


def _origin_to(dest: str) -> Rule:
    def rule(c: Comparables, row: pd.Series) -> Value | None:
        iso = c.iso3(row["entity"])
        if iso is None:
            return None
        y = c.year_near(_year(row) or c.years()[1])
        res = c.resident()
        base = res[(res["year"] == y) & (res["origin"] == iso)]
        v, lo, hi, _ = c.share(base, base["country"] == dest)
        return Value(v, lo, hi, "percent",
                     f"share of researchers first observed in {iso} who reside in {dest} in {y}",
                     "first observed country instead of undergraduate country: Chinese undergraduates whose "
                     "first paper is already from a US lab count as US-origin here, so the share is lower")
    return rule


def _stay(leaving: bool) -> Rule:
    def rule(c: Comparables, row: pd.Series) -> Value | None:
        iso = c.iso3(row["entity"])
        if iso is None:
            return None
        from talentflow.app.queries import stay_rates

        s = stay_rates(c.reader, c.f.replace(country=iso))
        definition = (f"share of researchers who studied in {iso} (stage recorded as student) and "
                      + ("took their first job abroad" if leaving else "whose first job is there"))
        gap = ("stages are known only for OpenReview venues (few graduates); all graduates, not only "
               "international students; first job only")
        if s.empty or pd.isna(s["stay_rate"].iloc[0]):
            return Value(None, None, None, "percent", definition,
                         gap + "; too few graduates with a known first job (suppressed or none)")
        r = s.iloc[0]
        v, lo, hi = 100 * float(r["stay_rate"]), _num(r.get("stay_rate_lo")), _num(r.get("stay_rate_hi"))
        lo, hi = (None if lo is None else 100 * lo), (None if hi is None else 100 * hi)
        if leaving:
            v, lo, hi = 100 - v, (None if hi is None else 100 - hi), (None if lo is None else 100 - lo)
        return Value(v, lo, hi, "percent", definition, gap)
    return rule


def _org_foreign(c: Comparables, row: pd.Series) -> Value | None:
    from talentflow.app.queries import foreign_share

    key = ORG_NAMES.get(str(row["entity"]))
    if key is None:
        return None
    table = foreign_share(c.reader, c.f.replace(org=None, country=None), top=200)
    hit = table[table["organization"].astype(str).str.casefold() == key] if not table.empty else table
    if not hit.empty and (hit["country"] == "USA").any():
        hit = hit[hit["country"] == "USA"]  # the published figure is a firm's US workforce
    definition = ("share of the organization's US unit's researchers (observed at it in the US) whose first "
                  "observed country is not the US")
    gap = ("foreign origin (first affiliation country) vs foreign nationality; AI-venue authors vs the whole "
           "AI workforce; the group folds subsidiaries (DeepMind into Google)")
    if hit.empty or pd.isna(hit["foreign_share"].iloc[0]):
        return Value(None, None, None, "percent", definition, gap + "; not among talentflow's organizations "
                     "with enough researchers in this panel")
    r = hit.iloc[0]
    pct = [None if _num(r.get(k)) is None else 100 * float(r.get(k))
           for k in ("foreign_share", "foreign_share_lo", "foreign_share_hi")]
    return Value(pct[0], pct[1], pct[2], "percent", definition, gap)


def _net_influx(c: Comparables, row: pd.Series) -> Value | None:
    iso = c.iso3(row["entity"])
    if iso is None:
        return None
    from talentflow.app.queries import net_rates

    first, hi_y = c.move_window(3)
    r = net_rates(c.reader, c.f.replace(year_from=first, year_to=hi_y, country=iso, region=None))
    definition = f"net inflow (moves in - moves out) of AI-venue authors into {iso}, {first}-{hi_y}"
    gap = "talentflow sees only authors of the mirrored venues (a small sample of the workforce): compare signs, not sizes"
    if r.empty or pd.isna(r["net"].iloc[0]):
        return Value(None, None, None, "people", definition, gap + "; suppressed")
    x = r.iloc[0]
    return Value(float(x["net"]), _num(x.get("net_lo")), _num(x.get("net_hi")), "people", definition, gap)


def _workforce(c: Comparables, row: pd.Series) -> Value | None:
    iso = c.iso3(row["entity"])
    if iso is None:
        return None
    y = c.years()[1]
    res = c.resident()
    n = int(((res["year"] == y) & (res["country"] == iso)).sum())
    return Value(float(n) if n >= c.f.min_cell or n == 0 else None, None, None, "people",
                 f"researchers resident in {iso} in {y} in talentflow's panel",
                 "the panel counts authors of the mirrored venues, not the AI workforce: a coverage check only")


RULES: dict[str, Rule] = {
    "net_ai_talent_migration_per_10k": _net_rate,
    "share_working_outside_undergrad_country": _outside_origin,
    "share_working_outside_phd_country": _outside_origin,
    "share_mobile_authors": _mobile,
    "share_top_tier_working_in_country": _working_in,
    "share_top_tier_by_undergrad_origin": _by_origin,
    "share_china_undergrads_going_to_us": _origin_to("USA"),
    "stay_rate_us_trained_ai_phds": _stay(leaving=False),
    "share_ai_grads_leaving": _stay(leaving=True),
    "foreign_national_share_of_ai_staff": _org_foreign,
    "net_ai_talent_influx": _net_influx,
    "ai_workforce": _workforce,
}

NOT_COMPARABLE = {
    "share_elite_by_undergrad_origin": "oral-presentation authors: talentflow does not weight authors by "
                                       "presentation type",
    "share_us_institutions_us_or_china_origin": "needs the undergraduate country of each researcher at US "
                                                "institutions; talentflow reports origin shares by organization "
                                                "group instead (Organizations section)",
    "share_ai_positions_held_by_foreign_talent": "positions at US tech corporations by nationality: no "
                                                 "nationality in the data",
    "chinese_researchers_in_team": "a team of 44 named people: person-level, outside what talentflow publishes",
    "foreign_share_cs_math_phds": "PhD holders by nationality (survey data): no nationality in the data",
}


def compare(published: pd.DataFrame, comparables: Comparables) -> pd.DataFrame:
    """One row per published figure: the published value and talentflow's comparable (or why none)."""
    rows = []
    for _, row in published.iterrows():
        metric = str(row["metric"])
        out = {"source": row["source"], "metric": metric, "entity": row["entity"], "year": row["year"],
               "published_value": _num(row["value"]), "published_unit": row["unit"], "basis": row["basis"],
               "published_definition": row["definition"]}
        rule = RULES.get(metric)
        value = None
        if rule is not None:
            try:
                value = rule(comparables, row)
            except ConfigError as exc:  # e.g. an organization absent from this panel
                value = Value(None, None, None, "", "", f"not computed: {exc}")
        if value is None:
            reason = NOT_COMPARABLE.get(metric, "no comparable figure in talentflow"
                                        if rule is None else f"entity {row['entity']!r} not matched")
            out.update({"talentflow_value": None, "talentflow_lo": None, "talentflow_hi": None,
                        "talentflow_unit": "", "talentflow_definition": "", "why_they_differ": reason,
                        "comparable": False})
        else:
            out.update({"talentflow_value": value.value, "talentflow_lo": value.lo, "talentflow_hi": value.hi,
                        "talentflow_unit": value.unit, "talentflow_definition": value.definition,
                        "why_they_differ": value.gap, "comparable": True})
        rows.append(out)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    for col in ("published_value", "talentflow_value", "talentflow_lo", "talentflow_hi"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    signed = frame["metric"].isin(SIGNED_METRICS)
    frame["direction"] = [direction(p, v, lo, hi) if sg else None for p, v, lo, hi, sg in zip(
        frame["published_value"], frame["talentflow_value"], frame["talentflow_lo"], frame["talentflow_hi"], signed)]
    frame["same_sign"] = frame["direction"].map({AGREE: True, DISAGREE: False}).astype(object) \
        .where(frame["direction"].isin([AGREE, DISAGREE]), None)
    frame.attrs["path"] = published.attrs.get("path", "")
    return frame


# Measures that can be negative: only for these is a direction (sign) compared.
SIGNED_METRICS = frozenset({"net_ai_talent_migration_per_10k", "net_ai_talent_influx"})
AGREE, DISAGREE, UNSETTLED, NO_EVIDENCE = "agree", "disagree", "not settled", "no evidence"


def direction(published, value, lo, hi) -> str:
    """Whether talentflow's figure has the published figure's sign: ``agree`` / ``disagree`` only
    when talentflow's interval excludes zero; ``not settled`` when it includes zero (or the published
    figure is zero); ``no evidence`` when talentflow has no figure."""
    v, a, b, p = _num(value), _num(lo), _num(hi), _num(published)
    if v is None or p is None:
        return NO_EVIDENCE
    if a is None or b is None or a <= 0 <= b or p == 0:
        return UNSETTLED
    return AGREE if np.sign(v) == np.sign(p) else DISAGREE


def agreement(frame: pd.DataFrame, value: str, published: str) -> dict:
    """Summary of a direction comparison over the rows with evidence: n, agree, disagree, not settled,
    and Spearman's rank correlation of the two figures (None below 3 rows or without variation)."""
    ev = frame[frame["direction"] != NO_EVIDENCE]
    counts = ev["direction"].value_counts()
    rho = None
    if len(ev) >= 3:
        r = ev[published].rank().corr(ev[value].rank())
        rho = None if pd.isna(r) else float(r)
    return {"n": int(len(ev)), "agree": int(counts.get(AGREE, 0)), "disagree": int(counts.get(DISAGREE, 0)),
            "not_settled": int(counts.get(UNSETTLED, 0)), "spearman": rho,
            "no_evidence": int((frame["direction"] == NO_EVIDENCE).sum())}


SMD_MIN_PERSON_YEARS = 100


def smd_direction(reader, f, which: str = "scopus") -> pd.DataFrame:
    """Net migration direction by country: talentflow (over the years both cover) beside the
    Scholarly Migration Database's Scopus net migration rate (all fields of science).

    talentflow's rows need evidence: at least one move, SMD_MIN_PERSON_YEARS person-years, and no
    suppressed count; a direction agrees only when talentflow's 95% interval excludes zero."""
    from talentflow.app.queries import net_rates
    from talentflow.validation.scholarly_migration import load_smd

    smd = load_smd(which).dropna(subset=["iso3code"])
    smd_years = smd["year"].astype(int)
    lo = max(int(smd_years.min()), f.year_from if f.year_from is not None else -10**6)
    hi = min(int(smd_years.max()), f.year_to if f.year_to is not None else 10**6)
    if lo > hi:
        raise ConfigError(f"the selected years do not overlap the SMD's ({smd_years.min()}-{smd_years.max()})")
    s = smd[smd_years.between(lo, hi)].groupby("iso3code", as_index=False).agg(
        smd_net=("netmigration", "sum"), smd_pop=("padded_population_of_researchers", "sum"))
    s["smd_net_rate"] = 1000 * s["smd_net"] / s["smd_pop"]
    ours = net_rates(reader, f.replace(year_from=lo, year_to=hi, country=None, region=None))
    m = ours.merge(s.rename(columns={"iso3code": "country"}), on="country", how="inner")
    evidence = (m["status"] == "estimated") & (m["population"] >= SMD_MIN_PERSON_YEARS)
    m["direction"] = [direction(p, v, a, b) if ok else NO_EVIDENCE for p, v, a, b, ok in zip(
        m["smd_net_rate"], m["net_rate"], m["net_rate_lo"], m["net_rate_hi"], evidence)]
    m["years"] = f"{lo}-{hi}"
    order = m["direction"].map({AGREE: 0, DISAGREE: 1, UNSETTLED: 2, NO_EVIDENCE: 3})
    cols = ["country", "name", "years", "population", "inflows", "outflows", "net_rate", "net_rate_lo",
            "net_rate_hi", "smd_net_rate", "direction"]
    return m.assign(_o=order).sort_values(["_o", "population"], ascending=[True, False])[cols].reset_index(drop=True)

