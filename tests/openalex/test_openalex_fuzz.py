"""Fuzz the OpenAlex stage step: arbitrary JSON-ish lines yield rows or rejects, never an exception."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentflow.ingest.base import RawFile
from talentflow.ingest.openalex import WorkFilter, lines_from_bytes, merge, stage_lines

FIXTURES = Path(__file__).parent / "fixtures"
RAW = RawFile("openalex", "works/updated_date=2024-01-15/part_000.gz", Path("x"), "u", None)
TEMPLATES = [json.loads(line) for line in (FIXTURES / "works.jsonl").read_text().splitlines()
             if line.startswith('{"id"') and line.endswith("}")]
FILTERS = [WorkFilter(), WorkFilter.parse(["all"]), WorkFilter(topic_scope="any", concepts_when="always", concept_min_score=0.0)]

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False),
                      st.text(max_size=12), st.sampled_from(["https://openalex.org/subfields/1702", "W1", "A5", "US", "CN",
                                                             "education", "https://openalex.org/W123", "2021"]))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                              st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
PATHS = ["id", "title", "publication_year", "primary_location", "primary_location.source",
         "primary_location.source.display_name", "abstract_inverted_index", "primary_topic", "primary_topic.subfield",
         "primary_topic.subfield.id", "topics", "concepts", "authorships", "authorships.0", "authorships.0.author",
         "authorships.0.author.id", "authorships.0.author.display_name", "authorships.0.institutions",
         "authorships.0.institutions.0", "authorships.0.institutions.0.display_name",
         "authorships.0.institutions.0.country_code", "authorships.0.institutions.0.type",
         "authorships.0.countries", "authorships.0.raw_affiliation_strings", "authorships.0.affiliations",
         "authorships.1", "is_retracted"]


def _set(obj, path: str, value):
    keys = path.split(".")
    for k in keys[:-1]:
        if isinstance(obj, list) and k.isdigit() and int(k) < len(obj):
            obj = obj[int(k)]
        elif isinstance(obj, dict) and k in obj:
            obj = obj[k]
        else:
            return
    last = keys[-1]
    if isinstance(obj, list) and last.isdigit() and int(last) < len(obj):
        obj[int(last)] = value
    elif isinstance(obj, dict):
        obj[last] = value


@st.composite
def mutated_work(draw) -> bytes:
    work = copy.deepcopy(draw(st.sampled_from(TEMPLATES)))
    for path, value in draw(st.lists(st.tuples(st.sampled_from(PATHS), json_value), max_size=4)):
        _set(work, path, value)
    if draw(st.booleans()):
        work.pop(draw(st.sampled_from(sorted(work))), None)
    return json.dumps(work).encode()


line = st.one_of(
    mutated_work(),
    json_value.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),
    mutated_work().flatmap(lambda b: st.integers(0, len(b)).map(lambda n: b[:n])),  # cut lines
)


def _check(s, n_lines: int) -> None:
    assert s.n_kept + s.n_filtered + s.n_rejected == s.n_records <= n_lines
    work_ids = {w["work_id"] for w in s.works}
    assert len(work_ids) == len(s.works) == s.n_kept
    for w in s.works:
        assert w["work_id"].startswith("openalex:W") and isinstance(w["year"], int) and not isinstance(w["year"], bool)
        assert all(w[k] is None or isinstance(w[k], str) for k in ("title", "venue", "abstract", "subfield_label"))
    for a in s.authorships:
        assert a["work_id"] in work_ids and isinstance(a["author_position"], int)
    weights: dict = {}
    for a in s.affiliations:
        assert a["work_id"] in work_ids and 0 < a["weight"] <= 1
        assert all(a[k] is None or isinstance(a[k], str) for k in ("institution", "country", "address", "org_type"))
        weights[(a["researcher_id"], a["work_id"])] = weights.get((a["researcher_id"], a["work_id"]), 0) + a["weight"]
    assert all(abs(v - 1) < 1e-9 for v in weights.values())
    for r in s.rejects:
        raw = r.row()["raw_value"]
        assert r.file == RAW.file and r.reason and r.field and (raw is None or len(raw) <= 500)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(line, max_size=8), flt=st.sampled_from(FILTERS), batch=st.integers(1, 4))
def test_stage_never_raises(lines, flt, batch):
    batches = list(stage_lines(RAW, [b + b"\n" for b in lines], flt=flt, batch_size=batch))
    assert all(b.n_kept <= batch for b in batches)
    _check(merge(batches, RAW.file), len(lines))


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(line, min_size=1, max_size=6), cut=st.floats(0, 1), flt=st.sampled_from(FILTERS))
def test_stage_of_any_gzip_prefix_never_raises(lines, cut, flt):
    data = gzip.compress(b"\n".join(lines) + b"\n", mtime=0)
    data = data[: int(len(data) * cut)]
    s = merge(stage_lines(RAW, lines_from_bytes(data, RAW.file), flt=flt), RAW.file)
    _check(s, len(lines))
    if cut < 1:
        assert [r.severity for r in s.rejects].count("file") == 1
