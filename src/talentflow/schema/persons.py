"""Person resolution (``talentflow link``): the person every authorship belongs to."""

from __future__ import annotations

from talentflow.schema.model import Column, Table

PERSONS = Table(
    "persons",
    "One row per authorship: the person it belongs to after person resolution (splink record linkage of "
    "authorships on name forms, source id, co-authors, institution, e-mail domain, venue and year; persons are "
    "the connected components of the links at the recorded threshold). Holds the latest resolution; its "
    "parameters are in meta_runs (kind 'persons'). `talentflow infer --identity resolved` keys careers on "
    "person_id. See docs/persons.md.",
    (
        Column("params_id", "VARCHAR", "Parameter set of the resolution (meta_runs.params_id, kind 'persons': "
               "threshold, fixed same-id Bayes factor, sampling).", False, references="meta_runs.params_id"),
        Column("work_id", "VARCHAR", "Work.", False, references="works.work_id"),
        Column("author_position", "INTEGER", "1-based position in the author list.", False),
        Column("researcher_id", "VARCHAR", "The source identity of the authorship (IEEE / ACL / OpenReview id, "
               "or a name key).", False, references="researchers.researcher_id"),
        Column("person_id", "VARCHAR", "Person key: the source id holding most of the person's authorships (a "
               "stable id before a name key); a further person of a split id gets '#2', '#3'... "
               "(e.g. 'acl:fan-yang#2'). An id neither split nor merged keeps its own id.", False),
        Column("match_probability", "DOUBLE", "Probability of this authorship's strongest kept link to another "
               "authorship of its person; NULL for a person of one authorship.", unit="share"),
        Column("evidence", "VARCHAR", "The comparisons that speak for that link, strongest first, with their "
               "Bayes factors (e.g. 'source x300 coauthors x31 institution x6').")
    ),
    primary_key=("work_id", "author_position"),
    enforce_key=False,
)

TABLES = (PERSONS,)
