"""The inference benchmark measures what it claims: its hand-written reference gives talentflow's
country flows at the default parameters, and its store floor copies what `infer` stored."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_inference.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("tf_bench_inference", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The benchmark's own generator: the warehouse and its Parquet copy."""
    path = tmp_path_factory.mktemp("bench") / "obs.duckdb"
    _child("generate:40000", path, path.parent)
    return path


def _child(mode: str, path: Path, tmp: Path) -> dict:
    res = subprocess.run([sys.executable, str(SCRIPT), "--child", mode, str(path), "1GB", str(tmp)],
                         capture_output=True, text=True, check=True)
    lines = res.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def test_the_reference_query_gives_talentflows_country_flows(bench, warehouse, tmp_path):
    ref = _child("reference", warehouse, tmp_path)
    tf = _child("talentflow", warehouse, tmp_path)
    assert ref["flows"] > 100  # the generated careers move
    assert (tmp_path / "talentflow_flows.csv").read_text() == (tmp_path / "reference_flows.csv").read_text()
    steps = tf["steps"]
    assert set(bench.REFERENCE_STEPS) <= set(steps) and "write" in steps

    from talentflow.store.warehouse import Warehouse

    with Warehouse(warehouse) as wh:
        n_obs = wh.count("observations")
    assert _child("scan", warehouse, tmp_path)["rows"] == n_obs

    store = _child("store", warehouse, tmp_path)  # copies the stored results, then rolls back
    with Warehouse(warehouse) as wh:
        stored = wh.count("residence") + wh.count("events")
        assert not wh.has_table("_copy_residence")
    assert store["rows"] == stored > 0


def test_a_work_folder_without_tmp_is_made(warehouse, tmp_path):
    """`bench_inference.py --work DIR` with no DIR/tmp yet: the child makes it (it failed writing its CSV)."""
    tmp = tmp_path / "fresh" / "tmp"
    assert _child("reference", warehouse, tmp)["flows"] > 0
    assert (tmp / "reference_flows.csv").is_file()
