"""Tables for people: chosen columns, headers with units and definitions, formatted numbers. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentflow.report.figures import fmt


@dataclass(frozen=True)
class Col:
    """key: frame column; header: what people read; tip: unit and definition (a tooltip);
    kind: text | int | num | pct (a 0-1 share shown as percent) | pct100 (already percent) | ci (a
    '<key>_lo'/'<key>_hi' pair shown as an interval) | pctci (the same pair of 0-1 shares, shown in
    percent with ``digits`` decimals)."""

    key: str
    header: str
    tip: str = ""
    kind: str = "text"
    digits: int = 1


@dataclass
class TableView:
    title: str
    headers: list[tuple[str, str, bool]]  # header, tooltip, numeric
    rows: list[list[str]]
    total: int
    note: str = ""
    csv_name: str = ""
    csv: str = field(default="", repr=False)


def _cell(frame_row: pd.Series, col: Col) -> str:
    if col.kind in ("ci", "pctci"):
        lo, hi = frame_row.get(f"{col.key}_lo"), frame_row.get(f"{col.key}_hi")
        if lo is None or hi is None or _nan(lo) or _nan(hi):
            return "–"
        if col.kind == "pctci":
            return f"{float(lo) * 100:,.{col.digits}f}% to {float(hi) * 100:,.{col.digits}f}%"
        return f"{fmt(float(lo), col.digits)} to {fmt(float(hi), col.digits)}"
    v = frame_row.get(col.key)
    if v is None or _nan(v):
        return "–"
    if col.kind == "int":
        return fmt(int(round(float(v))), 0)
    if col.kind == "num":
        return fmt(float(v), col.digits)
    if col.kind == "pct":
        return f"{float(v) * 100:,.{col.digits}f}%"
    if col.kind == "pct100":
        return f"{float(v):,.{col.digits}f}%"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    return str(v)


def _nan(v) -> bool:
    try:
        return v is pd.NA or (isinstance(v, (float, np.floating)) and math.isnan(v))
    except TypeError:
        return False


def view(frame: pd.DataFrame, cols: list[Col], title: str, *, limit: int = 25, note: str = "",
         csv_name: str = "", stamp: dict | None = None) -> TableView:
    """The first ``limit`` rows of ``frame`` in ``cols``; the whole frame (those columns) as CSV, with
    the provenance columns of ``stamp`` (params_id, source versions) on every row."""
    cols = [c for c in cols if c.key in frame.columns or (c.kind in ("ci", "pctci") and f"{c.key}_lo" in frame.columns)]
    head = frame.head(limit)
    rows = [[_cell(r, c) for c in cols] for _, r in head.iterrows()]
    keys: list[str] = []
    for c in cols:
        keys.extend([f"{c.key}_lo", f"{c.key}_hi"] if c.kind in ("ci", "pctci") else [c.key])
    csv = frame[[k for k in keys if k in frame.columns]].assign(**(stamp or {})).to_csv(index=False) \
        if csv_name else ""
    return TableView(title, [(c.header, c.tip, c.kind != "text") for c in cols], rows, len(frame), note,
                     csv_name, csv)
