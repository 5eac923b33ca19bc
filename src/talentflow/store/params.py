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


def source_versions(wh: Warehouse) -> str:
    """The sources a warehouse's figures rest on: ``source@version`` of every ingested source, ';'-joined."""
    if not wh.has_table("ingest_runs"):
        return ""
    rows = wh.execute("SELECT DISTINCT source, coalesce(version, '') FROM ingest_runs WHERE status <> 'replaced' "
                      "ORDER BY ALL")
    return ";".join(f"{a}@{b}" if b else a for a, b in rows)


def stamp(frame, wh: Warehouse, params_id: str | None):
    """``frame`` with its provenance in ``frame.attrs['provenance']`` (params_id, source_versions): the
    CLI's csv, json and parquet exports write them as columns."""
    frame.attrs["provenance"] = {"params_id": params_id, "source_versions": source_versions(wh)}
    return frame
