"""Career spells read from ORCID records (issue 19): education and employment, one row per entry.

Why a table of its own and not rows of ``observations``: an ORCID education or employment entry
is one *spell* (an interval, start year to end year, with a degree and a field), whereas an
observation is one researcher seen at one place in one year through one work, with a fractional
weight. Exploding a spell into per-year observations would spread one fact over many rows,
invent works, and lose the degree level and field; so each spell is stored once, here, with its
institution and country resolved by the same resolver as every observation (``institution_id``
joins ``institutions``; ``researcher_id`` joins ``researchers`` under the ``orcid:`` namespace).
"""

from __future__ import annotations

from talentflow.schema.model import Column, Table
from talentflow.schema.tables import COUNTRY_RULES

SPELL_KINDS = ("education", "employment")
DEGREE_LEVELS = ("bachelor", "master", "phd", "other")

CAREER_SPELLS = Table(
    "career_spells",
    "Education and employment entries of ORCID records: one row per entry (a spell from start year to end year).",
    (
        Column("spell_id", "VARCHAR", "talentflow key: 'orcid:<iD>:<kind>:<put-code>'.", False),
        Column("researcher_id", "VARCHAR", "Person: 'orcid:<iD>'.", False, references="researchers.researcher_id"),
        Column("kind", "VARCHAR", "Education (a degree or course of study) or employment.", False, accepted=SPELL_KINDS),
        Column("put_code", "VARCHAR", "ORCID's identifier of the entry within the record (or its position when absent).", False),
        Column("role_title", "VARCHAR", "Role title as given (the degree for education, the position for employment)."),
        Column("department", "VARCHAR", "Department name as given (the field of study for education)."),
        Column("degree_level", "VARCHAR", "Education only: degree level read from the role title (other when none is recognized).",
               accepted=DEGREE_LEVELS),
        Column("institution_id", "VARCHAR", "Institution, normalized.", references="institutions.institution_id"),
        Column("institution", "VARCHAR", "Organization name as given."),
        Column("org_identifier", "VARCHAR", "Disambiguated organization id as given (ROR, GRID, Ringgold...), '<source>:<id>'."),
        Column("country", "VARCHAR", "ISO 3166-1 alpha-3 country of the organization's address."),
        Column("country_rule", "VARCHAR", "How the country was decided (as for observations).",
               accepted=COUNTRY_RULES),
        Column("city", "VARCHAR", "City of the organization's address."),
        Column("start_year", "INTEGER", "Start year, where given.", unit="year"),
        Column("end_year", "INTEGER", "End year, where given (none: ongoing or not stated).", unit="year"),
        Column("source", "VARCHAR", "Source kind.", False),
        Column("file", "VARCHAR", "Source file the row came from (ingest_runs.file).", False),
        Column("locator", "VARCHAR", "Where in the file: the record (tar member) and the entry.", False),
    ),
    primary_key=("spell_id",),
    enforce_key=False,
)

TABLES = (CAREER_SPELLS,)
