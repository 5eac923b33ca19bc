"""The self-contained HTML report: one file, every chart and table, working offline.

``write_report(db, path, params)`` reads the warehouse read only through
:mod:`talentflow.app.queries`, builds each section (figures as Plotly specifications, tables
formatted for people), and renders ``templates/report.html.j2`` with plotly.js and the world
outlines inlined: no CDN, no remote font. A section whose data has not been computed says so
and names the command that produces it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from talentflow import __version__
from talentflow.app import queries as q
from talentflow.errors import ConfigError, InputError, TalentflowError
from talentflow.metrics.suppression import small
from talentflow.report import figures as fg
from talentflow.assets import plotly_js, world_topojson
from talentflow.report.tables import Col, TableView, view


@dataclass(frozen=True)
class ReportParams:
    """min_cell: counts of 1..min_cell-1 researchers are blanked (10 by default; 1 = none, local use);
    n_boot: bootstrap replicates of the intervals; year_from / year_to: years shown (inclusive);
    panel: researcher panel (all, ieee, acl, openreview...); top: rows of rankings and tables;
    published: the published figures file (default: the data mirror's)."""

    min_cell: int = 10
    n_boot: int = 500
    year_from: int | None = None
    year_to: int | None = None
    panel: q.Panel = "all"
    top: int = 20
    published: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.top <= 200:
            raise ConfigError(f"top={self.top}: expected 1..200")
        self.filters()  # validates the rest

    def filters(self, **changes) -> q.Filters:
        return q.Filters(year_from=self.year_from, year_to=self.year_to, panel=self.panel, min_cell=self.min_cell,
                         n_boot=self.n_boot).replace(**changes)


@dataclass
class Figure:
    id: str
    spec: dict
    caption: str = ""


@dataclass
class Section:
    id: str
    title: str
    lede: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str | None = None  # the command that produces the data
    missing_what: str | None = None
    error: str | None = None
    headline: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    bytes: int
    sections: int
    figures: int
    missing: tuple[str, ...]
    seconds: float


# -- sections ------------------------------------------------------------------------------------------

def _headline(r: q.Reader, p: ReportParams) -> Section:
    s = Section("headline", "Headline figures",
                "The size of the panel and how much it moves, with 95% bootstrap intervals over researchers.")
    h = q.headline(r, p.filters())
    for _, row in h.iterrows():
        digits = 0 if row["unit"] in ("researchers", "moves") else (2 if abs(row["value"] or 0) < 1 else 1)
        s.headline.append({"figure": row["figure"], "value": fg.fmt(row["value"], digits), "unit": row["unit"],
                           "interval": fg.interval(row["lo"], row["hi"], digits), "definition": row["definition"]})
    s.notes.extend(panel_notes(q.panel_summary(r, p.filters()), q.panel_table(r, p.filters()), p.min_cell))
    scores = q.gold_scores(r)
    g = scores[scores["gold"] == "careers"].set_index("measure")
    if {"move_recall", "move_precision"} <= set(g.index):
        rec, prec = g.loc["move_recall"], g.loc["move_precision"]
        s.notes.append(f"How true the moves are, measured on hand-labelled real careers (test split): talentflow "
                       f"finds {rec['value']:.0%} of real moves (recall, 95% interval {rec['lo']:.0%} to "
                       f"{rec['hi']:.0%}) and {prec['value']:.0%} of the moves it counts are real (precision, "
                       f"{prec['lo']:.0%} to {prec['hi']:.0%}). Counts of moves are therefore far below the true "
                       "numbers; read directions and comparisons, not sizes (Methods).")
    return s


NAMESPACE_LABELS = {"ieee": "IEEE author ids", "acl": "ACL Anthology ids", "openreview": "OpenReview ids",
                    "name": "name-only keys", "csv": "CSV person keys", "openalex": "OpenAlex author ids"}


def _years(lo, hi) -> str:
    return f"{int(lo)}" if int(lo) == int(hi) else f"{int(lo)}–{int(hi)}"


def panel_notes(ps: dict, published: pd.DataFrame, min_cell: int) -> list[str]:
    """What the migration figures rest on, in words: which identities and venues enter careers, where
    the moves come from (``published``: the suppressed panel table), how many researchers are seen in
    one year only."""
    ids, panel, venues = ps["identities"], ps["panel"], ps["venues"]
    total = int(ids["n"].sum())
    in_panel = int(panel["researchers"].sum())
    notes = []
    if total:
        rule = {"stable_id": "researchers with stable ids (IEEE, ACL Anthology, OpenReview)",
                "all": "every researcher key, name-only ones included"}.get(ps["identity_rule"], ps["identity_rule"])
        by_ns = "; ".join(f"{fg.fmt(n, 0)} {NAMESPACE_LABELS.get(ns, ns)}" for ns, n in zip(ids["namespace"], ids["n"]))
        notes.append(f"Who is counted: the warehouse holds {fg.fmt(total, 0)} researcher identities ({by_ns}). "
                     f"Careers are inferred for {rule} (identity rule {ps['identity_rule']}) with at least one located "
                     f"affiliation: {fg.fmt(in_panel, 0)} researchers, the figure above. The other "
                     f"{fg.fmt(total - in_panel, 0)} identities do not enter the migration figures; name-only venues "
                     "(NeurIPS 1987–2018, ICML, CVPR, ICCV, ECCV, KDD, UAI, COLT, RSS, SIGGRAPH...) therefore "
                     "contribute no moves.")
    parts = []
    for ns, g in venues[venues["namespace"].isin(panel["namespace"])].groupby("namespace", sort=False):
        vs = ", ".join(f"{v.upper()} {_years(a, b)}" for v, a, b in zip(g["venue"], g["first_year"], g["last_year"]))
        parts.append(f"{NAMESPACE_LABELS.get(ns, ns)}: {vs}")
    if parts:
        notes.append("Venues behind the panel — " + "; ".join(parts) + ".")
    moves = int(panel["moves"].sum())
    if moves and not small(moves, min_cell):
        shares = []
        for ns, m, sh in zip(published["namespace"], published["moves"], published["share_of_moves"]):
            if pd.isna(m):
                shares.append(f"{NAMESPACE_LABELS.get(ns, ns)}: suppressed (small, or it would reveal a small one)")
            elif m:
                shares.append(f"{NAMESPACE_LABELS.get(ns, ns)} {sh:.0%} ({fg.fmt(int(m), 0)})")
        notes.append(f"Where the {fg.fmt(moves, 0)} moves come from: " + "; ".join(shares) + ". IEEE ids are the "
                     "authors of ICRA and IROS (robotics), so the migration figures describe robotics above all.")
    one = int(panel["one_year"].sum())
    if in_panel and not small(one, min_cell):
        notes.append(f"{one / in_panel:.0%} of these researchers ({fg.fmt(one, 0)}) are seen in a single year and "
                     "cannot be seen to move: they stay in every rate's denominator (the SMD's padded population), "
                     "which is why rates are low.")
    return notes


RATE_COLS = [
    Col("rank", "#", kind="int"),
    Col("name", "Country"),
    Col("region", "World Bank region"),
    Col("population", "Person-years", "Researchers resident in the country, summed over the years (padded residence).", "int"),
    Col("inflows", "In", "Moves into the country (migration and return events).", "int"),
    Col("outflows", "Out", "Moves out of the country.", "int"),
    Col("net_rate", "Net rate", "(in - out) per 1,000 person-years of resident researchers.", "num"),
    Col("net_rate", "95% interval", "Bootstrap percentile interval over researchers.", "ci"),
    Col("mei", "MEI", "Migration effectiveness: 100 x net / (in + out).", "num"),
]


def left_out(rates: pd.DataFrame, min_cell: int) -> list[str]:
    """Notes naming the countries a rate table leaves out, and why (never shown as zeros)."""
    from talentflow.metrics import rates as rt

    notes = []
    sup = rates[rates["status"] == rt.SUPPRESSED].sort_values("population", ascending=False)
    if len(sup):
        names = ", ".join(sup["name"].astype(str).head(15)) + (", …" if len(sup) > 15 else ".")
        notes.append(f"Left out, {len(sup)} countries with 1 to {min_cell - 1} moves in or out (suppressed, "
                     f"largest first): {names}")
    none = rates[rates["status"].isin([rt.NO_MOVES, rt.CENSORED])].sort_values("population", ascending=False)
    if len(none):
        names = ", ".join(f"{n} ({fg.fmt(v, 0)})" for n, v in zip(none["name"].head(10), none["population"].head(10)))
        notes.append(f"Left out, {len(none)} countries where no move in or out was observed: no evidence, not a "
                     f"rate of zero (person-years in brackets): {names}" + (", …" if len(none) > 10 else "."))
    cens = rates[rates.get("unconfirmed_years", pd.Series(0, index=rates.index)).fillna(0) > 0] \
        if "unconfirmed_years" in rates.columns else rates.iloc[0:0]
    if len(cens):
        notes.append("The last year(s) of the selection cannot show a move yet: a move counts once the researcher "
                     "is seen in the destination for the run's min_spell_years, so the rates undercount moves at the "
                     "end of the record (censored).")
    return notes


def _map(r: q.Reader, p: ReportParams) -> Section:
    s = Section("map", "Where researchers go: net migration by country",
                "Net migration rate per 1,000 resident researchers over the selected years. Blue: more "
                "researchers arrive than leave; orange: more leave. Countries with small counts (suppressed) or "
                "with no observed move (no evidence) are blank.")
    rates = q.net_rates(r, p.filters())
    shown = rates[rates["status"] == "estimated"]
    if shown["net_rate"].notna().sum() == 0:
        s.notes.append("No country reaches the suppression threshold in this selection.")
        return s
    s.figures.append(Figure("fig-map", fg.world_map(shown), "Hover a country for its rate, interval and counts."))
    ranked = shown.copy()
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    s.tables.append(view(ranked, RATE_COLS, "Net migration by country (largest gain first)", limit=p.top,
                         csv_name="net_migration_by_country.csv", stamp=_stamp(r, "inference")))
    s.notes.extend(left_out(rates, p.min_cell))
    return s


def _ranking(r: q.Reader, p: ReportParams) -> Section:
    s = Section("ranking", "Net-flow ranking with intervals",
                f"The {p.top // 2} largest net gains and losses among countries with at least 100 person-years and "
                "at least one observed move; bars are 95% intervals. An interval that crosses zero means the "
                "direction is not settled.")
    rates = q.net_rates(r, p.filters())
    shown = rates[(rates["population"] >= 100) & (rates["status"] == "estimated") & rates["net_rate"].notna()]
    if shown.empty:
        s.notes.append("No country with at least 100 person-years has an estimated net rate in this selection.")
        return s
    s.figures.append(Figure("fig-ranking", fg.ranking(shown, "Net migration rate per 1,000 researchers", n=p.top // 2)))
    settled = shown[(shown["net_rate_lo"] > 0) | (shown["net_rate_hi"] < 0)]
    s.notes.append(f"{len(shown)} countries ranked; the direction is settled (interval excludes zero) for "
                   f"{len(settled)} of them" + (": " + ", ".join(settled["name"].astype(str)) if len(settled) else "")
                   + ".")
    return s


FLOW_COLS = [Col("origin_name", "From"), Col("destination_name", "To"),
             Col("count", "Moves", "Country moves over the selected years (first year at the destination).", "int"),
             Col("reverse_count", "Reverse", "Moves the other way: 0 = none; blank = 1 to min_cell-1 (suppressed).",
                 "int"),
             Col("net", "Net", "Moves minus reverse moves; blank where the reverse flow is suppressed (the net "
                 "would reveal it).", "int")]


def _flows(r: q.Reader, p: ReportParams) -> Section:
    s = Section("flows", "Flows between countries",
                "The largest origin → destination flows of researchers (migration and return moves). "
                f"Flows of fewer than {p.min_cell} moves are left out.")
    fl = q.flows(r, p.filters(), period=0)
    if fl.empty:
        s.notes.append(f"No country flow reaches {p.min_cell} moves in this selection.")
    else:
        s.figures.append(Figure("fig-sankey", fg.sankey(fl, "Largest country flows", origin_label="origin_name",
                                                        destination_label="destination_name", n=30)))
    pairs = q.top_pairs(r, p.filters(), n=p.top)
    s.tables.append(view(pairs, FLOW_COLS, "Top origin → destination pairs", limit=p.top, csv_name="top_pairs.csv",
                         stamp=_stamp(r, "inference")))
    rf = q.flows(r, p.filters(level="region"), period=0)
    if not rf.empty:
        s.figures.append(Figure("fig-sankey-region", fg.sankey(rf, "Flows between world regions", n=40)))
    s.notes.append(q.reconciliation_text(q.flow_reconciliation(r, p.filters()), p.min_cell))
    return s


def _orgs(r: q.Reader, p: ReportParams) -> Section:
    s = Section("orgs", "Organizations: flows and foreign-origin shares",
                "Moves between organizations (subsidiaries folded into their group: DeepMind into Google) and "
                "the share of the researchers of each large organization unit (an organization in one country: "
                "Microsoft in the US, Microsoft in China) whose first observed country differs from the unit's country.")
    of = q.flows(r, p.filters(level="org"), period=0)
    if of.empty:
        s.notes.append(f"No organization flow reaches {p.min_cell} moves in this selection.")
    else:
        s.figures.append(Figure("fig-org-sankey", fg.sankey(of, "Largest organization → organization flows", n=25)))
        s.tables.append(view(of, [Col("origin", "From"), Col("destination", "To"),
                                  Col("count", "Moves", "Institution moves between the groups.", "int")],
                             "Organization → organization flows", limit=p.top, csv_name="org_flows.csv",
                             stamp=_stamp(r, "inference")))
    s.notes.append(q.reconciliation_text(q.flow_reconciliation(r, p.filters()), p.min_cell))
    fs = q.foreign_share(r, p.filters(), top=p.top)
    if not fs.empty:
        fs = fs.assign(unit=fs["organization"].astype(str) + " · " + fs["country"].astype(str))
        s.figures.append(Figure("fig-foreign", fg.bars(fs, "foreign_share", "unit",
                                                       "Foreign-origin share of researchers", "%", "foreign_share_lo",
                                                       "foreign_share_hi", scale=100, digits=1,
                                                       xtitle="share of researchers with a foreign first country (%), 95% interval")))
        s.tables.append(view(fs, [Col("organization", "Organization"), Col("country", "Country", "The unit's country: where its researchers are observed."),
                                  Col("researchers", "Researchers", "Distinct researchers observed there.", "int"),
                                  Col("foreign", "Foreign-origin", "Researchers whose first observed country differs "
                                      "from the unit's country (blank: 1 to min_cell-1, or a complement that small).", "int"),
                                  Col("foreign_share", "Share", "Foreign-origin researchers / researchers.", "pct", 1),
                                  Col("foreign_share", "95% interval", "Bootstrap over researchers.", "pctci", 1),
                                  Col("top_foreign_origins", "Main foreign origins")],
                             "Foreign-origin shares", limit=p.top, csv_name="foreign_shares.csv",
                             stamp=_stamp(r, "inference")))
        s.notes.append("A unit is an organization in one country, placed by where its researchers' affiliations "
                       "are (lab sites and branch campuses, docs/places.md): Microsoft Research Asia staff form "
                       "Microsoft's unit in China, not foreign-origin staff of a US-seated group.")
    return s


def _pipeline(r: q.Reader, p: ReportParams) -> Section:
    s = Section("pipeline", "Study → work pipeline",
                "Where researchers seen as students take their first job. Stages are recorded only in "
                "OpenReview-based venues, so counts are small; the figures are indicative.")
    pl = q.pipeline(r, p.filters())
    if pl.empty:
        s.notes.append(f"Nothing to publish in this selection: every study → work cell has fewer than {p.min_cell} "
                       "researchers, or would let a reader recompute one that small from the graduates published "
                       "beside it (the complement rule of the Methods section). Local analysis: "
                       "`talentflow pipeline --min-cell 1`.")
        return s
    s.figures.append(Figure("fig-pipeline", fg.sankey(pl, "Study country → first-job country", "study_country",
                                                      "work_country", "researchers", "study_name", "work_name",
                                                      n=30, unit="researchers")))
    st = q.stay_rates(r, p.filters())
    if not st.empty:
        s.tables.append(view(st, [Col("name", "Study country"),
                                  Col("graduates", "Graduates", "Students later seen working.", "int"),
                                  Col("stayed", "Stayed", "First job in the study country (blank: it or the "
                                      "leavers number 1 to min_cell-1).", "int"),
                                  Col("stay_rate", "Stay rate", "First job in the study country.", "pct", 1),
                                  Col("stay_rate", "95% interval", "", "pctci", 1),
                                  Col("main_destinations_of_leavers", "Main destinations of leavers")],
                             "Stay rates", limit=p.top, csv_name="stay_rates.csv", stamp=_stamp(r, "inference")))
    return s


def _specialization(r: q.Reader, p: ReportParams) -> Section:
    s = Section("specialization", "Specialization: what each country does more of",
                "Revealed comparative advantage (RCA) of countries in AI subfields: a country's share of its "
                "output in a field over the world's share. RCA > 1 (blue) means specialized. Cells behind "
                f"fewer than {p.min_cell} researchers are blank.")
    f = p.filters()
    m = q.specialization_matrix(r, f, top=25)
    s.figures.append(Figure("fig-heatmap", fg.heatmap(m, "RCA by country and subfield (largest producers)")))
    cells = q.specialization(r, f)
    level = float(cells["interval_level"].iloc[0]) if len(cells) else 0.9
    big = cells.groupby("region_name")["region_total"].max().sort_values(ascending=False).dropna().head(3).index
    for i, name in enumerate(big):
        prof = cells[(cells["region_name"] == name) & ~cells["small_base"].fillna(True).astype(bool)]
        s.figures.append(Figure(f"fig-profile-{i}", fg.profile(prof, f"Profile: {name}", level)))
    n_small = int(cells["small_base"].fillna(False).astype(bool).sum())
    s.notes.append(f"Intervals are {level:.0%} bootstrap intervals (works resampled). Profiles and rankings leave "
                   f"out the {n_small} cells with fewer than the run's min_rank_count papers (flagged small_base in "
                   "the data): a large RCA on a handful of papers is noise, not a specialization.")
    try:
        dom = q.specialization_matrix(r, f.replace(field_kind="domain"), top=25)
        if not dom.empty:
            s.figures.append(Figure("fig-heatmap-domain", fg.heatmap(dom, "RCA by country and application domain")))
    except q.MissingData as exc:
        s.notes.append(f"Application domains: not computed yet; run `{exc.command}`.")
    return s


def _scenarios(r: q.Reader, p: ReportParams) -> Section:
    s = Section("scenarios", "Scenarios", "Projections of the gravity model under policy levers (medians with "
                "bands over parameter draws): the counterfactual (solid) against the baseline (dotted).")
    sc = q.scenarios(r, q.Filters(min_cell=p.min_cell))
    bases = q.scenario_bases(r)
    for i, (name, g) in enumerate(sc.groupby("scenario", sort=True)):
        base = bases.get(str(g["params_id"].iloc[0]), "")
        if base:
            s.notes.append(f"{name}: {base}")
        for var in ("stock", "net_migration"):
            if (g["variable"] == var).any():
                s.figures.append(Figure(f"fig-scenario-{i}-{var}-diff", fg.scenario_difference(
                    g, f"{name}: effect on {var.replace('_', ' ')} (scenario - baseline)", var)))
        if (g["variable"] == "net_migration").any():
            s.figures.append(Figure(f"fig-scenario-{i}-levels", fg.scenario_lines(
                g, f"{name}: net migration, baseline and scenario", "net_migration")))
        diff = g[g["year"] == g["year"].max()].rename(columns={"difference_low": "difference_lo",
                                                               "difference_high": "difference_hi"})
        s.tables.append(view(diff, [Col("name", "Country"), Col("variable", "Variable"), Col("year", "Year"),
                                    Col("baseline", "Baseline", "Median over draws, researchers.", "num", 0),
                                    Col("counterfactual", "Scenario", "Median with the levers.", "num", 0),
                                    Col("difference", "Difference", "Scenario - baseline (same draw).", "num", 0),
                                    Col("difference", "Band", "", "ci", 0)],
                             f"{name}: last projected year", limit=40, csv_name=f"scenario_{i}.csv",
                             stamp={"params_id": str(g["params_id"].iloc[0])}))
    return s


def _collab(r: q.Reader, p: ReportParams) -> Section:
    s = Section("collab", "Collaboration network",
                "Countries linked by co-authored papers in the latest period stored by `talentflow collab "
                "--save` (one period over all years unless it was run with --period; node size: papers; colour: "
                "community; line width: co-authored papers).")
    units = q.collab_units(r, q.Filters(min_cell=p.min_cell))
    pairs = q.collab_pairs(r, q.Filters(min_cell=p.min_cell))
    latest = units["period"].iloc[0]
    u, pr = units[units["period"] == latest], pairs[pairs["period"] == latest]
    s.figures.append(Figure("fig-network", fg.network(u, pr, f"Co-authorship network, {latest}")))
    s.tables.append(view(u, [Col("unit_name", "Unit"), Col("papers_full", "Papers", "Full counting.", "int"),
                             Col("external_share", "With foreign co-authors", "", "pct", 0),
                             Col("degree", "Partners", "Distinct partner units.", "int"),
                             Col("eigenvector", "Centrality", "Weighted eigenvector centrality (max 1).", "num", 2),
                             Col("community", "Community", "", "int")],
                         f"Units, {latest}", limit=p.top, csv_name="collab_units.csv"))
    try:
        circ = q.circulation(r, q.Filters(min_cell=p.min_cell)).rename(columns={"ci_low": "estimate_lo",
                                                                               "ci_high": "estimate_hi"})
        order = {"overall": 0, "return": 1, "origin": 2, "destination": 3}
        circ = circ.sort_values(["scope", "key"], key=lambda c: c.map(order) if c.name == "scope" else c,
                                kind="stable")
        s.tables.append(view(circ, [Col("scope", "Scope"), Col("key", "Key"), Col("measure", "Measure"),
                                    Col("estimate", "Estimate", "", "num", 3), Col("estimate", "95% interval", "", "ci", 3),
                                    Col("n_movers", "Movers", "", "int")],
                             "Brain circulation: co-authorship with the origin country, movers against matched "
                             "stayers (all estimates in the CSV)", limit=30, csv_name="circulation.csv"))
    except q.MissingData as exc:
        s.notes.append(f"Brain circulation: not computed yet; run `{exc.command}`.")
    return s


def agreement_text(a: dict, what: str) -> str:
    rho = "undefined" if a["spearman"] is None else f"{a['spearman']:.2f}"
    return (f"{what}: talentflow has evidence for {a['n']} countries (at least one observed move, at least 100 "
            f"person-years, no suppressed count); {a['no_evidence']} more have none and are not compared. Of the "
            f"{a['n']}, the direction agrees in {a['agree']}, disagrees in {a['disagree']} and is not settled in "
            f"{a['not_settled']} (talentflow's 95% interval includes zero; a direction counts only when the "
            f"interval excludes zero). Spearman rank correlation over the {a['n']}: {rho}.")


DIRECTION_COL = Col("direction", "Direction", "agree / disagree: talentflow's interval excludes zero and its sign "
                    "matches / differs; not settled: the interval includes zero; no evidence: no move observed, fewer "
                    "than 100 person-years, or suppressed.")


def _validation(r: q.Reader, p: ReportParams) -> Section:
    from talentflow.app import validation as val

    s = Section("validation", "Validation beside published figures",
                "Figures others have published, from other data and other definitions, next to talentflow's "
                "closest figure. They are context, not targets: nothing here is fitted to them.")
    t = q.validation(r, p.filters(), p.published).rename(columns={"talentflow_lo": "talentflow_value_lo",
                                                                 "talentflow_hi": "talentflow_value_hi"})
    stanford = t[t["metric"] == "net_ai_talent_migration_per_10k"].copy()
    stanford = stanford.assign(_o=stanford["direction"].map({val.AGREE: 0, val.DISAGREE: 1, val.UNSETTLED: 2})
                               .fillna(3)).sort_values(["_o", "entity"], kind="stable").drop(columns="_o")
    if not stanford.empty:
        s.notes.append(agreement_text(val.agreement(stanford, "talentflow_value", "published_value"),
                                      "Stanford AI Index net AI talent migration (LinkedIn, 2024)")
                       + " LinkedIn members with AI skills are a much broader population than authors of AI "
                       "papers, and 2024 lies after most of the panel's years.")
        s.figures.append(Figure("fig-validation", fg.validation_scatter(t, "Net migration: Stanford AI Index vs talentflow")))
        first = stanford[stanford["comparable"]].head(1)
        s.tables.append(view(stanford, [Col("entity", "Country"),
                                        Col("published_value", "Stanford AI Index", "Net AI talent migration per 10,000 "
                                            "LinkedIn members, 2024.", "num", 2),
                                        Col("talentflow_value", "talentflow", "Net migration rate per 10,000 resident "
                                            "researchers (person-years).", "num", 1),
                                        Col("talentflow_value", "95% interval", "Bootstrap over researchers.", "ci", 1),
                                        DIRECTION_COL],
                             "Net AI talent migration: Stanford AI Index 2025 beside talentflow", limit=60,
                             note=("talentflow measures the " + first["talentflow_definition"].iloc[0] + ". Why they "
                                   "differ: " + first["why_they_differ"].iloc[0].split("; talentflow:")[0] + ".")
                             if not first.empty else "",
                             csv_name="validation_stanford.csv", stamp=_stamp(r, "inference")))
    try:
        smd = q.smd_direction(r, p.filters())
    except (ConfigError, InputError, TalentflowError) as exc:
        s.notes.append(f"Scholarly Migration Database comparison: not available ({exc}).")
    else:
        years = smd["years"].iloc[0] if len(smd) else ""
        s.notes.append(agreement_text(val.agreement(smd, "net_rate", "smd_net_rate"),
                                      f"Scholarly Migration Database, net migration {years}")
                       + " The SMD is the closest definition (a move is a change of the country of affiliation "
                       "between papers, rates per padded population of researchers), but it counts every field of "
                       "science in Scopus, millions of authors; talentflow's moves here are a few dozen per country, "
                       "mostly from robotics venues, and Hong Kong, Taiwan and Macao are separate in both.")
        s.tables.append(view(smd, [Col("name", "Country"), Col("years", "Years"),
                                   Col("population", "Person-years", "talentflow's resident researchers.", "int"),
                                   Col("inflows", "In", "", "int"), Col("outflows", "Out", "", "int"),
                                   Col("net_rate", "talentflow", "Net migration per 1,000 person-years.", "num", 1),
                                   Col("net_rate", "95% interval", "Bootstrap over researchers.", "ci", 1),
                                   Col("smd_net_rate", "SMD", "Net migration per 1,000 researchers (padded "
                                       "population), Scopus, all fields.", "num", 2),
                                   DIRECTION_COL],
                             "Net migration direction: Scholarly Migration Database beside talentflow", limit=40,
                             csv_name="validation_smd.csv", stamp=_stamp(r, "inference")))
    others = t[t["metric"] != "net_ai_talent_migration_per_10k"].copy()
    others["published"] = [f"{fg.fmt(v, 1)} {u}" for v, u in zip(others["published_value"], others["published_unit"])]
    source = Path(t.attrs.get("path", "")).name or "published_figures.csv"
    s.tables.append(view(others, [Col("source", "Source"), Col("published_definition", "Published figure"),
                                  Col("entity", "Entity"), Col("year", "Year"), Col("published", "Published"),
                                  Col("basis", "Basis", "primary: the producer's text; secondary: a press restatement; "
                                      "seed: quoted by a news article, original not checked"),
                                  Col("talentflow_value", "talentflow", "Percent unless the definition says otherwise.",
                                      "num", 1),
                                  Col("talentflow_value", "95% interval", "", "ci", 1),
                                  Col("talentflow_definition", "talentflow measures"),
                                  Col("why_they_differ", "Why they differ")],
                         "Other published figures and talentflow's comparables", limit=100,
                         note=f"Published figures: {source} (the data mirror's published/ folder).",
                         csv_name="validation.csv", stamp=_stamp(r, "inference")))
    return s


def _methods(r: q.Reader, p: ReportParams) -> Section:
    s = Section("methods", "Methods, parameters and data provenance",
                "How the figures were made: the report's parameters, every recorded parameter set (meta_runs), "
                "the inference runs, and the data files ingested (ingest_runs).")
    s.notes.extend([
        "Residence and moves are inferred from affiliations on papers (`talentflow infer`): a researcher's country "
        "of residence in a year is the latest persisting spell; a move's year is the first year seen at the "
        "destination. Rates follow the Scholarly Migration Database's definitions (padded population).",
        "Intervals are seeded percentile bootstraps over researchers (a person's moves and years stay together), "
        f"{p.n_boot} replicates, 95% coverage. They cover the sampling of researchers only: not the errors of "
        "identity (one id for two namesakes, two ids for one person), of place (a lab coded at its headquarters) or "
        "of the residence rules (a missed or spurious move), which the measured error rates below describe.",
        measured_error_note(r),
        "Coverage: each venue covers only some years (table below). IEEE venues (ICRA, IROS) end in 2023, the NLP "
        "venues (ACL, NAACL, COLING) start in 2020, ICRA 2016 lists only a few dozen papers, and the name-only "
        "venues (NeurIPS, ICML, CVPR...) enter no career. A country's figures describe the authors of these "
        "venues, not its AI workforce.",
        f"Privacy: aggregates only; counts of 1 to {p.min_cell - 1} people (researchers, moves, graduates, papers), "
        "and every figure derived from them, are suppressed (min_cell); zero is kept. Complements too: a share or a "
        "difference is blanked when the rest of its total is that small (leavers = graduates - stayed, domestic = "
        "researchers - foreign-origin, reverse = moves - net), and a study country's pipeline cells are blanked "
        "until the blanked ones no longer sum to 1 to "
        f"{p.min_cell - 1}. Not covered: differences across tables (a country's outflow in the rates minus the "
        "flows shown) give the sum of its suppressed flows. No person is named.",
    ])
    params = pd.DataFrame([{"parameter": k, "value": json.dumps(v)} for k, v in dataclasses.asdict(p).items()])
    s.tables.append(view(params, [Col("parameter", "Report parameter"), Col("value", "Value")], "Report parameters",
                         limit=50))
    s.tables.append(view(q.parameters(r), [Col("params_id", "params_id"), Col("kind", "Kind"),
                                           Col("params", "Parameters (JSON)"), Col("created_at", "First used"),
                                           Col("talentflow_version", "Version")],
                         "Recorded parameter sets (meta_runs)", limit=100, csv_name="meta_runs.csv"))
    runs = q.inference_runs(r)
    if not runs.empty:
        s.tables.append(view(runs, [Col("params_id", "params_id"), Col("run_at", "Run at"),
                                    Col("n_researchers", "Researchers", "", "int"), Col("n_events", "Events", "", "int"),
                                    Col("seconds", "Seconds", "", "num", 1)], "Inference runs", limit=20))
    s.tables.append(view(q.provenance(r), [Col("source", "Source"), Col("version", "Upstream version"),
                                           Col("upstream_example", "Upstream address"),
                                           Col("files", "Files", "", "int"), Col("records", "Records", "", "int"),
                                           Col("observations", "Observations", "", "int"),
                                           Col("rejects", "Rejects", "Records or fields that could not be used.", "int"),
                                           Col("last_ingest", "Last ingest")],
                         "Data provenance (ingest_runs)", limit=20, csv_name="provenance.csv"))
    s.tables.append(view(q.provenance_venues(r), [Col("source", "Source"), Col("venue", "Venue"),
                                                  Col("files", "Files", "", "int"), Col("records", "Records", "", "int"),
                                                  Col("observations", "Observations", "", "int")],
                         "Venues", limit=60))
    s.tables.append(view(q.coverage(r), [Col("venue", "Venue"), Col("years", "Years present"),
                                         Col("missing_years", "Years missing inside the range"),
                                         Col("works", "Works", "", "int"), Col("smallest_year", "Smallest year"),
                                         Col("identity", "Author ids")],
                         "Coverage by venue and year", limit=60, csv_name="coverage.csv"))
    s.tables.append(view(q.rejects(r), [Col("source", "Source"), Col("reason", "Reason"), Col("severity", "Severity"),
                                        Col("n", "Rows", "", "int")], "Rejects by reason", limit=30))
    return s


def measured_error_note(r: q.Reader) -> str:
    """The measured precision and recall of moves on hand-labelled real careers, where scored."""
    g = q.gold_scores(r)
    def parts(rows: pd.DataFrame) -> str:
        return "; ".join(f"{row['measure']} {row['value']:.2f} [{_f2(row['lo'])}, {_f2(row['hi'])}] (n = {int(row['n'])})"
                         for _, row in rows.iterrows())

    notes = []
    careers = g[g["gold"] == "careers"]
    if len(careers):
        notes.append("Measured error rates on hand-labelled real careers (gold set careers, test split, labelled "
                     "blind from the raw records; 95% intervals over persons; n is the denominator): "
                     + parts(careers) + ". The gold set over-samples hard evidence patterns (single years at an "
                     "end of a move, dual affiliations, visits), so these are rates on that sample, not weighted to "
                     "the whole panel.")
    places = g[g["gold"] == "places"]
    if len(places):
        notes.append("Place resolution on hand-labelled affiliation strings (gold set places, test split): "
                     + parts(places) + "; the strings over-sample hard cases (Hong Kong, Taiwan, branch campuses, "
                     "multinational labs).")
    persons = g[g["gold"] == "persons"]
    if len(persons):
        notes.append("Person identities (one source id = one person) on hand-labelled name blocks (gold set "
                     "persons, test split; B³ over authorships, intervals over blocks): " + parts(persons)
                     + "; ids that merge namesakes cost precision, ids that split a person cost recall.")
    if not notes:
        notes.append("Measured error rates: no gold-set score is stored in this warehouse (run `talentflow gold "
                     "score`, `gold places` and `gold persons --save`).")
    return " ".join(notes)


def _f2(x) -> str:
    return "–" if x is None or pd.isna(x) else f"{float(x):.2f}"


def _stamp(r: q.Reader, kind: str) -> dict:
    """Provenance columns for a CSV download: the params_id of the latest run of ``kind`` and the
    source versions of the warehouse."""
    return q.provenance_stamp(r, kind)


BUILDERS = (_headline, _map, _ranking, _flows, _orgs, _pipeline, _specialization, _scenarios, _collab, _validation,
            _methods)
TITLES = {
    "_headline": ("headline", "Headline figures"), "_map": ("map", "Where researchers go: net migration by country"),
    "_ranking": ("ranking", "Net-flow ranking with intervals"), "_flows": ("flows", "Flows between countries"),
    "_orgs": ("orgs", "Organizations: flows and foreign-origin shares"), "_pipeline": ("pipeline", "Study → work pipeline"),
    "_specialization": ("specialization", "Specialization: what each country does more of"),
    "_scenarios": ("scenarios", "Scenarios"), "_collab": ("collab", "Collaboration network"),
    "_validation": ("validation", "Validation beside published figures"),
    "_methods": ("methods", "Methods, parameters and data provenance"),
}


def build_sections(reader: q.Reader, params: ReportParams) -> list[Section]:
    """Every section; a section whose data is missing carries the command that produces it."""
    out = []
    for build in BUILDERS:
        sid, title = TITLES[build.__name__]
        try:
            out.append(build(reader, params))
        except q.MissingData as exc:
            out.append(Section(sid, title, "", missing=exc.command, missing_what=exc.what))
        except (ConfigError, InputError) as exc:
            out.append(Section(sid, title, "", error=str(exc)))
    return out


# -- rendering -----------------------------------------------------------------------------------------

def _script_json(obj) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=str) \
        .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _clean(obj):
    """Replace NaN/inf floats (not valid JSON) with None, recursively."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def render(sections: list[Section], meta: dict) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("talentflow.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    figs = {f.id: _clean(f.spec) for s in sections for f in s.figures}
    return env.get_template("report.html.j2").render(
        sections=sections, meta=meta, figures_json=_script_json(figs),
        topojson=world_topojson().replace("</", "<\\/"), plotly=plotly_js().replace("</script", "<\\/script"))


def write_report(db, path: str | Path, params: ReportParams | None = None) -> ReportSummary:
    """Build the report of warehouse ``db`` into ``path`` (one self-contained HTML file)."""
    params = params or ReportParams()
    started = time.perf_counter()
    path = Path(path)
    with q.Reader.open(db, bank_boot=params.n_boot) as reader:
        ov = q.overview(reader)
        sections = build_sections(reader, params)
        meta = {"title": "talentflow: AI talent migration and specialization", "generated": _dt.datetime.now(
            _dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "version": __version__, "warehouse": ov["warehouse"],
                "counts": {k: fg.fmt(v, 0) for k, v in ov["counts"].items()},
                "years": f"{ov['years'][0]}–{ov['years'][1]}" if ov["years"][0] else "no observations",
                "selection": _selection_text(params), "min_cell": params.min_cell}
    html = render(sections, meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise TalentflowError(f"cannot write the report to {path}: {exc}") from None
    return ReportSummary(path, len(html.encode()), len(sections), sum(len(s.figures) for s in sections),
                         tuple(s.title for s in sections if s.missing or s.error), time.perf_counter() - started)


def _selection_text(p: ReportParams) -> str:
    years = "all years" if p.year_from is None and p.year_to is None else \
        f"years {p.year_from or '…'}–{p.year_to or '…'}"
    panel = "all researchers" if p.panel == "all" else f"panel {p.panel}"
    return f"{years}, {panel}, cells under {p.min_cell} researchers suppressed, {p.n_boot} bootstrap replicates"
