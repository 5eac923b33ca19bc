"""Small helpers the collaboration modules share: SQL over DataFrames, periods, bootstrap intervals.

DuckDB is used here as a computation engine over in-memory frames (a private cursor per call),
not as storage: functions built on ``sql_frames`` stay pure (frames in, frames out).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from talentflow.errors import ConfigError


_ENGINE: list[duckdb.DuckDBPyConnection] = []


def sql_frames(sql: str, frames: dict[str, pd.DataFrame], params: list | None = None) -> pd.DataFrame:
    """Run ``sql`` on a private cursor of an in-memory DuckDB where each frame is visible under its key
    (registrations are per cursor, so concurrent calls do not see each other's frames)."""
    if not _ENGINE:
        _ENGINE.append(duckdb.connect(":memory:"))
    con = _ENGINE[0].cursor()
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def assign_periods(years: pd.Series, period_length: int | None, year_from: int | None,
                   year_to: int | None) -> pd.DataFrame:
    """Period columns (period, period_start, period_end) for each year.

    ``period_length=None``: one period spanning the data (or the given bounds). Otherwise bins of
    ``period_length`` years starting at ``year_from`` when given, else calendar-aligned (multiples of
    the length: 2015-2019, 2020-2024 for 5); the last bin is cut at ``year_to`` or the last year seen.
    """
    years = years.astype("int64")
    if years.empty:
        return pd.DataFrame({"period": pd.Series(dtype=str), "period_start": pd.Series(dtype="int64"),
                             "period_end": pd.Series(dtype="int64")}, index=years.index)
    lo = year_from if year_from is not None else int(years.min())
    hi = year_to if year_to is not None else int(years.max())
    if period_length is None:
        start = pd.Series(lo, index=years.index, dtype="int64")
        end = pd.Series(hi, index=years.index, dtype="int64")
    else:
        if period_length < 1:
            raise ConfigError(f"period_length must be a positive number of years, got {period_length}")
        anchor = year_from if year_from is not None else 0
        start = anchor + ((years - anchor) // period_length) * period_length
        end = np.minimum(start + period_length - 1, hi)
        start = np.maximum(start, lo)
    label = np.where(start == end, start.astype(str), start.astype(str) + "-" + pd.Series(end, index=years.index).astype(str))
    return pd.DataFrame({"period": label, "period_start": start, "period_end": end}, index=years.index)


def percentile_interval(draws: np.ndarray, ci: float) -> tuple[float, float]:
    """Percentile bootstrap interval of the finite draws (NaN, NaN when there are none)."""
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    alpha = (1.0 - ci) / 2.0
    lo, hi = np.quantile(draws, [alpha, 1.0 - alpha])
    return float(lo), float(hi)
