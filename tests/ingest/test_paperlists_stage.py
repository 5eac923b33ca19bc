"""The paperlists stage step on hand-made records: alignment quirks, identities and rejects."""

import gzip

import pytest

from talentflow.ingest.paperlists import identity, name_key, stage
from tests.ingest.helpers import as_bytes, raw, record


def reasons(staged):
    return sorted(r.reason for r in staged.rejects)


def test_ieee_doubled_author_list_is_halved():
    rec = record(author="A One;B Two;A One;B Two", authorids="/111;/222;/111;/222",
                 aff_unique_norm="Carnegie Mellon University;ETH Zurich", aff_unique_index="0;1",
                 aff_country_unique="United States;Switzerland", aff_country_unique_index="0;1")
    s = stage(raw(), as_bytes([rec]))
    assert [a["researcher_id"] for a in s.authorships] == ["ieee:111", "ieee:222"]
    assert [(a["institution"], a["country"]) for a in s.affiliations] == [
        ("Carnegie Mellon University", "United States"), ("ETH Zurich", "Switzerland")]
    assert s.rejects == []


def test_index_realigned_to_authors_with_an_affiliation():
    # the index skips author 1, whose aff is empty
    rec = record(author="A;B;C", authorids="~A1;~B1;~C1", aff=";Columbia University;Biomedical Informatics, Columbia University",
                 aff_unique_norm="Columbia University", aff_unique_index="0;0",
                 aff_country_unique="United States", aff_country_unique_index="0;0")
    s = stage(raw("corl/corl2023.json"), as_bytes([rec]))
    got = {a["researcher_id"]: a["institution"] for a in s.affiliations}
    assert got == {"openreview:~B1": "Columbia University", "openreview:~C1": "Columbia University"}
    assert [a["n_affiliations"] for a in s.authorships] == [0, 1, 1]


def test_multiple_affiliations_get_fractional_weights():
    rec = record(author="Yoshua Bengio;X Y", aff_unique_norm="Université de Montréal;Université de Rouen",
                 aff_unique_index="0+1;0", aff_country_unique="Canada;France", aff_country_unique_index="0+1;0")
    s = stage(raw("icml/icml2013.json"), as_bytes([rec]))
    yb = [a for a in s.affiliations if a["researcher_id"] == "name:yoshua bengio"]
    assert [(a["institution"], a["country"], a["weight"], a["aff_seq"]) for a in yb] == [
        ("Université de Montréal", "Canada", 0.5, 0), ("Université de Rouen", "France", 0.5, 1)]
    total = {}
    for a in s.affiliations:
        total[a["researcher_id"]] = total.get(a["researcher_id"], 0) + a["weight"]
    assert all(abs(v - 1) < 1e-12 for v in total.values())


def test_misaligned_index_is_a_field_reject_and_authors_are_kept():
    rec = record(author="A;B;C;D", aff="X;Y;Z;W", aff_unique_norm="X", aff_unique_index="0;0")
    s = stage(raw("nips/nips2015.json"), as_bytes([rec]))
    assert len(s.authorships) == 4
    assert "misaligned_affiliation_index" in reasons(s)


@pytest.mark.parametrize("aid,expected", [
    ("/37086936234", ("ieee:37086936234", "stable_id")),
    ("/o/omer-goldman/", ("acl:omer-goldman", "stable_id")),
    ("~Tyler_Ga_Wei_Lum1", ("openreview:~Tyler_Ga_Wei_Lum1", "stable_id")),
    ("jsnell@cs.toronto.edu", ("name:jake snell", "name_only")),
    ("", ("name:jake snell", "name_only")),
])
def test_identity_namespaces(aid, expected):
    rid, _ns, _key, kind = identity(aid, "Jake Snell")
    assert (rid, kind) == expected


def test_name_keys_fold_accents_case_and_dots():
    assert name_key("José  A. Müller") == "jose a muller"


def test_name_only_and_id_based_people_never_merge():
    rec = record(author="Jake Snell;Jake Snell", authorids="~Jake_Snell1;", aff_unique_index="")
    s = stage(raw("corl/corl2020.json"), as_bytes([rec]))
    assert {a["researcher_id"] for a in s.authorships} == {"openreview:~Jake_Snell1", "name:jake snell"}


def test_duplicate_author_and_empty_name_are_rejected():
    rec = record(author="A;;A", authorids="/1;/2;/1")
    s = stage(raw(), as_bytes([rec]))
    assert reasons(s) == ["duplicate_author", "empty_name"]
    assert len(s.authorships) == 1


def test_duplicate_paper_ids_keep_the_first():
    s = stage(raw(), as_bytes([record(author="A"), record(author="B")]))
    assert len(s.works) == 1 and reasons(s) == ["duplicate_record"]


def test_author_name_in_the_aff_field_is_not_an_institution():
    rec = record(author="P. Andrew;L. Silverthorne", aff="HelpMate Robotics Inc., Danbury, CT, USA; L. Silverthorne")
    s = stage(raw(), as_bytes([rec]))
    assert [a["researcher_id"] for a in s.affiliations] == ["name:p andrew"]


@pytest.mark.parametrize("data,reason", [
    (b"{not json", "malformed_json"),
    (gzip.compress(b'[{"id": "1", "author": "A"}]')[:-10], "truncated_or_corrupt_gzip"),
    (b'{"id": 1}', "unexpected_structure"),
])
def test_unreadable_files_become_file_rejects(data, reason):
    s = stage(raw(), data)
    assert [(r.reason, r.severity) for r in s.rejects] == [(reason, "file")]
    assert s.works == [] and s.n_records == 0


def test_implausible_year_in_file_name():
    s = stage(raw("icra/icra1800.json"), as_bytes([record(author="A")]))
    assert [r.reason for r in s.rejects] == ["implausible_year"]


def test_wrong_types_are_rejected_with_the_field():
    recs = [record(id="a", author=["A", "B"]), record(id="b", author="C", title=42), "not a record"]
    s = stage(raw(), as_bytes(recs))
    got = sorted((r.field, r.reason) for r in s.rejects)
    assert got == [("*", "record_not_object"), ("author", "wrong_type"), ("title", "wrong_type")]
    assert [w["work_id"] for w in s.works] == ["paperlists:icra2015:b"]


def test_rejected_submissions_are_flagged_not_accepted():
    s = stage(raw("iclr/iclr2017.json"), as_bytes([record(author="A", status="Reject")]))
    assert s.works[0]["accepted"] is False


def test_comma_separated_author_list_detected_from_author_num():
    rec = record(author="Ipek Oztas, Duygu Ceylan, Aysegul Dundar", author_num=3,
                 aff_unique_norm="Bilkent University;Adobe", aff_unique_index="0;1;0")
    s = stage(raw("siggraph/siggraph2024.json"), as_bytes([rec]))
    assert len(s.authorships) == 3
