"""`talentflow ingest openalex`: OpenAlex works from a snapshot folder or from the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption
from talentflow.cli.common import err, errors_to_exit, split_list
from talentflow.cli.ingest import StrictOption, _progress_run, ingest_app, report


@ingest_app.command("openalex")
def ingest_openalex(
    snapshot: Annotated[Optional[Path], typer.Option(
        "--snapshot", help="OpenAlex snapshot folder (holding data/works/updated_date=.../part_000.gz).",
        exists=True, file_okay=False)] = None,
    api: Annotated[bool, typer.Option("--api", help="List works through the OpenAlex API instead (pages cached; a rerun resumes).")] = False,
    db: DbOption = None,
    filter_: Annotated[Optional[list[str]], typer.Option(
        "--filter", help="Snapshot: which works are AI works: subfields/1702, fields/17, T<id>, C<id> or 'all' "
                         "(default: subfields/1702,subfields/1707 and concept C154945302 for records without topics).")] = None,
    topic_scope: Annotated[str, typer.Option("--topic-scope", help="Match the primary topic only, or any of the work's topics: primary|any.")] = "primary",
    entities: Annotated[Optional[list[str]], typer.Option("--entities", help="Entities: works, authors (default: works). authors adds researcher rows and affiliation histories (source openalex_authors); with --api, of the listed works' authors.")] = None,
    from_year: Annotated[Optional[int], typer.Option("--from-year", "--from", help="First publication year (inclusive).")] = None,
    to_year: Annotated[Optional[int], typer.Option("--to-year", "--to", help="Last publication year (inclusive).")] = None,
    subfield: Annotated[Optional[list[str]], typer.Option("--subfield", help="API: OpenAlex subfield ids (default 1702,1707).")] = None,
    api_filter: Annotated[Optional[str], typer.Option("--api-filter", help="API: extra OpenAlex filter, e.g. type:article.")] = None,
    api_key: Annotated[Optional[str], typer.Option("--api-key", envvar="OPENALEX_API_KEY", help="API key (or $OPENALEX_API_KEY).", show_envvar=True)] = None,
    mailto: Annotated[Optional[str], typer.Option("--mailto", envvar="OPENALEX_MAILTO", help="Contact e-mail sent with requests (or $OPENALEX_MAILTO).")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", envvar="OPENALEX_BASE_URL", help="API base URL (or $OPENALEX_BASE_URL).")] = None,
    max_pages: Annotated[Optional[int], typer.Option("--max-pages", help="API: request at most this many pages in this run (credits).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Works staged per batch (memory bound).")] = 5000,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Snapshot: partitions staged in this many processes (default: the cores; 1: serial).")] = None,
    strict: StrictOption = False,
) -> None:
    """OpenAlex works: a snapshot's gzipped JSON Lines partitions (streamed, filtered to AI works)
    or the API (works of AI subfields in a year range, cursor paging, retries, cached pages)."""
    from talentflow.api import ingest_openalex as run
    from talentflow.ingest.openalex_api import ApiOptions

    with errors_to_exit():
        options = ApiOptions(base_url=base_url, api_key=api_key, mailto=mailto, max_pages=max_pages) if api else None

        def go(on_progress):
            return run(db, snapshot, api=api, work_filter=split_list(filter_), entities=split_list(entities) or ("works",),
                       from_year=from_year, to_year=to_year, subfields=split_list(subfield), topic_scope=topic_scope,
                       api_filter=api_filter, options=options, batch_size=batch_size, strict=strict,
                       on_progress=on_progress, on_page=_on_page if api else None, workers=workers)

        if api == (snapshot is not None):
            err.print("[red]error:[/red] give either --snapshot DIR or --api")
            raise typer.Exit(2)
        result = _progress_run(go, "openalex")
        if result.fetch is not None:
            f = result.fetch
            state = "complete" if f.done else "INCOMPLETE (rerun the same command to resume)"
            err.print(f"api: {f.pages:,} page(s) cached ({f.requested:,} requested now, {f.retries} retried), "
                      f"{f.count if f.count is not None else '?'} works listed; {state}; cache {f.folder}", highlight=False)
        report(result.ingest)
        err.print(f"openalex: {result.lines:,} lines read, {result.kept:,} AI records kept, {result.filtered:,} filtered out, "
                  f"{result.rejected_records:,} rejected; {result.seconds:,.1f} s, {result.lines_per_second:,.0f} lines/s, "
                  f"{result.kept_per_second:,.0f} kept/s (filter {result.filter_params_id})", highlight=False)


def _on_page(pages: int, count: int | None) -> None:
    if pages % 25 == 0:
        err.print(f"api: {pages:,} page(s) cached of ~{count or '?'} works", highlight=False)
