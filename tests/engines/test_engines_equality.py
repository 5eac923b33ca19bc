"""The same rows from DuckDB and Spark (local[2]): residence, events, flows and specialization
counts, on synthetic careers and on the real mirror, and the CLI's ``flows --engine spark``.

Floating columns (share, confidence, fractional counts) are compared with a relative tolerance
of 1e-9: the engines add in different orders. Everything else must be identical.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from talentflow.cli import app
from talentflow.engines import EngineParams
from talentflow.engines.relational import RelationalRun
from talentflow.inference.events import EVENT_COLUMNS
from talentflow.inference.params import InferenceParams
from talentflow.inference.residence import RESIDENCE_COLUMNS
from talentflow.metrics.common import Selection
from talentflow.metrics.flows import FlowParams
from talentflow.metrics.specialization import SpecializationParams, period_labels, work_region_shares
from talentflow.store.warehouse import Warehouse

from .conftest import same_rows

LEVELS = ("country", "region", "hub", "org")


def _run(wh: Warehouse, ep: EngineParams, p: InferenceParams, sel: Selection) -> dict[str, pd.DataFrame]:
    with RelationalRun(wh, ep) as run:
        res, ev = run.infer(p)
        out = {"residence": run.fetch(f"SELECT {', '.join(RESIDENCE_COLUMNS)} FROM {res}"),
               "events": run.fetch(f"SELECT {', '.join(EVENT_COLUMNS)} FROM {ev}")}
        for level in LEVELS:
            out[level] = run.flows(p, sel, FlowParams(level=level))
        out["flows_5y"] = run.flows(p, sel, FlowParams(level="country", period=5, min_cell=2))
    return out


def _compare(a: dict, b: dict) -> None:
    for key in a:
        same_rows(a[key], b[key])


def test_synthetic_duckdb_equals_spark(synthetic_wh, spark_params):
    p = InferenceParams(identity="all", chain_rule="skip")
    sel = Selection("synthetic", year_from=2000, year_to=2022)
    with Warehouse(synthetic_wh, read_only=True) as wh:
        duck = _run(wh, EngineParams(), p, sel)
        spark = _run(wh, spark_params, p, sel)
    assert len(duck["residence"]) > 15_000 and len(duck["events"]) > 1_000
    assert duck["events"]["event_type"].nunique() >= 5
    assert duck["country"]["count"].sum() > 200
    _compare(duck, spark)


def test_mirror_duckdb_equals_spark(small_warehouse, spark_params):
    p = InferenceParams()
    sel = Selection("mirror", namespaces=("ieee", "acl", "openreview"))
    with Warehouse(small_warehouse, read_only=True) as wh:
        duck = _run(wh, EngineParams(), p, sel)
        spark = _run(wh, spark_params, p, sel)
    assert len(duck["events"]) > 500 and len(duck["residence"]) > 5_000 and len(duck["org"]) > 5
    _compare(duck, spark)


def test_mirror_specialization_counts(small_warehouse, spark_params):
    """Fractional counts X[r, f] and bases T[r] per period: SQL on both engines = the pandas counting."""
    from talentflow.taxonomy import assign_fields, load_taxonomy

    sp = SpecializationParams(level="country", period_length=2, period_origin=2019)
    with Warehouse(small_warehouse, read_only=True) as wh:
        works = wh.query("SELECT work_id, source, venue, year, subfield_label FROM works "
                         "WHERE year IS NOT NULL AND coalesce(accepted, true)")
        wf = assign_fields(works, load_taxonomy())[["work_id", "field"]].assign(fweight=1.0)
        wp = works.assign(period=period_labels(works["year"], sp.period_length, sp.period_origin))
        obs = wh.query("SELECT o.work_id, o.researcher_id, o.country AS region, o.weight, o.country IS NOT NULL AS located "
                       "FROM observations o JOIN works w USING (work_id) WHERE w.year IS NOT NULL "
                       "AND coalesce(w.accepted, true)")
        got = {}
        for ep in (EngineParams(), spark_params):
            with RelationalRun(wh, ep) as run:
                got[ep.engine] = run.specialization_counts(sp, wf, wp[["work_id", "period"]])
    shares = work_region_shares(obs, pd.DataFrame({"work_id": [], "n_authors": []}))
    shares["period"] = shares["work_id"].map(wp.set_index("work_id")["period"])
    cells = shares.merge(wf, on="work_id")
    cells["count"] = cells["share"] * cells["fweight"]
    expect_cells = cells.groupby(["period", "region", "field"], as_index=False)["count"].sum()
    expect_totals = shares.groupby(["period", "region"], as_index=False)["share"].sum().rename(
        columns={"share": "region_total"})
    assert expect_cells["count"].sum() > 1_000
    for engine, out in got.items():
        same_rows(out["cells"][["period", "region", "field", "count"]], expect_cells)
        same_rows(out["totals"][["period", "region", "region_total"]], expect_totals)
    same_rows(got["duckdb"]["people"], got["spark"]["people"])


def test_cli_flows_spark_prints_the_same_rows(full_warehouse, tmp_path, spark_params):
    """The whole mirror: `talentflow flows --level country --format csv` with --engine spark == duckdb."""
    db = tmp_path / "mirror.duckdb"
    shutil.copy(full_warehouse, db)
    runner = CliRunner()
    refused = runner.invoke(app, ["infer", "--db", str(db), "--method", "hmm", "--engine", "spark", "--spark-master",
                                  spark_params.spark_master])
    assert refused.exit_code != 0 and "duckdb engine only" in refused.output  # the residence model is numpy
    inferred = runner.invoke(app, ["infer", "--db", str(db), "--method", "hmm"])
    assert inferred.exit_code == 0, inferred.output
    args = ["flows", "--db", str(db), "--level", "country", "--format", "csv"]
    model = runner.invoke(app, args + ["--engine", "spark", "--spark-master", spark_params.spark_master])
    assert model.exit_code != 0 and "runs the rules only" in model.output
    inferred = runner.invoke(app, ["infer", "--db", str(db), "--method", "rules"])
    assert inferred.exit_code == 0, inferred.output
    duck = runner.invoke(app, args + ["--engine", "duckdb"])
    spark = runner.invoke(app, args + ["--engine", "spark", "--spark-master", spark_params.spark_master])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    assert duck.stdout.startswith("origin,destination,year,count,params_id,source_versions\n")
    assert duck.stdout.count("\n") > 300
    assert spark.stdout == duck.stdout
