"""Backtest metrics and the backtest against naive baselines."""

from __future__ import annotations

import numpy as np
import pytest

from talentflow.models.backtest import backtest, forecast_errors, poisson_deviance, trend_growth
from talentflow.models.params import BacktestSpec, GravitySpec
from talentflow.models.simulate import simulate_flows
from talentflow.models.sources import from_frame


def test_error_metrics_by_hand():
    e = forecast_errors(np.array([0.0, 2.0, 4.0]), np.array([1.0, 2.0, 2.0]))
    assert e["mae"] == pytest.approx(1.0)
    assert e["rmse"] == pytest.approx(np.sqrt(5 / 3))
    assert e["wape"] == pytest.approx(3 / 6)
    assert e["total_error"] == pytest.approx(5 / 6 - 1)
    assert poisson_deviance(np.array([3.0]), np.array([3.0]))[0] == pytest.approx(0.0)
    assert poisson_deviance(np.array([0.0]), np.array([2.0]))[0] == pytest.approx(4.0)


def test_trend_growth():
    import pandas as pd

    panel = pd.DataFrame({"year": [2000, 2001, 2002], "count": [100.0, 110.0, 121.0]})
    assert trend_growth(panel) == pytest.approx(0.10)


def test_backtest_beats_persistence_on_stable_gravity_flows():
    # stable structure, Poisson noise: the fitted model should predict better than last year's noisy count
    flows, cy = simulate_flows(years=tuple(range(2000, 2008)), seed=4, scale=30.0)
    data = from_frame(flows, cy)
    result = backtest(data, GravitySpec(), BacktestSpec(train_ends=(2004,), horizon=2, train_window=4))
    s = result.summary.set_index(["model", "horizon"])
    assert set(result.errors["model"]) == {"gravity", "gravity_pair", "gravity_pair_growth", "persistence", "mean"}
    for h in (1, 2):
        assert s.loc[("gravity_pair", h), "mae"] < s.loc[("persistence", h), "mae"]
        assert s.loc[("gravity_pair", h), "deviance"] < s.loc[("persistence", h), "deviance"]
    # persistence errors are computed on the same pairs as the model's
    assert result.errors.groupby(["train_end", "horizon"])["n_pairs"].nunique().eq(1).all()
