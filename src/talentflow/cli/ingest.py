"""`talentflow ingest ...` and `talentflow status`: thin wrappers over talentflow.pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from talentflow.cli.app import DbOption, FormatOption, OutputOption, app
from talentflow.cli.common import err, errors_to_exit, open_warehouse, parse_mapping, parse_years, split_list
from talentflow.cli.output import emit, render_table
from talentflow.pipeline import IngestSummary, describe_reject

ingest_app = typer.Typer(help="Ingest records into the warehouse.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

StrictOption = Annotated[bool, typer.Option("--strict", help="Exit non-zero (and write nothing) if any record is rejected.")]


def _progress_run(fn, label: str):
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[file]}"),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task(label, total=None, file="")

        def on_progress(file: str, i: int, total: int) -> None:
            progress.update(task, completed=i, total=total, file=file)

        return fn(on_progress)


def report(summary: IngestSummary) -> None:
    """Print the ingest summary; exit 1 (after the good files were committed) when a file was rejected whole."""
    files = summary.files
    by_status = files["status"].value_counts().to_dict() if not files.empty else {}
    err.print(
        f"[green]ingested[/green] {summary.source}: {len(files):,} file(s) "
        + ", ".join(f"{k}={v}" for k, v in by_status.items())
        + f"; {int(files['n_records'].sum()):,} records, {int(files['n_authorships'].sum()):,} authorships, "
        f"{int(files['n_observations'].sum()):,} {'career spells' if summary.source == 'orcid' else 'observations'}, "
        f"{summary.n_rejects:,} rejects (run {summary.run_id})",
        highlight=False, soft_wrap=True,
    )
    if not summary.rejects_by_reason.empty:
        render_table(summary.rejects_by_reason, title="Rejects by reason", console=err)
    for row in files[files["status"] == "skipped_duplicate"].itertuples() if not files.empty else ():
        err.print(f"[yellow]skipped[/yellow] {row.file}: the same content as {row.duplicate_of}, already ingested",
                  highlight=False, soft_wrap=True)
    if not summary.rejected_files.empty:
        for r in summary.file_rejects.itertuples():
            err.print(f"error: {describe_reject(r)}; the file was not ingested (or only up to that point), "
                      "the other files were", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(1)


@ingest_app.command("paperlists")
def ingest_paperlists(
    db: DbOption = None,
    venues: Annotated[Optional[list[str]], typer.Option("--venues", help="Venues, e.g. icra,iros (default: all).")] = None,
    years: Annotated[Optional[list[str]], typer.Option("--years", help="Years, e.g. 2015-2020 or 2019,2021.")] = None,
    strict: StrictOption = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before downloading.")] = False,
) -> None:
    """Accepted-paper lists of AI venues (papercopilot/paperlists): from $TALENTFLOW_MIRROR or downloaded with a cache."""
    from talentflow.api import ingest_paperlists as run, paperlists_download_plan

    with errors_to_exit():
        plan = paperlists_download_plan(split_list(venues), parse_years(years))
        if plan is not None:
            n_files, size = plan
            size_txt = f"{size / 1e6:,.1f} MB" if size is not None else "an unknown size"
            err.print(f"to download: {n_files} file(s), {size_txt}")
            if not yes and n_files and not typer.confirm("download them?", default=True, err=True):
                raise typer.Exit(1)
        summary = _progress_run(
            lambda cb: run(db, venues=split_list(venues), years=parse_years(years), strict=strict, on_progress=cb),
            "paperlists")
        report(summary)


@ingest_app.command("csv")
def ingest_csv(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file of person-year-organization-country records.", exists=True, dir_okay=False)],
    db: DbOption = None,
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="Column mapping target=source, e.g. person=employee_id,org=employer.")] = None,
    strict: StrictOption = False,
) -> None:
    """Generic person-year-organization-country records (HR / CV / LinkedIn-style exports).

    Needs the columns person, year, org, country (rename with --map); optional: stage, org_type,
    city, subfield, name. Countries may be ISO2, ISO3 or English names.
    """
    from talentflow.api import ingest_csv as run

    with errors_to_exit():
        mapping = parse_mapping(map_)
        summary = _progress_run(lambda cb: run(db, file, mapping=mapping, strict=strict, on_progress=cb), "csv")
        report(summary)


@ingest_app.command("orcid")
def ingest_orcid(
    path: Annotated[Optional[Path], typer.Argument(help="ORCID v3.0 record (XML or JSON), a folder of them, or the "
                                                        "public data file's summaries .tar.gz.")] = None,
    db: DbOption = None,
    api: Annotated[Optional[list[str]], typer.Option("--api", help="Read these iDs from the public API instead "
                                                                    "(repeat or comma-separate).")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="API base URL (default https://pub.orcid.org/v3.0).")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch again records already in the cache.")] = False,
    max_retries: Annotated[int, typer.Option("--max-retries", help="Retries of a 429 / 5xx response (Retry-After honoured).")] = 5,
    strict: StrictOption = False,
) -> None:
    """ORCID public records: education (degree level, field, institution, country, years) and employment spells."""
    from talentflow.api import ingest_orcid as run

    with errors_to_exit():
        ids = split_list(api)
        summary = _progress_run(lambda cb: run(db, path, ids=ids, base_url=base_url, refresh=refresh,
                                               max_retries=max_retries, strict=strict, on_progress=cb), "orcid")
        report(summary)


@app.command("status")
def status(db: DbOption = None, format: FormatOption = "table", output: OutputOption = None) -> None:
    """Sources, row counts and rejects by reason of a warehouse."""
    from talentflow.api import status as run

    with errors_to_exit():
        st = run(db)
        if format == "table" and output is None:
            render_table(st["tables"], title=f"Warehouse {st['path']}")
            render_table(st["sources"], title="Sources")
            render_table(st["rejects"], title="Rejects by reason")
            if len(st["staging"]):
                render_table(st["staging"], title="Staging rows left by an ingest that did not finish")
                err.print(f"[yellow]{int(st['staging']['rows'].sum()):,} staging row(s) of an unfinished ingest "
                          "(killed or failed); not part of any result; the next `talentflow ingest` removes "
                          "them[/yellow]", highlight=False)
        else:
            emit(st["tables"].assign(section="tables"), format, output)
