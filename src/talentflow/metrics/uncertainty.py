"""Seeded bootstrap over researchers: every rate and share gets an interval.

Resampling researchers (not events or person-years) keeps each person's moves and years
together, which is what makes a career-based figure uncertain. ``bootstrap_cells`` takes one
row per (researcher, cell) with additive value columns (counts, person-years), resamples the
researchers ``n_boot`` times with replacement, recomputes the per-cell sums and applies
``stat`` to them; the interval is the percentile interval of the replicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError


@dataclass(frozen=True)
class BootstrapParams:
    """n_boot: replicates (0 = no intervals); seed: random seed; level: interval coverage."""

    n_boot: int = 500
    seed: int = 20240
    level: float = 0.95

    def __post_init__(self) -> None:
        if not isinstance(self.n_boot, int) or self.n_boot < 0:
            raise ConfigError(f"n_boot={self.n_boot!r}: expected a whole number >= 0")
        if not 0.5 <= self.level < 1:
            raise ConfigError(f"level={self.level!r}: expected a coverage in [0.5, 1)")


Stat = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


def bootstrap_cells(contrib: pd.DataFrame, cell_cols: list[str], value_cols: list[str], stat: Stat,
                    boot: BootstrapParams = BootstrapParams()) -> pd.DataFrame:
    """Per cell: the statistics of ``stat`` on the full sample, and ``<name>_lo`` / ``<name>_hi``.

    ``contrib``: researcher_id, the cell columns and the value columns (summed within a cell).
    ``stat``: maps {value column: array over cells} to {statistic name: array over cells}.
    """
    if contrib.empty:
        cols = cell_cols + value_cols
        return pd.DataFrame(columns=cols)
    # sorted codes: a draw picks the same researchers whatever order the rows come in,
    # so intervals repeat exactly for the same data and seed
    r_codes, _ = pd.factorize(contrib["researcher_id"], sort=True)
    cells = contrib[cell_cols].drop_duplicates().sort_values(cell_cols).reset_index(drop=True)
    c_codes = pd.MultiIndex.from_frame(contrib[cell_cols]).map(
        {k: i for i, k in enumerate(pd.MultiIndex.from_frame(cells))}) if len(cell_cols) > 1 else \
        contrib[cell_cols[0]].map({k: i for i, k in enumerate(cells[cell_cols[0]])})
    c_codes = np.asarray(c_codes, dtype=np.int64)
    n_cells, n_res = len(cells), int(r_codes.max()) + 1
    values = {v: contrib[v].to_numpy(dtype=float) for v in value_cols}
    full = {v: np.bincount(c_codes, weights=values[v], minlength=n_cells) for v in value_cols}
    point = stat(full)
    out = cells.copy()
    for v in value_cols:
        out[v] = full[v]
    for name, arr in point.items():
        out[name] = arr
    if boot.n_boot:
        rng = np.random.default_rng(boot.seed)
        reps = {name: np.empty((boot.n_boot, n_cells)) for name in point}
        for b in range(boot.n_boot):
            draw = np.bincount(rng.integers(0, n_res, size=n_res), minlength=n_res).astype(float)
            w = draw[r_codes]
            sums = {v: np.bincount(c_codes, weights=w * values[v], minlength=n_cells) for v in value_cols}
            for name, arr in stat(sums).items():
                reps[name][b] = arr
        alpha = (1 - boot.level) / 2
        for name, arr in reps.items():
            lo, hi = np.full(n_cells, np.nan), np.full(n_cells, np.nan)
            ok = np.isfinite(arr).any(axis=0)
            if ok.any():
                lo[ok] = np.nanquantile(arr[:, ok], alpha, axis=0)
                hi[ok] = np.nanquantile(arr[:, ok], 1 - alpha, axis=0)
            out[f"{name}_lo"], out[f"{name}_hi"] = lo, hi
    return out


def ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1), np.nan)
