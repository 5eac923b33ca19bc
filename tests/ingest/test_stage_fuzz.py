"""Hypothesis: the stage steps never raise on arbitrary input, and account for every record."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentflow.ingest.csvfile import stage as stage_csv
from talentflow.ingest.paperlists import stage as stage_paperlists
from tests.ingest.helpers import as_bytes, raw

scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
semi = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["0", "1", "0+1", "", "x", "-1", "99"])), max_size=6).map(";".join)
field_value = st.one_of(scalar, semi, st.lists(scalar, max_size=3))
keys = st.sampled_from(["id", "title", "author", "authorids", "aff", "aff_domain", "position", "aff_unique_norm",
                        "aff_unique_index", "aff_country_unique", "aff_country_unique_index", "status",
                        "primary_area", "abstract", "author_num"])
records = st.lists(st.one_of(st.dictionaries(keys, field_value, max_size=12), scalar), max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_paperlists_stage_total(recs):
    s = stage_paperlists(raw(), as_bytes(recs))
    assert s.n_records == len(recs)
    # every record is a work or a record-level reject
    record_rejects = {r.locator.split(" (")[0] for r in s.rejects if r.severity == "record" and " author " not in r.locator}
    assert len(s.works) + len(record_rejects) == len(recs)
    for a in s.affiliations:
        assert 0 < a["weight"] <= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_paperlists_stage_survives_any_bytes(data):
    s = stage_paperlists(raw(), data)
    assert s.works or s.rejects or s.n_records == 0


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=",\n\r\"'"), max_size=10)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell, cell), max_size=15))
def test_csv_stage_accounts_for_every_row(rows):
    text = "person,year,org,country\n" + "".join(",".join(r) + "\n" for r in rows)
    from talentflow.ingest.base import RawFile
    from pathlib import Path
    s = stage_csv(RawFile("csv", "x.csv", Path("x.csv"), "x.csv", None), text.encode())
    record_rejects = {r.locator for r in s.rejects if r.severity == "record"}
    assert len(s.authorships) + len(record_rejects) == s.n_records
