"""ORCID records through the whole ingest (fetch -> stage -> resolve -> store) and the CLI."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

import talentflow.api as tf
from talentflow.cli import app
from talentflow.store.warehouse import Warehouse
from tests.orcid.builders import FIXTURES, orcid_id, record_json, spell


def _copy_samples(tmp_path):
    folder = tmp_path / "samples"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


def test_official_samples_ingest_with_their_counts(tmp_path):
    db = tmp_path / "w.duckdb"
    summary = tf.ingest_orcid(db, _copy_samples(tmp_path))
    files = summary.files.set_index("file")
    assert files.loc["record-3.0.xml", "n_observations"] == 2
    assert files.loc["record-full-3.0.json", "n_observations"] == 4
    assert int(files["n_records"].sum()) == 6 and summary.n_rejects == 2
    assert set(files["status"]) == {"ok"}
    with Warehouse(db, read_only=True) as wh:
        kinds = dict(wh.execute("SELECT kind, count(*) FROM career_spells GROUP BY ALL"))
        assert kinds == {"education": 6, "employment": 4}
        assert wh.execute("SELECT count(*) FROM career_spells WHERE country IS NULL OR institution_id IS NULL") == [(0,)]
        assert sorted(r[0] for r in wh.execute("SELECT researcher_id FROM researchers")) == [
            "orcid:0000-0002-7319-2192", "orcid:8888-8888-8888-8880"]
        assert wh.execute("SELECT DISTINCT country, country_rule FROM career_spells WHERE file = 'record-3.0.xml'") == [
            ("AFG", "upstream")]
        rejects = wh.execute("SELECT file, locator, reason FROM rejects ORDER BY file")
        assert rejects == [("education-3.0.xml", "record", "missing_orcid"),
                           ("employment-3.0.xml", "record", "missing_orcid")]
        assert wh.execute("SELECT count(*) FROM institutions WHERE institution_id IN "
                          "(SELECT institution_id FROM career_spells)")[0][0] >= 2


def test_reingest_changes_nothing_and_a_changed_file_replaces_its_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "recs"
    folder.mkdir()
    ident = orcid_id(11)
    (folder / "a.json").write_bytes(record_json(ident, [spell("education", "ETH Zurich", "CH", 2010, 2015, "PhD")],
                                                [spell("employment", "Google", "US", 2015, None, put_code=2)]))
    tf.ingest_orcid(db, folder)
    again = tf.ingest_orcid(db, folder)
    assert set(again.files["status"]) == {"skipped_unchanged"}
    (folder / "a.json").write_bytes(record_json(ident, [spell("education", "ETH Zurich", "CH", 2010, 2016, "PhD")], []))
    tf.ingest_orcid(db, folder)
    with Warehouse(db, read_only=True) as wh:
        assert wh.execute("SELECT kind, end_year, country FROM career_spells") == [("education", 2016, "CHE")]


def test_unknown_country_is_a_field_reject_and_the_spell_kept(tmp_path):
    folder = tmp_path / "recs"
    folder.mkdir()
    (folder / "a.json").write_bytes(record_json(orcid_id(3), [spell("education", "X U", "ZZ", 2001, 2004, "BSc")], []))
    summary = tf.ingest_orcid(tmp_path / "w.duckdb", folder)
    assert summary.rejects_by_reason[["reason", "severity"]].values.tolist() == [["unknown_country", "field"]]
    with Warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        assert wh.execute("SELECT country, degree_level FROM career_spells") == [(None, "bachelor")]


def test_cli_ingest_reports_counts_and_rejects(tmp_path):
    db = tmp_path / "w.duckdb"
    res = CliRunner().invoke(app, ["ingest", "orcid", str(_copy_samples(tmp_path)), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "6 records" in res.output and "10 career spells" in res.output and "missing_orcid" in res.output
    strict = CliRunner().invoke(app, ["ingest", "orcid", str(FIXTURES / "education-3.0.xml"), "--db",
                                      str(tmp_path / "s.duckdb"), "--strict"])
    assert strict.exit_code != 0 and "missing_orcid" in strict.output


def test_cli_needs_a_path_or_ids(tmp_path):
    res = CliRunner().invoke(app, ["ingest", "orcid", "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 2 and "PATH" in res.output
    res = CliRunner().invoke(app, ["ingest", "orcid", "--api", "0000-0002-1825-0098", "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 2 and "not a valid ORCID iD" in res.output


def test_checks_cover_career_spells_and_pass(tmp_path):
    db = tmp_path / "w.duckdb"
    tf.ingest_orcid(db, _copy_samples(tmp_path))
    checks = tf.check(db)
    assert (checks["table"] == "career_spells").sum() > 0
    assert checks["failing"].sum() == 0
    tables = tf.status(db)["tables"].set_index("table")["rows"]
    assert tables["career_spells"] == 10


def test_truncated_archive_keeps_the_records_before_the_damage(tmp_path):
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for i in range(1, 60):
            data = record_json(orcid_id(i), [spell("education", f"U{i}", "FR", 2000, 2004, "MSc")], [])
            info = tarfile.TarInfo(f"s/{orcid_id(i)}.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    whole = buf.getvalue()
    (tmp_path / "cut.tar.gz").write_bytes(whole[: len(whole) * 2 // 3])
    db = tmp_path / "w.duckdb"
    summary = tf.ingest_orcid(db, tmp_path / "cut.tar.gz")
    assert summary.rejected_files["file"].tolist() == ["cut.tar.gz"]
    assert summary.file_rejects["reason"].tolist() == ["corrupt_archive"]
    n = int(summary.files["n_records"].sum())
    assert 0 < n < 59
    with Warehouse(db, read_only=True) as wh:
        assert wh.execute("SELECT count(*) FROM career_spells")[0][0] == n
    res = CliRunner().invoke(app, ["ingest", "orcid", str(tmp_path / "cut.tar.gz"), "--db", str(tmp_path / "x.duckdb")])
    assert res.exit_code == 1 and "corrupt_archive" in res.output
