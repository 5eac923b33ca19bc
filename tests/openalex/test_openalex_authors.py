"""OpenAlex author histories: the authors entity's affiliations (institution with years) become
observations of source openalex_authors, linked to the works' authorships by the author id."""

from __future__ import annotations

import json

from talentflow.api import ingest_openalex
from talentflow.store.warehouse import Warehouse
from tests.openalex.conftest import FIXTURES, write_partition

P = "https://openalex.org/"
AI_TOPIC = {"id": f"{P}T10028", "display_name": "t", "count": 9,
            "subfield": {"id": f"{P}subfields/1702", "display_name": "Artificial Intelligence"},
            "field": {"id": f"{P}fields/17", "display_name": "Computer Science"}}


def inst(i: str, name: str, cc: str, typ: str = "education") -> dict:
    return {"id": f"{P}{i}", "display_name": name, "ror": None, "country_code": cc, "type": typ, "lineage": [f"{P}{i}"]}


def author(aid: str, affs: list, name: str = "Some One") -> bytes:
    return json.dumps({"id": f"{P}{aid}", "display_name": name, "topics": [AI_TOPIC], "x_concepts": [],
                       "affiliations": affs}).encode()


def test_histories_ingested_and_linked(tmp_path):
    snap = tmp_path / "snap"
    write_partition(snap, "works", "2024-01-15", (FIXTURES / "works.jsonl").read_bytes())
    lines = [
        # A5000000004 is an author of the fixture works: a move Tsinghua -> Google, both in 2019
        author("A5000000004", [{"institution": inst("I99065089", "Tsinghua University", "CN"), "years": [2019, 2018, 2017]},
                               {"institution": inst("I1291425158", "Google (United States)", "US", "company"), "years": [2020, 2019]}]),
        author("A5000000777", [{"institution": inst("I1", "ETH Zurich", "CH"), "years": [2021, "2022", 1492]},
                               {"institution": "not an object", "years": [2020]},
                               {"institution": inst("I2", "Odd Place", "DE", "spaceport"), "years": [2020]},
                               {"institution": inst("I3", "No Years", "FR")}]),
        author("A5000000888", None),
        b"",
    ]
    write_partition(snap, "authors", "2024-01-15", b"\n".join(lines) + b"\n")
    db = tmp_path / "w.duckdb"
    s = ingest_openalex(db, snap, entities=("works", "authors"), workers=2)
    assert set(s.ingest.files["status"]) == {"ok"}
    with Warehouse(db, read_only=True) as wh:
        obs = wh.query("SELECT o.researcher_id, o.work_id, o.year, i.name AS inst, o.country, o.weight, o.aff_seq "
                       "FROM observations o LEFT JOIN institutions i USING (institution_id) "
                       "WHERE o.source = 'openalex_authors' ORDER BY o.researcher_id, o.aff_seq")
        rows = [tuple(r) for r in obs.itertuples(index=False)]
        a4 = [r for r in rows if r[0] == "openalex:A5000000004"]
        assert [(r[2], r[3], r[4], r[5]) for r in a4] == [
            (2017, "Tsinghua University", "CHN", 1.0), (2018, "Tsinghua University", "CHN", 1.0),
            (2019, "Tsinghua University", "CHN", 0.5), (2019, "Google", "USA", 0.5), (2020, "Google", "USA", 1.0)]
        assert {r[1] for r in a4} == {"openalex_authors:A5000000004"}
        a7 = [(r[2], r[3]) for r in rows if r[0] == "openalex:A5000000777"]
        assert a7 == [(2020, "Odd Place"), (2021, "ETH Zurich")]  # the string year, 1492, the bad entries: rejected
        # linked: the history's researcher is the works' author (same researcher_id)
        linked = wh.query("SELECT count(*) AS n FROM authorships WHERE researcher_id = 'openalex:A5000000004'")["n"][0]
        assert linked >= 1
        assert wh.query("SELECT count(*) AS n FROM researchers WHERE researcher_id = 'openalex:A5000000004'")["n"][0] == 1
        # works' observations keep their source
        assert set(wh.query("SELECT DISTINCT source FROM observations")["source"]) == {"openalex", "openalex_authors"}
        rejects = wh.query("SELECT locator, field, reason FROM rejects WHERE file LIKE 'authors/%' ORDER BY locator, reason")
        got = {(r.field, r.reason) for r in rejects.itertuples()}
        assert {("affiliations.years", "wrong_type"), ("affiliations.years", "implausible_year"),
                ("affiliations.institution", "wrong_type"), ("institution.type", "unknown_org_type"),
                ("affiliations.years", "missing_year")} <= got
        assert all("A5000000777" in r.locator and "affiliation" in r.locator for r in rejects.itertuples())

    # a newer version of the author (later partition) replaces the history, across runs and in one run
    write_partition(snap, "authors", "2024-02-01", author("A5000000004", [
        {"institution": inst("I1291425158", "Google (United States)", "US", "company"), "years": [2021]}]) + b"\n")
    ingest_openalex(db, snap, entities=("works", "authors"), workers=1)
    with Warehouse(db, read_only=True) as wh:
        a4 = wh.query("SELECT year, weight, file FROM observations WHERE researcher_id = 'openalex:A5000000004' "
                      "AND source = 'openalex_authors'")
        assert a4["year"].tolist() == [2021] and a4["file"].str.startswith("authors/updated_date=2024-02-01").all()
    db2 = tmp_path / "w2.duckdb"
    ingest_openalex(db2, snap, entities=("works", "authors"), workers=2)
    with Warehouse(db2, read_only=True) as wh:
        assert wh.query("SELECT year FROM observations WHERE researcher_id = 'openalex:A5000000004' "
                        "AND source = 'openalex_authors'")["year"].tolist() == [2021]


def test_authors_partition_staged_before_histories_is_staged_again(tmp_path, snapshot):
    db = tmp_path / "w.duckdb"
    ingest_openalex(db, snapshot, entities=("works", "authors"))
    again = ingest_openalex(db, snapshot, entities=("works", "authors"))
    assert set(again.ingest.files["status"]) == {"skipped_unchanged"}
    with Warehouse(db, read_only=True) as wh:
        n = wh.query("SELECT count(*) AS n FROM observations WHERE source = 'openalex_authors'")["n"][0]
        assert n == 2  # Li Wei at Tsinghua, 2022 and 2023


def test_newer_version_without_affiliations_removes_the_history(tmp_path):
    snap = tmp_path / "snap"
    write_partition(snap, "works", "2024-01-15", (FIXTURES / "works.jsonl").read_bytes())
    write_partition(snap, "authors", "2024-01-15", author("A5000000004", [
        {"institution": inst("I1", "ETH Zurich", "CH"), "years": [2020]}]) + b"\n")
    db = tmp_path / "w.duckdb"
    ingest_openalex(db, snap, entities=("works", "authors"))
    q = "SELECT count(*) AS n FROM observations WHERE source = 'openalex_authors'"
    with Warehouse(db, read_only=True) as wh:
        assert wh.query(q)["n"][0] == 1
    write_partition(snap, "authors", "2024-02-01", author("A5000000004", []) + b"\n")
    ingest_openalex(db, snap, entities=("works", "authors"))
    with Warehouse(db, read_only=True) as wh:
        assert wh.query(q)["n"][0] == 0
        assert wh.query("SELECT count(*) AS n FROM _stage_replaced")["n"][0] == 0
