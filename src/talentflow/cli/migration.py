"""Careers and migration commands: infer, events, flows, rates, orgs, pipeline, simulate, score, sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer

from talentflow.cli.app import DbOption, FormatOption, FromOption, OutputOption, SparkMasterOption, ToOption, app
from talentflow.cli.common import err, errors_to_exit, split_list
from talentflow.cli.output import emit

PanelOption = Annotated[Optional[str], typer.Option(
    "--panel", help="Researchers of these identity namespaces only: ieee, acl, openreview, csv... (comma-separated).")]
ParamsIdOption = Annotated[Optional[str], typer.Option(
    "--params-id", help="Inference run to read (default: the latest `talentflow infer`).")]
NBootOption = Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates over researchers (0: no intervals).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Bootstrap seed.")]
PeriodOption = Annotated[int, typer.Option("--period", help="Years per period: 1 = yearly, 0 = the whole range.")]
CountriesOption = Annotated[Optional[list[str]], typer.Option("--countries", help="ISO3 codes, e.g. USA,CHN.")]


# The table format leads with the columns that answer each command (csv/json/parquet: every column as computed).
EVENTS_LEAD = ("researcher", "event_type", "origin", "destination", "year_from", "year_to", "year")
FLOWS_LEAD = ("origin", "destination", "year", "period", "count")
RATES_LEAD = ("country", "year", "period", "net_rate", "net_rate_lo", "net_rate_hi", "in_rate", "out_rate",
              "population", "inflows", "outflows", "net")
RANKING_LEAD = ("rank", "country", "net_rate", "net_rate_lo", "net_rate_hi", "population", "inflows", "outflows",
                "net", "in_rate", "out_rate")
ORGS_LEAD = ("org", "foreign_share", "foreign_share_lo", "foreign_share_hi", "researchers", "foreign",
             "top_foreign_origins", "seat")
PIPELINE_LEAD = ("study_country", "work_country", "share_of_study_country", "researchers")
DEGREE_FLOW_LEAD = ("degree_level", "study_country", "work_country", "share_of_study_country", "researchers")
DEGREE_STAY_LEAD = ("degree_level", "study_country", "stay_rate", "stay_rate_lo", "stay_rate_hi", "graduates", "stayed")
STAY_LEAD = ("study_country", "stay_rate", "stay_rate_lo", "stay_rate_hi", "graduates", "stayed",
             "main_destinations_of_leavers")


def _min_cell(default: int):
    return Annotated[int, typer.Option("--min-cell", help=f"Blank counts of 1..N-1 researchers (default {default}; "
                                                          "1 = no suppression, for local analysis).")]


@app.command("infer")
def infer(
    db: DbOption = None,
    params: Annotated[Optional[Path], typer.Option("--params", help="TOML file of inference parameters "
                                                                    "(top level or [inference]).")] = None,
    identity: Annotated[Optional[str], typer.Option(help="stable (stable_id, the default: source ids), resolved "
                                                        "(persons of `talentflow link`) or all (also name-only "
                                                        "keys).")] = None,
    min_evidence: Annotated[Optional[float], typer.Option(help="Minimum located weight for an observed year.")] = None,
    tie_break: Annotated[Optional[str], typer.Option(help="previous, next or alphabetical.")] = None,
    padding: Annotated[Optional[str], typer.Option(help="carry_forward or none.")] = None,
    max_gap: Annotated[Optional[int], typer.Option(help="Longest gap (unobserved years) that is padded.")] = None,
    min_spell_years: Annotated[Optional[int], typer.Option(help="Observed years for a spell to persist.")] = None,
    temporary_window: Annotated[Optional[int], typer.Option(help="Longest A->B->A stay at B counted as temporary.")] = None,
    min_origin_years: Annotated[Optional[int], typer.Option(help="Observed years the first spell needs.")] = None,
    point_estimate: Annotated[Optional[str], typer.Option(help="evidence, year_to, year_from or midpoint.")] = None,
    return_rule: Annotated[Optional[str], typer.Option(help="any_previous or origin.")] = None,
    chain_rule: Annotated[Optional[str], typer.Option(help="A->C through a short stop at B: room, ambiguous or "
                                                           "skip.")] = None,
    traveler_min_weight: Annotated[Optional[float], typer.Option(help="Co-affiliation weight for a traveler.")] = None,
    boundary_share: Annotated[Optional[float], typer.Option(help="Share a country needs in a neighbouring spell's "
                                                                 "boundary year to count as evidence (1 = off).")] = None,
    method: Annotated[Optional[str], typer.Option(help="rules (default) or hmm: the residence model decides the "
                                                     "residence and country moves of multi-country researchers.")] = None,
    hmm_threshold: Annotated[Optional[float], typer.Option(help="Least move probability for a model move to be an "
                                                                "event (method hmm).")] = None,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (embedded) or spark: run staging -> residence -> "
                                        "events on Apache Spark and store the same rows in the warehouse.")] = "duckdb",
    spark_master: SparkMasterOption = "local[*]",
) -> None:
    """Infer residence years and events (migration, return, temporary, traveler...) from the observations."""
    from talentflow import engines_api
    from talentflow.inference.params import load_params

    with errors_to_exit():
        p = load_params(params, identity=identity, min_evidence=min_evidence, tie_break=tie_break, padding=padding,
                        max_gap=max_gap, min_spell_years=min_spell_years, temporary_window=temporary_window,
                        min_origin_years=min_origin_years, point_estimate=point_estimate, return_rule=return_rule,
                        chain_rule=chain_rule, boundary_share=boundary_share,
                        traveler_min_weight=traveler_min_weight, year_min=year_from, year_max=year_to,
                        method=method, hmm_threshold=hmm_threshold)
        s = engines_api.infer(db, p, engine=engine, spark_master=spark_master)
        err.print(f"[green]inferred[/green] params_id {s.params_id}: {s.n_researchers:,} researchers, "
                  f"{s.n_residence:,} residence years, {s.n_events:,} events in {s.seconds:.1f} s", highlight=False)
        frame = pd.DataFrame({"params_id": s.params_id, "event_type": list(s.events_by_type),
                              "events": list(s.events_by_type.values())})
        emit(frame, format, output, title="Events by type")


@app.command("events")
def events(
    db: DbOption = None,
    kind: Annotated[str, typer.Option("--kind", help="country, institution, sector or all.")] = "country",
    types: Annotated[Optional[list[str]], typer.Option("--types", help="Event types, e.g. migration,return.")] = None,
    panel: PanelOption = None,
    params_id: ParamsIdOption = None,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Inferred events, one row each (person-level: for local use). Years filter year_to."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        emit(mig.events(db, kind=kind, event_types=split_list(types), panel=panel, year_from=year_from,
                        year_to=year_to, params_id=params_id), format, output, title="Events", lead=EVENTS_LEAD)


@app.command("flows")
def flows(
    db: DbOption = None,
    level: Annotated[str, typer.Option("--level", help="country, region, hub or org.")] = "country",
    period: PeriodOption = 1,
    between: Annotated[Optional[str], typer.Option("--between", help="Two ISO3 codes A,B: A->B, B->A and the net "
                                                                     "flow into A with bootstrap intervals.")] = None,
    top: Annotated[Optional[int], typer.Option("--top", help="Only the N largest flows over the whole range.")] = None,
    no_fold: Annotated[bool, typer.Option("--no-fold", help="Organizations as units, not folded to parents.")] = False,
    panel: PanelOption = None,
    params_id: ParamsIdOption = None,
    min_cell: _min_cell(1) = 1,
    n_boot: NBootOption = 500,
    seed: SeedOption = 20240,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb: read the stored inference run; spark: recompute "
                                        "staging -> residence -> events -> flows on Apache Spark from the observations, "
                                        "with that run's parameters (same rows).")] = "duckdb",
    spark_master: SparkMasterOption = "local[*]",
) -> None:
    """Origin-destination flows (origin, destination, year, count); year = first year seen at the destination."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        common = dict(panel=panel, year_from=year_from, year_to=year_to, min_cell=min_cell, params_id=params_id)
        if between and engine != "duckdb":
            from talentflow.errors import ConfigError
            raise ConfigError("--between (bootstrap intervals) runs on --engine duckdb only")
        if between:
            pair = split_list([between]) or ()
            if len(pair) != 2:
                from talentflow.errors import ConfigError
                raise ConfigError(f"--between {between!r}: expected two ISO3 codes, e.g. USA,CHN")
            frame = mig.bilateral(db, pair[0], pair[1], period=period if period != 1 else 0, n_boot=n_boot,
                                  seed=seed, **common)
        elif engine != "duckdb":
            from talentflow import engines_api

            on = dict(engine=engine, spark_master=spark_master, level=level, **common)
            frame = (engines_api.top_flows(db, n=top, **on) if top
                     else engines_api.flows(db, period=period, fold_parents=not no_fold, **on))
        elif top:
            frame = mig.top_flows(db, level=level, n=top, **common)
        else:
            frame = mig.flows(db, level=level, period=period, fold_parents=not no_fold, **common)
        lead = ("period", *(c for c in frame.columns if c.startswith("net_into_"))) if between else FLOWS_LEAD
        emit(frame, format, output, title=f"Flows ({level})", lead=lead)


@app.command("rates")
def rates(
    db: DbOption = None,
    countries: CountriesOption = None,
    period: PeriodOption = 1,
    ranking: Annotated[bool, typer.Option("--ranking", help="Brain-drain ranking over the whole range.")] = False,
    min_population: Annotated[int, typer.Option(help="Ranking: minimum person-years.")] = 100,
    panel: PanelOption = None,
    params_id: ParamsIdOption = None,
    min_cell: _min_cell(10) = 10,
    n_boot: NBootOption = 500,
    seed: SeedOption = 20240,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """In/out/net migration rates per 1,000 researchers (padded population), MEI, turnover, with intervals."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        common = dict(panel=panel, year_from=year_from, year_to=year_to, n_boot=n_boot, seed=seed,
                      min_cell=min_cell, params_id=params_id)
        if ranking:
            frame = mig.brain_drain(db, min_population=min_population, **common)
        else:
            frame = mig.rates(db, countries=split_list(countries), period=period, **common)
        emit(frame, format, output, title="Migration rates per 1,000 researchers",
             lead=RANKING_LEAD if ranking else RATES_LEAD)


@app.command("orgs")
def orgs(
    db: DbOption = None,
    org: Annotated[Optional[list[str]], typer.Option("--org", help="Organizations (groups), e.g. google,meta.")] = None,
    top: Annotated[int, typer.Option("--top", help="Without --org: the N largest organizations.")] = 20,
    seat: Annotated[str, typer.Option("--seat", help="Compare origin with the seat of the unit or the group.")] = "unit",
    before_join: Annotated[bool, typer.Option("--before-join", help="Only researchers seen elsewhere before "
                                                                    "joining; origin = first country then.")] = False,
    panel: PanelOption = None,
    params_id: ParamsIdOption = None,
    min_cell: _min_cell(10) = 10,
    n_boot: NBootOption = 500,
    seed: SeedOption = 20240,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Foreign-origin share of organizations' researchers (origin = first observed country), with intervals."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        emit(mig.orgs(db, orgs=split_list(org), top=top, seat=seat, origin_before_join=before_join, panel=panel,
                      year_from=year_from, year_to=year_to, n_boot=n_boot, seed=seed, min_cell=min_cell,
                      params_id=params_id), format, output, title="Foreign-origin share", lead=ORGS_LEAD)


@app.command("pipeline")
def pipeline(
    db: DbOption = None,
    countries: CountriesOption = None,
    stay: Annotated[bool, typer.Option("--stay", help="Stay rates per study country, with intervals.")] = False,
    source: Annotated[str, typer.Option("--source", help="stages: career stages of affiliation observations (needs "
                                                         "`talentflow infer`); orcid: ORCID education and employment records.")] = "stages",
    by: Annotated[str, typer.Option("--by", help="With --source orcid: degree (stay rates per degree level) or "
                                                 "degree-country (per degree level and degree country).")] = "degree",
    panel: PanelOption = None,
    params_id: ParamsIdOption = None,
    min_cell: _min_cell(10) = 10,
    n_boot: NBootOption = 500,
    seed: SeedOption = 20240,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Study country -> first-job country where the career stage is known (paperlists position, CSV stage),
    or, with --source orcid, degree country -> first-job country by degree level (bachelor, master, PhD)."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        if source == "orcid":
            emit(mig.education_pipeline(db, stay=stay, by=by, countries=split_list(countries), year_from=year_from,
                                        year_to=year_to, n_boot=n_boot, seed=seed, min_cell=min_cell),
                 format, output, title="Degree -> first job (ORCID)", lead=DEGREE_STAY_LEAD if stay else DEGREE_FLOW_LEAD)
            return
        if source != "stages":
            raise typer.BadParameter(f"--source {source!r}: expected stages or orcid")
        emit(mig.pipeline(db, countries=split_list(countries), stay=stay, panel=panel, year_from=year_from,
                          year_to=year_to, n_boot=n_boot, seed=seed, min_cell=min_cell, params_id=params_id),
             format, output, title="Study -> first job", lead=STAY_LEAD if stay else PIPELINE_LEAD)


@app.command("simulate")
def simulate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write obs.csv (generic CSV) and truth.csv into.")],
    researchers: Annotated[int, typer.Option("--researchers", "-n", help="Synthetic researchers.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    noise: Annotated[float, typer.Option("--noise", help="Noise level multiplier (0 = clean, 1 = realistic).")] = 1.0,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Write synthetic careers with known moves and realistic noise, plus the truth file."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        kw = {"n_researchers": researchers, "seed": seed, "noise": noise}
        if year_from is not None:
            kw["first_year"] = year_from
        if year_to is not None:
            kw["last_year"] = year_to
        frame = mig.simulate(out_dir, **kw)
        emit(frame, format, output, title="Simulation")


@app.command("score")
def score(
    obs_csv: Annotated[Path, typer.Argument(help="obs.csv written by `talentflow simulate`.", exists=True)],
    truth: Annotated[Optional[Path], typer.Option("--truth", help="truth.csv (default: beside obs.csv).")] = None,
    params: Annotated[Optional[Path], typer.Option("--params", help="TOML file of inference parameters.")] = None,
    tolerance: Annotated[int, typer.Option("--tolerance", help="Years of tolerance on the move year.")] = 1,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Ingest a simulation into a scratch warehouse, infer, and score the moves against the truth."""
    from talentflow.inference.params import load_params
    from talentflow.simulate.score import score_files

    with errors_to_exit():
        p = load_params(params, year_min=year_from, year_max=year_to)
        emit(score_files(obs_csv, truth or obs_csv.with_name("truth.csv"), p, tolerance=tolerance), format, output,
             title="Score")


@app.command("sweep")
def sweep(
    db: DbOption = None,
    vary: Annotated[Optional[list[str]], typer.Option("--vary", help="name=v1,v2 (repeatable), e.g. "
                                                                     "min_spell_years=1,2,3. Default: a standard grid.")] = None,
    params: Annotated[Optional[Path], typer.Option("--params", help="TOML file of the base parameters.")] = None,
    panel: PanelOption = None,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """How the headline figures move across inference parameter values (one varied at a time)."""
    from talentflow import migration_api as mig
    from talentflow.inference.params import load_params
    from talentflow.inference.sweep import parse_grid

    with errors_to_exit():
        base = load_params(params, year_min=year_from, year_max=year_to)
        frame = mig.sweep(db, parse_grid(vary), base=base, panel=panel)
        if format == "table" and output is None:  # the terminal: one column per setting's figure, short headers
            emit(sweep_view(frame), format, output, title="Sensitivity (all columns: --format csv)")
        else:
            emit(frame, format, output, title="Sensitivity")


SWEEP_HEADERS = {"moves": "moves", "moves_vs_base_pct": "vs base %", "returns": "returns", "usa_to_chn": "US>CN",
                 "chn_to_usa": "CN>US", "usa_net": "US net", "chn_net": "CN net",
                 "moves_per_1000_person_years": "per 1k py"}


def sweep_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The sweep for a terminal: ``setting`` (parameter=value) and the headline figures under short
    headers; the other event counts, params_id and the population are in --format csv."""
    setting = [p if p == "(base)" or v in (None, "") or pd.isna(v) else f"{p}={v}"
               for p, v in zip(frame["parameter"], frame["value"])]
    view = frame[[c for c in SWEEP_HEADERS if c in frame.columns]].rename(columns=SWEEP_HEADERS)
    view.insert(0, "setting", setting)
    for col, fmt in (("vs base %", "{:+.1f}"), ("per 1k py", "{:.2f}")):
        if col in view.columns:
            view[col] = [fmt.format(v) if pd.notna(v) else "" for v in view[col]]
    return view


@app.command("smd")
def smd(
    db: DbOption = None,
    recompute: Annotated[bool, typer.Option("--recompute", help="Only recompute the SMD's rates from its counts "
                                                                "(no warehouse needed).")] = False,
    which: Annotated[str, typer.Option("--smd", help="SMD file: scopus or openalex.")] = "scopus",
    min_moves: Annotated[int, typer.Option("--min-moves", help="Countries with fewer of our moves are listed, "
                                                               "not scored.")] = 5,
    panel: PanelOption = None,
    params_id: ParamsIdOption = None,
    year_from: FromOption = None,
    year_to: ToOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Validate against the Scholarly Migration Database: recompute its rates, compare net-flow directions."""
    from talentflow import migration_api as mig

    with errors_to_exit():
        if recompute:
            frame = mig.smd_recompute(which)
        else:
            frame = mig.smd_compare(db, which=which, panel=panel, year_from=year_from, year_to=year_to,
                                    min_moves=min_moves, params_id=params_id)
            scored = frame["agree"].dropna()
            if len(scored):
                err.print(f"net-flow direction agrees with the SMD for {int(scored.sum())} of {len(scored)} countries "
                          f"with >= {min_moves} moves ({scored.mean():.0%})", highlight=False)
        emit(frame, format, output, title="Scholarly Migration Database")
