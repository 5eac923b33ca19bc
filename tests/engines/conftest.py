"""One Spark session for the engine tests (local mode, two cores): starting the JVM is the slow part."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from talentflow.engines import EngineParams

REPO = Path(__file__).resolve().parents[2]
SPARK = EngineParams(engine="spark", spark_master="local[2]")


@pytest.fixture(scope="session")
def spark_params() -> EngineParams:
    if shutil.which("java") is None:
        pytest.fail("the Spark engine tests need Java 17+ (run scripts/ensure_java.sh)")
    from talentflow.engines.spark import spark_session

    spark_session(SPARK)
    return SPARK


@pytest.fixture(scope="session")
def synthetic_wh(tmp_path_factory) -> Path:
    """A small synthetic warehouse from bench/generate.py (about 40,000 observation rows)."""
    spec = importlib.util.spec_from_file_location("tf_bench_generate", REPO / "bench" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    out = tmp_path_factory.mktemp("synthetic")
    gen.generate(40_000, out, seed=11, move_rate=0.15)
    return out / "warehouse.duckdb"


def same_rows(a: pd.DataFrame, b: pd.DataFrame, *, rtol: float = 1e-9) -> None:
    """Assert equal rows in any order: exact for keys and text, ``rtol`` for floating columns."""
    assert list(a.columns) == list(b.columns), (list(a.columns), list(b.columns))
    assert len(a) == len(b), f"{len(a)} rows vs {len(b)}"
    floats = [c for c in a.columns if pd.api.types.is_float_dtype(a[c]) or pd.api.types.is_float_dtype(b[c])]
    keys = [c for c in a.columns if c not in floats]
    a = a.sort_values(keys, na_position="first").reset_index(drop=True)
    b = b.sort_values(keys, na_position="first").reset_index(drop=True)
    for col in keys:
        left, right = a[col].astype(object).where(a[col].notna(), None), b[col].astype(object).where(b[col].notna(), None)
        bad = [(i, x, y) for i, (x, y) in enumerate(zip(left, right)) if x != y and not (x is None and y is None)]
        assert not bad, f"column {col}: first differences {bad[:5]}\n{a.iloc[[bad[0][0]]].T}\n{b.iloc[[bad[0][0]]].T}"
    for col in floats:
        x, y = a[col].astype(float), b[col].astype(float)
        both_nan = x.isna() & y.isna()
        close = ((x - y).abs() <= rtol * y.abs().clip(lower=1.0)) | both_nan
        assert close.all(), f"column {col}: {a[~close].head()}\n{b[~close].head()}"
