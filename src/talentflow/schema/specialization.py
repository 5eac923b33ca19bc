"""Tables of regional specialization (issue 4): domain tags of works and specialization results."""

from __future__ import annotations

from talentflow.schema.model import Column, Table

LEVELS = ("country", "region", "hub", "org")
BY = ("subfield", "domain")

WORK_DOMAINS = Table(
    "work_domains",
    "Application domains of works, one row per (tagging run, work, domain) tagged. A work of a run with no row has no domain.",
    (
        Column("params_id", "VARCHAR", "Tagging parameters (meta_runs, kind 'tagging').", False, references="meta_runs.params_id"),
        Column("work_id", "VARCHAR", "Work.", False, references="works.work_id"),
        Column("domain", "VARCHAR", "Application domain.", False,
               accepted=("healthcare", "autonomous_driving", "finance", "education", "agriculture", "climate_energy",
                         "manufacturing", "security_defence", "science")),
        Column("method", "VARCHAR", "Tagging method.", False, accepted=("keyword", "semantic")),
        Column("score", "DOUBLE", "Keyword: distinct patterns matched; semantic: cosine similarity to the domain's closest description."),
        Column("evidence", "VARCHAR", "Keyword: the words matched; semantic: the closest domain description."),
    ),
    primary_key=("params_id", "work_id", "domain"),
    layer="derived",
)

TAG_RUNS = Table(
    "tag_runs",
    "One row per tagging run: how many works were read and how many got at least one domain.",
    (
        Column("params_id", "VARCHAR", "Tagging parameters (meta_runs).", False, references="meta_runs.params_id"),
        Column("method", "VARCHAR", "Tagging method.", False, accepted=("keyword", "semantic")),
        Column("tagged_at", "TIMESTAMP", "When the run committed (UTC).", False),
        Column("n_works", "BIGINT", "Works read.", False, unit="works"),
        Column("n_tagged", "BIGINT", "Works with at least one domain.", False, unit="works"),
        Column("n_tags", "BIGINT", "(work, domain) rows written.", False, unit="rows"),
    ),
    primary_key=("params_id",),
    layer="derived",
)

SPECIALIZATION_CELLS = Table(
    "specialization_cells",
    "Specialization of regions in fields or domains, per period: fractional output, RCA and related measures. "
    "Aggregates only; cells below min_cell researchers are stored with suppressed = true and no figures.",
    (
        Column("params_id", "VARCHAR", "Specialization parameters (meta_runs, kind 'specialization').", False, references="meta_runs.params_id"),
        Column("level", "VARCHAR", "Region level.", False, accepted=LEVELS),
        Column("field_kind", "VARCHAR", "What the fields are: taxonomy subfields or application domains.", False, accepted=BY),
        Column("period", "VARCHAR", "Period label, e.g. '2015-2019' ('all' for the whole span).", False),
        Column("region", "VARCHAR", "Region key: ISO3 country, World Bank region, hub name or institution_id.", False),
        Column("field", "VARCHAR", "Subfield (taxonomy id) or application domain.", False),
        Column("count", "DOUBLE", "Fractional output of the region in the field (papers).", unit="papers"),
        Column("region_total", "DOUBLE", "Fractional output of the region in all fields (the RCA base).", unit="papers"),
        Column("share", "DOUBLE", "count / region_total.", unit="share"),
        Column("rca", "DOUBLE", "Revealed comparative advantage (location quotient).", unit="ratio"),
        Column("rca_lo", "DOUBLE", "Lower bootstrap bound of rca (works resampled).", unit="ratio"),
        Column("rca_hi", "DOUBLE", "Upper bootstrap bound of rca.", unit="ratio"),
        Column("presence", "BOOLEAN", "rca >= 1."),
        Column("density", "DOUBLE", "Relatedness density of the field around the region (0-1).", unit="share"),
        Column("n_researchers", "BIGINT", "Distinct researchers behind the cell.", unit="researchers"),
        Column("suppressed", "BOOLEAN", "True when n_researchers < min_cell: figures withheld.", False),
    ),
    primary_key=("params_id", "level", "field_kind", "period", "region", "field"),
    layer="derived",
)

TABLES = (WORK_DOMAINS, TAG_RUNS, SPECIALIZATION_CELLS)
