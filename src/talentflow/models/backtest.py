"""Out-of-sample backtest of the gravity model against naive baselines.

For each training end T: fit the gravity model on years T-w+1..T, then predict every ordered
pair of countries present both in year T and in year T+h (h = 1..horizon; zeros included):

* ``gravity``: the fitted expected flow of year T (fixed effects of year T carried forward:
  the gravity model as a smoother of the last observed year);
* ``gravity_pair``: the same times the pair's empirical-Bayes effect over the training window
  (:func:`talentflow.models.gravity.pair_effects`, prior strength ``pair_prior``): what the
  scenario projection uses;
* ``gravity_pair_growth``: the same, times the trend growth of total flows over the window;
* ``persistence``: the observed flow of year T;
* ``mean``: the mean observed flow of the training window.

Errors per model, T and h: mean absolute error, root mean squared error, mean Poisson
deviance, WAPE (sum |error| / sum actual) and the error of the total (sum predicted / sum
actual - 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentflow.models.gravity import GravityFit, fit_gravity, pair_effects
from talentflow.models.params import BacktestSpec, GravitySpec
from talentflow.models.sources import FlowData, build_panel

MODELS = ("gravity", "gravity_pair", "gravity_pair_growth", "persistence", "mean")
ERROR_COLUMNS = ("model", "train_end", "horizon", "year", "n_pairs", "actual_total", "mae", "rmse", "deviance",
                 "wape", "total_error")


def poisson_deviance(actual: np.ndarray, predicted: np.ndarray, floor: float = 1e-9) -> np.ndarray:
    """Unit Poisson deviance 2 (y log(y/mu) - (y - mu)), with mu floored at ``floor``."""
    y = np.asarray(actual, dtype=float)
    mu = np.maximum(np.asarray(predicted, dtype=float), floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * (term - (y - mu))


def forecast_errors(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, mean Poisson deviance, WAPE and total error of one prediction."""
    y = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    err = p - y
    total = y.sum()
    return {
        "n_pairs": int(len(y)),
        "actual_total": float(total),
        "mae": float(np.mean(np.abs(err))) if len(y) else np.nan,
        "rmse": float(np.sqrt(np.mean(err ** 2))) if len(y) else np.nan,
        "deviance": float(np.mean(poisson_deviance(y, p))) if len(y) else np.nan,
        "wape": float(np.abs(err).sum() / total) if total > 0 else np.nan,
        "total_error": float(p.sum() / total - 1.0) if total > 0 else np.nan,
    }


def trend_growth(panel: pd.DataFrame) -> float:
    """Annual growth of total flows: exp(slope) - 1 of log(total) on year (0 with one year)."""
    totals = panel.groupby("year")["count"].sum()
    totals = totals[totals > 0]
    if len(totals) < 2:
        return 0.0
    slope = np.polyfit(totals.index.to_numpy(float), np.log(totals.to_numpy(float)), 1)[0]
    return float(np.exp(slope) - 1.0)


@dataclass
class BacktestResult:
    errors: pd.DataFrame   # one row per model, train end, horizon
    summary: pd.DataFrame  # mean over train ends, per model and horizon, with ratios to persistence
    fits: dict[int, GravityFit]


def predictions_for(train: pd.DataFrame, test: pd.DataFrame, fit: GravityFit, train_end: int,
                    pair_prior: float) -> pd.DataFrame:
    """Predictions of every model for the rows of ``test`` (pairs present in year ``train_end``)."""
    expected = fit.predict(train)
    rho = pair_effects(train, expected, pair_prior)[["origin", "destination", "rho"]]
    last = train[train["year"] == train_end].copy()
    last["gravity"] = expected[(train["year"] == train_end).to_numpy()]
    last = last.merge(rho, on=["origin", "destination"], how="left")
    last["gravity_pair"] = last["gravity"] * last["rho"]
    first_year = int(train["year"].min())
    growth = trend_growth(train)
    means = train.groupby(["origin", "destination"])["count"].mean().rename("mean")
    base = last[["origin", "destination", "count", "gravity", "gravity_pair"]].rename(columns={"count": "persistence"})
    out = test.merge(base, on=["origin", "destination"], how="inner").merge(means, on=["origin", "destination"], how="left")
    out["mean"] = out["mean"].fillna(0.0)
    out["horizon"] = out["year"] - train_end
    out["gravity_pair_growth"] = out["gravity_pair"] * (1.0 + growth) ** out["horizon"]
    out.attrs.update({"growth": growth, "train_years": (first_year, train_end)})
    return out


def backtest(data: FlowData, spec: GravitySpec, bspec: BacktestSpec, *, policies: pd.DataFrame | None = None,
             specialization: pd.DataFrame | None = None) -> BacktestResult:
    """Run the backtest of ``spec`` on ``data`` (see module docstring)."""
    lo, hi = data.years
    rows, fits = [], {}
    for train_end in bspec.train_ends:
        first = max(lo, train_end - bspec.train_window + 1)
        last_test = min(hi, train_end + bspec.horizon)
        if train_end >= hi or train_end < lo:
            continue
        tspec = spec.replace(year_from=first, year_to=train_end)
        train = build_panel(data, tspec, policies=policies, specialization=specialization)
        fit = fit_gravity(train.frame, tspec, diagnostics=train.diagnostics)
        fits[train_end] = fit
        test = build_panel(data, spec.replace(year_from=train_end + 1, year_to=last_test), policies=policies,
                           specialization=specialization).frame[["origin", "destination", "year", "count"]]
        pred = predictions_for(train.frame, test, fit, train_end, bspec.pair_prior)
        for (h, year), grp in pred.groupby(["horizon", "year"]):
            for model in MODELS:
                rows.append({"model": model, "train_end": train_end, "horizon": int(h), "year": int(year),
                             **forecast_errors(grp["count"].to_numpy(), grp[model].to_numpy())})
    errors = pd.DataFrame(rows, columns=list(ERROR_COLUMNS))
    return BacktestResult(errors, summarize(errors), fits)


def summarize(errors: pd.DataFrame) -> pd.DataFrame:
    """Mean errors over training ends per model and horizon, with MAE and deviance relative to persistence."""
    if errors.empty:
        return errors.copy()
    metrics = ["mae", "rmse", "deviance", "wape", "total_error"]
    summ = errors.groupby(["model", "horizon"], sort=False)[metrics + ["n_pairs"]].mean().reset_index()
    ref = summ[summ["model"] == "persistence"].set_index("horizon")
    summ["mae_vs_persistence"] = summ["mae"] / summ["horizon"].map(ref["mae"])
    summ["deviance_vs_persistence"] = summ["deviance"] / summ["horizon"].map(ref["deviance"])
    summ["n_pairs"] = summ["n_pairs"].round().astype(int)
    order = {m: i for i, m in enumerate(MODELS)}
    return summ.sort_values(["horizon", "model"], key=lambda s: s.map(order) if s.name == "model" else s).reset_index(drop=True)
