"""The warehouse edge of inference: read observations, run the steps inside DuckDB, write residence and events.

The data never leaves DuckDB: the steps of ``talentflow.inference.engine`` are materialized as
temporary tables in the warehouse connection, then copied into ``residence`` and ``events``
under the parameter set's ``params_id`` (replacing an earlier run of the same parameters).
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field

from talentflow.errors import ConfigError, WarehouseError
from talentflow.inference import hmm_step
from talentflow.inference.engine import drop_steps, inference_steps, obs_view_sql, run_steps
from talentflow.inference.events import EVENT_COLUMNS
from talentflow.inference.params import InferenceParams
from talentflow.inference.residence import RESIDENCE_COLUMNS, residence_from_sql
from talentflow.schema.inference import TABLES
from talentflow.store.params import record_params
from talentflow.store.warehouse import Warehouse

KIND = "inference"


@dataclass(frozen=True)
class InferenceSummary:
    params_id: str
    n_researchers: int
    n_residence: int
    n_events: int
    seconds: float
    events_by_type: dict
    step_seconds: dict = field(default_factory=dict)  # wall time of each step (summed over batches) and of
    # writing the batches' results; "batches": how many


def identity_filter(p: InferenceParams, alias: str = "o") -> str:
    if p.identity in ("all", "resolved"):  # resolved: filtered inside observations_sql
        return "TRUE"
    # an anti-join with the (usually fewer) name-only researchers keeps the hash table small
    return (f"{alias}.researcher_id NOT IN (SELECT researcher_id FROM researchers WHERE identity <> 'stable_id')")


def observations_sql(wh: Warehouse, p: InferenceParams) -> str:
    """The observations careers are built from: the table itself, or with ``identity = resolved``
    each observation keyed on its authorship's person (the ``persons`` table of ``talentflow
    link``); an observation with no persons row (CSV input, which is never linked; a warehouse
    ingested after the last link; a warehouse never linked) keeps its researcher id if that is a
    stable id."""
    if p.identity != "resolved":
        return "observations"
    if not wh.has_table("persons"):  # no linkage run: every stable id is its own person (CSV input...)
        return f"(SELECT * FROM observations o WHERE {identity_filter(InferenceParams())})"
    return ("(SELECT o.* REPLACE (coalesce(p.person_id, o.researcher_id) AS researcher_id) FROM observations o "
            "LEFT JOIN persons p ON p.work_id = o.work_id AND p.researcher_id = o.researcher_id "
            "WHERE p.person_id IS NOT NULL OR o.researcher_id NOT IN "
            "(SELECT researcher_id FROM researchers WHERE identity <> 'stable_id'))")


def _hashes_unique(wh: Warehouse) -> bool:
    n_ids, n_keys = wh.execute("SELECT count(*), count(DISTINCT rid) FROM _inf_ids")[0]
    return n_ids == n_keys


BATCH_ROWS = 2_000_000


def prepare(wh: Warehouse) -> int:
    """Create the result tables if needed; the number of observations (an error when there are none)."""
    wh.apply_schema(TABLES)
    # a warehouse made before events.probability gets the column (earlier runs: empty)
    wh.execute("ALTER TABLE events ADD COLUMN IF NOT EXISTS probability DOUBLE")
    n_obs = wh.count("observations")
    if n_obs == 0:
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no observations; ingest some first "
                             "(talentflow ingest paperlists|csv ...)")
    return n_obs


def run_inference(wh: Warehouse, params: InferenceParams | None = None,
                  batch_rows: int = BATCH_ROWS) -> InferenceSummary:
    """Infer residence and events from the warehouse's observations and store them under a params_id.

    Careers are independent, so researchers are processed in batches (by their key's hash) of
    about ``batch_rows`` observations each: every batch fits in memory, whatever the warehouse's
    size. The results do not depend on the batching.
    """
    params = params or InferenceParams()
    if batch_rows < 1:
        raise ConfigError(f"batch_rows={batch_rows}: expected a positive number of rows")
    started = time.perf_counter()
    n_obs = prepare(wh)
    # The steps run on 64-bit hashes of the researcher ids: no join is needed to key them, and
    # aggregates, windows and sorts on integers take far less memory than on text ids. _inf_ids
    # maps them back when the results are written; a hash collision is checked for, and falls
    # back to dense numbers (one extra join).
    obs = observations_sql(wh, params)
    wh.execute("CREATE OR REPLACE TEMP TABLE _inf_ids AS SELECT researcher_id, hash(researcher_id) AS rid "
               f"FROM (SELECT DISTINCT researcher_id FROM {obs} o WHERE {identity_filter(params)})")
    if _hashes_unique(wh):
        keyed = (f"(SELECT hash(o.researcher_id) AS researcher_id, o.* EXCLUDE (researcher_id) FROM {obs} o "
                 f"WHERE {identity_filter(params)})")
    else:
        wh.execute("CREATE OR REPLACE TEMP TABLE _inf_ids AS SELECT researcher_id, "
                   "CAST(row_number() OVER (ORDER BY researcher_id) AS UBIGINT) AS rid FROM _inf_ids")
        keyed = (f"(SELECT i.rid AS researcher_id, o.* EXCLUDE (researcher_id) FROM {obs} o "
                 "JOIN _inf_ids i ON i.researcher_id = o.researcher_id)")
    n_batches = max(1, -(-n_obs // batch_rows))
    wh.execute("CREATE OR REPLACE TEMP VIEW _inf_inst AS SELECT institution_id, type FROM institutions")
    steps = inference_steps(params, "_inf_obs", "_inf_inst")
    # the padded residence, the last step, is streamed into the results (keyed back to researcher
    # ids before the padding multiplies the rows) rather than materialized
    computed = [(name, sql) for name, sql in steps if name != "_inf_residence"]
    step_seconds: dict[str, float] = {"batches": n_batches}

    def add(name: str, seconds: float) -> None:  # summed over batches
        step_seconds[name] = round(step_seconds.get(name, 0.0) + seconds, 3)

    model = None
    if params.method == "hmm":  # the EM estimates rest on every batch's multi-country researchers
        fitting = time.perf_counter()
        wh.execute("CREATE OR REPLACE TEMP VIEW _inf_obs AS " + obs_view_sql(keyed, params))
        model = hmm_step.fit_estimates(wh, params, "_inf_obs")
        add("hmm_fit", time.perf_counter() - fitting)
    try:
        with wh.transaction():  # each batch is written straight into the results: all or nothing
            store = _Store(wh, params)
            if model is not None:
                hmm_step.store_estimates(wh, store.pid, model)
            for batch in range(n_batches):
                wh.execute("CREATE OR REPLACE TEMP VIEW _inf_obs AS " + obs_view_sql(
                    keyed, params, f"researcher_id % {n_batches} = {batch}"))
                for name, sec in run_steps(wh.con, computed).items():
                    add(name, sec)
                writing = time.perf_counter()
                ids = f"(SELECT * FROM _inf_ids WHERE rid % {n_batches} = {batch})"  # keys back to researcher ids
                ryears, events = (f"(SELECT i.researcher_id, r.* EXCLUDE (researcher_id) FROM {rel} r "
                                  f"JOIN {ids} i ON i.rid = r.researcher_id)" for rel in ("_inf_ryears", "_inf_events"))
                residence = f"({residence_from_sql(params, ryears)})"
                if model is not None:
                    hmm_step.decode_batch(wh, params, "_inf_cyears", model)
                    residence = hmm_step.residence_relation(residence, ids)
                    events = hmm_step.events_relation(events, ids, model)
                    store.count("_inf_ryears", events)
                else:
                    store.count("_inf_ryears", "_inf_events")
                store.append(residence, events)
                add("write", time.perf_counter() - writing)
            summary = store.finish(started, step_seconds)
    finally:
        drop_steps(wh.con, steps)
        hmm_step.drop(wh)
        wh.execute("DROP TABLE IF EXISTS _inf_ids")
        wh.execute("DROP VIEW IF EXISTS _inf_obs")
        wh.execute("DROP VIEW IF EXISTS _inf_inst")
    return summary


class _Store:
    """Replaces the stored results of a parameter set, inside the caller's transaction: the old rows
    go, the new ones are appended (in one go or batch by batch), then the run is logged."""

    def __init__(self, wh: Warehouse, p: InferenceParams):
        self.wh = wh
        self.pid = record_params(wh, KIND, p)
        wh.execute("DELETE FROM residence WHERE params_id = ?", [self.pid])
        wh.execute("DELETE FROM events WHERE params_id = ?", [self.pid])
        self.n_res = self.n_researchers = 0
        self.by_type: dict[str, int] = {}

    def count(self, residents: str, events: str) -> None:
        """Add the researchers with a residence and the events by type of a batch (researchers are
        never split across batches)."""
        self.n_researchers += int(self.wh.execute(f"SELECT count(DISTINCT researcher_id) FROM {residents}")[0][0])
        for kind, n in self.wh.execute(f"SELECT event_type, count(*) FROM {events} GROUP BY ALL"):
            self.by_type[kind] = self.by_type.get(kind, 0) + int(n)

    def append(self, residence: str, events: str) -> None:
        res_cols, ev_cols = ", ".join(RESIDENCE_COLUMNS), ", ".join(EVENT_COLUMNS)
        self.n_res += int(self.wh.execute(f"INSERT INTO residence (params_id, {res_cols}) SELECT ?, {res_cols} "
                                          f"FROM {residence}", [self.pid])[0][0])
        self.wh.execute(f"INSERT INTO events (params_id, {ev_cols}) SELECT ?, {ev_cols} FROM {events}", [self.pid])

    def finish(self, started: float, step_seconds: dict | None = None) -> InferenceSummary:
        by_type = dict(sorted(self.by_type.items(), key=lambda kv: (-kv[1], kv[0])))
        n_ev = sum(by_type.values())
        seconds = time.perf_counter() - started
        self.wh.execute("INSERT INTO inference_runs VALUES (?, ?, ?, ?, ?, ?)", [
            self.pid, _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None), self.n_researchers, self.n_res, n_ev,
            round(seconds, 3)])
        return InferenceSummary(self.pid, self.n_researchers, self.n_res, n_ev, seconds, by_type, step_seconds or {})


def store_inference(wh: Warehouse, p: InferenceParams, residence: str, events: str, started: float,
                    step_seconds: dict | None = None) -> InferenceSummary:
    """Replace the stored results of ``p`` by the rows of the relations ``residence`` and ``events``
    (tables, subqueries or table functions DuckDB can read, with RESIDENCE_COLUMNS / EVENT_COLUMNS)
    in one transaction; log the run in ``inference_runs``."""
    with wh.transaction():
        store = _Store(wh, p)
        store.append(residence, events)
        store.count(residence, events)
        return store.finish(started, step_seconds)


def latest_params_id(wh: Warehouse, params_id: str | None = None) -> str:
    """The given params_id (checked), or the one of the latest `talentflow infer` run."""
    if not wh.has_table("inference_runs"):
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no inference results; run `talentflow infer` first")
    if params_id:
        if not wh.execute("SELECT 1 FROM inference_runs WHERE params_id = ?", [params_id]):
            known = [r[0] for r in wh.execute("SELECT DISTINCT params_id FROM inference_runs")]
            raise WarehouseError(f"no inference run with params_id {params_id!r}; known: {known}")
        return params_id
    rows = wh.execute("SELECT params_id FROM inference_runs ORDER BY run_at DESC LIMIT 1")
    if not rows:
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no inference results; run `talentflow infer` first")
    return rows[0][0]


def params_of(wh: Warehouse, params_id: str) -> InferenceParams:
    import json

    row = wh.execute("SELECT params FROM meta_runs WHERE params_id = ?", [params_id])
    if not row:
        raise WarehouseError(f"no parameters recorded for params_id {params_id!r}")
    return InferenceParams(**json.loads(row[0][0]))
