"""Issue 15 items 7 and 8: a locked warehouse names its holder; serve checks before its banner;
a full disk is one line."""

from __future__ import annotations

import subprocess
import sys
import time

from typer.testing import CliRunner

from talentflow.cli.app import app
from talentflow.store.warehouse import Warehouse, _process, open_error
from tests.ingest.corpus import locked_by_other_process

runner = CliRunner()


def test_serve_on_a_locked_warehouse_fails_before_its_banner(tmp_path):
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    with locked_by_other_process(db):
        r = runner.invoke(app, ["serve", "--db", str(db), "--port", "1"])
    assert r.exit_code == 2
    assert "dashboard:" not in r.output and "locked by process" in r.output


def test_serve_without_a_warehouse_fails_before_its_banner(tmp_path):
    r = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.duckdb"), "--port", "1"])
    assert r.exit_code == 2 and "dashboard:" not in r.output and "no warehouse" in r.output


def test_lock_held_by_serve_says_stop_it(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "talentflow", "serve", "--db", "x"])
    try:
        for _ in range(100):  # /proc/PID/cmdline is empty for a moment after the exec
            if _process(proc.pid):
                break
            time.sleep(0.05)
        text = open_error(tmp_path / "w.duckdb", OSError(
            f'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in python (PID {proc.pid}).'))
    finally:
        proc.kill()
        proc.wait()
    assert f"locked by process {proc.pid}" in text and "it is a running `talentflow serve`: stop it" in text
    assert "\n" not in text
