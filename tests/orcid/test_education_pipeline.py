"""The pipeline from education records: a synthetic ORCID-shaped population with known degree
and first-job countries is recovered exactly through ingest; the official samples run through it."""

from __future__ import annotations

import io
import random
import tarfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import talentflow.api as tf
from talentflow import migration_api as mig
from talentflow.cli import app
from talentflow.metrics.education import degree_flows, degree_stay_rates, degree_transitions, read_spells
from talentflow.metrics.uncertainty import BootstrapParams
from talentflow.store.warehouse import Warehouse
from tests.orcid.builders import orcid_id, record_json, sample_record_xml, spell

ISO3 = {"DE": "DEU", "US": "USA", "CN": "CHN", "GB": "GBR", "IN": "IND"}
COUNTRIES = list(ISO3)


def _population(n: int, seed: int = 7):
    """(records by file name, truth rows (researcher_id, degree_level, study_country, work_country))."""
    rng = random.Random(seed)
    files, truth = {}, []
    for i in range(1, n + 1):
        ident = orcid_id(1000 + i)
        rid = f"orcid:{ident}"
        b, m, p, j, k, x = (rng.choice(COUNTRIES) for _ in range(6))
        kind = rng.choice("ABCDEFG")
        put = iter(range(1, 100))
        edu = [spell("education", f"Uni {b}", b, 2008, 2011, rng.choice(["BSc Computer Science", "B.A.", "Bachelor"]),
                     "Computer Science", next(put)),
               spell("education", f"Uni {m}", m, 2011, 2013, rng.choice(["MSc", "Master of Science", "M.Eng."]),
                     None, next(put)),
               spell("education", f"Uni {p}", p, 2013, 2018, rng.choice(["PhD", "Ph.D. in Physics", "DPhil"]),
                     "Physics", next(put))]
        emp = [spell("employment", f"Lab {j}", j, 2018, None, "Research scientist", put_code=next(put))]
        after = {"bachelor": j, "master": j, "phd": j}
        if kind == "B":  # a job between master and PhD: the first job after the bachelor and the master
            emp.append(spell("employment", f"Firm {k}", k, 2013, 2014, "Engineer", put_code=next(put)))
            after = {"bachelor": k, "master": k, "phd": j}
        elif kind == "C":  # a student job begun before the bachelor ended: no one's first job after a degree
            emp.append(spell("employment", f"Cafe {x}", x, 2009, 2012, "Barista", put_code=next(put)))
        elif kind == "D":  # no job: no transition at all
            emp = []
            after = {}
        elif kind == "E":  # the PhD's country unknown: no PhD transition
            edu[2]["education-summary"]["organization"]["address"]["country"] = None
            edu[2]["education-summary"]["organization"]["name"] = "Somewhere"
            after.pop("phd")
        elif kind == "F":  # a postdoc listed under education, ending later: not a degree
            edu.append(spell("education", f"Inst {x}", x, 2018, 2020, "Postdoctoral fellow", put_code=next(put)))
        elif kind == "G":  # an earlier master elsewhere: the master that ended last counts
            edu.append(spell("education", f"Uni {x}", x, 2010, 2012, "MPhil", put_code=next(put)))
        rng.shuffle(edu)
        rng.shuffle(emp)
        files[f"{ident}.json"] = record_json(ident, edu, emp)
        study = {"bachelor": b, "master": m, "phd": p}
        truth += [(rid, lvl, ISO3[study[lvl]], ISO3[w]) for lvl, w in after.items()]
    return files, pd.DataFrame(truth, columns=["researcher_id", "degree_level", "study_country", "work_country"])


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    root = tmp_path_factory.mktemp("orcid_pop")
    files, truth = _population(300)
    archive = root / "summaries.tar.gz"  # shaped like the public data file: one archive, streamed
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"summaries/{name[-8:-5]}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    db = root / "w.duckdb"
    summary = tf.ingest_orcid(db, archive)
    assert summary.n_rejects == 0 and int(summary.files["n_records"].sum()) == len(files)
    return db, truth


def test_transitions_recover_the_population_exactly(population):
    db, truth = population
    with Warehouse(db, read_only=True) as wh:
        got = degree_transitions(read_spells(wh))
    cols = ["researcher_id", "degree_level", "study_country", "work_country"]
    got = got[cols].sort_values(cols[:2]).reset_index(drop=True)
    want = truth.sort_values(cols[:2]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_stay_rates_by_degree_equal_the_truth(population):
    db, truth = population
    out = mig.education_pipeline(db, stay=True, by="degree", n_boot=50, min_cell=1)
    t = truth.assign(stayed=truth["study_country"] == truth["work_country"])
    want = t.groupby("degree_level").agg(graduates=("stayed", "size"), stayed=("stayed", "sum"))
    got = out.set_index("degree_level")
    assert list(got.index) == ["bachelor", "master", "phd"]
    for lvl in want.index:
        assert got.loc[lvl, "graduates"] == want.loc[lvl, "graduates"]
        assert got.loc[lvl, "stayed"] == want.loc[lvl, "stayed"]
        assert got.loc[lvl, "stay_rate"] == pytest.approx(want.loc[lvl, "stayed"] / want.loc[lvl, "graduates"])
        assert got.loc[lvl, "stay_rate_lo"] <= got.loc[lvl, "stay_rate"] <= got.loc[lvl, "stay_rate_hi"]


def test_flows_by_degree_country_equal_the_truth(population):
    db, truth = population
    out = mig.education_pipeline(db, min_cell=1)
    want = truth.groupby(["degree_level", "study_country", "work_country"]).size()
    got = out.set_index(["degree_level", "study_country", "work_country"])["researchers"]
    assert got.sort_index().astype(int).to_dict() == want.sort_index().to_dict()
    shares = out.groupby(["degree_level", "study_country"])["share_of_study_country"].sum()
    assert np.allclose(shares, 1.0)


def test_small_cells_are_blanked(population):
    db, truth = population
    rates = mig.education_pipeline(db, stay=True, by="degree-country", n_boot=20, min_cell=10)
    t = truth.assign(stayed=truth["study_country"] == truth["work_country"])
    cells = t.groupby(["degree_level", "study_country"]).agg(g=("stayed", "size"), s=("stayed", "sum"))
    merged = rates.set_index(["degree_level", "study_country"]).join(cells)
    disclosive = ((merged["g"] < 10) | ((merged["s"] > 0) & (merged["s"] < 10))
                  | ((merged["g"] - merged["s"] > 0) & (merged["g"] - merged["s"] < 10)))
    assert merged.loc[disclosive, "stay_rate"].isna().all()
    assert merged.loc[disclosive, "suppressed"].all()
    assert merged.loc[~disclosive, "stay_rate"].notna().all()
    flows = mig.education_pipeline(db, min_cell=10)
    visible = flows["researchers"].dropna()
    assert (visible >= 10).all()
    # per (level, country), the blanked flows never sum to 1..9 (graduate totals are published)
    raw = truth.groupby(["degree_level", "study_country", "work_country"]).size().rename("raw")
    f = flows.join(raw, on=["degree_level", "study_country", "work_country"])
    hidden = f[f["suppressed"]].groupby(["degree_level", "study_country"])["raw"].sum()
    assert not ((hidden > 0) & (hidden < 10)).any()


def test_bootstrap_is_seeded(population):
    db, _ = population
    a = mig.education_pipeline(db, stay=True, n_boot=30, seed=1, min_cell=1)
    b = mig.education_pipeline(db, stay=True, n_boot=30, seed=1, min_cell=1)
    pd.testing.assert_frame_equal(a, b)


def test_years_bound_the_degree_end_year(population):
    db, truth = population
    out = mig.education_pipeline(db, stay=True, year_from=2012, year_to=2013, n_boot=0, min_cell=1)
    assert out["degree_level"].tolist() == ["master"]
    assert out["graduates"].iloc[0] == (truth["degree_level"] == "master").sum()


def test_rules_on_a_hand_made_person():
    s = pd.DataFrame([
        ("e1", "r", "education", "phd", "DEU", 2012, 2016),
        ("e2", "r", "education", "phd", "FRA", 2010, 2014),  # an earlier PhD: the later one counts
        ("w1", "r", "employment", None, "USA", 2015, 2019),  # begun before the PhD ended
        ("w2", "r", "employment", None, "GBR", 2016, 2017),  # begun the year it ended: the first job
        ("w3", "r", "employment", None, "CHE", 2016, None),  # same start, ongoing: ends later, second
        ("w4", "r", "employment", None, None, 2016, 2016),  # no country
    ], columns=["spell_id", "researcher_id", "kind", "degree_level", "country", "start_year", "end_year"])
    t = degree_transitions(s)
    assert t[["degree_level", "study_country", "degree_end_year", "work_country", "job_start_year"]].values.tolist() == [
        ["phd", "DEU", 2016, "GBR", 2016]]
    assert degree_transitions(s[s["kind"] == "education"]).empty
    assert degree_flows(degree_transitions(s.iloc[:0])).empty
    assert degree_stay_rates(degree_transitions(s.iloc[:0]), boot=BootstrapParams(0)).empty


def test_runs_on_the_official_samples(tmp_path):
    """The record sample (record-3.0.xml) as shipped has no degree ('education:role-title'): the
    pipeline runs and finds nothing; with a degree, countries and years filled in, it finds one."""
    from tests.orcid.builders import FIXTURES

    db = tmp_path / "w.duckdb"
    tf.ingest_orcid(db, FIXTURES / "record-3.0.xml")
    assert mig.education_pipeline(db, stay=True, min_cell=1, n_boot=0).empty
    folder = tmp_path / "filled"
    folder.mkdir()
    (folder / "record.xml").write_bytes(sample_record_xml("Ph.D. Computer Science", 2019, 2020, "DE", "US"))
    tf.ingest_orcid(tmp_path / "w2.duckdb", folder)
    out = mig.education_pipeline(tmp_path / "w2.duckdb", min_cell=1)
    assert out[["degree_level", "study_country", "work_country", "researchers"]].values.tolist() == [
        ["phd", "DEU", "USA", 1]]


def test_cli_pipeline_orcid(population):
    db, _ = population
    res = CliRunner().invoke(app, ["pipeline", "--source", "orcid", "--by", "degree", "--stay", "--db", str(db),
                                   "--n-boot", "20", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith("degree_level")
    assert {"bachelor", "master", "phd"} <= {line.split(",")[0] for line in res.output.splitlines()[1:]}
    bad = CliRunner().invoke(app, ["pipeline", "--source", "orcid", "--by", "nope", "--stay", "--db", str(db)])
    assert bad.exit_code == 2


def test_a_warehouse_without_orcid_records_says_so(tmp_path):
    Warehouse(tmp_path / "w.duckdb").close()
    res = CliRunner().invoke(app, ["pipeline", "--source", "orcid", "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 2 and "talentflow ingest orcid" in res.output
