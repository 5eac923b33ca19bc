"""Tables of career inference (issue 3): residence years, events, and the runs that wrote them."""

from __future__ import annotations

from talentflow.schema.model import Column, Table

EVENT_TYPES = ("migration", "return", "temporary", "traveler", "ambiguous", "censored", "institution_move",
               "sector_move")
EVENT_KINDS = ("country", "institution", "sector")

RESIDENCE = Table(
    "residence",
    "Country (institution, hub, sector) of residence of a researcher in a year, observed or padded between "
    "observed years; one row per researcher, year and parameter set.",
    (
        Column("params_id", "VARCHAR", "Inference parameter set (meta_runs.params_id).", False,
               references="meta_runs.params_id"),
        Column("researcher_id", "VARCHAR", "Researcher.", False, references="researchers.researcher_id"),
        Column("year", "INTEGER", "Year.", False, unit="year"),
        Column("country", "VARCHAR", "ISO3 country of residence: the latest persisting (core) spell begun by this year.",
               False),
        Column("observed_country", "VARCHAR", "ISO3 modal country observed this year (NULL for padded years)."),
        Column("institution_id", "VARCHAR", "Institution of residence (modal institution at the residence country).",
               references="institutions.institution_id"),
        Column("hub", "VARCHAR", "AI hub of the institution of residence, where any."),
        Column("sector", "VARCHAR", "Sector of the institution of residence (from institutions.type).",
               accepted=("academia", "industry", "government", "other")),
        Column("status", "VARCHAR", "Observed this year, or padded between observed years.", False,
               accepted=("observed", "padded")),
        Column("episode", "VARCHAR", "Class of the spell the observed year belongs to; 'gap' for padded years.", False,
               accepted=("core", "temporary", "ambiguous", "censored", "gap")),
        Column("share", "DOUBLE", "Modal country's share of the located weight of the year (observed years).",
               unit="share"),
        Column("confidence", "DOUBLE", "Confidence in the country of residence, 0-1 (see docs/inference.md).",
               unit="share"),
    ),
    primary_key=("params_id", "researcher_id", "year"),
    enforce_key=False,  # tens of millions of rows: checked by talentflow.store.checks, not indexed
    layer="derived",
)

EVENTS = Table(
    "events",
    "Career events inferred from residence: country moves with their type, institution and sector moves.",
    (
        Column("params_id", "VARCHAR", "Inference parameter set (meta_runs.params_id).", False,
               references="meta_runs.params_id"),
        Column("researcher_id", "VARCHAR", "Researcher.", False, references="researchers.researcher_id"),
        Column("kind", "VARCHAR", "What moved: country, institution or sector.", False, accepted=EVENT_KINDS),
        Column("event_type", "VARCHAR", "Typology (see docs/inference.md).", False, accepted=EVENT_TYPES),
        Column("origin", "VARCHAR", "Origin: ISO3 country, institution_id or sector, by kind."),
        Column("destination", "VARCHAR", "Destination: ISO3 country, institution_id or sector, by kind."),
        Column("origin_country", "VARCHAR", "ISO3 country at the origin."),
        Column("destination_country", "VARCHAR", "ISO3 country at the destination."),
        Column("origin_institution", "VARCHAR", "Institution at the origin.", references="institutions.institution_id"),
        Column("destination_institution", "VARCHAR", "Institution at the destination.",
               references="institutions.institution_id"),
        Column("origin_hub", "VARCHAR", "AI hub at the origin, where any."),
        Column("destination_hub", "VARCHAR", "AI hub at the destination, where any."),
        Column("origin_sector", "VARCHAR", "Sector at the origin (institution and sector moves)."),
        Column("destination_sector", "VARCHAR", "Sector at the destination (institution and sector moves)."),
        Column("year_from", "INTEGER", "Last year seen at the origin.", unit="year"),
        Column("year_to", "INTEGER", "First year seen at the destination.", unit="year"),
        Column("year", "INTEGER", "Point estimate of the event's year (InferenceParams.point_estimate).", unit="year"),
        Column("reason", "VARCHAR", "Why the event has its type, in words."),
        Column("probability", "DOUBLE", "Probability of the event: 1 for the rules (method rules); the model's "
               "posterior probability of the move for method hmm (docs/inference.md).", unit="probability"),
    ),
    layer="derived",
)

INFERENCE_RUNS = Table(
    "inference_runs",
    "One row per `talentflow infer` run: which parameter set, when, and what it wrote.",
    (
        Column("params_id", "VARCHAR", "Inference parameter set.", False, references="meta_runs.params_id"),
        Column("run_at", "TIMESTAMP", "When the run committed (UTC).", False),
        Column("n_researchers", "BIGINT", "Researchers with at least one residence year.", unit="count"),
        Column("n_residence", "BIGINT", "Residence rows written.", unit="rows"),
        Column("n_events", "BIGINT", "Event rows written.", unit="rows"),
        Column("seconds", "DOUBLE", "Wall time of the run.", unit="s"),
    ),
    primary_key=("params_id", "run_at"),
    layer="derived",
)

MODEL_ESTIMATES = Table(
    "model_estimates",
    "Parameters a run estimated from the data (inference method hmm: the EM estimates), one row each.",
    (
        Column("params_id", "VARCHAR", "Inference parameter set.", False, references="meta_runs.params_id"),
        Column("name", "VARCHAR", "Estimate: epsilon, move_rate, iterations, loglik, researchers.", False),
        Column("value", "DOUBLE", "Its value."),
    ),
    primary_key=("params_id", "name"),
    layer="derived",
)

TABLES = (RESIDENCE, EVENTS, INFERENCE_RUNS, MODEL_ESTIMATES)
