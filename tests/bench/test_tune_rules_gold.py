"""bench/tune_rules_gold.py: its grid is valid parameter sets, its selection rule picks what its
doc says, and the misses listing compacts observed years as stated."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from talentflow.inference.params import InferenceParams

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "tune_rules_gold.py"


@pytest.fixture(scope="module")
def tune():
    spec = importlib.util.spec_from_file_location("tf_tune_rules_gold", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_grid_sets_are_valid_and_distinct(tune):
    sets = [tune.TUNED_FROM.with_overrides(**o) for o in tune.GRID.values()]
    assert tune.GRID["defaults"] == {} and len(set(sets)) == len(sets)
    assert 20 <= len(sets) <= 40


def _dev(rows):
    return pd.DataFrame(rows, columns=["set", "move_precision", "move_recall", "mover_precision"])


def test_selection_rule(tune):
    dev = _dev([("defaults", 0.69, 0.13, 0.91), ("spell1", 0.71, 0.84, 0.83), ("origin1", 0.82, 0.46, 0.92),
                ("origin1_twin0", 0.82, 0.46, 0.92), ("spell3_origin1", 0.84, 0.24, 0.94),
                ("bshare1", 0.90, 0.46, 0.80)])
    # spell1: precision too low; bshare1: mover precision too low; the origin1 tie goes to fewer changes
    assert tune.select(dev)["set"] == "origin1"
    assert tune.select(_dev([("defaults", 0.69, 0.13, 0.91), ("spell1", 0.71, 0.84, 0.83)]))["set"] == "defaults"


def test_runs(tune):
    frame = pd.DataFrame({"year": [2019, 2020, 2021, 2022, 2024, 2025], "c": ["USA"] * 3 + ["CHN"] * 2 + ["CHN"]})
    assert tune._runs(frame) == "2019-2021 USA, 2022 CHN, 2024-2025 CHN"
