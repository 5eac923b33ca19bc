"""The canonical tables of the talentflow warehouse."""

from __future__ import annotations

from talentflow.schema.model import Column, Schema, Table

INSTITUTION_TYPES = ("education", "company", "government", "facility", "nonprofit", "other")
IDENTITY_KINDS = ("stable_id", "name_only")
COUNTRY_RULES = ("upstream", "input", "institution_table", "address_text", "email_domain", "institution_modal",
                 "lab_site", "programme")
# The place rules, in the order they are tried (docs/places.md); ``programme``: a fellowship or
# programme only (CIFAR chair...), no location; ``institution_modal``: filled after load.
PLACE_RULES = ("lab_site", "address_text", "email_domain", "institution_table", "upstream", "input",
               "institution_modal", "programme")
RUN_STATUSES = ("ok", "skipped_unchanged", "replaced", "rejected")

INGEST_RUNS = Table(
    "ingest_runs",
    "One row per file ingested: where it came from, its content hash and what it produced.",
    (
        Column("run_id", "VARCHAR", "Identifier of the ingest command run (shared by all files of one command).", False),
        Column("source", "VARCHAR", "Source kind.", False, accepted=("paperlists", "openalex", "csv", "orcid")),
        Column("upstream", "VARCHAR", "Public address the file stands for (URL, or the local path for user files)."),
        Column("version", "VARCHAR", "Upstream version (commit, snapshot date), where known."),
        Column("file", "VARCHAR", "Source-relative file name, e.g. icra/icra2015.json.", False),
        Column("content_hash", "VARCHAR", "SHA-256 of the file's bytes as read; for sources staged under parameters (OpenAlex filter) suffixed with +<parameter hash>.", False),
        Column("ingested_at", "TIMESTAMP", "When the ingest committed (UTC).", False),
        Column("status", "VARCHAR", "What this ingest did with the file.", False, accepted=RUN_STATUSES),
        Column("n_records", "BIGINT", "Records (papers, works, rows) read from the file.", unit="records"),
        Column("n_authorships", "BIGINT", "Person-record links staged from the file.", unit="rows"),
        Column("n_observations", "BIGINT", "Affiliation observations staged from the file (ORCID: career spells).", unit="rows"),
        Column("n_rejects", "BIGINT", "Rejects recorded for the file.", unit="rows"),
    ),
    primary_key=("run_id", "source", "file"),
)

RESEARCHERS = Table(
    "researchers",
    "One row per person as the sources identify them.",
    (
        Column("researcher_id", "VARCHAR", "talentflow key: '<namespace>:<source key>', e.g. 'ieee:37086936234'.", False),
        Column("source_key", "VARCHAR", "The key as the source gives it (author id, or the normalized name).", False),
        Column("namespace", "VARCHAR", "Identity namespace: ieee, acl, openreview, openalex, name, csv:<file stem>...", False),
        Column("name", "VARCHAR", "Display name as first seen."),
        Column("identity", "VARCHAR", "Whether the identity rests on a stable id or on a name only.", False, accepted=IDENTITY_KINDS),
    ),
    primary_key=("researcher_id",),
)

INSTITUTIONS = Table(
    "institutions",
    "One row per normalized institution (company lineage folded into parent_id).",
    (
        Column("institution_id", "VARCHAR", "talentflow key: the canonical name folded to lower-case ASCII.", False),
        Column("name", "VARCHAR", "Canonical display name after the alias table.", False),
        Column("type", "VARCHAR", "Organization type.", False, accepted=INSTITUTION_TYPES),
        Column("country", "VARCHAR", "ISO 3166-1 alpha-3 code of the institution's seat: the alias table's, else the modal country of its observations (after HKG/MAC/TWN recoding)."),
        Column("city", "VARCHAR", "City, where known or inferred."),
        Column("hub", "VARCHAR", "AI hub (metropolitan area) the city belongs to, where any."),
        Column("parent_id", "VARCHAR", "Parent organization (e.g. Google for DeepMind), as an institution_id.", references="institutions.institution_id"),
        Column("seat_rule", "VARCHAR", "How the seat country was decided.", accepted=("organizations_table", "modal")),
    ),
    primary_key=("institution_id",),
)

WORKS = Table(
    "works",
    "One row per paper or work.",
    (
        Column("work_id", "VARCHAR", "talentflow key: '<source>:<venue><year>:<upstream id>' or 'openalex:W...'.", False),
        Column("source", "VARCHAR", "Source kind.", False),
        Column("venue", "VARCHAR", "Venue short name (icra, acl...) or the OpenAlex source name."),
        Column("year", "INTEGER", "Publication (conference) year.", unit="year"),
        Column("title", "VARCHAR", "Title."),
        Column("abstract", "VARCHAR", "Abstract, where the source gives one."),
        Column("subfield_label", "VARCHAR", "Subfield label as the source gives it (paperlists primary_area, OpenAlex topic)."),
        Column("status", "VARCHAR", "Acceptance status as the source gives it (Poster, Oral, Reject...)."),
        Column("accepted", "BOOLEAN", "False for rejected or withdrawn submissions that some lists carry."),
        Column("file", "VARCHAR", "Source file the row came from (ingest_runs.file).", False),
    ),
    primary_key=("work_id",),
)

AUTHORSHIPS = Table(
    "authorships",
    "One row per author of a work, whether or not an affiliation is known.",
    (
        Column("researcher_id", "VARCHAR", "Author.", False, references="researchers.researcher_id"),
        Column("work_id", "VARCHAR", "Work.", False, references="works.work_id"),
        Column("author_position", "INTEGER", "1-based position in the author list.", False),
        Column("year", "INTEGER", "Year of the work.", unit="year"),
        Column("n_affiliations", "INTEGER", "Affiliations resolved for this author on this work (0 when none).", unit="count"),
        Column("file", "VARCHAR", "Source file the row came from (ingest_runs.file).", False),
        Column("aff_domain", "VARCHAR", "The author's e-mail / web domain on this work as the source gives it (paperlists aff_domain), lower case; evidence for person resolution."),
    ),
    primary_key=("work_id", "author_position"),
    enforce_key=False,
)

OBSERVATIONS = Table(
    "observations",
    "Affiliation observations: a researcher seen at an institution in a country in a year.",
    (
        Column("researcher_id", "VARCHAR", "Researcher.", False, references="researchers.researcher_id"),
        Column("work_id", "VARCHAR", "Work that shows the affiliation (a synthetic key for CSV rows).", False),
        Column("year", "INTEGER", "Year observed.", False, unit="year"),
        Column("institution_id", "VARCHAR", "Institution, normalized.", references="institutions.institution_id"),
        Column("country", "VARCHAR", "ISO 3166-1 alpha-3 country of the affiliation."),
        Column("country_rule", "VARCHAR", "How the country was decided: as given (upstream / input), recoded by the institution table, read from the address or e-mail domain, or filled from the institution's modal country (non-companies only).", accepted=COUNTRY_RULES),
        Column("place_rule", "VARCHAR", "The rule that placed the observation (country, and city where the same evidence gives it), in the order tried: the lab-site table (multinational lab sites, branch campuses, companies' research sites), country/city tokens of the raw affiliation string, the e-mail domain's country-code TLD, the organizations table's seat (not for companies), the source's country; 'programme' = a fellowship or programme (CIFAR chair...) that is no location; 'institution_modal' = filled after load. country_rule names the same rule for the country.", accepted=PLACE_RULES),
        Column("city", "VARCHAR", "City of this affiliation, where known or inferred."),
        Column("hub", "VARCHAR", "AI hub of this affiliation's city, where any."),
        Column("stage", "VARCHAR", "Career stage or position where given (PhD student, Professor...)."),
        Column("weight", "DOUBLE", "Fractional weight: 1 / number of affiliations of this author on this work.", False, unit="share"),
        Column("aff_seq", "INTEGER", "Index of this affiliation among the author's affiliations on the work (0-based).", False),
        Column("source", "VARCHAR", "Source kind.", False),
        Column("file", "VARCHAR", "Source file the row came from (ingest_runs.file).", False),
    ),
    primary_key=("work_id", "researcher_id", "aff_seq"),
    enforce_key=False,
)

REJECTS = Table(
    "rejects",
    "Records or fields that could not be used, with the reason. Nothing is dropped without a row here.",
    (
        Column("run_id", "VARCHAR", "Ingest run.", False),
        Column("source", "VARCHAR", "Source kind.", False),
        Column("file", "VARCHAR", "File the record came from.", False),
        Column("locator", "VARCHAR", "Where in the file: record index, paper id, line number, author position.", False),
        Column("field", "VARCHAR", "Field at fault (or '*' for a whole record or file)."),
        Column("reason", "VARCHAR", "Short machine-readable reason, e.g. unknown_country, malformed_json.", False),
        Column("raw_value", "VARCHAR", "The offending value, truncated to 500 characters."),
        Column("severity", "VARCHAR", "record: the record was dropped; field: the record was kept without this field.", False, accepted=("record", "field", "file")),
    ),
)

COUNTRIES = Table(
    "countries",
    "ISO 3166-1 countries with World Bank region and EU/OECD membership.",
    (
        Column("iso3", "VARCHAR", "ISO 3166-1 alpha-3.", False),
        Column("iso2", "VARCHAR", "ISO 3166-1 alpha-2."),
        Column("name", "VARCHAR", "English short name.", False),
        Column("wb_region", "VARCHAR", "World Bank region."),
        Column("eu", "BOOLEAN", "Member of the European Union (2024)."),
        Column("oecd", "BOOLEAN", "Member of the OECD (2024)."),
    ),
    primary_key=("iso3",),
)

META_RUNS = Table(
    "meta_runs",
    "Parameter sets of every computation that writes results; result rows carry params_id.",
    (
        Column("params_id", "VARCHAR", "Hash of kind + canonical parameter JSON (12 hex digits).", False),
        Column("kind", "VARCHAR", "What the parameters are for: inference, specialization, gravity, scenario...", False),
        Column("params", "VARCHAR", "The parameters as canonical JSON.", False),
        Column("created_at", "TIMESTAMP", "First time this parameter set was used (UTC).", False),
        Column("talentflow_version", "VARCHAR", "talentflow version that recorded it."),
        Column("inputs", "VARCHAR", "JSON: the warehouse's sources (upstream, version, files, rows) when recorded."),
    ),
    primary_key=("params_id",),
)

SCHEMA = Schema((INGEST_RUNS, RESEARCHERS, INSTITUTIONS, WORKS, AUTHORSHIPS, OBSERVATIONS, REJECTS, COUNTRIES, META_RUNS))
