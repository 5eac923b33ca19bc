"""`talentflow demo`: get the default data, build the warehouse, print headline figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from talentflow.cli.app import DbOption, app
from talentflow.cli.common import err, errors_to_exit, needs_extra
from talentflow.cli.ingest import _progress_run, report
from talentflow.cli.output import render_table

DEMO_VENUES = ("icra", "iros", "acl", "naacl", "coling", "corl")


@app.command("demo")
@needs_extra("app", "demo")  # it ends by writing the report
def demo(
    db: DbOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before downloading.")] = False,
    report_path: Annotated[Path, typer.Option("--report", help="Where to write the HTML report at the end.")] = Path(
        "out/report.html"),
) -> None:
    """Ingest the default venues (stable author ids: ICRA, IROS, ACL, NAACL, COLING, CoRL) and print headline figures."""
    from talentflow import api

    with errors_to_exit():
        plan = api.paperlists_download_plan(DEMO_VENUES, None)
        if plan is not None:
            n, size = plan
            err.print(f"to download: {n} file(s), {size / 1e6:,.1f} MB" if size else f"to download: {n} file(s)")
            if not yes and n and not typer.confirm("download them?", default=True, err=True):
                raise typer.Exit(1)
        summary = _progress_run(lambda cb: api.ingest_paperlists(db, venues=DEMO_VENUES, on_progress=cb), "demo data")
        report(summary)
        for title, frame in api.headline(db).items():
            render_table(frame, title=title)
        from talentflow import migration_api
        from talentflow.report.build import write_report

        inferred = migration_api.infer(db)
        err.print(f"inferred careers: {inferred.n_events:,} events (params_id {inferred.params_id})", highlight=False)
        ranking = migration_api.brain_drain(db)
        ranking = ranking[~ranking["suppressed"] & ((ranking["inflows"] + ranking["outflows"]) > 0)]
        if not ranking.empty:
            shown = ranking.assign(
                net_per_1000=ranking["net_rate"].round(1),
                interval_95=[f"[{lo:.1f}, {hi:.1f}]" for lo, hi in zip(ranking["net_rate_lo"], ranking["net_rate_hi"])],
            )[["country", "period", "population", "inflows", "outflows", "net", "net_per_1000", "interval_95"]]
            render_table(pd.concat([shown.head(6), shown.tail(6)]).drop_duplicates(),
                         title="Net migration of researchers per 1,000 (largest losses and gains; 95% bootstrap intervals)")
        written = write_report(db, report_path)
        err.print(f"[green]report:[/green] {written.path} (open it in a browser; works offline)", highlight=False)
