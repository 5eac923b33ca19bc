"""Small-cell suppression: the one rule for every published count of people.

**Primary rule.** A count of 1..min_cell-1 people (researchers, moves, graduates, papers) is
blanked, with every figure derived from it. Zero is not disclosive and is kept. ``min_cell <= 1``
disables suppression (local analysis only).

**Complements.** A share or difference published beside its total would let a reader recompute
a blanked part: ``leavers = graduates - stayed``, ``domestic = researchers - foreign``, ``reverse
= count - net``. So a part is also blanked when its complement (total - part) is small, and a
difference is blanked when either of its terms is (:func:`suppress` with the complement column
added by :func:`with_complement`).

**Not covered.** Differencing *across* tables (a country's total outflow in ``rates`` minus the
flows it shows in ``flows``) recovers the sum of all that country's suppressed flows, which may be
a single flow. Totals are not perturbed; that residual risk is documented in docs/report.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_MIN_CELL = 10


def small(count, min_cell: int):
    """True where a count is disclosive: 0 < count < min_cell (a Series in, a Series out; a scalar
    in, a bool out). Missing values are not small."""
    if np.isscalar(count) or count is None:
        try:
            c = float(count)
        except (TypeError, ValueError):
            return False
        return bool(min_cell > 1 and 0 < c < min_cell)
    c = pd.to_numeric(count, errors="coerce")
    if min_cell <= 1:
        return pd.Series(False, index=c.index)
    return (c > 0) & (c < min_cell)


def with_complement(frame: pd.DataFrame, part: str, total: str, name: str | None = None) -> pd.DataFrame:
    """``frame`` with a column ``name`` (default ``<total>_minus_<part>``) = total - part, the count a
    reader could recompute; give it to :func:`suppress` as a count and drop it afterwards."""
    out = frame.copy()
    out[name or f"{total}_minus_{part}"] = pd.to_numeric(out[total], errors="coerce") - \
        pd.to_numeric(out[part], errors="coerce")
    return out


def suppress(frame: pd.DataFrame, rules: dict[str, list[str]], min_cell: int) -> pd.DataFrame:
    """Blank, for each count column of ``rules``, that count and its dependent columns where it is small.

    Adds ``suppressed`` (bool): whether anything in the row was blanked.
    """
    out = frame.copy()
    flag = np.zeros(len(out), dtype=bool)
    if min_cell > 1:
        masks = {count_col: small(out[count_col], min_cell).to_numpy(dtype=bool) for count_col in rules}  # before any blanking
        blank: dict[str, np.ndarray] = {}  # column -> rows to blank (the union of its rules' masks)
        for count_col, dependents in rules.items():
            mask = masks[count_col]
            flag |= mask
            for col in [count_col, *dependents]:
                if col in out.columns:
                    blank[col] = blank[col] | mask if col in blank else mask
        for col, mask in blank.items():
            if pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col].astype("boolean").mask(mask)
            elif pd.api.types.is_numeric_dtype(out[col]):
                out[col] = np.where(mask, np.nan, out[col].to_numpy(dtype="float64", na_value=np.nan))
            else:
                out[col] = out[col].astype(object).where(~mask, None)
    out["suppressed"] = flag
    return out


def protect_residual(frame: pd.DataFrame, group: str, count: str, dependents: list[str], min_cell: int) -> pd.DataFrame:
    """Secondary suppression within a table whose group totals are published elsewhere (a study
    country's graduates): while the blanked cells of a group sum to 1..min_cell-1, blank its
    smallest visible cell too, so that total - visible cells never recovers a small count.
    Expects the primary rule applied (``suppressed`` column); sets ``suppressed`` on the new blanks."""
    if min_cell <= 1 or frame.empty:
        return frame
    out = frame.copy()
    raw = pd.to_numeric(out[f"_{count}_raw"], errors="coerce")
    for _, idx in out.groupby(group).groups.items():
        rows = list(idx)
        while True:
            hidden = [i for i in rows if out.at[i, "suppressed"]]
            residual = float(raw.loc[hidden].sum()) if hidden else 0.0
            visible = [i for i in rows if not out.at[i, "suppressed"]]
            if not small(residual, min_cell) or not visible:
                break
            victim = min(visible, key=lambda i: (raw.loc[i], str(i)))
            for col in [count, *dependents]:
                if col in out.columns:
                    out.at[victim, col] = np.nan if pd.api.types.is_numeric_dtype(out[col]) else None
            out.at[victim, "suppressed"] = True
    return out.drop(columns=f"_{count}_raw")
