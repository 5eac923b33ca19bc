"""Tables of the collaboration area (issue 8): co-authorship networks and brain circulation.

Rows are written only on request (``save=True`` / ``--save``) and hold what the API returned:
aggregates with cells under the run's ``min_cell`` already suppressed. ``params_id`` points at
meta_runs, where the parameters (level, years, counting rules, min_cell...) are recorded.
"""

from __future__ import annotations

from talentflow.schema.model import Column, Table

LEVELS = ("country", "region", "hub", "org")

_PERIOD = (
    Column("params_id", "VARCHAR", "Parameter set (meta_runs.params_id) that produced the row.", False,
           references="meta_runs.params_id"),
    Column("level", "VARCHAR", "Unit of the network.", False, accepted=LEVELS),
    Column("period", "VARCHAR", "Period label: '2015-2019', or '2019' for one-year periods.", False),
    Column("period_start", "INTEGER", "First year of the period.", False, unit="year"),
    Column("period_end", "INTEGER", "Last year of the period.", False, unit="year"),
)

COLLAB_UNITS = Table(
    "collab_units",
    "One row per unit (country, region, hub, organization) and period: output, external co-authorship, "
    "academia-industry co-authorship and network position.",
    _PERIOD + (
        Column("unit", "VARCHAR", "ISO3 code, World Bank region, hub name or institution_id.", False),
        Column("unit_name", "VARCHAR", "Display name."),
        Column("papers_full", "BIGINT", "Papers with at least one author affiliation in the unit (full counting).",
               unit="papers"),
        Column("papers_frac", "DOUBLE", "Fractional paper count (each paper's credit of 1 split over its authors, "
               "then over each author's affiliations).", unit="papers"),
        Column("external_papers", "BIGINT", "Papers of the unit with a co-author affiliation in another unit "
               "(international papers at country level).", unit="papers"),
        Column("external_share", "DOUBLE", "external_papers / papers_full.", unit="share"),
        Column("external_frac_share", "DOUBLE", "Share of the unit's fractional count earned on external papers.",
               unit="share"),
        Column("acad_industry_papers", "BIGINT", "Papers of the unit with both an education and a company affiliation.",
               unit="papers"),
        Column("acad_industry_share", "DOUBLE", "acad_industry_papers / papers_full.", unit="share"),
        Column("degree", "BIGINT", "Number of distinct partner units.", unit="units"),
        Column("strength", "DOUBLE", "Sum of the unit's link weights (the run's network_weight counting).", unit="papers"),
        Column("eigenvector", "DOUBLE", "Weighted eigenvector centrality (max 1 within the period's network).",
               unit="score"),
        Column("betweenness", "DOUBLE", "Weighted betweenness centrality (distance 1/weight, normalized); NULL when "
               "the network exceeds betweenness_max_nodes.", unit="score"),
        Column("community", "INTEGER", "Louvain community, numbered 1.. by decreasing total strength.", unit="label"),
    ),
    primary_key=("params_id", "level", "period", "unit"),
    layer="derived",
)

COLLAB_PAIRS = Table(
    "collab_pairs",
    "One row per unordered pair of units (unit_a < unit_b) and period: co-authored papers and size-normalized "
    "strength. The matrix is symmetric; each pair is stored once.",
    _PERIOD + (
        Column("unit_a", "VARCHAR", "First unit (alphabetically).", False),
        Column("unit_b", "VARCHAR", "Second unit.", False),
        Column("papers_full", "BIGINT", "Papers with affiliations in both units (full counting).", unit="papers"),
        Column("papers_frac", "DOUBLE", "Fractional pair count: each multi-unit paper's weight of 1 split over its "
               "unit pairs in proportion to f(a)*f(b).", unit="papers"),
        Column("salton", "DOUBLE", "Salton's cosine: papers_full / sqrt(papers_full(a) * papers_full(b)).", unit="score"),
        Column("obs_exp", "DOUBLE", "Observed / expected pair papers, expected = s_a * s_b / T from the link totals.",
               unit="ratio"),
        Column("share_a", "DOUBLE", "papers_full / papers_full(a): share of a's papers co-authored with b.", unit="share"),
        Column("share_b", "DOUBLE", "papers_full / papers_full(b).", unit="share"),
    ),
    primary_key=("params_id", "level", "period", "unit_a", "unit_b"),
    layer="derived",
)

CIRCULATION_ESTIMATES = Table(
    "circulation_estimates",
    "Brain-circulation estimates: co-authorship with the origin country before and after a move, movers "
    "against matched stayers, with bootstrap intervals over researchers.",
    (
        Column("params_id", "VARCHAR", "Parameter set (meta_runs.params_id).", False, references="meta_runs.params_id"),
        Column("scope", "VARCHAR", "Which table: overall, destination, origin or return.", False,
               accepted=("overall", "destination", "origin", "return")),
        Column("key", "VARCHAR", "'all', an ISO3 country, or a tie group for scope=return.", False),
        Column("measure", "VARCHAR", "What the estimate is (e.g. mover_after, did, return_rate).", False),
        Column("estimate", "DOUBLE", "Point estimate.", unit="share"),
        Column("ci_low", "DOUBLE", "Lower bound of the bootstrap percentile interval.", unit="share"),
        Column("ci_high", "DOUBLE", "Upper bound of the bootstrap percentile interval.", unit="share"),
        Column("n_movers", "BIGINT", "Movers behind the estimate.", unit="researchers"),
    ),
    primary_key=("params_id", "scope", "key", "measure"),
    layer="derived",
)

TABLES = (COLLAB_UNITS, COLLAB_PAIRS, CIRCULATION_ESTIMATES)
