"""Pure staging of ORCID records: the official samples, iD check digits, degree levels, rejects."""

from __future__ import annotations

import io
import tarfile

import pytest

from talentflow.ingest.orcid import (check_digit, degree_level, normalize_orcid, stage_archive, stage_bytes,
                                     valid_orcid)
from tests.orcid.builders import FIXTURES, orcid_id, record_json, sample_record_xml, spell

# file -> (records, education spells, employment spells, rejects by reason); see fixtures/PROVENANCE.md
SAMPLES = {
    "record-3.0.xml": (1, 1, 1, {}),
    "educations-3.0.xml": (1, 2, 0, {}),
    "employments-3.0.xml": (1, 0, 2, {}),
    "record-full-3.0.json": (1, 3, 1, {}),
    "education-3.0.xml": (1, 0, 0, {"missing_orcid": 1}),
    "employment-3.0.xml": (1, 0, 0, {"missing_orcid": 1}),
}


def _reasons(staged) -> dict:
    out: dict = {}
    for r in staged.rejects:
        out[r.reason] = out.get(r.reason, 0) + 1
    return out


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_official_samples(name):
    staged = stage_bytes(name, (FIXTURES / name).read_bytes())
    n_records, n_edu, n_emp, reasons = SAMPLES[name]
    assert staged.n_records == n_records
    assert sum(s["kind"] == "education" for s in staged.spells) == n_edu
    assert sum(s["kind"] == "employment" for s in staged.spells) == n_emp
    assert _reasons(staged) == reasons


def test_sample_record_fields():
    staged = stage_bytes("record-3.0.xml", (FIXTURES / "record-3.0.xml").read_bytes())
    assert staged.researchers == [{"researcher_id": "orcid:8888-8888-8888-8880", "source_key": "8888-8888-8888-8880",
                                   "namespace": "orcid", "name": "give-names family-name",
                                   "identity": "stable_id"}]
    edu, emp = sorted(staged.spells, key=lambda s: s["kind"])
    assert edu["spell_id"] == "orcid:8888-8888-8888-8880:education:0"
    assert (edu["institution"], edu["country"], edu["start_year"], edu["end_year"]) == ("education-org", "AF", 1948, 2019)
    assert (edu["department"], edu["role_title"], edu["degree_level"]) == (
        "education:department-name", "education:role-title", "other")
    assert edu["org_identifier"] == "GRID:common:disambiguated-organization-identifier-education"
    assert (emp["institution"], emp["start_year"], emp["end_year"], emp["degree_level"]) == ("employment-org", 1948, 2025, None)


def test_json_sample_has_the_person_name():
    staged = stage_bytes("record-full-3.0.json", (FIXTURES / "record-full-3.0.json").read_bytes())
    assert staged.researchers[0]["researcher_id"] == "orcid:0000-0002-7319-2192"
    assert staged.researchers[0]["name"] == "Three releasecandidate1"


@pytest.mark.parametrize("ident,ok", [
    ("0000-0002-1825-0097", True), ("0000-0001-5109-3700", True), ("0000-0002-1694-233X", True),
    ("0000-0002-1825-0098", False), ("0000-0002-1694-2330", False), ("8888-8888-8888-8888", False),
    ("0000-0002-1825-009", False), ("abcd", False),
])
def test_check_digit(ident, ok):
    assert valid_orcid(ident) is ok


def test_check_digit_x_and_serials():
    assert check_digit("000000021694233") == "X"
    assert all(valid_orcid(orcid_id(n)) for n in range(1, 500))
    assert normalize_orcid("https://orcid.org/0000-0002-1694-233x") == "0000-0002-1694-233X"


@pytest.mark.parametrize("title,level", [
    ("PhD in Computer Science", "phd"), ("Ph.D.", "phd"), ("Doctor of Philosophy", "phd"), ("DPhil", "phd"),
    ("Doctorate in Physics", "phd"), ("PhD student", "phd"), ("Dr. rer. nat.", "phd"),
    ("MSc Machine Learning", "master"), ("M.Sc.", "master"), ("Master of Engineering", "master"),
    ("MS in Statistics", "master"), ("MPhil", "master"), ("MBA", "master"), ("Master's degree", "master"),
    ("BSc Mathematics", "bachelor"), ("B.Sc.", "bachelor"), ("Bachelor of Arts", "bachelor"),
    ("B.Tech", "bachelor"), ("Undergraduate", "bachelor"), ("BA (Hons)", "bachelor"),
    ("Postdoctoral researcher", "other"), ("Visiting PhD student", "other"), ("Doctor of Medicine", "other"),
    ("", "other"), (None, "other"), ("role-title", "other"), ("Summer school", "other"),
])
def test_degree_level(title, level):
    assert degree_level(title) == level


def test_malformed_xml_is_rejected():
    staged = stage_bytes("bad.xml", b"<record:record xmlns:record='x'><unclosed></record:record>")
    assert staged.n_records == 1 and not staged.spells
    assert [(r.reason, r.severity) for r in staged.rejects] == [("malformed_xml", "record")]


def test_doctype_is_refused():
    data = b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaa'>]><r>&a;</r>"
    assert [r.reason for r in stage_bytes("e.xml", data).rejects] == ["malformed_xml"]


def test_malformed_json_is_rejected():
    assert [r.reason for r in stage_bytes("bad.json", b"{not json").rejects] == ["malformed_json"]
    assert [r.reason for r in stage_bytes("list.json", b"[1, 2]").rejects] == ["malformed_json"]


def test_bad_checksum_rejects_the_record():
    data = record_json("0000-0002-1825-0098", [spell("education", "MIT", "US", 2010, 2014, "BSc")], [])
    staged = stage_bytes("r.json", data)
    assert not staged.researchers and not staged.spells
    assert [(r.reason, r.raw_value) for r in staged.rejects] == [("bad_orcid_checksum", "0000-0002-1825-0098")]


def test_missing_and_bad_dates_reject_the_entry_only():
    ident = orcid_id(7)
    data = record_json(ident, [
        spell("education", "MIT", "US", None, None, "BSc", put_code=1),
        spell("education", "MIT", "US", 2010, 2014, "MSc", put_code=2),
    ], [
        spell("employment", "Google", "US", "20x5", None, put_code=3),
        spell("employment", "Google", "US", 2020, 2015, put_code=4),
        spell("employment", "DeepMind", "GB", 2016, None, put_code=5),
    ])
    staged = stage_bytes("r.json", data)
    assert sorted(s["put_code"] for s in staged.spells) == ["2", "5"]
    assert sorted((r.locator, r.reason) for r in staged.rejects) == [
        ("record education 1", "missing_dates"), ("record employment 3", "bad_date"),
        ("record employment 4", "end_before_start")]
    assert len(staged.researchers) == 1


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_archive_is_streamed_in_batches_with_rejects_per_member():
    members = {f"summaries/{i:03d}/{orcid_id(i)}.xml": sample_record_xml() .replace(
        b"8888-8888-8888-8880", orcid_id(i).encode()) for i in range(1, 6)}
    members["summaries/bad/broken.xml"] = b"<record"
    members["summaries/README.txt"] = b"not a record"
    data = _tar(members)
    batches = list(stage_archive(io.BytesIO(data), "summaries.tar.gz", batch=2))
    assert [b.n_records for b in batches] == [2, 2, 2, 0]
    whole = stage_bytes("summaries.tar.gz", data)
    assert whole.n_records == 6 and len(whole.researchers) == 5 and len(whole.spells) == 10
    assert [(r.locator, r.reason) for r in whole.rejects] == [("summaries/bad/broken.xml", "malformed_xml")]


def test_truncated_archive_keeps_what_was_read_and_says_so():
    members = {f"s/{orcid_id(i)}.xml": sample_record_xml().replace(b"8888-8888-8888-8880", orcid_id(i).encode())
               for i in range(1, 40)}
    data = _tar(members)
    staged = stage_bytes("summaries.tar.gz", data[: len(data) // 2])
    assert staged.n_records >= 1
    assert [r.reason for r in staged.rejects][-1:] == ["corrupt_archive"]
    assert staged.rejects[-1].severity == "file"


def test_single_item_takes_the_id_from_its_file_name():
    data = (FIXTURES / "education-3.0.xml").read_bytes()
    staged = stage_bytes("0000-0002-1825-0097_educations_0.xml", data)
    assert [s["spell_id"] for s in staged.spells] == ["orcid:0000-0002-1825-0097:education:0"]


@pytest.mark.parametrize("title,level", [("B.E. Electrical", "bachelor"), ("To be confirmed", "other"),
                                         ("Webmaster", "other"), ("Laurea magistrale", "master")])
def test_degree_level_edges(title, level):
    assert degree_level(title) == level
