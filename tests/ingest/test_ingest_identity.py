"""Issue 15 items 1, 3, 4 in detail: file identity, work ids, replaced rows, mirror listing, --years."""

from __future__ import annotations

import io

import pytest

from talentflow.api import ingest_csv
from talentflow.cli.common import parse_mapping, parse_years
from talentflow.errors import ConfigError
from talentflow.ingest import csvfile
from talentflow.ingest.base import RawFile
from talentflow.ingest.paperlists import PaperlistsSource
from talentflow.store.warehouse import Warehouse
from tests.ingest.corpus import ROWS, csv_rows, rec
from tests.ingest.helpers import as_bytes


def test_two_folders_same_name_keep_both_and_distinct_work_ids(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    (tmp_path / "a" / "people.csv").write_text(ROWS + csv_rows(200))
    (tmp_path / "b" / "people.csv").write_text(ROWS + csv_rows(180, person="q"))
    db = tmp_path / "w.duckdb"
    ingest_csv(db, tmp_path / "a" / "people.csv")
    ingest_csv(db, tmp_path / "b" / "people.csv")
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("authorships") == 380 and wh.count("observations") == 380
        assert wh.execute("SELECT count(DISTINCT file) FROM authorships")[0][0] == 2


def test_same_content_under_another_name_is_skipped(tmp_path):
    (tmp_path / "one.csv").write_text(ROWS + csv_rows(5))
    (tmp_path / "two.csv").write_text(ROWS + csv_rows(5))
    db = tmp_path / "w.duckdb"
    ingest_csv(db, tmp_path / "one.csv")
    s = ingest_csv(db, tmp_path / "two.csv")
    assert s.files["status"].tolist() == ["skipped_duplicate"]
    assert s.files["duplicate_of"].tolist() == [str((tmp_path / "one.csv").resolve())]


def test_changed_csv_replaces_its_authorships(tmp_path):
    f = tmp_path / "people.csv"
    f.write_text(ROWS + csv_rows(30))
    db = tmp_path / "w.duckdb"
    ingest_csv(db, f)
    f.write_text(ROWS + csv_rows(12, person="q"))
    s = ingest_csv(db, f)
    assert s.files["status"].tolist() == ["replaced"]
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("authorships") == 12 and wh.count("observations") == 12
        assert wh.execute("SELECT count(*) FROM authorships WHERE researcher_id LIKE 'csv:p%'")[0][0] == 0


def test_csv_streams_in_batches_with_the_same_rows():
    data = (ROWS + csv_rows(25) + "x,20x0,MIT,US\n").encode()
    raw = RawFile("csv", "/tmp/x.csv", None, "/tmp/x.csv", None)
    batches = list(csvfile.stage_csv(raw, io.BytesIO(data), batch_rows=10))
    assert [b.n_records for b in batches] == [10, 10, 6]
    whole = csvfile.stage(raw, data)
    assert sum(len(b.authorships) for b in batches) == len(whole.authorships) == 25
    assert [r.locator for b in batches for r in b.rejects] == ["line 27"]


def test_mirror_listing_case_and_duplicates(tmp_path, monkeypatch):
    base = tmp_path / "paperlists" / "corl"
    base.mkdir(parents=True)
    (base / "CORL2021.json.gz").write_bytes(as_bytes([rec(0)], gz=True))
    (base / "corl2022.json").write_bytes(as_bytes([rec(0)]))
    (base / "corl2022.json.gz").write_bytes(as_bytes([rec(1)], gz=True))
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(tmp_path))
    raws = list(PaperlistsSource().fetch())
    assert [(r.file, r.path.name, bool(r.meta.get("refuse"))) for r in raws] == [
        ("corl/corl2021.json", "CORL2021.json.gz", False), ("corl/corl2022.json", "corl2022.json", False),
        ("corl/corl2022.json.gz", "corl2022.json.gz", True)]
    assert [r.file for r in PaperlistsSource(years=()).fetch()] == []  # an empty selection selects nothing


def test_parse_years_and_mapping():
    assert parse_years(["2015-2017", "2020"]) == (2015, 2016, 2017, 2020)
    for bad in ("2022-2021", "1-30000000", "20x1", "3000"):
        with pytest.raises(ConfigError, match="--years"):
            parse_years([bad])
    assert parse_mapping(["person=id,org = employer"]) == {"person": "id", "org": "employer"}
    with pytest.raises(ConfigError, match="--map 'person'"):
        parse_mapping(["person"])


def test_changed_csv_replaces_rows_an_older_talentflow_stored_under_its_base_name(tmp_path):
    from talentflow.ingest.csvfile import CsvSource
    from talentflow.pipeline import ingest

    f = tmp_path / "people.csv"
    f.write_text(ROWS + csv_rows(30))
    db = tmp_path / "w.duckdb"
    source = CsvSource(f)
    with Warehouse(db) as wh:  # the old naming: base name as file, resolved path as upstream
        ingest(wh, source, [RawFile("csv", "people.csv", f, str(f.resolve()), None)], given_rule="input")
    again = ingest_csv(db, f)
    assert again.files["status"].tolist() == ["skipped_unchanged"]
    f.write_text(ROWS + csv_rows(12, person="q"))
    s = ingest_csv(db, f)
    assert s.files["status"].tolist() == ["replaced"]
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("authorships") == 12 and wh.count("observations") == 12
        assert wh.execute("SELECT DISTINCT file FROM authorships")[0][0] == str(f.resolve())
