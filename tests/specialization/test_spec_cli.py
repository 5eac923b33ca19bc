"""The commands on real data: tag, specialization, profile, taxonomy (a copy of the small warehouse)."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from talentflow.cli import app
from talentflow.store.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def db(small_warehouse, tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "small.duckdb"
    shutil.copy(small_warehouse, path)
    return path


@pytest.fixture(scope="module")
def tagged_db(db):
    _run("tag", "--db", str(db), "--format", "csv")
    return db


def _run(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_specialization_country_subfield_csv(db):
    out = _run("specialization", "--db", str(db), "--level", "country", "--by", "subfield", "--format", "csv",
               "--bootstrap", "50").stdout
    frame = pd.read_csv(io.StringIO(out))
    assert {"region", "field", "count", "rca"} <= set(frame.columns)
    assert {"robotics", "nlp"} <= set(frame["field"])
    assert frame["count"].gt(0).all() and frame["rca"].gt(0).all()
    # The warehouse's own fractional totals agree with the command's counts.
    with Warehouse(db, read_only=True) as wh:
        usa_nlp = wh.query("""
            WITH located AS (SELECT work_id, count(DISTINCT researcher_id) AS n FROM observations
                             WHERE country IS NOT NULL GROUP BY work_id),
                 author AS (SELECT work_id, researcher_id, sum(weight) AS w FROM observations
                            WHERE country IS NOT NULL GROUP BY ALL)
            SELECT sum(o.weight / a.w / l.n) AS c FROM observations o JOIN located l USING (work_id)
            JOIN author a USING (work_id, researcher_id) JOIN works w USING (work_id)
            WHERE o.country = 'USA' AND w.venue = 'acl' AND coalesce(w.accepted, true)""")["c"].iloc[0]
    row = frame[(frame["region"] == "USA") & (frame["field"] == "nlp")]
    assert row["count"].iloc[0] == pytest.approx(usa_nlp, rel=1e-9)
    # Share-weighted RCA averages to 1 per field over the shown (unsuppressed) regions, roughly.
    assert ((frame["rca_lo"] <= frame["rca"] + 1e-9) & (frame["rca"] <= frame["rca_hi"] + 1e-9)).mean() > 0.95
    with Warehouse(db, read_only=True) as wh:
        stored = wh.query("SELECT count(*) AS n FROM specialization_cells")["n"].iloc[0]
        kinds = set(wh.query("SELECT kind FROM meta_runs")["kind"])
    assert stored >= len(frame) and "specialization" in kinds


def test_small_cells_are_suppressed_by_default(db):
    strict = pd.read_csv(io.StringIO(_run("specialization", "--db", str(db), "--format", "csv", "--bootstrap", "0",
                                          "--min-cell", "50").stdout))
    loose = pd.read_csv(io.StringIO(_run("specialization", "--db", str(db), "--format", "csv", "--bootstrap", "0",
                                         "--min-cell", "1").stdout))
    assert len(strict) < len(loose)
    assert set(map(tuple, strict[["region", "field"]].values)) <= set(map(tuple, loose[["region", "field"]].values))


def test_tag_then_domain_specialization_and_views(tagged_db):
    db = tagged_db
    out = _run("tag", "--db", str(db), "--format", "json").stdout
    tags = pd.DataFrame(json.loads(out))
    assert tags.set_index("domain").loc["autonomous_driving", "works"] > 50
    assert tags.set_index("domain").loc["healthcare", "works"] > 50
    frame = pd.read_csv(io.StringIO(_run("specialization", "--db", str(db), "--by", "domain", "--level", "hub",
                                         "--format", "csv", "--bootstrap", "0").stdout))
    assert {"region", "field", "count", "rca"} <= set(frame.columns)
    assert set(frame["field"]) <= {"healthcare", "autonomous_driving", "finance", "education", "agriculture",
                                   "climate_energy", "manufacturing", "security_defence", "science"}
    regions = pd.read_csv(io.StringIO(_run("specialization", "--db", str(db), "--view", "regions", "--format", "csv",
                                           "--bootstrap", "0").stdout))
    assert {"hhi", "krugman", "entropy", "diversity", "complexity"} <= set(regions.columns)
    fields = pd.read_csv(io.StringIO(_run("specialization", "--db", str(db), "--view", "fields", "--format", "csv",
                                          "--bootstrap", "0").stdout))
    assert {"hoover", "ubiquity", "complexity"} <= set(fields.columns)
    prox = pd.read_csv(io.StringIO(_run("specialization", "--db", str(db), "--view", "proximity", "--format", "csv",
                                        "--bootstrap", "0").stdout))
    assert prox["proximity"].between(0, 1).all()


def test_profile_of_korea(db):
    out = _run("profile", "Korea", "--db", str(db), "--format", "csv", "--bootstrap", "20", "--period", "2").stdout
    frame = pd.read_csv(io.StringIO(out))
    assert (frame["region"] == "KOR").all()
    assert {"field", "rca", "rca_lo", "rca_hi", "slope_per_year"} <= set(frame.columns)
    assert any(c.startswith("rca_20") for c in frame.columns)
    table = _run("profile", "KOR", "--db", str(db), "--bootstrap", "0")
    assert "Korea" in table.stdout or "KOR" in table.stdout


def test_bad_options_exit_2_with_a_message(db):
    result = runner.invoke(app, ["specialization", "--db", str(db), "--level", "planet"])
    assert result.exit_code == 2 and "level" in result.output
    result = runner.invoke(app, ["profile", "Atlantis", "--db", str(db)])
    assert result.exit_code == 2 and "Atlantis" in result.output


def test_taxonomy_command():
    frame = pd.read_csv(io.StringIO(_run("taxonomy", "--format", "csv").stdout))
    assert {"kind", "venue", "label", "field", "version"} <= set(frame.columns)
    assert (frame.loc[frame["kind"] == "venue"].set_index("venue").loc["icra", "field"]) == "robotics"


def test_api_cells_satisfy_the_rca_identity_on_real_data(tagged_db):
    db = tagged_db
    from talentflow.metrics.specialization import SpecializationParams
    from talentflow.specialization_api import specialization

    for by in ("subfield", "domain"):
        res = specialization(db, SpecializationParams(level="country", by=by, min_cell=1, bootstrap=0, period_length=2),
                             store=False)
        cells = res.cells
        assert not cells["suppressed"].any()
        totals = res.regions.groupby("period")["base_total"].sum()
        for (period, field), g in cells.groupby(["period", "field"]):
            weights = g["region_total"] / totals[period]
            assert (weights * g["rca"]).sum() == pytest.approx(1.0, rel=1e-9), (by, period, field)
        # every work with a located author counts exactly once over the countries (fractional counting)
        with Warehouse(db, read_only=True) as wh:
            located = wh.query("""SELECT count(DISTINCT o.work_id) AS n FROM observations o JOIN works w USING (work_id)
                                  WHERE o.country IS NOT NULL AND coalesce(w.accepted, true)""")["n"].iloc[0]
        assert res.regions["base_total"].sum() == pytest.approx(located, rel=1e-9)
