"""`talentflow tag`, `talentflow specialization`, `talentflow profile` and `talentflow taxonomy`:
thin wrappers over talentflow.specialization_api."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption, FormatOption, FromOption, OutputOption, SparkMasterOption, ToOption, app
from talentflow.cli.common import err, errors_to_exit
from talentflow.cli.output import emit, render_table
from talentflow.errors import ConfigError

TaxonomyOption = Annotated[Optional[Path], typer.Option(
    "--taxonomy", envvar="TALENTFLOW_TAXONOMY", help="User taxonomy file (TOML or CSV) merged over the shipped one.")]
LevelOption = Annotated[str, typer.Option("--level", help="Region level: country, region (World Bank), hub or org.")]
ByOption = Annotated[str, typer.Option("--by", help="Fields: subfield (taxonomy) or domain (application domains; run `tag` first).")]
MinCellOption = Annotated[int, typer.Option("--min-cell", help="Suppress cells behind fewer researchers (1 = none, local use only).")]
BootOption = Annotated[int, typer.Option("--bootstrap", help="Bootstrap replicates for RCA intervals (0 = none).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Bootstrap seed.")]
CountingOption = Annotated[str, typer.Option("--counting", help="fractional (split each work among its authors) or full.")]


# The table format leads with the columns that answer each view (csv/json/parquet: every column as computed).
VIEW_LEAD = {
    "cells": ("region", "region_name", "field", "rca", "rca_lo", "rca_hi", "count", "share", "n_researchers"),
    "regions": ("region", "region_name", "output", "diversity", "complexity", "hhi", "krugman", "entropy_norm"),
    "fields": ("field", "output", "complexity", "ubiquity", "hoover"),
    "proximity": ("field_a", "field_b", "proximity"),
}


def _notes(notes) -> None:
    for note in notes:
        err.print(f"[dim]{note}[/dim]", highlight=False)


@app.command("tag")
def tag(
    db: DbOption = None,
    method: Annotated[str, typer.Option("--method", help="keyword (rules, core install) or semantic (extra talentflow[semantic]).")] = "keyword",
    text: Annotated[Optional[str], typer.Option("--text", help="title (default; what the evaluation set labels) or title_abstract.")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Semantic: cosine similarity needed.")] = 0.40,
    margin: Annotated[float, typer.Option("--margin", help="Semantic: margin over the generic descriptions.")] = 0.05,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Keyword rules override (TOML).", exists=True, dir_okay=False)] = None,
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Score the tagger on the hand-labelled evaluation set instead of tagging the warehouse.")] = False,
    eval_set: Annotated[Optional[Path], typer.Option("--eval-set", help="Evaluation set CSV (default: the shipped one).", exists=True, dir_okay=False)] = None,
    split: Annotated[Optional[str], typer.Option("--split", help="Evaluate on one half of the set: dev or test.")] = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Tag works with application domains (healthcare, autonomous driving, finance...), or --evaluate a tagger."""
    from talentflow import specialization_api as sp

    with errors_to_exit():
        text = text or "title"
        params = sp.TaggingParams(method=method, text=text, threshold=threshold, margin=margin)
        if evaluate:
            frame = sp.evaluate_tagger(params, eval_set=eval_set, db=db, rules=rules, split=split)
            emit(frame, format, output, title=f"Tagger evaluation: {method}, {frame['text'].iloc[0]}")
            return
        frame = sp.tag(db, params, rules=rules)
        emit(frame, format, output, title=f"Domain tags ({method}), params {frame['params_id'].iloc[0]}")


def _params(level, by, year_from, year_to, period, min_cell, bootstrap, seed, counting, method):
    from talentflow.metrics.specialization import SpecializationParams

    return SpecializationParams(level=level, by=by, year_from=year_from, year_to=year_to, period_length=period,
                                min_cell=min_cell, bootstrap=bootstrap, seed=seed, counting=counting,
                                complexity_method=method)


@app.command("specialization")
def specialization(
    db: DbOption = None,
    level: LevelOption = "country",
    by: ByOption = "subfield",
    year_from: FromOption = None,
    year_to: ToOption = None,
    period: Annotated[int, typer.Option("--period", help="Period length in years (0 = one period over the range).")] = 0,
    view: Annotated[str, typer.Option("--view", help="cells (region x field), regions (indices), fields (ubiquity, complexity) or proximity.")] = "cells",
    min_cell: MinCellOption = 10,
    bootstrap: BootOption = 200,
    seed: SeedOption = 20240501,
    counting: CountingOption = "fractional",
    complexity: Annotated[str, typer.Option("--complexity", help="eigenvector or reflections.")] = "eigenvector",
    top: Annotated[int, typer.Option("--top", help="Table format: rows shown.")] = 40,
    taxonomy: TaxonomyOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
    engine: Annotated[str, typer.Option("--engine", help="Where the counting runs: duckdb (here) or spark (Apache "
                                        "Spark; same figures; needs --bootstrap 0).")] = "duckdb",
    spark_master: SparkMasterOption = "local[*]",
) -> None:
    """Revealed comparative advantage (RCA) of regions in AI subfields or application domains.

    The cells view has region, field, count (fractional papers), rca, its bootstrap interval and
    more; cells behind fewer than --min-cell researchers are left out (counted on stderr).
    """
    from talentflow import specialization_api as sp

    with errors_to_exit():
        if view not in ("cells", "regions", "fields", "proximity"):
            raise ConfigError(f"--view {view!r} is not cells, regions, fields or proximity")
        params = _params(level, by, year_from, year_to, period, min_cell, bootstrap, seed, counting, complexity)
        result = sp.specialization(db, params, taxonomy=taxonomy,
                                   engine=sp.EngineParams(engine=engine, spark_master=spark_master))
        _notes(result.notes)
        if view == "cells":
            frame = result.cells[~result.cells["suppressed"]].drop(columns=["suppressed"])
            # small-base cells (fewer than min_rank_count papers) rank after the others in each field
            frame = frame.sort_values(["period", "field", "small_base", "rca"], ascending=[True, True, True, False])
        elif view == "regions":
            frame = result.regions[~result.regions["suppressed"]].drop(columns=["suppressed"])
            frame = frame.sort_values(["period", "output"], ascending=[True, False])
        elif view == "fields":
            frame = result.fields
        else:
            frame = result.proximity.sort_values(["period", "proximity"], ascending=[True, False])
        frame = frame.reset_index(drop=True)
        err.print(f"[dim]params {result.params_id} (stored in meta_runs; cells in specialization_cells)[/dim]", highlight=False)
        emit(frame, format, output, title=f"Specialization: {level} x {by} ({view})", max_rows=top,
             lead=VIEW_LEAD[view])


@app.command("profile")
def profile(
    region: Annotated[str, typer.Argument(help="Region: ISO3 code or country name (e.g. Korea), World Bank region, hub or institution.")],
    db: DbOption = None,
    level: LevelOption = "country",
    by: ByOption = "subfield",
    year_from: FromOption = None,
    year_to: ToOption = None,
    period: Annotated[int, typer.Option("--period", help="Period length in years for the trend.")] = 5,
    min_cell: MinCellOption = 10,
    bootstrap: BootOption = 200,
    seed: SeedOption = 20240501,
    counting: CountingOption = "fractional",
    taxonomy: TaxonomyOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """What a region is specialized in, and how that changed (RCA per field and per period)."""
    from talentflow import specialization_api as sp

    with errors_to_exit():
        params = _params(level, by, year_from, year_to, period, min_cell, bootstrap, seed, counting, "eigenvector")
        result = sp.profile(db, region, params, taxonomy=taxonomy)
        if format == "table" and output is None:
            fields = result["fields"]
            shown = fields[~fields["suppressed"].astype(bool)]
            periods = [c for c in shown.columns if c.startswith("rca_") and c[4:5].isdigit()]
            slope = ["slope_per_year"] if "slope_per_year" in shown.columns else []
            # the answer first: RCA, its interval, its trend, then the periods newest first
            table = shown[["field", "rca", "rca_lo", "rca_hi", *slope, *periods[::-1], "count", "share", "density"]]
            table = table.rename(columns={c: c[4:] for c in periods} | {"slope_per_year": "slope/yr"})
            render_table(table, title=f"{result['note']}: RCA over the whole range (interval), its trend, then per period "
                                      "(newest first)")
            if len(shown) < len(fields):
                err.print(f"[dim]{len(fields) - len(shown)} field(s) behind fewer than {min_cell} researchers not shown[/dim]")
            summary = result["summary"]
            summary = summary[~summary["suppressed"].astype(bool)]
            render_table(summary[["period", "output", "diversity", "hhi", "krugman", "entropy_norm", "complexity", "n_researchers"]],
                         title="Specialization indices (whole range, then per period)")
        else:
            emit(result["fields"].assign(region=result["region"]), format, output)


@app.command("taxonomy")
def taxonomy_cmd(
    taxonomy: TaxonomyOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """The field taxonomy: how venues, primary areas and OpenAlex labels map to AI subfields."""
    from talentflow import specialization_api as sp

    with errors_to_exit():
        frame = sp.taxonomy_table(taxonomy)
        emit(frame, format, output, title=f"Field taxonomy {frame['version'].iloc[0]}", max_rows=200)
