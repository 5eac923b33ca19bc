"""Python API of the gravity model and scenarios (issue 5). The CLI (``talentflow model ...``,
``talentflow scenario run``) is a thin layer over these functions.

>>> import talentflow.models_api as tm
>>> fit = tm.fit_model("scholarly-migration")                       # doctest: +SKIP
>>> fit.coefficients[["term", "estimate", "std_error"]]            # doctest: +SKIP
>>> res = tm.run_scenario_file("scenarios/korea_visa_fast_track.toml")  # doctest: +SKIP
>>> res.summary                                                      # doctest: +SKIP

A flow source is ``"scholarly-migration"`` (the Scholarly Migration Database's Scopus flows),
``"warehouse"`` (country flows of a talentflow warehouse, with ``db``), a path to a CSV or
Parquet file of ``origin, destination, year, count`` (what ``talentflow flows --level country
--format csv`` writes), or a :class:`~talentflow.models.sources.FlowData` /DataFrame.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Union

import pandas as pd

from talentflow.errors import ConfigError, InputError
from talentflow.models import sources
from talentflow.models.backtest import BacktestResult, backtest as _backtest
from talentflow.models.covariates import read_policy_table, validate_policy_table
from talentflow.models.gravity import GravityFit, fit_gravity
from talentflow.models.params import BacktestSpec, GravitySpec, Scenario
from talentflow.models.scenario import ScenarioResult, load_scenario, run_scenario as _run_scenario
from talentflow.schema.models import TABLES
from talentflow.store.params import record_params
from talentflow.store.warehouse import DB, Warehouse, opened

Source = Union[str, Path, pd.DataFrame, sources.FlowData]


def load_flows(source: Source = "scholarly-migration", db: DB = None) -> sources.FlowData:
    """Resolve a flow source (see the module docstring) to FlowData."""
    if isinstance(source, sources.FlowData):
        return source
    if isinstance(source, pd.DataFrame):
        return sources.from_frame(source)
    name = str(source)
    if name == "scholarly-migration":
        return sources.scholarly_migration()
    if name == "warehouse":
        with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
            return sources.from_warehouse(wh)
    path = Path(name)
    if not path.is_file():
        raise ConfigError(f"--source {name!r}: not 'scholarly-migration', 'warehouse', nor an existing flows file")
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read flows: {exc}") from None
    return sources.from_frame(frame, name=str(path))


def _policies(policy_table: str | Path | pd.DataFrame | None) -> pd.DataFrame | None:
    if policy_table is None:
        return None
    if isinstance(policy_table, pd.DataFrame):
        return validate_policy_table(policy_table)
    return read_policy_table(policy_table)


def _params(kind: str, spec, data: sources.FlowData, **extra) -> dict:
    return {"kind": kind, "spec": dataclasses.asdict(spec), "source": data.provenance, **extra}


def _save(db: DB, kind: str, params: dict, table: str, frame: pd.DataFrame) -> str:
    """Record ``params`` in meta_runs and write ``frame`` into ``table`` (replacing rows of the same params_id)."""
    with opened(db) as wh:
        wh.apply_schema(TABLES)
        with wh.transaction():
            pid = record_params(wh, kind, params)
            cols = [c.name for c in next(t for t in TABLES if t.name == table).columns]
            out = frame.assign(params_id=pid)[[c for c in cols if c in frame.columns or c == "params_id"]]
            wh.execute(f"DELETE FROM {table} WHERE params_id = ?", [pid])
            wh.insert(table, out, into=table)
        return pid


def specialization_profiles(db: DB) -> pd.DataFrame:
    """Country x year x field output of the warehouse (country, year, field, value): the input of the
    ``specialization_similarity`` pair term. Fields from the taxonomy (talentflow.specialization_api);
    value = fractional authorships (observations.weight)."""
    from talentflow.specialization_api import field_assignments

    fields = field_assignments(db)[["work_id", "field"]]
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        wh.con.register("_gravity_fields", fields)
        try:
            return wh.query("""
                SELECT o.country, o.year, f.field, sum(o.weight) AS value
                FROM observations o JOIN _gravity_fields f USING (work_id)
                WHERE o.country IS NOT NULL GROUP BY ALL ORDER BY ALL""")
        finally:
            wh.con.unregister("_gravity_fields")


def collaboration_table(db: DB, *, lag: int = 1, window: int = 3) -> pd.DataFrame:
    """Papers co-authored by two countries in ``[year - lag - window + 1, year - lag]``
    (origin, destination, year, collab_papers_full): the input of the ``log_collab`` pair term."""
    from talentflow.collab_api import collab_covariates

    return collab_covariates(db, lag=lag, window=window)


def _pair_inputs(spec: GravitySpec, db: DB, specialization, collaboration):
    """Load the warehouse tables the spec's pair terms need, unless given."""
    needs_db = [t for t, given in (("specialization_similarity", specialization), ("log_collab", collaboration))
                if t in spec.pair_covariates and given is None]
    if needs_db and db is None:
        raise ConfigError(f"pair term(s) {needs_db} are computed from a warehouse: give --db")
    if "specialization_similarity" in needs_db:
        specialization = specialization_profiles(db)
    if "log_collab" in needs_db:
        collaboration = collaboration_table(db)
    return specialization, collaboration


def fit_model(source: Source = "scholarly-migration", *, db: DB = None, spec: GravitySpec | None = None,
              policy_table=None, specialization: pd.DataFrame | None = None,
              collaboration: pd.DataFrame | None = None, save: bool = False) -> GravityFit:
    """Fit the PPML gravity model on a flow source; with ``save``, store the coefficients in ``db``.

    Pair terms ``specialization_similarity`` and ``log_collab`` are computed from ``db`` unless
    their tables are given."""
    spec = spec or GravitySpec()
    data = load_flows(source, db)
    policies = _policies(policy_table)
    specialization, collaboration = _pair_inputs(spec, db, specialization, collaboration)
    panel = sources.build_panel(data, spec, policies=policies, specialization=specialization,
                                collaboration=collaboration)
    fit = fit_gravity(panel.frame, spec, diagnostics=panel.diagnostics)
    if save:
        frame = fit.coefficients.assign(source=data.name, n_obs=fit.n_obs)
        fit.diagnostics["params_id"] = _save(db, "gravity", _params("gravity", spec, data), "model_coefficients", frame)
    return fit


def backtest_model(source: Source = "scholarly-migration", *, db: DB = None, spec: GravitySpec | None = None,
                   bspec: BacktestSpec | None = None, policy_table=None, specialization: pd.DataFrame | None = None,
                   save: bool = False) -> BacktestResult:
    """Out-of-sample backtest of the gravity model against persistence and mean baselines."""
    spec = spec or GravitySpec()
    bspec = bspec or BacktestSpec()
    data = load_flows(source, db)
    result = _backtest(data, spec, bspec, policies=_policies(policy_table), specialization=specialization)
    if result.errors.empty:
        raise ConfigError(f"no backtest could run: training ends {bspec.train_ends} leave no later year in {data.years}")
    if save:
        _save(db, "gravity_backtest", _params("gravity_backtest", spec, data, backtest=dataclasses.asdict(bspec)),
              "model_backtest", result.errors)
    return result


WAREHOUSE_SCENARIO_REFUSED = (
    "scenario run --source warehouse is refused: a stock projection needs each country's researcher "
    "population year by year, and talentflow's panel counts only the authors seen at the mirrored venues in "
    "a year, which rises and falls with venue coverage, not with the workforce (projected stocks would halve "
    "or vanish for that reason alone); use --source scholarly-migration (all fields of science, 1998-2018), "
    "or `talentflow model fit --source warehouse` for the gravity coefficients of the panel's own flows")


def run_scenario(scenario: Scenario | str | Path, source: Source = "scholarly-migration", *, db: DB = None,
                 save: bool = False) -> ScenarioResult:
    """Fit the scenario's model on the source and project the scenario (a Scenario or a TOML file)."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    data = load_flows(source, db)
    if data.name == "warehouse":
        raise ConfigError(WAREHOUSE_SCENARIO_REFUSED)
    policies = _policies(sc.policy_table)
    panel = sources.build_panel(data, sc.model, policies=policies)
    fit = fit_gravity(panel.frame, sc.model, diagnostics=panel.diagnostics)
    result = _run_scenario(data, fit, sc, policies=policies)
    result.meta["coefficients"] = fit.coefficients[["term", "estimate", "std_error"]].to_dict(orient="records")
    if save:
        frame = result.series.assign(scenario=sc.name)
        result.meta["params_id"] = _save(db, "scenario", _params("scenario", sc, data), "scenario_results", frame)
    return result


run_scenario_file = run_scenario
