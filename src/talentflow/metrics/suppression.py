"""Small-cell suppression: counts of 1..min_cell-1 people, and every figure derived from them, are blanked.

Zero is not disclosive and is kept. ``min_cell <= 1`` disables suppression (local analysis).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def small(count: pd.Series, min_cell: int) -> pd.Series:
    """True where a count is disclosive: 0 < count < min_cell."""
    c = pd.to_numeric(count, errors="coerce")
    return (c > 0) & (c < min_cell)


def suppress(frame: pd.DataFrame, rules: dict[str, list[str]], min_cell: int) -> pd.DataFrame:
    """Blank, for each count column of ``rules``, that count and its dependent columns where it is small.

    Adds ``suppressed`` (bool): whether anything in the row was blanked.
    """
    out = frame.copy()
    flag = pd.Series(False, index=out.index)
    if min_cell > 1:
        for count_col, dependents in rules.items():
            mask = small(out[count_col], min_cell)
            flag |= mask
            for col in [count_col, *dependents]:
                if col not in out.columns:
                    continue
                if pd.api.types.is_numeric_dtype(out[col]):
                    out[col] = out[col].astype("float64").where(~mask, np.nan)
                else:
                    out[col] = out[col].astype(object).where(~mask, None)
    out["suppressed"] = flag
    return out
