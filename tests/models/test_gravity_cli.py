"""The command line: model fit, model backtest, scenario run."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from talentflow.cli import app
from talentflow.models.simulate import simulate_flows

runner = CliRunner()


def test_model_fit_on_scholarly_migration_writes_csv(mirror):
    result = runner.invoke(app, ["model", "fit", "--source", "scholarly-migration", "--format", "csv",
                                 "--from", "2017", "--to", "2018"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert {"term", "estimate", "std_error"} <= set(table.columns)
    row = table.set_index("term").loc["log_distance"]
    assert row["estimate"] < 0 and row["std_error"] > 0
    assert set(table["term"]) == {"log_distance", "contiguity", "common_language", "colonial_tie"}


def test_model_fit_on_a_flows_file_and_save(tmp_path):
    flows, _ = simulate_flows(seed=1, scale=100.0)
    path = tmp_path / "flows.csv"
    flows.to_csv(path, index=False)
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["model", "fit", "--source", str(path), "--format", "json", "--db", str(db), "--save"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["term"] for r in rows} >= {"log_distance"}
    from talentflow.store.warehouse import Warehouse

    with Warehouse(db, read_only=True) as wh:
        saved = wh.query("SELECT term, estimate, params_id FROM model_coefficients")
        kinds = wh.query("SELECT kind FROM meta_runs")
    assert len(saved) == 4 and saved["params_id"].nunique() == 1
    assert "gravity" in set(kinds["kind"])


def test_model_fit_errors_are_one_line(tmp_path):
    bad = tmp_path / "flows.csv"
    bad.write_text("origin,destination,year,count\nUSA,CHN,2020,-3\n")
    result = runner.invoke(app, ["model", "fit", "--source", str(bad)])
    assert result.exit_code == 2
    assert "row 1, field 'count'" in result.output
    result = runner.invoke(app, ["model", "fit", "--source", "nowhere"])
    assert result.exit_code == 2 and "not 'scholarly-migration'" in result.output
    result = runner.invoke(app, ["model", "fit", "--masses"])
    assert result.exit_code == 2 and "absorb" in result.output


def test_model_backtest_cli(tmp_path):
    flows, cy = simulate_flows(years=tuple(range(2000, 2007)), seed=2, scale=30.0)
    path = tmp_path / "flows.csv"
    flows.to_csv(path, index=False)
    result = runner.invoke(app, ["model", "backtest", "--source", str(path), "--train-ends", "2004", "--horizon", "2",
                                 "--window", "4", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert set(table["model"]) == {"gravity", "gravity_pair", "gravity_pair_growth", "persistence", "mean"}
    assert {"mae", "rmse", "deviance", "mae_vs_persistence"} <= set(table.columns)


def test_scenario_run_cli_on_real_flows(mirror, tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text("""
[scenario]
name = "test (illustration)"
horizon = 2021
assumptions = ["a", "b"]
[model]
countries = ["USA", "CHN", "KOR", "JPN", "DEU", "FRA", "GBR", "IND", "CAN", "AUS"]
year_from = 2014
[projection]
draws = 10
[[lever]]
type = "attractiveness"
country = "KOR"
start = 2019
effect = 0.2
effect_se = 0.05
""")
    result = runner.invoke(app, ["scenario", "run", str(toml), "--format", "json", "--table", "all"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["meta"]["illustration"] is True
    kor = next(r for r in doc["summary"] if r["country"] == "KOR")
    assert kor["stock_difference"] > 0
    assert kor["stock_difference_low"] <= kor["stock_difference"] <= kor["stock_difference_high"]
    result = runner.invoke(app, ["scenario", "run", str(toml), "--table", "series", "--format", "csv", "--draws", "5"])
    assert result.exit_code == 0, result.output
    series = pd.read_csv(io.StringIO(result.stdout))
    assert {"country", "year", "variable", "baseline", "counterfactual", "difference_low", "difference_high"} <= set(series.columns)
