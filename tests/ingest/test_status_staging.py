"""Issue 15, item 12: staging rows left by a killed ingest are shown by `talentflow status` and
removed by the next ingest."""

from __future__ import annotations

from typer.testing import CliRunner

import talentflow.api as tf
from talentflow import pipeline
from talentflow.cli.app import app
from talentflow.store.warehouse import Warehouse
from tests.ingest.helpers import record, write_mirror


def test_status_shows_staging_leftovers_and_next_ingest_clears_them(tmp_path, monkeypatch):
    root = write_mirror(tmp_path / "mirror", {"icra/icra2001.json": [record(id="1", author="A;B", authorids="/a;/b",
                                                                            aff="Lab, Paris, France;Lab, Berlin, Germany")]})
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(root))
    db = tmp_path / "w.duckdb"
    tf.ingest_paperlists(db)
    assert tf.status(db)["staging"].empty
    with Warehouse(db) as wh:  # what a SIGKILL between staging and publishing leaves
        pipeline._prepare_staging(wh)
        wh.execute("INSERT INTO _stage_works (work_id, _run) VALUES ('w-dead', 'run-killed')")
        wh.execute("INSERT INTO _stage_rejects (source, reason, _run) VALUES ('paperlists', 'x', 'run-killed')")
    st = tf.status(db)["staging"]
    assert set(st["table"]) == {"_stage_works", "_stage_rejects"} and st["rows"].sum() == 2
    assert (st["runs"] == "run-killed").all()
    out = CliRunner().invoke(app, ["status", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "unfinished ingest" in out.output and "_stage_works" in out.output
    tf.ingest_paperlists(db)
    assert tf.status(db)["staging"].empty
    assert "unfinished ingest" not in CliRunner().invoke(app, ["status", "--db", str(db)]).output
