"""SIGKILL an OpenAlex ingest after some streamed batches have been committed to staging: the
warehouse must come back at its previous state, and the next ingest must work."""

from __future__ import annotations

import textwrap

from talentflow.api import ingest_openalex
from talentflow.store.warehouse import Warehouse
from tests.killing import kill_at_marker

SCRIPT = textwrap.dedent("""
    import sys, time, pathlib
    from talentflow.ingest.openalex import SnapshotSource
    from talentflow.api import ingest_openalex
    db, snap, marker = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    real = SnapshotSource.stage_stream
    def slow(self, raw):
        for i, batch in enumerate(real(self, raw)):
            if i == 3:  # three batches are committed to the staging tables by now
                marker.write_text("staging")
                time.sleep(60)
            yield batch
    SnapshotSource.stage_stream = slow
    ingest_openalex(db, snap, work_filter=("all",), batch_size=1)
""")


def test_sigkill_mid_stream_leaves_previous_state(tmp_path, snapshot):
    db = tmp_path / "w.duckdb"
    ingest_openalex(db, snapshot)  # the default filter: 5 works
    with Warehouse(db, read_only=True) as wh:
        before = wh.counts()
    marker = tmp_path / "marker"
    kill_at_marker(SCRIPT, [str(db), str(snapshot), str(marker)], marker)
    with Warehouse(db) as wh:
        assert wh.counts() == before
    s = ingest_openalex(db, snapshot, work_filter=("all",))
    assert s.ingest.files["status"].tolist() == ["replaced"]
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("works") == 7
        assert wh.query("SELECT count(*) AS n FROM _stage_works")["n"][0] == 0
