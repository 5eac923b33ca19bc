"""The OpenAlex stage step on fixture lines: filter, mapping, rejects, batches, truncated gzip."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from talentflow.errors import ConfigError, InputError
from talentflow.ingest.base import RawFile
from talentflow.ingest.openalex import (
    ORG_TYPES, SnapshotSource, WorkFilter, abstract_from_inverted_index, clean_institution_name, lines_from_bytes,
    merge, open_lines, partitions, stage_lines, _Shape,
)
from talentflow.schema.tables import INSTITUTION_TYPES

RAW = RawFile("openalex", "works/updated_date=2024-01-15/part_000.gz", Path("x"), "u", None)


def staged(lines: bytes, flt: WorkFilter | None = None, **kw):
    return merge(stage_lines(RAW, lines.splitlines(True), flt=flt or WorkFilter(), **kw), RAW.file)


def test_fixture_lines_are_kept_filtered_or_rejected(works_lines):
    s = staged(works_lines)
    assert s.n_records == 14  # non-blank lines
    # kept: W1 W2 W4 (legacy concept) W11 W13; filtered: W3 (epidemiology), W5 (concept score 0.12),
    # line 7 (malformed but mentions no AI id: never parsed); rejected: lines 6 8 9 10 11 14
    assert (s.n_kept, s.n_filtered, s.n_rejected) == (5, 3, 6)
    assert sorted(w["work_id"] for w in s.works) == [
        "openalex:W2000000001", "openalex:W2000000002", "openalex:W2000000004", "openalex:W2000000011",
        "openalex:W2000000013"]
    record_rejects = {(r.locator, r.field, r.reason) for r in s.rejects if r.severity == "record"}
    assert ("line 6 (W2000000006)", "*", "malformed_json") not in record_rejects  # no id known before parsing
    assert ("line 6", "*", "malformed_json") in record_rejects
    assert ("line 8 (W2000000007)", "publication_year", "implausible_year") in record_rejects
    assert ("line 9", "id", "missing_id") in record_rejects
    assert ("line 10 (W2000000009)", "publication_year", "wrong_type") in record_rejects
    assert ("line 11 (W2000000001)", "id", "duplicate_record") in record_rejects
    assert ("line 13 (W2000000011) author 2", "authorships", "wrong_type") in record_rejects
    assert ("line 13 (W2000000011) author 3", "author", "duplicate_author") in record_rejects
    assert ("line 14", "*", "record_not_object") in record_rejects
    fields = {(r.locator, r.field, r.reason) for r in s.rejects if r.severity == "field"}
    assert ("line 13 (W2000000011) author 1", "institutions.type", "unknown_org_type") in fields
    assert ("line 15 (W2000000013)", "abstract_inverted_index", "wrong_type") in fields
    assert all(r.file == RAW.file for r in s.rejects)


def test_work_mapping(works_lines):
    s = staged(works_lines)
    w1 = next(w for w in s.works if w["work_id"] == "openalex:W2000000001")
    assert w1["venue"] == "Neural Information Processing Systems"
    assert w1["year"] == 2022
    assert w1["subfield_label"] == "Computer Science / Artificial Intelligence"
    assert w1["abstract"].startswith("We propose an attention based topic model for long documents")
    w13 = next(w for w in s.works if w["work_id"] == "openalex:W2000000013")
    assert w13["status"] == "retracted" and w13["abstract"] is None
    w4 = next(w for w in s.works if w["work_id"] == "openalex:W2000000004")  # kept by its legacy concept
    assert w4["subfield_label"] is None


def test_authorships_identity_and_fractional_weights(works_lines):
    s = staged(works_lines)
    ids = {r["researcher_id"]: r for r in s.researchers}
    assert ids["openalex:A5000000001"]["identity"] == "stable_id"
    assert ids["openalex:name:jane q doe"]["identity"] == "name_only"
    assert all(r["namespace"] == "openalex" for r in s.researchers)
    maria = [a for a in s.affiliations if a["researcher_id"] == "openalex:A5000000002"]
    assert [(a["institution"], a["country"], a["org_type"], a["weight"]) for a in maria] == [
        ("Google", "US", "company", 0.5), ("Stanford University", "US", "education", 0.5)]
    assert maria[0]["address"] == "Google Research, Mountain View, CA, USA"
    weights: dict = {}
    for a in s.affiliations:
        weights[(a["researcher_id"], a["work_id"])] = weights.get((a["researcher_id"], a["work_id"]), 0) + a["weight"]
    assert all(abs(v - 1) < 1e-9 for v in weights.values())
    by_author = {(a["researcher_id"], a["work_id"]): a["n_affiliations"] for a in s.authorships}
    assert by_author[("openalex:A5000000002", "openalex:W2000000001")] == 2
    assert by_author[("openalex:name:jane q doe", "openalex:W2000000004")] == 0
    becker = next(a for a in s.affiliations if a["researcher_id"] == "openalex:A5000000004")
    assert (becker["institution"], becker["country"]) == (None, "DE")  # no institution: the author's country
    positions = sorted(a["author_position"] for a in s.authorships if a["work_id"] == "openalex:W2000000001")
    assert positions == [1, 2, 3]


def test_org_types_map_into_talentflow_types():
    assert set(ORG_TYPES.values()) <= set(INSTITUTION_TYPES)


def test_filter_options(works_lines):
    everything = staged(works_lines, WorkFilter.parse(["all"]))
    assert everything.n_kept == 7  # W3 (epidemiology) and W5 (low-score concept) too
    only_cv = staged(works_lines, WorkFilter.parse(["subfields/1707"], concepts_when="never"))
    assert {w["work_id"] for w in only_cv.works} == {"openalex:W2000000002", "openalex:W2000000013"}
    # W11's second topic is robotics (2207): only 'any' scope matches it
    robotics_primary = staged(works_lines, WorkFilter.parse(["subfields/2207"]))
    robotics_any = staged(works_lines, WorkFilter.parse(["subfields/2207"], topic_scope="any"))
    assert "openalex:W2000000011" not in {w["work_id"] for w in robotics_primary.works}
    assert "openalex:W2000000011" in {w["work_id"] for w in robotics_any.works}
    low_score = staged(works_lines, WorkFilter(concept_min_score=0.1))
    assert "openalex:W2000000005" in {w["work_id"] for w in low_score.works}
    years = staged(works_lines, WorkFilter(from_year=2021, to_year=2022))
    assert {w["year"] for w in years.works} == {2021, 2022}


def test_filter_parse_and_validation():
    f = WorkFilter.parse(["https://openalex.org/subfields/1702", "fields/17", "T10028", "C154945302", "1707"])
    assert f.subfields == ("1702", "1707") and f.fields == ("17",) and f.topics == ("T10028",)
    assert f.concepts == ("C154945302",)
    assert WorkFilter.parse(None) == WorkFilter()
    assert WorkFilter().stage_key != WorkFilter(topic_scope="any").stage_key
    with pytest.raises(ConfigError, match="--filter 'robots'"):
        WorkFilter.parse(["robots"])
    with pytest.raises(ConfigError, match="topic_scope"):
        WorkFilter(topic_scope="some")
    with pytest.raises(ConfigError, match="after"):
        WorkFilter(from_year=2022, to_year=2020)
    with pytest.raises(ConfigError, match="no ids"):
        WorkFilter(subfields=(), concepts=())


def test_batches_bound_memory_and_equal_one_pass(works_lines):
    batches = list(stage_lines(RAW, works_lines.splitlines(True), flt=WorkFilter(), batch_size=1))
    assert len(batches) >= 5
    assert all(b.n_kept <= 1 for b in batches)
    one = staged(works_lines)
    merged = merge(batches, RAW.file)
    assert merged.works == one.works and merged.affiliations == one.affiliations
    assert (merged.n_records, merged.n_kept, merged.n_rejected) == (one.n_records, one.n_kept, one.n_rejected)


def test_truncated_gzip_is_a_file_reject_with_lines_read(works_lines, tmp_path):
    data = gzip.compress(works_lines * 40, mtime=0)
    cut = data[: len(data) // 2]
    s = merge(stage_lines(RAW, lines_from_bytes(cut, RAW.file), flt=WorkFilter()), RAW.file)
    file_rejects = [r for r in s.rejects if r.severity == "file"]
    assert len(file_rejects) == 1 and file_rejects[0].reason == "truncated_or_corrupt_gzip"
    n_read = int(re.search(r"(\d+) line\(s\) read before it", file_rejects[0].raw_value).group(1))
    assert s.n_records <= n_read <= s.n_records + 40  # blank lines count as lines read
    assert s.n_kept > 0  # what was read before the break is kept
    path = tmp_path / "part_001.gz"
    path.write_bytes(cut)
    s2 = merge(stage_lines(RAW, open_lines(path, RAW.file), flt=WorkFilter()), RAW.file)
    assert [r.reason for r in s2.rejects if r.severity == "file"] == ["truncated_or_corrupt_gzip"]
    assert s2.n_kept == s.n_kept


def test_a_gz_file_that_is_not_gzip(works_lines):
    s = merge(stage_lines(RAW, lines_from_bytes(works_lines, RAW.file), flt=WorkFilter()), RAW.file)
    assert [(r.locator, r.reason) for r in s.rejects] == [("file", "truncated_or_corrupt_gzip")]
    assert "0 line(s) read" in s.rejects[0].raw_value
    plain = RawFile("openalex", "works/plain.jsonl", Path("x"), "u", None)
    s = merge(stage_lines(plain, lines_from_bytes(works_lines, plain.file), flt=WorkFilter()), plain.file)
    assert s.n_kept == 5  # uncompressed JSON Lines are read as they are


def test_abstract_reconstruction():
    assert abstract_from_inverted_index({"world": [1], "Hello": [0], "again": [3], "hello": [2]}) == "Hello world hello again"
    assert abstract_from_inverted_index(None) is None
    assert abstract_from_inverted_index({}) is None
    assert abstract_from_inverted_index('{"a": [1], "b": [0]}') == "b a"
    assert abstract_from_inverted_index({"far": [10**12], "near": [0]}) == "near far"  # no dense array
    for bad in ({"a": "0"}, {"a": [-1]}, {"a": [True]}, [1, 2], "not json"):
        with pytest.raises(_Shape):
            abstract_from_inverted_index(bad)


def test_institution_names_lose_the_country_disambiguator():
    assert clean_institution_name("Google (United States)") == "Google"
    assert clean_institution_name("Microsoft Research Asia (China)") == "Microsoft Research Asia"
    assert clean_institution_name("Institute of Automation (CASIA)") == "Institute of Automation (CASIA)"
    assert clean_institution_name("Stanford University") == "Stanford University"


def test_authors_entity(snapshot):
    source = SnapshotSource(snapshot, entities=("works", "authors"))
    raws = list(source.fetch())
    assert [r.file for r in raws] == ["works/updated_date=2024-01-15/part_000.gz",
                                      "authors/updated_date=2024-01-15/part_000.gz"]
    batches = list(source.stage_stream(raws[1]))
    s = merge(batches, raws[1].file)
    # the AI author (topic) and the old-style author (x_concepts 55.2% >= 30%), not the epidemiologist
    assert {r["researcher_id"] for r in s.researchers} == {"openalex:A5000000001", "openalex:A5000000099"}
    assert not s.works and s.observation_source == "openalex_authors"
    # Li Wei's history: Tsinghua in 2022 and 2023, under the pseudo work of the author
    assert [(a["work_id"], a["year"], a["institution"], a["country"], a["aff_seq"], a["weight"]) for a in s.affiliations] == [
        ("openalex_authors:A5000000001", 2022, "Tsinghua University", "CN", 0, 1.0),
        ("openalex_authors:A5000000001", 2023, "Tsinghua University", "CN", 1, 1.0)]
    assert source.stats.lines == 3 and source.stats.kept == 2


def test_snapshot_layouts(snapshot, tmp_path):
    assert [p.rel for p in partitions(snapshot)] == ["works/updated_date=2024-01-15/part_000.gz"]
    assert partitions(snapshot / "data") == partitions(snapshot)
    assert partitions(snapshot / "data" / "works") == partitions(snapshot)
    jsonl = tmp_path / "new" / "data" / "jsonl"
    (jsonl / "works" / "updated_date=2025-01-01").mkdir(parents=True)
    (jsonl / "works" / "updated_date=2025-01-01" / "part_000.gz").write_bytes(gzip.compress(b"{}\n"))
    assert [p.updated_date for p in partitions(tmp_path / "new")] == ["2025-01-01"]
    with pytest.raises(InputError, match="no works/ or authors/"):
        partitions(tmp_path / "new" / "data" / "jsonl" / "works" / "updated_date=2025-01-01")
    with pytest.raises(ConfigError, match="unknown"):
        partitions(snapshot, ("institutions",))


def test_gunzip_lines_matches_gzip_and_reads_several_members(works_lines):
    import io

    from talentflow.ingest.openalex import gunzip_lines

    data = gzip.compress(works_lines, mtime=0) + gzip.compress(b'{"second": "member"}\n', mtime=0)
    got = b"".join(gunzip_lines(io.BytesIO(data), chunk=97))
    assert got == gzip.decompress(data)
    no_newline = gzip.compress(b'{"a": 1}\n{"b": 2}', mtime=0)
    assert list(gunzip_lines(io.BytesIO(no_newline))) == [b'{"a": 1}\n', b'{"b": 2}']
