"""`talentflow collab`, `talentflow collab-flows` and `talentflow circulation`: thin wrappers over
talentflow.collab_api (aggregates only; cells under --min-cell suppressed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption, FormatOption, FromOption, OutputOption, ToOption, app
from talentflow.cli.common import err, errors_to_exit, split_list
from talentflow.cli.output import emit
from talentflow.errors import ConfigError

MinCellOption = Annotated[int, typer.Option("--min-cell", help="Suppress cells with fewer papers / movers than this.")]
SaveOption = Annotated[bool, typer.Option("--save", help="Also store the results in the warehouse (under a params_id).")]
MovesOption = Annotated[Optional[Path], typer.Option(
    "--moves", help="CSV/Parquet of moves (researcher_id, origin, destination, year_to) instead of the events table.")]


# The table format leads with the columns that answer each view (csv/json/parquet: every column as computed).
VIEW_LEAD = {"units": ("unit", "unit_name", "papers_full", "papers_frac", "external_share", "acad_industry_share",
                       "eigenvector"),
             "pairs": ("unit_a", "unit_b", "papers_full", "papers_frac", "salton", "obs_exp")}
CIRCULATION_LEAD = ("key", "measure", "estimate", "ci_low", "ci_high", "n_movers")


def _pair(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = split_list([value]) or ()
    if len(parts) != 2:
        raise ConfigError(f"--pair {value!r}: expected two units, e.g. USA,CHN")
    return parts[0], parts[1]


@app.command("collab")
def collab(
    db: DbOption = None,
    level: Annotated[str, typer.Option("--level", help="country, region, hub or org.")] = "country",
    year_from: FromOption = None,
    year_to: ToOption = None,
    period: Annotated[Optional[int], typer.Option("--period", help="Years per period (1: yearly; default: one period).")] = None,
    view: Annotated[str, typer.Option("--view", help="units, pairs or summary.")] = "units",
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only this unit (units view) or its pairs.")] = None,
    pair: Annotated[Optional[str], typer.Option("--pair", help="Only this pair, e.g. USA,CHN (pairs view).")] = None,
    top: Annotated[Optional[int], typer.Option("--top", help="At most this many rows per period.")] = None,
    sort: Annotated[Optional[str], typer.Option("--sort", help="Sort by this column, descending (default papers_full).")] = None,
    venues: Annotated[Optional[list[str]], typer.Option("--venues", help="Only these venues, e.g. icra,iros.")] = None,
    denominator: Annotated[str, typer.Option("--denominator", help="Fractional counting over known_authors or all_authors.")] = "known_authors",
    rollup: Annotated[bool, typer.Option("--rollup", help="Org level: fold institutions into their parent.")] = False,
    identity: Annotated[str, typer.Option("--identity", help="all, or stable_id researchers' affiliations only.")] = "all",
    network_weight: Annotated[str, typer.Option("--network-weight", help="Link weight for centrality: full or fractional.")] = "full",
    min_cell: MinCellOption = 10,
    save: SaveOption = False,
    fmt: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Co-authorship networks: papers (full and fractional), external/international share, academia-industry
    papers, pair strength (Salton's cosine, observed/expected), centrality and communities."""
    from talentflow import collab_api as api

    with errors_to_exit():
        result = api.collaboration(
            db, level=level, year_from=year_from, year_to=year_to, period_length=period,
            venues=split_list(venues), denominator=denominator, org_rollup=rollup, identity=identity,
            network_weight=network_weight, min_cell=min_cell, save=save)
        frame = api.collab_view(result, view, unit=unit, pair=_pair(pair), top=top, sort=sort,
                                compact=fmt == "table" and output is None)
        if result.params_id:
            err.print(f"stored under params_id {result.params_id}")
        emit(frame, fmt, output, title=f"Co-authorship, {level} level ({view})", lead=VIEW_LEAD.get(view, ()))


@app.command("collab-flows")
def collab_flows(
    db: DbOption = None,
    view: Annotated[str, typer.Option("--view", help="correlations or classes.")] = "correlations",
    lag: Annotated[int, typer.Option("--lag", help="Collaboration window ends this many years before the move.")] = 1,
    window: Annotated[int, typer.Option("--window", help="Years of co-authorship summed.")] = 3,
    min_papers: Annotated[int, typer.Option("--min-papers", help="Countries with fewer papers in the window are left out.")] = 50,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap draws (over origin countries).")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    moves: MovesOption = None,
    min_cell: MinCellOption = 10,
    fmt: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Do migration flows follow earlier co-authorship? Rank correlations and moves by class of lagged ties."""
    from talentflow import collab_api as api

    with errors_to_exit():
        if view not in ("correlations", "classes"):
            raise ConfigError(f"--view {view!r} is not one of correlations, classes")
        tables = api.flows_vs_collab_table(
            db, moves=api.read_moves(moves) if moves else None, lag=lag, window=window, min_papers=min_papers,
            n_boot=n_boot, seed=seed, min_cell=min_cell)
        title, frame = list(tables.items())[0 if view == "correlations" else 1]
        emit(frame, fmt, output, title=title)


@app.command("circulation")
def circulation(
    db: DbOption = None,
    scope: Annotated[str, typer.Option("--scope", help="overall, destination, origin, return or all.")] = "overall",
    identity: Annotated[str, typer.Option("--identity", help="stable_id (default) or all researchers.")] = "stable_id",
    window: Annotated[int, typer.Option("--window", help="Years before and after the move compared (0: whole career).")] = 5,
    after_offset: Annotated[int, typer.Option("--after-offset", help="Skip this many years after the move.")] = 0,
    min_papers: Annotated[int, typer.Option("--min-papers", help="Papers with known co-author countries needed per window.")] = 1,
    caliper: Annotated[int, typer.Option("--caliper", help="Allowed first-year difference mover vs stayer.")] = 0,
    field: Annotated[str, typer.Option("--field", help="Match on modal venue (venue) or not (none).")] = "venue",
    year_from: FromOption = None,
    year_to: ToOption = None,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap draws over movers.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    inference_params_id: Annotated[Optional[str], typer.Option("--inference-params-id", help="Events of this inference run (default: latest).")] = None,
    moves: MovesOption = None,
    min_cell: MinCellOption = 10,
    save: SaveOption = False,
    fmt: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Brain circulation: movers' co-authorship with their origin country before/after the move, against matched
    stayers; by destination and origin; returns after ties. Needs `talentflow infer` (or --moves)."""
    from talentflow import collab_api as api

    with errors_to_exit():
        if scope not in ("overall", "destination", "origin", "return", "all"):
            raise ConfigError(f"--scope {scope!r} is not one of overall, destination, origin, return, all")
        result = api.circulation(
            db, moves=api.read_moves(moves) if moves else None, inference_params_id=inference_params_id,
            identity=identity, window=window or None, after_offset=after_offset, min_papers=min_papers,
            caliper=caliper, field=field, year_from=year_from, year_to=year_to, n_boot=n_boot, seed=seed,
            min_cell=min_cell, save=save)
        frame = result.estimates if scope == "all" else result.scope(scope)
        if fmt == "table" and output is None:
            frame = frame.drop(columns=["scope"])
        if result.params_id:
            err.print(f"stored under params_id {result.params_id}")
        emit(frame, fmt, output, title=f"Brain circulation ({scope})", lead=CIRCULATION_LEAD)
