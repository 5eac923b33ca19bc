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


def _csv_raw():
    from pathlib import Path

    from talentflow.ingest.base import RawFile

    return RawFile("csv", "/data/x.csv", Path("/data/x.csv"), "/data/x.csv", None)


wild = st.text(alphabet=st.sampled_from(list('ab1 9,"\n\r;\t\x00é²') + ["\u2028"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(wild)
def test_csv_stage_any_text_after_the_header_balances(body):
    """Quotes opened and never closed, line breaks, NULs, CRs: every record is accepted or
    rejected with its line, and nothing but a one-line InputError escapes."""
    from talentflow.errors import InputError

    try:
        s = stage_csv(_csv_raw(), ("person,year,org,country\n" + body).encode("utf-8", "surrogatepass"))
    except InputError:
        return
    record_rejects = [r for r in s.rejects if r.severity == "record"]
    assert len(s.authorships) + len(record_rejects) == s.n_records
    assert all(r.locator.startswith("line") for r in s.rejects)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_csv_stage_any_bytes_refuses_in_one_line_or_balances(data):
    from talentflow.errors import InputError

    try:
        s = stage_csv(_csv_raw(), b"person,year,org,country\n" + data)
    except InputError as exc:
        assert "\n" not in str(exc).strip()
        return
    assert len(s.authorships) + sum(r.severity == "record" for r in s.rejects) == s.n_records
