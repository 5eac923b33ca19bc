"""SIGKILL an ingest mid-run (while staging, and inside the final transaction): the warehouse
must come back at its previous committed state."""

import textwrap

import pytest

from talentflow.store.warehouse import Warehouse
from tests.killing import kill_at_marker
from tests.ingest.helpers import record, write_mirror

SCRIPT = textwrap.dedent("""
    import sys, time, pathlib
    import talentflow.pipeline as pipeline
    from talentflow.api import ingest_paperlists
    db, marker, where = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    if where == "staging":
        def on_progress(file, i, total):
            if i == 3:
                marker.write_text("staging")
                time.sleep(60)
        ingest_paperlists(db, on_progress=on_progress)
    else:
        real = pipeline._derive_after_load
        def slow(wh, share):
            real(wh, share)
            marker.write_text("publishing")
            time.sleep(60)
        pipeline._derive_after_load = slow
        ingest_paperlists(db)
""")


def _mirror(root):
    files = {f"icra/icra{2000 + i}.json": [record(id=str(j), author=f"A{i}{j};B{j}", authorids=f"/{i}{j};/9{j}",
                                                  aff=f"Lab {j}, Paris, France;Lab, Berlin, Germany")
                                           for j in range(50)] for i in range(8)}
    return write_mirror(root, files)


@pytest.mark.parametrize("where", ["staging", "publishing"])
def test_sigkill_leaves_previous_state(tmp_path, monkeypatch, where):
    root = _mirror(tmp_path / "mirror")
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(root))
    db = tmp_path / "w.duckdb"
    from talentflow.api import ingest_paperlists

    ingest_paperlists(db, years=(2000, 2001))
    with Warehouse(db, read_only=True) as wh:
        before = wh.counts()
    assert before["works"] == 100
    marker = tmp_path / "marker"
    kill_at_marker(SCRIPT, [str(db), str(marker), where], marker)
    with Warehouse(db) as wh:  # opening replays the WAL; an uncommitted transaction is discarded
        assert wh.counts() == before
    s = ingest_paperlists(db)  # and the next ingest works (and clears the dead run's staging rows)
    assert int((s.files["status"] == "ok").sum()) == 6
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("works") == 400
        assert wh.query("SELECT count(*) AS n FROM _stage_works")["n"][0] == 0
