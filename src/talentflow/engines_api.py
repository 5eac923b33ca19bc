"""The Python API of the engines (issue 7): the relational pipeline on DuckDB or Apache Spark.

>>> import talentflow.engines_api as eng
>>> eng.flows("ai.duckdb", engine="spark", spark_master="local[*]", level="country")   # doctest: +SKIP

``engine="duckdb"`` reads the stored inference run (exactly ``talentflow.migration_api.flows``);
``engine="spark"`` recomputes staging -> residence -> events -> flows on Spark from the
warehouse's observations, with the parameters of that run, and gives the same rows.

``infer(db, p, engine="spark")`` runs the inference itself on Spark and stores residence and
events in the warehouse (as ``talentflow infer`` does on DuckDB, same params_id), so every
downstream command reads them; ``specialization(db, params, engine="spark")`` counts on Spark
(fractional counts X[period, region, field], bases T[period, region], distinct researchers per
cell) and derives the same RCA, indices and complexity as ``talentflow.specialization_api``.
"""

from __future__ import annotations

import pandas as pd

from talentflow.engines.base import EngineParams
from talentflow.engines.relational import RelationalRun
from talentflow.errors import ConfigError
from talentflow.inference.params import InferenceParams
from talentflow.inference.run import InferenceSummary, params_of
from talentflow.metrics.common import select
from talentflow.metrics.flows import COUNTRY_MOVES, FlowParams
from talentflow.store.params import stamp
from talentflow.store.warehouse import DB, Warehouse, opened

__all__ = ["EngineParams", "flows", "top_flows", "infer", "specialization"]


def _engine_params(engine: str, spark_master: str, engine_params: EngineParams | None) -> EngineParams:
    return engine_params or EngineParams(engine=engine, spark_master=spark_master)


def infer(db: DB, params: InferenceParams | None = None, *, engine: str = "duckdb", spark_master: str = "local[*]",
          engine_params: EngineParams | None = None) -> InferenceSummary:
    """Infer residence and events on ``engine`` and store them in the warehouse under the params_id.

    ``duckdb`` is ``talentflow.migration_api.infer``; ``spark`` runs the same steps on Spark and
    writes the same rows (person-level tables come back through Parquet, not the driver).
    """
    ep = _engine_params(engine, spark_master, engine_params)
    p = params or InferenceParams()
    if ep.engine == "duckdb":
        from talentflow import migration_api

        return migration_api.infer(db, p)
    from talentflow.engines.inference import infer_on_engine

    with opened(db) as wh:
        return infer_on_engine(wh, p, ep)


def specialization(db: DB, params=None, *, engine: str = "duckdb", spark_master: str = "local[*]",
                   taxonomy=None, store: bool = True, engine_params: EngineParams | None = None):
    """``talentflow.specialization_api.specialization`` with the counting on ``engine`` (Spark: bootstrap 0)."""
    from talentflow import specialization_api

    return specialization_api.specialization(db, params, taxonomy=taxonomy, store=store,
                                             engine=_engine_params(engine, spark_master, engine_params))


def flows(db: DB, *, engine: str = "duckdb", spark_master: str = "local[*]", level: str = "country",
          period: int = 1, panel=None, year_from: int | None = None, year_to: int | None = None, min_cell: int = 1,
          fold_parents: bool = True, event_types: tuple[str, ...] = COUNTRY_MOVES,
          params_id: str | None = None, engine_params: EngineParams | None = None) -> pd.DataFrame:
    """Origin-destination flows (origin, destination, year or period, count) computed on ``engine``."""
    ep = _engine_params(engine, spark_master, engine_params)
    fp = FlowParams(level=level, period=period, event_types=event_types, fold_parents=fold_parents,
                    min_cell=min_cell)
    if ep.engine == "duckdb":
        from talentflow import migration_api

        return migration_api.flows(db, level=level, period=period, panel=panel, year_from=year_from,
                                   year_to=year_to, min_cell=min_cell, fold_parents=fold_parents,
                                   event_types=event_types, params_id=params_id)
    with opened(db, read_only=True) as wh:
        sel = select(wh, params_id, panel, year_from, year_to)
        with RelationalRun(wh, ep) as run:
            return stamp(run.flows(params_of(wh, sel.params_id), sel, fp), wh, sel.params_id)


def top_flows(db: DB, *, engine: str = "duckdb", spark_master: str = "local[*]", level: str = "org", n: int = 10,
              panel=None, year_from: int | None = None, year_to: int | None = None, min_cell: int = 1,
              params_id: str | None = None) -> pd.DataFrame:
    """The ``n`` largest flows over the whole selection, computed on ``engine``."""
    if n < 1:
        raise ConfigError(f"--top {n}: expected a positive number")
    out = flows(db, engine=engine, spark_master=spark_master, level=level, period=0, panel=panel,
                year_from=year_from, year_to=year_to, min_cell=min_cell, params_id=params_id)
    return out.sort_values(["count", "origin"], ascending=[False, True]).head(n).reset_index(drop=True)
