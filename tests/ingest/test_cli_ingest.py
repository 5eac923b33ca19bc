"""The CLI over the ingest API: exit codes, messages, formats."""

import json

from typer.testing import CliRunner

from talentflow.cli import app
from tests.ingest.helpers import record, write_mirror

runner = CliRunner()


def test_ingest_status_and_strict(tmp_path, monkeypatch):
    root = write_mirror(tmp_path / "m", {"acl/acl2021.json": [record(author="A;;B", authorids="/a/a/;;/b/b/")]})
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(root))
    db = str(tmp_path / "w.duckdb")
    r = runner.invoke(app, ["ingest", "paperlists", "--db", db, "--strict"])
    assert r.exit_code == 2 and "--strict" in r.output and "empty_name=1" in r.output
    r = runner.invoke(app, ["ingest", "paperlists", "--db", db, "--venues", "acl", "--years", "2020-2022"])
    assert r.exit_code == 0, r.output
    assert "1 rejects" in r.output and "empty_name" in r.output
    r = runner.invoke(app, ["status", "--db", db, "--format", "json"])
    rows = {row["table"]: row["rows"] for row in json.loads(r.stdout)}
    assert rows["researchers"] == 2 and rows["rejects"] == 1


def test_errors_are_one_line_with_exit_2(tmp_path, monkeypatch):
    root = write_mirror(tmp_path / "m", {"acl/acl2021.json": [record(author="A")]})
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(root))
    r = runner.invoke(app, ["ingest", "paperlists", "--db", str(tmp_path / "w.duckdb"), "--venues", "nope"])
    assert r.exit_code == 2 and "unknown venue(s) ['nope']" in r.output
    r = runner.invoke(app, ["ingest", "paperlists", "--db", str(tmp_path / "w.duckdb"), "--years", "20x1"])
    assert r.exit_code == 2 and "--years '20x1'" in r.output


def test_csv_command_accepts_plain_header(tmp_path):
    f = tmp_path / "obs.csv"
    f.write_text("person,year,org,country\np1,2015,Tsinghua University,CN\np1,2018,Stanford University,US\n")
    r = runner.invoke(app, ["ingest", "csv", str(f), "--db", str(tmp_path / "w.duckdb")])
    assert r.exit_code == 0, r.output
    assert "2 observations" in r.output


def test_schema_command_lists_every_table():
    r = runner.invoke(app, ["schema", "--format", "sql"])
    for table in ("ingest_runs", "researchers", "institutions", "works", "observations", "rejects"):
        assert f"CREATE TABLE IF NOT EXISTS {table}" in r.output
