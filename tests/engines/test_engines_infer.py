"""`talentflow infer --engine spark` stores the same residence and events as the DuckDB inference
(``run_inference``), under the same params_id, and downstream commands read them."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from talentflow import migration_api
from talentflow.cli import app
from talentflow.engines import EngineParams
from talentflow.engines.inference import infer_on_engine
from talentflow.errors import WarehouseError
from talentflow.inference.params import InferenceParams
from talentflow.store.params import params_id
from talentflow.store.warehouse import Warehouse

from .conftest import same_rows


def _stored(db, pid: str) -> dict:
    with Warehouse(db, read_only=True) as wh:
        return {t: wh.query(f"SELECT * FROM {t} WHERE params_id = ?", [pid]) for t in ("residence", "events")}


def test_infer_on_spark_stores_what_duckdb_stores(small_warehouse, tmp_path, spark_params):
    """`talentflow infer --engine spark` == `talentflow infer`: same summary, params_id and stored rows."""
    duck_db, spark_db = tmp_path / "duck.duckdb", tmp_path / "spark.duckdb"
    shutil.copy(small_warehouse, duck_db)
    shutil.copy(small_warehouse, spark_db)
    runner = CliRunner()
    args = ["infer", "--method", "rules", "--min-spell-years", "1", "--format", "csv"]  # the model runs on duckdb only
    duck = runner.invoke(app, args + ["--db", str(duck_db)])
    spark = runner.invoke(app, args + ["--db", str(spark_db), "--engine", "spark",
                                       "--spark-master", spark_params.spark_master])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    assert spark.stdout.startswith("params_id,event_type,events\n")
    assert spark.stdout == duck.stdout
    p = InferenceParams(method="rules", min_spell_years=1)
    pid = spark.stdout.splitlines()[1].split(",")[0]
    assert pid == params_id("inference", p)
    a, b = _stored(duck_db, pid), _stored(spark_db, pid)
    assert len(a["residence"]) > 5_000 and len(a["events"]) > 500
    assert a["events"]["event_type"].nunique() >= 4
    for table in ("residence", "events"):
        same_rows(a[table], b[table])
    with Warehouse(spark_db, read_only=True) as wh:
        runs = wh.query("SELECT * FROM inference_runs")
        kind = wh.execute("SELECT kind FROM meta_runs WHERE params_id = ?", [pid])
    assert runs["params_id"].tolist() == [pid] and runs["n_events"].iloc[0] == len(b["events"])
    assert kind == [("inference",)]
    # Downstream reads the Spark run like a DuckDB one.
    flows = migration_api.flows(spark_db, level="country")
    assert flows["count"].sum() > 50
    same_rows(flows, migration_api.flows(duck_db, level="country"))

    # Running again (here through the same store step with the DuckDB engine) replaces the rows.
    with Warehouse(spark_db) as wh:
        again = infer_on_engine(wh, p, EngineParams())
        assert again.params_id == pid and again.n_residence == len(a["residence"])
        assert wh.execute("SELECT count(*) FROM residence")[0][0] == len(a["residence"])
        assert wh.execute("SELECT count(*) FROM inference_runs")[0][0] == 2
    for table, frame in _stored(spark_db, pid).items():
        same_rows(a[table], frame)


def test_cli_infer_refuses_an_unknown_engine(small_warehouse, tmp_path):
    db = tmp_path / "bad.duckdb"
    shutil.copy(small_warehouse, db)
    bad = CliRunner().invoke(app, ["infer", "--db", str(db), "--engine", "polars"])
    assert bad.exit_code == 2 and "--engine 'polars'" in bad.output


def test_infer_on_engine_refuses_an_empty_warehouse(tmp_path, spark_params):
    with Warehouse(tmp_path / "empty.duckdb") as wh:
        from talentflow.schema import full_schema

        wh.apply_schema(full_schema())
        with pytest.raises(WarehouseError, match="no observations"):
            infer_on_engine(wh, InferenceParams(), EngineParams(engine="spark", spark_master=spark_params.spark_master))
