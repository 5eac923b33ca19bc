"""The exact command sequence outside checks use: ingest csv -> infer -> events -> flows."""

from __future__ import annotations

import io
import json

import pandas as pd
from typer.testing import CliRunner

from talentflow.cli import app

OBS = """person,year,org,country
alice,2014,MIT,USA
alice,2015,MIT,United States
alice,2016,MIT,US
alice,2017,Tsinghua University,China
alice,2018,Tsinghua University,CHN
alice,2019,Tsinghua University,CN
alice,2020,MIT,USA
alice,2021,MIT,USA
bob,2012,ETH Zurich,CHE
bob,2013,ETH Zurich,Switzerland
bob,2015,University of Oxford,GBR
bob,2016,University of Oxford,United Kingdom
bob,2018,University of Oxford,GB
carol,2015,Sorbonne University,FRA
carol,2016,Sorbonne University,FRA
carol,2017,Sorbonne University,FRA
"""


def _run(runner, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def test_ingest_infer_events_flows(tmp_path):
    runner = CliRunner()
    obs = tmp_path / "obs.csv"
    obs.write_text(OBS)
    db = str(tmp_path / "t.duckdb")
    _run(runner, ["ingest", "csv", str(obs), "--db", db])
    _run(runner, ["infer", "--db", db])
    out = _run(runner, ["events", "--db", db, "--format", "csv"]).stdout
    ev = pd.read_csv(io.StringIO(out))
    assert {"researcher", "event_type", "origin", "destination", "year_from", "year_to"} <= set(ev.columns)
    moves = ev[ev["event_type"].isin(["migration", "return"])].sort_values(["researcher", "year_to"])
    got = [tuple(r) for r in moves[["researcher", "event_type", "origin", "destination", "year_from", "year_to"]]
           .itertuples(index=False)]
    assert got == [("alice", "migration", "USA", "CHN", 2016, 2017),
                   ("alice", "return", "CHN", "USA", 2019, 2020),
                   ("bob", "migration", "CHE", "GBR", 2013, 2015)]
    out = _run(runner, ["flows", "--db", db, "--level", "country", "--format", "csv"]).stdout
    flows = pd.read_csv(io.StringIO(out))
    assert list(flows.columns)[:4] == ["origin", "destination", "year", "count"]
    assert list(flows.columns)[4:] == ["params_id", "source_versions"]  # every export says what it rests on
    assert sorted(map(tuple, flows.iloc[:, :4].itertuples(index=False))) == [("CHE", "GBR", 2015, 1), ("CHN", "USA", 2020, 1),
                                                                 ("USA", "CHN", 2017, 1)]
    # --from/--to filter on the year of arrival; json works too
    out = _run(runner, ["flows", "--db", db, "--from", "2016", "--to", "2018", "--format", "json"]).stdout
    rows = json.loads(out)
    assert [{k: r[k] for k in ("origin", "destination", "year", "count")} for r in rows] == [
        {"origin": "USA", "destination": "CHN", "year": 2017, "count": 1}]
    assert rows[0]["params_id"] and rows[0]["source_versions"] == "csv"


def test_infer_params_file_recorded(tmp_path):
    runner = CliRunner()
    obs = tmp_path / "obs.csv"
    obs.write_text(OBS)
    db = str(tmp_path / "t.duckdb")
    _run(runner, ["ingest", "csv", str(obs), "--db", db])
    toml = tmp_path / "p.toml"
    toml.write_text("[inference]\nmethod = \"rules\"\nmin_spell_years = 3\ntemporary_window = 1\n")
    _run(runner, ["infer", "--db", db, "--params", str(toml)])
    from talentflow.store.warehouse import Warehouse

    with Warehouse(db, read_only=True) as wh:
        params = json.loads(wh.query("SELECT params FROM meta_runs WHERE kind = 'inference'")["params"][0])
        assert params["min_spell_years"] == 3
        pid = wh.query("SELECT params_id FROM inference_runs")["params_id"][0]
        assert wh.query("SELECT DISTINCT params_id FROM events")["params_id"].tolist() == [pid]
    # with 3 persisting years required, alice's last two years back in the USA no longer make a return
    out = _run(runner, ["events", "--db", db, "--format", "csv"]).stdout
    ev = pd.read_csv(io.StringIO(out)).set_index(["researcher", "year_to"])["event_type"]
    assert ev[("alice", 2017)] == "migration" and ev[("alice", 2020)] == "censored"
    assert ev[("bob", 2015)] == "migration"


def test_bad_params_file_is_a_clear_error(tmp_path):
    runner = CliRunner()
    toml = tmp_path / "p.toml"
    toml.write_text("min_spell_yeras = 3\n")
    result = runner.invoke(app, ["infer", "--db", str(tmp_path / "x.duckdb"), "--params", str(toml)])
    assert result.exit_code == 2
    assert "min_spell_yeras" in result.output


def test_events_before_infer_is_a_clear_error(tmp_path):
    runner = CliRunner()
    obs = tmp_path / "obs.csv"
    obs.write_text(OBS)
    db = str(tmp_path / "t.duckdb")
    _run(runner, ["ingest", "csv", str(obs), "--db", db])
    result = runner.invoke(app, ["events", "--db", db, "--format", "csv"])
    assert result.exit_code == 2
    assert "talentflow infer" in result.output


def test_sweep_in_a_terminal_labels_each_setting_and_keeps_the_headline_figures(tmp_path):
    from talentflow.cli.migration import sweep_view

    frame = pd.DataFrame({"parameter": ["(base)", "min_spell_years"], "value": [None, "1"],
                          "params_id": ["a", "b"], "moves": [730, 3144], "temporary": [351, 351],
                          "usa_to_chn": [18, 122], "moves_vs_base_pct": [0.0, 330.66],
                          "moves_per_1000_person_years": [4.096, 17.6421]})
    view = sweep_view(frame)
    assert list(view.columns) == ["setting", "moves", "vs base %", "US>CN", "per 1k py"]
    assert list(view["setting"]) == ["(base)", "min_spell_years=1"]
    assert list(view["vs base %"]) == ["+0.0", "+330.7"] and list(view["per 1k py"]) == ["4.10", "17.64"]

    db = tmp_path / "wh.duckdb"
    (tmp_path / "obs.csv").write_text(OBS)
    runner = CliRunner()
    _run(runner, ["ingest", "csv", str(tmp_path / "obs.csv"), "--db", str(db)])
    out = _run(runner, ["sweep", "--db", str(db), "--vary", "min_spell_years=1,2"]).output
    assert "setting" in out and "min_spell_years=1" in out and "params_id" not in out
    csv = pd.read_csv(io.StringIO(_run(runner, ["sweep", "--db", str(db), "--vary", "min_spell_years=1,2",
                                                "--format", "csv"]).output))
    assert {"params_id", "researchers", "temporary"} <= set(csv.columns) and len(csv) == 2  # 2 is the base
