"""Seeded bootstrap over researchers: every rate and share gets an interval.

Resampling researchers (not events or person-years) keeps each person's moves and years
together, which is what makes a career-based figure uncertain. ``bootstrap_cells`` takes one
row per (researcher, cell) with additive value columns (counts, person-years), reweights the
researchers ``n_boot`` times, recomputes the per-cell sums and applies ``stat`` to them; the
interval is the percentile interval of the replicates.

The resampling is a Poisson bootstrap (Hanley and MacGibbon 2006; Chamandy et al. 2012,
"Estimating uncertainty for massive data streams"): in replicate b a researcher counts
w(researcher, b) times, with w drawn from Poisson(1) by a hash of (seed, b, researcher id)
(``poisson_weights``). So a
researcher has the same weights in every figure, whatever the selection: replicate b of a
country's rate over 2010-2020 is the sum of replicate b over each year, a selection's interval
does not depend on which other researchers the query read, and a server can precompute
replicate sums per cell and add them up for any year range or panel (``metrics.rates.RateCube``)
with the very figures the CLI computes from scratch. The multinomial bootstrap it replaces
(n draws with replacement among the selection's n researchers) gives the same intervals up to
O(1/n) in the sample size; the Poisson one lets the sample size vary with it, as a fresh sample
of researchers would.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from dataclasses import dataclass
from typing import Callable, Iterator

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

# Poisson(1) by table: a 16-bit uniform u picks the k with P(X < k) <= u/2**16 < P(X <= k), so
# every probability is Poisson(1)'s to within 1/65,536
_POISSON_TABLE = np.searchsorted(np.cumsum([math.exp(-1) / math.factorial(k) for k in range(20)]),
                                 (np.arange(1 << 16) + 0.5) / (1 << 16), side="right").astype(np.uint8)
_M64 = (1 << 64) - 1


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijection of uint64 that spreads every input bit (wraps mod 2**64)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def researcher_keys(ids) -> np.ndarray:
    """A stable 64-bit key per researcher id (pandas' documented, fixed-key SipHash of the string):
    the same id gets the same key on every machine and in every run."""
    return pd.util.hash_array(np.asarray(ids, dtype=object).astype(str).astype(object), categorize=False)


def poisson_weights(keys: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, len(keys)) uint8 weights, Poisson(1): a pure function of (seed, replicate, key).

    Replicate b hashes a key by multiply-shift (Dietzfelbinger et al.): the top 16 bits of
    key * a_b + c_b (mod 2**64), with odd a_b and c_b drawn from the seed by splitmix64."""
    keys = np.asarray(keys, dtype=np.uint64)
    out = np.empty((n_boot, len(keys)), dtype=np.uint8)
    with np.errstate(over="ignore"):
        b = np.arange(n_boot, dtype=np.uint64) + np.uint64(1)
        a = _mix64(b * np.uint64(0x9E3779B97F4A7C15) + _mix64(np.array([seed & _M64], dtype=np.uint64))) | np.uint64(1)
        c = _mix64(a)
        step = max(1, 2_000_000 // max(n_boot, 1))
        for i in range(0, len(keys), step):
            x = keys[None, i:i + step] * a[:, None] + c[:, None]
            out[:, i:i + step] = _POISSON_TABLE[x >> np.uint64(48)]
    return out


class WeightBank:
    """The replicate weights of a known population, drawn once: a long-lived reader (the server)
    hands it to every computation (``use_bank``) so that a request looks weights up instead of
    drawing them. Lookups give exactly what ``poisson_weights`` gives for the same ids."""

    def __init__(self, ids, n_boot: int, seed: int):
        self.index = pd.Index(pd.unique(np.asarray(ids, dtype=object)))
        self.n_boot, self.seed = n_boot, seed
        self.weights = poisson_weights(researcher_keys(self.index), n_boot, seed)

    def take(self, ids: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
        if seed != self.seed or n_boot > self.n_boot:
            return poisson_weights(researcher_keys(ids), n_boot, seed)
        pos = self.index.get_indexer(ids)
        out = self.weights[:n_boot, np.where(pos >= 0, pos, 0)]
        if (pos < 0).any():
            miss = np.flatnonzero(pos < 0)
            out[:, miss] = poisson_weights(researcher_keys(np.asarray(ids, dtype=object)[miss]), n_boot, seed)
        return out


_BANK: contextvars.ContextVar[WeightBank | None] = contextvars.ContextVar("talentflow_weight_bank", default=None)


@contextlib.contextmanager
def use_bank(bank: WeightBank | None) -> Iterator[None]:
    """Within the block, bootstraps of this thread look their weights up in ``bank``."""
    token = _BANK.set(bank)
    try:
        yield
    finally:
        _BANK.reset(token)


def replicate_weights(ids, boot: BootstrapParams) -> np.ndarray:
    """(n_boot, len(ids)) Poisson weights of these researcher ids (from the bank in use, if any)."""
    ids = np.asarray(ids, dtype=object)
    bank = _BANK.get()
    if bank is not None:
        return bank.take(ids, boot.n_boot, boot.seed)
    return poisson_weights(researcher_keys(ids), boot.n_boot, boot.seed)


def replicate_sums(weights: np.ndarray, r_codes: np.ndarray, c_codes: np.ndarray, values: np.ndarray,
                   n_cells: int) -> np.ndarray:
    """(k, n_boot, n_cells): per value column k and replicate b, the sum over rows of
    weights[b, researcher] * value, by cell. Exact for whole-number values (float64 sums of
    integers), so the order of summation does not change a figure."""
    n_boot = weights.shape[0]
    k = values.shape[0]
    out = np.zeros((k, n_boot, n_cells))
    if not len(r_codes) or not n_boot:
        return out
    order = np.argsort(c_codes, kind="stable")
    r_s, c_s, v_s = r_codes[order], c_codes[order], values[:, order]
    step = max(1, 4_000_000 // n_boot)
    for i in range(0, len(r_s), step):
        cs = c_s[i:i + step]
        starts = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
        ids = cs[starts]
        g = weights[:, r_s[i:i + step]].astype(np.float64)
        for m in range(k):
            v = v_s[m, i:i + step]
            if not v.any():
                continue
            out[m][:, ids] += np.add.reduceat(g * v, starts, axis=1)
    return out


def percentile_interval(reps: dict[str, np.ndarray], level: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per statistic (n_boot, n_cells): the percentile interval per cell over its finite replicates
    (NaN where none is), by numpy's default (linear) quantile rule, for all cells at once."""
    alpha = (1 - level) / 2
    out = {}
    for name, arr in reps.items():
        arr = np.asarray(arr, dtype=float)
        n_cells = arr.shape[1]
        valid = np.isfinite(arr)
        ordered = np.sort(np.where(valid, arr, np.inf), axis=0)  # the finite replicates first, in order
        count = valid.sum(axis=0)
        cols = np.arange(n_cells)
        bounds = []
        for q in (alpha, 1 - alpha):
            pos = q * np.maximum(count - 1, 0)
            below = np.floor(pos).astype(np.int64)
            above = np.minimum(below + 1, np.maximum(count - 1, 0))
            frac = pos - below
            a, b = ordered[below, cols], ordered[above, cols]
            with np.errstate(invalid="ignore"):
                value = np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)
            bounds.append(np.where(count > 0, value, np.nan))
        out[name] = (bounds[0], bounds[1])
    return out


def bootstrap_cells(contrib: pd.DataFrame, cell_cols: list[str], value_cols: list[str], stat: Stat,
                    boot: BootstrapParams = BootstrapParams()) -> pd.DataFrame:
    """Per cell: the statistics of ``stat`` on the full sample, and ``<name>_lo`` / ``<name>_hi``.

    ``contrib``: researcher_id, the cell columns and the value columns (summed within a cell).
    ``stat``: maps {value column: array over cells} to {statistic name: array over cells}; it is
    applied elementwise, to (n_cells,) arrays and to (n_boot, n_cells) replicate arrays alike.
    """
    if contrib.empty:
        cols = cell_cols + value_cols
        return pd.DataFrame(columns=cols)
    r_codes, r_ids = pd.factorize(contrib["researcher_id"], sort=True)
    cells = contrib[cell_cols].drop_duplicates().sort_values(cell_cols).reset_index(drop=True)
    c_codes = pd.MultiIndex.from_frame(contrib[cell_cols]).map(
        {k: i for i, k in enumerate(pd.MultiIndex.from_frame(cells))}) if len(cell_cols) > 1 else \
        contrib[cell_cols[0]].map({k: i for i, k in enumerate(cells[cell_cols[0]])})
    c_codes = np.asarray(c_codes, dtype=np.int64)
    n_cells = len(cells)
    values = np.vstack([contrib[v].to_numpy(dtype=float) for v in value_cols])
    full = {v: np.bincount(c_codes, weights=values[i], minlength=n_cells) for i, v in enumerate(value_cols)}
    point = stat(full)
    out = cells.copy()
    for v in value_cols:
        out[v] = full[v]
    for name, arr in point.items():
        out[name] = arr
    if boot.n_boot:
        w = replicate_weights(np.asarray(r_ids, dtype=object), boot)
        sums = replicate_sums(w, r_codes, c_codes, values, n_cells)
        add_intervals(out, stat, {v: sums[i] for i, v in enumerate(value_cols)}, boot.level)
    return out


def add_intervals(out: pd.DataFrame, stat: Stat, rep_sums: dict[str, np.ndarray], level: float) -> None:
    """``<name>_lo`` / ``<name>_hi`` columns on ``out``, from the replicate sums (n_boot, n_cells) of
    the value columns: ``stat`` applied to each replicate, then the percentile interval."""
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = stat(rep_sums)
    for name, (lo, hi) in percentile_interval(reps, level).items():
        out[f"{name}_lo"], out[f"{name}_hi"] = lo, hi


def ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1), np.nan)
