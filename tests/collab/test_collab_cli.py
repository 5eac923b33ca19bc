"""`talentflow collab`, `collab-flows` and `circulation` on hand-made and real warehouses."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import talentflow.collab_api as tc
from talentflow.cli import app
from talentflow.store.warehouse import Warehouse
from tests.collab.careers_sim import simulate_careers
from tests.collab.test_collab_circulation import _sim_to_papers
from tests.collab.test_collab_invariants import PAPERS
from tests.collab.wh_rows import fill

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        fill(wh, PAPERS)
    return str(path)


def test_collab_csv_json_and_filters(db):
    r = runner.invoke(app, ["collab", "--db", db, "--level", "country", "--min-cell", "0", "--format", "csv"])
    assert r.exit_code == 0, r.output
    units = pd.read_csv(io.StringIO(r.stdout))
    assert set(units["unit"]) == {"USA", "CHN", "GBR"} and "papers_frac" in units and "eigenvector" in units
    r = runner.invoke(app, ["collab", "--db", db, "--view", "pairs", "--pair", "USA,CHN", "--min-cell", "0",
                            "--period", "1", "--format", "json"])
    rows = json.loads(r.stdout)
    assert [(x["unit_a"], x["unit_b"], x["period"]) for x in rows] == [("CHN", "USA", "2019")]
    r = runner.invoke(app, ["collab", "--db", db, "--min-cell", "5", "--format", "csv"])
    assert r.exit_code == 0 and pd.read_csv(io.StringIO(r.stdout)).empty  # everything suppressed
    r = runner.invoke(app, ["collab", "--db", db, "--level", "org", "--rollup", "--min-cell", "0"])
    assert r.exit_code == 0 and "google" in r.stdout


def test_collab_errors_are_one_line(db, tmp_path):
    r = runner.invoke(app, ["collab", "--db", db, "--level", "planet"])
    assert r.exit_code == 2 and "level='planet'" in r.output
    r = runner.invoke(app, ["collab", "--db", db, "--view", "pairs", "--pair", "USA"])
    assert r.exit_code == 2 and "--pair" in r.output
    r = runner.invoke(app, ["circulation", "--db", db])
    assert r.exit_code == 2 and "talentflow infer" in r.output
    r = runner.invoke(app, ["collab", "--db", str(tmp_path / "none.duckdb")])
    assert r.exit_code == 2 and "no warehouse" in r.output


def test_circulation_and_flows_commands_with_a_moves_file(tmp_path):
    moves, papers, coauthors, home = simulate_careers(n_stayers=500, n_movers=120, seed=4)
    first = moves.sort_values(["researcher_id", "year_to"]).drop_duplicates("researcher_id")
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        fill(wh, _sim_to_papers(first, papers, coauthors, home, n_keep=500))
    mfile = tmp_path / "moves.csv"
    moves.to_csv(mfile, index=False)
    r = runner.invoke(app, ["circulation", "--db", str(path), "--moves", str(mfile), "--n-boot", "50",
                            "--scope", "all", "--format", "csv", "--save"])
    assert r.exit_code == 0, r.output
    est = pd.read_csv(io.StringIO(r.stdout))
    assert {"overall", "destination", "return"} <= set(est["scope"])
    did = est[(est["scope"] == "overall") & (est["measure"] == "did")].iloc[0]
    assert did["ci_low"] < did["estimate"] < did["ci_high"] < 0
    with Warehouse(path, read_only=True) as wh:
        assert wh.count("circulation_estimates") == len(est)
    r = runner.invoke(app, ["collab-flows", "--db", str(path), "--moves", str(mfile), "--min-papers", "1",
                            "--n-boot", "20", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert {row["measure"] for row in json.loads(r.stdout)} == {
        "flows ~ lagged co-authored papers", "flows/sqrt(size) ~ lagged Salton cosine"}


def test_real_mirror_small_warehouse(small_warehouse):
    res = tc.collaboration(small_warehouse, level="country", period_length=1, min_cell=0)
    s = res.summary
    assert s["credit_assigned"].to_numpy() == pytest.approx(s["papers"].to_numpy())
    assert set(s["period"]) == {"2019", "2021", "2022", "2023"}
    top = res.units.groupby("period").head(1)
    assert set(top["unit"]) <= {"USA", "CHN"}
    r = runner.invoke(app, ["collab", "--db", str(small_warehouse), "--view", "pairs", "--top", "5", "--format", "csv"])
    pairs = pd.read_csv(io.StringIO(r.stdout))
    assert r.exit_code == 0 and len(pairs) == 5 and (pairs["papers_full"] >= 10).all()
    assert ("CHN", "USA") in set(zip(pairs["unit_a"], pairs["unit_b"]))
