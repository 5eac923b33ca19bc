"""Inference on an engine, written back into the warehouse.

``infer_on_engine(wh, p, EngineParams(engine="spark"))`` runs staging -> residence -> events
with ``RelationalRun`` and stores the results exactly as ``talentflow.inference.run.run_inference``
does: the same ``params_id`` (``record_params(wh, "inference", p)``: the engine is not a
parameter, it changes no figure), the rows of an earlier run of those parameters replaced in
``residence`` and ``events``, and one ``inference_runs`` row. Every downstream command (flows,
rates, orgs, report...) then reads them as if ``talentflow infer`` had run on DuckDB.

Person-level tables never pass through the Python driver: Spark writes them as Parquet part
files under its work folder and DuckDB inserts them with ``INSERT ... SELECT FROM read_parquet``.
"""

from __future__ import annotations

import time
from pathlib import Path

from talentflow.engines.base import EngineParams
from talentflow.engines.relational import RelationalRun
from talentflow.inference.events import EVENT_COLUMNS
from talentflow.inference.params import InferenceParams
from talentflow.inference.residence import RESIDENCE_COLUMNS
from talentflow.inference.run import InferenceSummary, prepare, store_inference
from talentflow.store.warehouse import Warehouse


def _parquet_source(path: Path) -> str:
    pattern = str(path / "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}')"


def infer_on_engine(wh: Warehouse, p: InferenceParams, ep: EngineParams) -> InferenceSummary:
    """Infer residence and events on ``ep.engine`` and store them in ``wh`` under ``p``'s params_id."""
    started = time.perf_counter()
    prepare(wh)
    with RelationalRun(wh, ep) as run:
        residence, events = run.infer(p)
        if ep.engine != "duckdb":
            residence = _parquet_source(run.export(residence, RESIDENCE_COLUMNS, "residence"))
            events = _parquet_source(run.export(events, EVENT_COLUMNS, "events"))
        return store_inference(wh, p, residence, events, started)
