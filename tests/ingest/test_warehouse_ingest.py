"""Ingest into a warehouse: counts, idempotency, replacement of changed files, strict mode, atomicity."""

import pytest

from talentflow.api import check, ingest_paperlists
from talentflow.errors import FetchError, StrictModeError
from talentflow.store.warehouse import Warehouse
from tests.ingest.helpers import record, write_mirror

FILES = {
    "icra/icra2015.json": [
        record(id="1", author="Ann Lee;Bo Chen;Ann Lee;Bo Chen", authorids="/1;/2;/1;/2",
               aff_unique_norm="Chinese University of Hong Kong;Stanford University", aff_unique_index="0;1",
               aff_country_unique="China;United States", aff_country_unique_index="0;1"),
        record(id="2", author="Cy Diaz", authorids="/3", aff="Lab, Paris, France"),
    ],
    "icra/icra2016.json": [
        record(id="1", author="Ann Lee", authorids="/1", aff_unique_norm="Google DeepMind", aff_unique_index="0",
               aff_country_unique="United Kingdom", aff_country_unique_index="0"),
    ],
}


@pytest.fixture
def tiny_mirror(tmp_path, monkeypatch):
    root = write_mirror(tmp_path / "mirror", FILES)
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(root))
    return root


def test_counts_countries_and_lineage(tiny_mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    s = ingest_paperlists(db)
    assert s.files["status"].tolist() == ["ok", "ok"]
    with Warehouse(db, read_only=True) as wh:
        assert wh.counts()["observations"] == 4
        obs = wh.query("SELECT researcher_id, year, institution_id, country, country_rule FROM observations ORDER BY ALL")
        obs = obs.astype(object).where(obs.notna(), None)
        assert obs.values.tolist() == [
            ["ieee:1", 2015, "chinese university hong kong", "HKG", "institution_table"],
            ["ieee:1", 2016, "google deepmind", "GBR", "upstream"],
            ["ieee:2", 2015, "university stanford", "USA", "institution_table"],  # the table before upstream
            ["ieee:3", 2015, None, "FRA", "address_text"],
        ]
        parents = wh.query("SELECT institution_id, parent_id FROM institutions WHERE parent_id IS NOT NULL")
        assert parents.values.tolist() == [["google deepmind", "google"]]
        assert wh.query("SELECT count(*) AS n FROM institutions WHERE institution_id = 'google'")["n"][0] == 1
    assert check(db)["failing"].sum() == 0


def test_reingest_changes_nothing(tiny_mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_paperlists(db)
    with Warehouse(db, read_only=True) as wh:
        before = wh.counts()
    s = ingest_paperlists(db)
    assert set(s.files["status"]) == {"skipped_unchanged"}
    with Warehouse(db, read_only=True) as wh:
        assert wh.counts() == before


def test_changed_file_replaces_its_rows(tiny_mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_paperlists(db)
    write_mirror(tiny_mirror, {"icra/icra2016.json": [record(id="9", author="Eve F", authorids="/9")]})
    s = ingest_paperlists(db)
    assert sorted(s.files["status"]) == ["replaced", "skipped_unchanged"]
    with Warehouse(db, read_only=True) as wh:
        works = wh.query("SELECT work_id FROM works ORDER BY 1")["work_id"].tolist()
        assert works == ["paperlists:icra2015:1", "paperlists:icra2015:2", "paperlists:icra2016:9"]
        assert wh.count("authorships") == 4


def test_strict_writes_nothing_and_raises(tiny_mirror, tmp_path):
    write_mirror(tiny_mirror, {"icra/icra2017.json": [record(id="1", author="A;;B")]})
    db = tmp_path / "w.duckdb"
    with pytest.raises(StrictModeError, match="empty_name=1"):
        ingest_paperlists(db, strict=True)
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("works") == 0 and wh.count("rejects") == 0
    s = ingest_paperlists(db)
    assert s.n_rejects == 1
    with Warehouse(db, read_only=True) as wh:
        row = wh.query("SELECT file, locator, field, reason, severity FROM rejects").iloc[0].tolist()
        assert row == ["icra/icra2017.json", "record 0 (id 1) author 2", "author", "empty_name", "record"]


def test_failure_mid_ingest_leaves_previous_state(tiny_mirror, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    ingest_paperlists(db, venues=("icra",), years=(2015,))
    with Warehouse(db, read_only=True) as wh:
        before = wh.counts()
    import talentflow.pipeline as pipeline

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "_derive_after_load", boom)
    with pytest.raises(RuntimeError):
        ingest_paperlists(db)
    with Warehouse(db, read_only=True) as wh:
        assert wh.counts() == before


def test_unknown_venue_is_a_clear_error(tiny_mirror, tmp_path):
    with pytest.raises(FetchError, match="unknown venue"):
        ingest_paperlists(tmp_path / "w.duckdb", venues=("nope",))
