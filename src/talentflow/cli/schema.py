"""`talentflow schema`: the warehouse schema as Markdown or DDL."""

from __future__ import annotations

from typing import Annotated

import typer

from talentflow.cli.app import app
from talentflow.schema import full_schema
from talentflow.schema.docs import render_markdown


@app.command("schema")
def schema(fmt: Annotated[str, typer.Option("--format", help="markdown or sql")] = "markdown") -> None:
    """Print the canonical schema (tables, columns, types, keys, accepted values, units)."""
    if fmt == "sql":
        typer.echo("\n\n".join(t.ddl() for t in full_schema()))
    else:
        typer.echo(render_markdown(full_schema()))
