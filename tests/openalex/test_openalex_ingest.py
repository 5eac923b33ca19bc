"""OpenAlex snapshot ingest end to end: warehouse rows, idempotency, filter changes, newer versions
of a work, all-or-nothing across streamed batches, and the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import talentflow.api as tf
from talentflow.cli.app import app
from talentflow.errors import StrictModeError
from talentflow.ingest.openalex import SnapshotSource
from talentflow.store.warehouse import Warehouse
from tests.openalex.conftest import FIXTURES, write_partition


def test_snapshot_ingest_rows(wh, snapshot):
    result = tf.ingest_openalex(wh, snapshot)
    assert (result.lines, result.kept, result.filtered, result.rejected_records) == (14, 5, 3, 6)
    assert result.lines_per_second > 0
    assert wh.count("works") == 5
    obs = wh.query("SELECT * FROM observations ORDER BY researcher_id, work_id, aff_seq")
    assert set(obs["source"]) == {"openalex"}
    country = dict(zip(obs["researcher_id"] + "|" + obs["work_id"].str[-2:] + "|" + obs["aff_seq"].astype(str), obs["country"]))
    assert country["openalex:A5000000001|01|0"] == "CHN"  # Tsinghua, ISO2 CN -> ISO3
    assert country["openalex:A5000000003|01|0"] == "HKG"  # CUHK
    assert country["openalex:A5000000005|02|0"] == "TWN"  # National Taiwan University
    assert country["openalex:A5000000004|02|0"] == "DEU"  # no institution: the author's country
    weights = obs.groupby(["researcher_id", "work_id"])["weight"].sum()
    assert (weights.round(9) == 1).all()
    inst = wh.query("SELECT name, type, parent_id FROM institutions").set_index("name")
    assert inst.loc["Stanford University", "type"] == "education"
    google = wh.query("SELECT i.name FROM observations o JOIN institutions i USING (institution_id) "
                      "WHERE o.researcher_id = 'openalex:A5000000002' AND o.aff_seq = 0")["name"][0]
    assert google == "Google"  # 'Google (United States)' -> the canonical company
    assert inst.loc["Mila - Quebec AI Institute", "type"] == "nonprofit"  # the alias table's canonical name
    assert inst.loc["Microsoft Research Asia", "parent_id"] == "microsoft"  # company lineage
    assert inst.loc["Lunar Spaceport Authority", "type"] == "other"  # unknown OpenAlex type: a field reject
    ident = wh.query("SELECT identity, count(*) AS n FROM researchers GROUP BY ALL").set_index("identity")["n"]
    assert ident["name_only"] == 1 and ident["stable_id"] == 8
    rejects = wh.query("SELECT locator, field, reason, severity FROM rejects WHERE source = 'openalex'")
    assert ("line 8 (W2000000007)", "implausible_year") in set(zip(rejects["locator"], rejects["reason"]))
    assert set(rejects["reason"]) >= {"malformed_json", "missing_id", "duplicate_record", "wrong_type", "unknown_org_type"}
    runs = wh.query("SELECT * FROM ingest_runs")
    assert runs["version"].tolist() == ["updated_date=2024-01-15"] and runs["n_records"].tolist() == [14]
    assert runs["upstream"][0] == "openalex-snapshot:data/works/updated_date=2024-01-15/part_000.gz"
    params = wh.query("SELECT kind, params FROM meta_runs WHERE params_id = ?", [result.filter_params_id])
    assert params["kind"][0] == "openalex_filter" and '"1702"' in params["params"][0]


def test_reingest_changes_nothing_but_a_new_filter_restages(wh, snapshot):
    tf.ingest_openalex(wh, snapshot)
    before = wh.counts()
    again = tf.ingest_openalex(wh, snapshot)
    assert again.ingest.files["status"].tolist() == ["skipped_unchanged"]
    after = wh.counts()
    assert {k: v for k, v in after.items() if k != "meta_runs"} == {k: v for k, v in before.items() if k != "meta_runs"}
    wider = tf.ingest_openalex(wh, snapshot, work_filter=("all",))
    assert wider.ingest.files["status"].tolist() == ["replaced"]
    assert wh.count("works") == 7  # the epidemiology and low-score works too, no duplicates
    narrower = tf.ingest_openalex(wh, snapshot, work_filter=("subfields/1707",))
    assert narrower.ingest.files["status"].tolist() == ["replaced"]
    assert sorted(wh.table("works")["work_id"]) == ["openalex:W2000000002", "openalex:W2000000013"]


def test_a_newer_partition_replaces_the_older_version(wh, snapshot, tmp_path):
    write_partition(snapshot, "works", "2024-02-20", (FIXTURES / "works_update.jsonl").read_bytes())
    tf.ingest_openalex(wh, snapshot)  # both partitions in one run: the later one wins
    w2 = wh.query("SELECT title, file FROM works WHERE work_id = 'openalex:W2000000002'")
    assert w2["title"].tolist() == ["Self-Supervised Monocular Depth Estimation"]
    assert w2["file"][0].startswith("works/updated_date=2024-02-20")
    authors = wh.query("SELECT researcher_id FROM authorships WHERE work_id = 'openalex:W2000000002' ORDER BY author_position")
    assert authors["researcher_id"].tolist() == ["openalex:A5000000004", "openalex:A5000000012", "openalex:A5000000005"]
    assert wh.count("works") == 5
    # across runs: an older copy ingested later from another folder replaces the newer one only
    # because it came later; a third file with the same work replaces it again (last ingest wins)
    other = tmp_path / "other"
    write_partition(other, "works", "2024-03-01", (FIXTURES / "works_update.jsonl").read_bytes().replace(
        b"Monocular", b"Monocular Video"))
    tf.ingest_openalex(wh, other)
    assert wh.query("SELECT title FROM works WHERE work_id = 'openalex:W2000000002'")["title"][0].endswith("Video Depth Estimation")
    assert wh.query("SELECT count(*) AS n FROM authorships WHERE work_id = 'openalex:W2000000002'")["n"][0] == 3
    assert wh.query("SELECT count(*) AS n FROM observations WHERE work_id = 'openalex:W2000000002'")["n"][0] == 3


def test_a_failure_in_a_later_batch_leaves_nothing(wh, snapshot, monkeypatch):
    tf.ingest_openalex(wh, snapshot, work_filter=("subfields/1707",))
    before = wh.counts()
    calls = {"n": 0}
    real = SnapshotSource.stage_stream

    def failing(self, raw):
        for batch in real(self, raw):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("disk on fire")
            yield batch

    monkeypatch.setattr(SnapshotSource, "stage_stream", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        tf.ingest_openalex(wh, snapshot, batch_size=1)  # a new filter: the file is restaged, in batches of one work
    assert wh.counts() == before
    assert wh.query("SELECT count(*) AS n FROM _stage_works")["n"][0] == 0


def test_strict_writes_nothing(wh, snapshot):
    with pytest.raises(StrictModeError):
        tf.ingest_openalex(wh, snapshot, strict=True)
    assert wh.count("works") == 0


def test_truncated_partition_keeps_lines_before_it(wh, tmp_path):
    import gzip

    root = tmp_path / "snap"
    path = write_partition(root, "works", "2024-01-15", (FIXTURES / "works.jsonl").read_bytes() * 3)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.8)])
    with pytest.raises((EOFError, OSError)):
        gzip.decompress(path.read_bytes())
    result = tf.ingest_openalex(wh, root, work_filter=("all",))
    rej = wh.query("SELECT locator, reason, raw_value, severity FROM rejects WHERE severity = 'file'")
    assert rej["reason"].tolist() == ["truncated_or_corrupt_gzip"]
    assert "line(s) read before it" in rej["raw_value"][0]
    assert 0 < result.kept == wh.count("works")  # the works read before the break are stored


def test_cli_snapshot(tmp_path, snapshot):
    db = tmp_path / "cli.duckdb"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", "openalex", "--snapshot", str(snapshot), "--db", str(db),
                              "--filter", "subfields/1702,subfields/1707", "--filter", "C154945302",
                              "--entities", "works,authors"])
    assert res.exit_code == 0, res.output
    assert "lines/s" in res.output and "5 AI records kept" not in res.output  # works + authors: 7 kept
    assert "7 AI records kept" in res.output
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("works") == 5
        assert "openalex:A5000000099" in set(wh.table("researchers")["researcher_id"])  # from the authors partition
    res = runner.invoke(app, ["ingest", "openalex", "--db", str(db)])
    assert res.exit_code == 2 and "either --snapshot" in res.output
    res = runner.invoke(app, ["ingest", "openalex", "--snapshot", str(snapshot), "--db", str(db), "--filter", "robots"])
    assert res.exit_code == 2 and "--filter 'robots'" in res.output
    res = runner.invoke(app, ["ingest", "openalex", "--snapshot", str(snapshot), "--db", str(tmp_path / "s.duckdb"), "--strict"])
    assert res.exit_code == 2 and "--strict" in res.output
