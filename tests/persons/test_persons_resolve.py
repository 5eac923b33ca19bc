"""Person resolution on a small synthetic warehouse: two IEEE ids of one person merge, an ACL id
that joins two namesakes splits, a name-only record joins its person, and careers keyed on
persons follow (``--identity resolved``).
Each of these fails on source ids alone (the behaviour before person resolution)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("splink")

from talentflow.persons.link import cluster, person_keys  # noqa: E402
from talentflow.persons.params import PersonsParams  # noqa: E402
from talentflow.store.warehouse import Warehouse  # noqa: E402
from tests.persons.synthetic import build  # noqa: E402


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    from talentflow import persons_api

    db = tmp_path_factory.mktemp("persons") / "w.duckdb"
    build(db)
    summary = persons_api.resolve(db)
    return db, summary


def _persons_of(db, rid: str) -> pd.Series:
    with Warehouse(db, read_only=True) as wh:
        return wh.query("SELECT person_id, count(*) AS n FROM persons WHERE researcher_id = ? GROUP BY ALL "
                        "ORDER BY person_id", [rid]).set_index("person_id")["n"]


def test_two_ieee_ids_of_one_person_merge(resolved):
    db, _ = resolved
    a, b = _persons_of(db, "ieee:111"), _persons_of(db, "ieee:222")
    assert list(a.index) == list(b.index) == ["ieee:111"]  # one person, keyed on the first id


def test_a_name_only_record_attaches_to_its_person(resolved):
    db, _ = resolved
    # the NeurIPS record (no id) shares the institution and a co-author with the IEEE career
    assert list(_persons_of(db, "name:huijing zhao").index) == ["ieee:111"]


def test_an_acl_id_of_two_namesakes_splits_by_institution(resolved):
    db, _ = resolved
    assert list(_persons_of(db, "acl:fan-yang").index) == ["acl:fan-yang", "acl:fan-yang#2"]
    with Warehouse(db, read_only=True) as wh:
        per = wh.query("""SELECT p.person_id, count(DISTINCT o.institution_id) AS places FROM persons p
                          JOIN observations o ON o.work_id = p.work_id AND o.researcher_id = p.researcher_id
                          WHERE p.researcher_id = 'acl:fan-yang' GROUP BY ALL""")
    assert (per["places"] == 1).all()  # Kyoto and UIUC, each its own person


def test_every_authorship_has_a_person_and_the_parameters_are_recorded(resolved):
    db, summary = resolved
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("persons") == wh.count("authorships") == summary["authorships"]
        params = wh.execute("SELECT params FROM meta_runs WHERE params_id = ? AND kind = 'persons'",
                            [summary["params_id"]])[0][0]
    assert f'"threshold":{PersonsParams().threshold}' in params
    assert summary["persons"] < summary["source_ids"] + 1  # merges outnumber the one split here


def test_persons_listing(resolved):
    from talentflow import persons_api

    db, _ = resolved
    out = persons_api.listing(db)
    assert {"person", "source_id", "name", "authorships", "source_authorships"} <= set(out.columns)
    fan = out[out["source_id"] == "acl:fan-yang"]
    assert sorted(fan["person"]) == ["acl:fan-yang", "acl:fan-yang#2"] and fan["authorships"].sum() == 24
    zhao = out[out["person"] == "ieee:111"]
    assert set(zhao["source_id"]) >= {"ieee:111", "ieee:222"} and (zhao["person_source_ids"] >= 2).all()


def test_careers_on_resolved_persons(resolved):
    from talentflow.inference.params import load_params
    from talentflow.inference.run import run_inference

    db, _ = resolved
    with Warehouse(db) as wh:
        stable = run_inference(wh, load_params(identity="stable"))
        res = run_inference(wh, load_params(identity="resolved"))
        assert stable.params_id != res.params_id
        ids = set(wh.query("SELECT DISTINCT researcher_id FROM residence WHERE params_id = ?",
                           [res.params_id])["researcher_id"])
        old = set(wh.query("SELECT DISTINCT researcher_id FROM residence WHERE params_id = ?",
                           [stable.params_id])["researcher_id"])
    assert {"ieee:111", "ieee:222"} <= old and "ieee:111" in ids and "ieee:222" not in ids
    assert {"acl:fan-yang", "acl:fan-yang#2"} <= ids and "acl:fan-yang#2" not in old


def test_resolved_identity_without_a_linkage_keeps_the_stable_ids(tmp_path):
    from talentflow.inference.params import load_params
    from talentflow.inference.run import run_inference

    db = tmp_path / "w.duckdb"
    build(db)
    with Warehouse(db) as wh:
        stable = run_inference(wh, load_params(identity="stable"))
        res = run_inference(wh, load_params(identity="resolved"))
        got = [wh.query("SELECT researcher_id, year, country FROM residence WHERE params_id = ? ORDER BY ALL", [pid])
               for pid in (stable.params_id, res.params_id)]
    pd.testing.assert_frame_equal(*got)


def test_cluster_lone_authorships_attach_but_never_bridge():
    # 1-2 corroborated (co-authors), 3-4 corroborated; 5 has only name + id links to 2 and 3
    links = pd.DataFrame({"unique_id_l": [1, 3, 5, 5], "unique_id_r": [2, 4, 2, 3],
                          "match_probability": [0.99, 0.99, 0.95, 0.97],
                          "bf_coauthors": [50.0, 50.0, 0.8, 0.8], "bf_institution": [1.0, 1.0, 1.0, 1.0]})
    out = cluster(np.array([1, 2, 3, 4, 5]), links, 4.0).set_index("unique_id")["cluster_id"]
    assert out[1] == out[2] and out[3] == out[4] and out[1] != out[3]  # plain components would join all five
    assert out[5] == out[3]  # attached through its most probable link


def test_person_keys_split_and_merge():
    records = pd.DataFrame({"unique_id": range(7), "source_id": ["acl:x"] * 3 + ["acl:x", "ieee:1", "ieee:2", "name:x"],
                            "namespace": ["acl"] * 4 + ["ieee", "ieee", "name"]})
    clusters = pd.DataFrame({"unique_id": range(7), "cluster_id": [0, 0, 0, 1, 2, 2, 2]})
    keys = person_keys(records, clusters)
    assert keys[0] == "acl:x" and keys[1] == "acl:x#2"  # the larger share keeps the id
    assert keys[2] == "ieee:1"  # a stable id before a name key; ties by id
