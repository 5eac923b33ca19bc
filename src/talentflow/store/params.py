"""Recording parameter sets: every result-changing choice is a frozen dataclass, stored in meta_runs."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json

from talentflow import __version__
from talentflow.store.warehouse import Warehouse


def canonical_json(params) -> str:
    """Parameters (a dataclass or a dict) as canonical JSON: sorted keys, no white space."""
    data = dataclasses.asdict(params) if dataclasses.is_dataclass(params) else dict(params)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def params_id(kind: str, params) -> str:
    return hashlib.sha256(f"{kind}|{canonical_json(params)}".encode()).hexdigest()[:12]


def record_params(wh: Warehouse, kind: str, params) -> str:
    """Store ``params`` in meta_runs (once) and return its params_id."""
    pid = params_id(kind, params)
    if not wh.execute("SELECT 1 FROM meta_runs WHERE params_id = ?", [pid]):
        inputs = wh.query("SELECT source, version, count(*) AS files, sum(n_observations) AS observations "
                          "FROM ingest_runs GROUP BY ALL ORDER BY source").to_dict(orient="records")
        wh.execute("INSERT INTO meta_runs VALUES (?, ?, ?, ?, ?, ?)", [
            pid, kind, canonical_json(params), _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None),
            __version__, json.dumps(inputs, default=str)])
    return pid
