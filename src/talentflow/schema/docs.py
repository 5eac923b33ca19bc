"""Render the schema as a Markdown document (``docs/schema.md`` is generated from this)."""

from __future__ import annotations

from talentflow.schema.model import Schema


def render_markdown(schema: Schema) -> str:
    out = ["# The talentflow warehouse schema", "",
           "Generated from `talentflow.schema` by `talentflow schema --format markdown`; do not edit by hand.", ""]
    for table in schema:
        out += [f"## `{table.name}`", "", table.description, ""]
        if table.primary_key:
            out += [f"Key: `({', '.join(table.primary_key)})`", ""]
        out += ["| column | type | null | unit | accepted values | description |", "|---|---|---|---|---|---|"]
        for col in table.columns:
            null = "yes" if col.nullable and col.name not in table.primary_key else "no"
            accepted = ", ".join(col.accepted) if col.accepted else ""
            desc = col.description + (f" References `{col.references}`." if col.references else "")
            out.append(f"| `{col.name}` | {col.type} | {null} | {col.unit or ''} | {accepted} | {desc} |")
        out.append("")
    return "\n".join(out)
