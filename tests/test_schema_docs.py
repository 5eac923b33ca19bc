"""The schema is declared once; its document is generated and must be current."""

from pathlib import Path

from talentflow.schema import full_schema
from talentflow.schema.docs import render_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_schema_doc_is_current():
    assert DOC.read_text(encoding="utf-8") == render_markdown(full_schema()) + "\n", (
        "docs/schema.md is stale: run `make docs`")


def test_every_column_is_described():
    for table in full_schema():
        assert table.description
        for col in table.columns:
            assert col.description, f"{table.name}.{col.name} has no description"


def test_ddl_applies(wh):
    wh.apply_schema(tuple(full_schema()))
    for table in full_schema():
        assert wh.has_table(table.name)
