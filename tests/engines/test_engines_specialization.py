"""`talentflow specialization --engine spark`: the counting runs on Spark, every figure equals the
default (pandas) path on the mirror sample; bootstrap intervals are refused on Spark."""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from talentflow import specialization_api as sp
from talentflow.cli import app
from talentflow.errors import ConfigError

from .conftest import same_rows


def _frames(result) -> dict[str, pd.DataFrame]:
    return {"cells": result.cells, "regions": result.regions, "fields": result.fields, "proximity": result.proximity}


@pytest.mark.parametrize("params", [
    sp.SpecializationParams(level="country", period_length=2, period_origin=2019, bootstrap=0, min_cell=3),
    sp.SpecializationParams(level="region", counting="full", bootstrap=0, min_cell=1),
], ids=["country-fractional-2y", "region-full"])
def test_specialization_on_spark_equals_duckdb(small_warehouse, spark_params, params):
    duck = sp.specialization(small_warehouse, params, store=False)
    spark = sp.specialization(small_warehouse, params, store=False, engine=spark_params)
    assert spark.params_id == duck.params_id
    assert spark.notes == duck.notes
    assert len(duck.cells) >= 10 and duck.cells["count"].sum() > 1_000
    for name, frame in _frames(duck).items():
        other = _frames(spark)[name]
        assert list(frame.dtypes) == list(other.dtypes), name
        same_rows(frame, other)


def test_specialization_on_spark_refuses_bootstrap(small_warehouse, spark_params):
    with pytest.raises(ConfigError, match="--bootstrap 0"):
        sp.specialization(small_warehouse, sp.SpecializationParams(bootstrap=10), store=False, engine=spark_params)


def test_cli_specialization_engine_spark(small_warehouse, spark_params, tmp_path):
    db = tmp_path / "spec.duckdb"
    db.write_bytes(small_warehouse.read_bytes())
    args = ["specialization", "--db", str(db), "--bootstrap", "0", "--view", "regions", "--format", "csv"]
    runner = CliRunner()
    duck = runner.invoke(app, args)
    spark = runner.invoke(app, args + ["--engine", "spark", "--spark-master", spark_params.spark_master])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    a, b = pd.read_csv(io.StringIO(duck.stdout)), pd.read_csv(io.StringIO(spark.stdout))
    assert len(a) > 5
    same_rows(a, b)
    refused = runner.invoke(app, ["specialization", "--db", str(db), "--engine", "spark",
                                  "--spark-master", spark_params.spark_master])
    assert refused.exit_code == 2 and "--bootstrap 0" in refused.output


def test_default_path_unchanged_by_engine_duckdb(small_warehouse):
    params = sp.SpecializationParams(bootstrap=0)
    a = sp.specialization(small_warehouse, params, store=False)
    b = sp.specialization(small_warehouse, dataclasses.replace(params), store=False, engine=sp.EngineParams())
    for name, frame in _frames(a).items():
        pd.testing.assert_frame_equal(frame, _frames(b)[name])
