"""The ORCID public API path against a loopback server (http.server on 127.0.0.1 in a thread)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

import talentflow.api as tf
from talentflow.cli import app
from talentflow.errors import FetchError
from talentflow.ingest.orcid_api import OrcidApiOptions, fetch_records
from talentflow.store.warehouse import Warehouse
from tests.orcid.builders import FIXTURES, orcid_id, record_json, spell

SAMPLE_ID = "0000-0002-7319-2192"  # the iD of the official record-full-3.0.json


class _Server:
    """Serves /v3.0/{iD}/record; ``script`` maps an iD to statuses to answer before the record."""

    def __init__(self, records: dict[str, bytes], script: dict[str, list[tuple[int, str | None]]] | None = None):
        self.records = records
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append((self.path, self.headers.get("Accept", "")))
                parts = self.path.strip("/").split("/")
                ident = parts[1] if len(parts) == 3 and parts[0] == "v3.0" and parts[2] == "record" else None
                pending = outer.script.get(ident) or []
                if pending:
                    status, retry_after = pending.pop(0)
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = outer.records.get(ident)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v3.0"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def records():
    other = orcid_id(42)
    return {SAMPLE_ID: (FIXTURES / "record-full-3.0.json").read_bytes(),
            other: record_json(other, [spell("education", "University of Toronto", "CA", 2012, 2017, "PhD")],
                               [spell("employment", "Mila", "CA", 2017, None, put_code=2)])}


def test_api_ingest_with_a_429_then_a_503(tmp_path, records):
    waits: list[float] = []
    other = orcid_id(42)
    script = {SAMPLE_ID: [(429, "2")], other: [(503, None)]}
    with _Server(records, script) as srv:
        summary = tf.ingest_orcid(tmp_path / "w.duckdb", ids=[SAMPLE_ID, f"https://orcid.org/{other}"],
                                  base_url=srv.base_url, cache=tmp_path / "cache", sleep=waits.append)
        paths = [p for p, _ in srv.requests]
        assert paths == [f"/v3.0/{SAMPLE_ID}/record"] * 2 + [f"/v3.0/{other}/record"] * 2
        assert all("application/json" in accept for _, accept in srv.requests)
    assert any(w >= 2 for w in waits)  # Retry-After: 2 honoured
    assert summary.n_rejects == 0
    with Warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        assert dict(wh.execute("SELECT kind, count(*) FROM career_spells GROUP BY ALL")) == {"education": 4, "employment": 2}
        assert wh.execute("SELECT upstream FROM ingest_runs ORDER BY file") == [
            (f"{srv.base_url}/{other}/record",), (f"{srv.base_url}/{SAMPLE_ID}/record",)]
        assert wh.execute("SELECT degree_level, country FROM career_spells WHERE researcher_id = ?",
                          [f"orcid:{other}"]) == [("phd", "CAN"), (None, "CAN")]


def test_cached_records_are_not_fetched_again(tmp_path, records):
    with _Server(records) as srv:
        opts = OrcidApiOptions(base_url=srv.base_url)
        fetch_records([SAMPLE_ID], tmp_path / "c", opts, sleep=lambda s: None)
        fetch_records([SAMPLE_ID], tmp_path / "c", opts, sleep=lambda s: None)
        assert len(srv.requests) == 1
        fetch_records([SAMPLE_ID], tmp_path / "c", OrcidApiOptions(base_url=srv.base_url, refresh=True),
                      sleep=lambda s: None)
        assert len(srv.requests) == 2


def test_retries_are_bounded(tmp_path, records):
    with _Server(records, {SAMPLE_ID: [(429, "0")] * 10}) as srv:
        with pytest.raises(FetchError, match="giving up after 3 attempt"):
            fetch_records([SAMPLE_ID], tmp_path / "c", OrcidApiOptions(base_url=srv.base_url, max_retries=2),
                          sleep=lambda s: None)
        assert len(srv.requests) == 3
    assert not list((tmp_path / "c").rglob("*.json"))


def test_missing_record_is_an_error_naming_it(tmp_path, records):
    with _Server(records) as srv:
        with pytest.raises(FetchError, match="HTTP 404"):
            fetch_records([orcid_id(99)], tmp_path / "c", OrcidApiOptions(base_url=srv.base_url), sleep=lambda s: None)


def test_a_body_that_is_not_json_is_rejected_not_lost(tmp_path):
    ident = orcid_id(5)
    with _Server({ident: b"<html>maintenance</html>"}) as srv:
        summary = tf.ingest_orcid(tmp_path / "w.duckdb", ids=[ident], base_url=srv.base_url, cache=tmp_path / "c",
                                  sleep=lambda s: None)
    assert summary.rejects_by_reason["reason"].tolist() == ["malformed_json"]


def test_cli_api(tmp_path, records, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    with _Server(records, {SAMPLE_ID: [(429, "0")]}) as srv:
        res = CliRunner().invoke(app, ["ingest", "orcid", "--api", SAMPLE_ID, "--api", orcid_id(42), "--base-url",
                                       srv.base_url, "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 0, res.output
    assert "2 records" in res.output and "6 career spells" in res.output
