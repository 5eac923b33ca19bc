"""Field taxonomy: venue, primary-area and OpenAlex labels mapped to AI subfields (versioned, overridable)."""

from talentflow.taxonomy.model import (
    FIELD_RULES,
    TAXONOMY_ENV,
    UNMAPPED,
    Field,
    Taxonomy,
    assign_fields,
    load_taxonomy,
)

__all__ = ["FIELD_RULES", "TAXONOMY_ENV", "UNMAPPED", "Field", "Taxonomy", "assign_fields", "load_taxonomy"]
