"""Person resolution: ``talentflow link`` (resolve and store) and ``talentflow persons`` (list)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption, FormatOption, OutputOption, app
from talentflow.cli.common import err, errors_to_exit
from talentflow.cli.output import emit


@app.command("link")
def link(
    db: DbOption = None,
    threshold: Annotated[Optional[float], typer.Option("--threshold", help="Match probability at which two "
                                                       "authorships are linked (default: the tuned value).")] = None,
) -> None:
    """Resolve persons: link every authorship to a person (splink on DuckDB) and store the persons table."""
    from talentflow import persons_api
    from talentflow.persons.params import PersonsParams

    with errors_to_exit():
        p = PersonsParams() if threshold is None else PersonsParams(threshold=threshold)
        s = persons_api.resolve(db, p)
        err.print(f"[green]linked[/green] params_id {s['params_id']} (threshold {p.threshold}): "
                  f"{s['authorships']:,} authorships of {s['source_ids']:,} source ids -> {s['persons']:,} persons, "
                  f"{s['links']:,} links in {s['seconds']:.1f} s {s['step_seconds']}", highlight=False)


@app.command("persons")
def persons(
    db: DbOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Resolved persons: one row per person and source identity (person, source_id, name, counts)."""
    from talentflow import persons_api

    with errors_to_exit():
        emit(persons_api.listing(db), format, output, title="Persons and their source identities")
