"""Without a mirror, files are listed and downloaded from the upstream address, then cached.
A loopback HTTP server stands in for the upstream repository."""

import functools
import http.server
import json
import threading

import pytest

from talentflow.fetch import Upstream, locate
from talentflow.ingest.paperlists import PaperlistsSource
from talentflow.pipeline import ingest
from talentflow.store.warehouse import Warehouse
from tests.ingest.helpers import record


@pytest.fixture
def upstream_server(tmp_path):
    root = tmp_path / "upstream"
    (root / "acl").mkdir(parents=True)
    (root / "acl" / "acl2021.json").write_text(json.dumps([record(author="A B", authorids="/a/a-b/",
                                                                  aff_unique_norm="Bar-Ilan University",
                                                                  aff_unique_index="0", aff_country_unique="Israel",
                                                                  aff_country_unique_index="0")]))
    (root / "tree.json").write_text(json.dumps({"tree": [{"path": "acl/acl2021.json", "type": "blob"},
                                                         {"path": "README.md", "type": "blob"}]}))
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield Upstream("test-paperlists", base + "/{path}", "v1", "paperlists", "test", base + "/tree.json"), requests
    server.shutdown()


def test_download_then_cache(upstream_server, monkeypatch, tmp_path):
    upstream, requests = upstream_server
    monkeypatch.delenv("TALENTFLOW_MIRROR")
    first = locate(upstream, "acl/acl2021.json", progress=False)
    assert first.origin == "download" and first.path.is_file()
    second = locate(upstream, "acl/acl2021.json", progress=False)
    assert second.origin == "cache" and second.path == first.path
    assert sum("acl2021" in r for r in requests) == 1


def test_ingest_from_upstream_without_mirror(upstream_server, monkeypatch, tmp_path):
    upstream, _ = upstream_server
    monkeypatch.delenv("TALENTFLOW_MIRROR")
    source = PaperlistsSource(upstream=upstream)
    assert source.catalog() == [("acl", 2021)]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        s = ingest(wh, source)
        assert s.files["status"].tolist() == ["ok"]
        assert wh.query("SELECT country FROM observations")["country"].tolist() == ["ISR"]
        assert wh.query("SELECT upstream FROM ingest_runs")["upstream"][0].endswith("/acl/acl2021.json")


def test_missing_from_mirror_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TALENTFLOW_MIRROR", str(tmp_path))
    from talentflow.errors import FetchError
    from talentflow.fetch import PAPERLISTS

    with pytest.raises(FetchError, match="not in the mirror"):
        locate(PAPERLISTS, "acl/acl1999.json")
