"""`talentflow report` (one self-contained offline HTML file) and `talentflow serve` (JSON API + dashboard)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption, FromOption, ToOption, app
from talentflow.cli.common import err, errors_to_exit, needs_extra, open_warehouse

MinCellOption = Annotated[int, typer.Option(
    "--min-cell", help="Suppress counts of 1..N-1 researchers and what derives from them (1 = none, local use only).")]
PublishedOption = Annotated[Optional[Path], typer.Option(
    "--published", help="Published figures CSV for the validation (default: $TALENTFLOW_MIRROR/published/"
                        "published_figures.csv).")]


def _warn_small_cells(min_cell: int, what: str) -> None:
    """``--min-cell`` under 10 shows cells of fewer than 10 researchers: say so on stderr."""
    if min_cell < 10:
        err.print(f"[yellow]warning:[/yellow] --min-cell {min_cell} publishes cells of fewer than 10 researchers; "
                  f"keep such a {what} local", highlight=False)


@app.command("report")
@needs_extra("app", "report")
def report(
    db: DbOption = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    min_cell: MinCellOption = 10,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates of the intervals.")] = 500,
    year_from: FromOption = None,
    year_to: ToOption = None,
    panel: Annotated[str, typer.Option("--panel", help="all, ieee, acl, openreview, paperlists, openalex or csv.")] = "all",
    top: Annotated[int, typer.Option("--top", help="Rows of rankings and tables.")] = 20,
    published: PublishedOption = None,
) -> None:
    """Write one self-contained HTML report (charts, tables, methods, provenance, validation) that works offline."""
    from talentflow.report.build import ReportParams, write_report

    with errors_to_exit():
        _warn_small_cells(min_cell, "report")
        params = ReportParams(min_cell=min_cell, n_boot=n_boot, year_from=year_from, year_to=year_to, panel=panel,
                              top=top, published=str(published) if published else None)
        s = write_report(db, output, params)
        err.print(f"[green]wrote[/green] {s.path} ({s.bytes / 1e6:,.1f} MB, {s.sections} sections, {s.figures} charts) "
                  f"in {s.seconds:.1f} s", highlight=False)
        if s.missing:
            err.print(f"[yellow]not available yet:[/yellow] {', '.join(s.missing)} (the report says which command "
                      "produces each)", highlight=False)


@app.command("serve")
@needs_extra("app", "serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    min_cell: MinCellOption = 10,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates of the API's intervals.")] = 200,
    published: PublishedOption = None,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", help="Also answer requests whose Host header names this (repeatable; '*': any). "
                             "By default only localhost, 127.0.0.1, [::1] and --host are answered (DNS rebinding).")] = None,
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json) and the dashboard (/) over a read-only warehouse."""
    from talentflow.app.server import serve as run

    with errors_to_exit():
        open_warehouse(db, read_only=True).close()  # a missing or locked warehouse fails before the banner
        _warn_small_cells(min_cell, "server")
        err.print(f"dashboard: http://{host}:{port}/   API: http://{host}:{port}/api/v1/docs   (Ctrl-C to stop)",
                  highlight=False)
        run(db, host=host, port=port, min_cell=min_cell, n_boot=n_boot, published=str(published) if published else None,
            allowed_hosts=tuple(allow_host or ()))
