"""`talentflow model fit|backtest` and `talentflow scenario run FILE`: thin wrappers over talentflow.models_api."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption, FormatOption, FromOption, OutputOption, ToOption, app
from talentflow.cli.common import err, errors_to_exit, needs_extra, split_list
from talentflow.cli.output import emit, render_table
from talentflow.errors import ConfigError

model_app = typer.Typer(help="Gravity model of bilateral researcher flows (PPML).", no_args_is_help=True)
scenario_app = typer.Typer(help="Policy scenarios projected with the gravity model.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(scenario_app, name="scenario")

SourceOption = Annotated[str, typer.Option(
    "--source", help="scholarly-migration (Scopus flows 1998-2018), warehouse (with --db), or a CSV/Parquet file "
                     "of origin,destination,year,count.")]
FeOption = Annotated[str, typer.Option(
    "--fe", help="Fixed effects: country_year (origin x year + destination x year), country_and_year, or year.")]
VcovOption = Annotated[str, typer.Option("--vcov", help="Standard errors: cluster_pair, hetero, cluster_origin_destination.")]
SaveOption = Annotated[bool, typer.Option("--save", help="Store the results (and their parameters) in the warehouse --db.")]


def _spec(fe: str, masses: bool, policies: Optional[list[str]], policy_side: str, vcov: str, year_from, year_to,
          countries: Optional[list[str]], zeros: str):
    from talentflow.models.params import MASS_TERMS, GravitySpec

    return GravitySpec(fixed_effects=fe, mass_covariates=MASS_TERMS if masses else (),
                       policies=split_list(policies) or (), policy_side=policy_side, vcov=vcov, year_from=year_from,
                       year_to=year_to, countries=split_list(countries), zeros=zeros)


@model_app.command("fit")
@needs_extra("models", "model fit")
def fit(
    source: SourceOption = "scholarly-migration",
    db: DbOption = None,
    fe: FeOption = "country_year",
    masses: Annotated[bool, typer.Option("--masses", help="Add log GDP per capita and log researchers of both ends "
                                                          "(needs --fe country_and_year or year).")] = False,
    policy_table: Annotated[Optional[Path], typer.Option("--policy-table", help="CSV/Parquet: country,year,policy,intensity.")] = None,
    policies: Annotated[Optional[list[str]], typer.Option("--policies", help="Policies of the table to include, e.g. fund,visa.")] = None,
    policy_side: Annotated[str, typer.Option("--policy-side", help="destination, origin or both.")] = "destination",
    vcov: VcovOption = "cluster_pair",
    year_from: FromOption = None,
    year_to: ToOption = None,
    countries: Annotated[Optional[list[str]], typer.Option("--countries", help="Restrict to these ISO3 countries.")] = None,
    zeros: Annotated[str, typer.Option("--zeros", help="full_panel (zeros filled; PPML) or observed_only.")] = "full_panel",
    pair_terms: Annotated[Optional[list[str]], typer.Option(
        "--pair-terms", help="Pair covariates (default log_distance,contiguity,common_language,colonial_tie); "
                             "specialization_similarity and log_collab are computed from --db.")] = None,
    save: SaveOption = False,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Fit the PPML gravity model; writes one row per term (term, estimate, std_error, ...)."""
    from talentflow.models_api import fit_model

    with errors_to_exit():
        spec = _spec(fe, masses, policies, policy_side, vcov, year_from, year_to, countries, zeros)
        if pair_terms:
            spec = dataclasses.replace(spec, pair_covariates=split_list(pair_terms))
        result = fit_model(source, db=db, spec=spec, policy_table=policy_table, save=save)
        table = result.coefficients
        if format == "table":  # the screen shows the chosen errors; csv/json carry all three kinds
            table = table[["term", "estimate", "std_error", "z", "p_value", "ci_low", "ci_high"]]
        emit(table, format, output, title=f"PPML gravity ({spec.fixed_effects} effects, SE {spec.vcov})")
        if format == "table" and output is None:
            facts = result.summary().T.reset_index()
            facts.columns = ["fact", "value"]
            render_table(facts.astype(str), title="Fit", console=err)


@model_app.command("backtest")
@needs_extra("models", "model backtest")
def backtest(
    source: SourceOption = "scholarly-migration",
    db: DbOption = None,
    fe: FeOption = "country_year",
    train_ends: Annotated[Optional[list[str]], typer.Option("--train-ends", help="Last training years, e.g. 2011,2013,2015.")] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Years predicted after each training end.")] = 3,
    window: Annotated[int, typer.Option("--window", help="Training years per fit.")] = 5,
    pair_prior: Annotated[float, typer.Option("--pair-prior", help="Prior strength of the empirical-Bayes pair effects.")] = 0.5,
    countries: Annotated[Optional[list[str]], typer.Option("--countries", help="Restrict to these ISO3 countries.")] = None,
    detail: Annotated[bool, typer.Option("--detail", help="One row per training end and horizon instead of the means.")] = False,
    save: SaveOption = False,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Out-of-sample errors of the gravity model beside persistence and mean baselines."""
    from talentflow.models.params import BacktestSpec, GravitySpec
    from talentflow.models_api import backtest_model

    with errors_to_exit():
        ends = tuple(int(x) for x in (split_list(train_ends) or ("2011", "2013", "2015")))
        bspec = BacktestSpec(train_ends=ends, horizon=horizon, train_window=window, pair_prior=pair_prior)
        spec = GravitySpec(fixed_effects=fe, countries=split_list(countries))
        result = backtest_model(source, db=db, spec=spec, bspec=bspec, save=save)
        emit(result.errors if detail else result.summary, format, output,
             title=f"Backtest: training ends {', '.join(map(str, bspec.train_ends))}, {bspec.train_window}-year window")


@scenario_app.command("run")
@needs_extra("models", "scenario run")
def run(
    file: Annotated[Path, typer.Argument(help="Scenario TOML file (see scenarios/).", exists=True, dir_okay=False)],
    source: SourceOption = "scholarly-migration",
    db: DbOption = None,
    draws: Annotated[Optional[int], typer.Option("--draws", help="Parameter draws for the bands (overrides the file).")] = None,
    table: Annotated[str, typer.Option("--table", help="summary, series, flows, drivers, or all (one JSON document).")] = "summary",
    save: SaveOption = False,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Project a scenario: counterfactual flows and researcher stocks with bands."""
    import dataclasses

    from talentflow.models.scenario import load_scenario
    from talentflow.models_api import run_scenario

    with errors_to_exit():
        sc = load_scenario(file)
        if draws is not None:
            sc = dataclasses.replace(sc, projection=dataclasses.replace(sc.projection, draws=draws))
        result = run_scenario(sc, source, db=db, save=save)
        tables = {"summary": result.summary, "series": result.series, "flows": result.flows, "drivers": result.drivers}
        if table == "all":
            doc = {"meta": result.meta, **{k: v.to_dict(orient="records") for k, v in tables.items()}}
            text = json.dumps(doc, indent=1, default=float) + "\n"
            if output is None:
                sys.stdout.write(text)
            else:
                output.write_text(text, encoding="utf-8")
            return
        if table not in tables:
            raise ConfigError(f"--table {table!r} is not one of summary, series, flows, drivers, all")
        if format == "table" and output is None:
            label = "ILLUSTRATION — " if sc.illustration else ""
            err.print(f"[bold]{label}{sc.name}[/bold]", highlight=False)
            for a in sc.assumptions:
                err.print(f"  · {a}", highlight=False)
        frame = tables[table]
        if format == "table" and table == "summary":
            frame = _compact_summary(frame)
        emit(frame, format, output, title=f"{sc.name}: {table} (median and {sc.projection.level:.0%} band)")


def _compact_summary(summary):
    """The summary for a terminal: one band per cell as text (csv/json keep every column)."""
    import pandas as pd

    def band(lo, hi, fmt):
        return [f"{fmt.format(a)} to {fmt.format(b)}" for a, b in zip(lo, hi)]

    s = summary
    return pd.DataFrame({
        "country": s["country"],
        f"stock {int(s['horizon'].iloc[0])} baseline": s["stock_baseline"].round(0),
        "stock difference": s["stock_difference"].round(0),
        "band": band(s["stock_difference_low"], s["stock_difference_high"], "{:,.0f}"),
        "difference %": s["stock_difference_pct"].round(3),
        "inflows %": s["cum_inflow_change_pct"].round(2),
        "inflows % band": band(s["cum_inflow_change_pct_low"], s["cum_inflow_change_pct_high"], "{:.2f}"),
        "net migration difference": s["cum_net_migration_difference"].round(0),
    })
