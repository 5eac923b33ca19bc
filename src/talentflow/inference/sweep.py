"""Sensitivity: rerun the inference with one parameter changed at a time and compare the headline figures.

Runs inside the warehouse connection (temporary tables only: nothing is written), so it works
on a read-only warehouse and at the warehouse's full size.
"""

from __future__ import annotations


import pandas as pd

from talentflow.errors import ConfigError
from talentflow.inference.engine import drop_steps, inference_steps, obs_view_sql, run_steps
from talentflow.inference.params import InferenceParams, field_names
from talentflow.inference.panels import parse_panel
from talentflow.inference.run import identity_filter
from talentflow.store.params import params_id
from talentflow.store.warehouse import Warehouse

DEFAULT_GRID: dict[str, list] = {
    "identity": ["stable_id", "all"],
    "min_spell_years": [1, 2, 3],
    "temporary_window": [0, 1, 2, 3],
    "tie_break": ["previous", "alphabetical"],
    "min_evidence": [0.25, 0.5, 1.0],
    "min_origin_years": [1, 2],
    "chain_rule": ["room", "ambiguous", "skip"],
    "boundary_share": [0.2, 0.5, 1.0],
}


def parse_grid(items: list[str] | None) -> dict[str, list]:
    """['min_spell_years=1,2,3'] -> {'min_spell_years': ['1', '2', '3']}; None -> DEFAULT_GRID."""
    if not items:
        return DEFAULT_GRID
    grid: dict[str, list] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--vary {item!r}: expected name=v1,v2")
        name, values = item.split("=", 1)
        name = name.strip().replace("-", "_")
        if name not in field_names():
            raise ConfigError(f"--vary {name!r}: not an inference parameter; known: {field_names()}")
        grid[name] = [v.strip() for v in values.split(",") if v.strip()]
    return grid


def headline(wh: Warehouse, events: str, residence: str) -> dict:
    row = wh.query(f"""
        SELECT
          (SELECT count(DISTINCT researcher_id) FROM {residence}) AS researchers,
          (SELECT count(*) FROM {residence}) AS person_years,
          count(*) FILTER (WHERE event_type IN ('migration', 'return')) AS moves,
          count(*) FILTER (WHERE event_type = 'return') AS returns,
          count(*) FILTER (WHERE event_type = 'temporary') AS temporary,
          count(*) FILTER (WHERE event_type = 'censored') AS censored,
          count(*) FILTER (WHERE event_type = 'ambiguous') AS ambiguous,
          count(*) FILTER (WHERE event_type IN ('migration', 'return') AND origin = 'USA' AND destination = 'CHN') AS usa_to_chn,
          count(*) FILTER (WHERE event_type IN ('migration', 'return') AND origin = 'CHN' AND destination = 'USA') AS chn_to_usa,
          count(*) FILTER (WHERE event_type IN ('migration', 'return') AND destination = 'USA')
            - count(*) FILTER (WHERE event_type IN ('migration', 'return') AND origin = 'USA') AS usa_net,
          count(*) FILTER (WHERE event_type IN ('migration', 'return') AND destination = 'CHN')
            - count(*) FILTER (WHERE event_type IN ('migration', 'return') AND origin = 'CHN') AS chn_net
        FROM {events} WHERE kind = 'country'""").iloc[0].to_dict()
    row["moves_per_1000_person_years"] = round(1000 * row["moves"] / row["person_years"], 3) if row["person_years"] else None
    return row


def sweep(wh: Warehouse, grid: dict[str, list], base: InferenceParams = InferenceParams(),
          panel=None) -> pd.DataFrame:
    """One row per (parameter, value), the base first; headline figures of each run."""
    runs: list[tuple[str, str, InferenceParams]] = [("(base)", "", base)]
    for name, values in grid.items():
        for value in values:
            p = base.with_overrides(**{name: value})
            if p != base:
                runs.append((name, str(getattr(p, name)), p))
    namespaces = parse_panel(panel)
    rows = []
    for name, value, p in runs:
        where = identity_filter(p)
        if namespaces:
            names = ", ".join("'" + n.replace("'", "''") + "'" for n in namespaces)
            where += f" AND o.researcher_id IN (SELECT researcher_id FROM researchers WHERE namespace IN ({names}))"
        wh.execute("CREATE OR REPLACE TEMP VIEW _sw_obs AS " + obs_view_sql("observations o", p, where))
        wh.execute("CREATE OR REPLACE TEMP VIEW _sw_inst AS SELECT institution_id, type FROM institutions")
        steps = inference_steps(p, "_sw_obs", "_sw_inst", prefix="_sw_")
        try:
            run_steps(wh.con, steps)
            figures = headline(wh, "_sw_events", "_sw_residence")
        finally:
            drop_steps(wh.con, steps)
        rows.append({"parameter": name, "value": value, "params_id": params_id("inference", p), **figures})
    wh.execute("DROP VIEW IF EXISTS _sw_obs")
    wh.execute("DROP VIEW IF EXISTS _sw_inst")
    out = pd.DataFrame(rows)
    base_moves = out.loc[0, "moves"]
    out["moves_vs_base_pct"] = (100 * (out["moves"] - base_moves) / base_moves).round(1) if base_moves else None
    return out


