"""The OpenAlex API client against a loopback HTTP server that stands in for the works endpoint:
cursor paging, a 429 with Retry-After, 5xx retries, resume from the page cache, credits budget,
API key and mailto, and the ingest and CLI on top."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

import talentflow.api as tf
from talentflow.cli.app import app
from talentflow.errors import ConfigError, FetchError
from talentflow.ingest.openalex_api import ApiOptions, ApiQuery, _retry_after, cached_pages, fetch_pages
from talentflow.store.warehouse import Warehouse
from tests.openalex.conftest import FIXTURES

KEY = "test-key-123"


def _works() -> list[dict]:
    """The fixture works that parse, plus simple generated AI works: 25 in all."""
    works = [json.loads(line) for line in (FIXTURES / "works.jsonl").read_text().splitlines()
             if line.startswith('{"id"') and line.endswith("}")][:5]
    template = works[0]
    for i in range(20):
        w = json.loads(json.dumps(template))
        w["id"] = f"https://openalex.org/W31{i:05d}"
        w["title"] = f"Generated work {i}"
        for k, a in enumerate(w["authorships"]):
            a["author"]["id"] = f"https://openalex.org/A59{i:03d}{k}"
        works.append(w)
    return works


def fake_author(aid: str) -> dict:
    """An Author object: Tsinghua 2018-2019, then Google from 2019."""
    return {"id": f"https://openalex.org/{aid}", "display_name": f"Author {aid}", "topics": [], "x_concepts": [],
            "affiliations": [
                {"institution": {"id": "https://openalex.org/I99065089", "display_name": "Tsinghua University",
                                 "country_code": "CN", "type": "education"}, "years": [2019, 2018]},
                {"institution": {"id": "https://openalex.org/I1291425158", "display_name": "Google (United States)",
                                 "country_code": "US", "type": "company"}, "years": [2020, 2019]}]}


class FakeOpenAlex:
    """Serves /works pages by cursor; records every request; misbehaves on demand."""

    def __init__(self, works: list[dict], per_page: int, expected_filter: str):
        self.pages = [works[i:i + per_page] for i in range(0, len(works), per_page)]
        self.count = len(works)
        self.expected_filter = expected_filter
        self.requests: list[dict] = []
        self.once_429: set[str] = {"c1"}  # cursors that get one 429 first
        self.always_500: set[str] = set()
        self.retry_after = "2"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append({"path": url.path, **q})
                cursor = q.get("cursor", "")
                if url.path == "/authors" and q.get("api_key") == KEY:
                    ids = q.get("filter", "").removeprefix("openalex:").split("|")
                    return self._send(200, {"meta": {"count": len(ids)}, "results": [fake_author(a) for a in ids]})
                if url.path != "/works":
                    return self._send(404, {"error": "Not found", "message": url.path})
                if q.get("api_key") != KEY:
                    return self._send(403, {"error": "Forbidden", "message": "invalid api_key"})
                if q.get("filter") != fake.expected_filter:
                    return self._send(400, {"error": "Invalid filter", "message": f"unexpected filter {q.get('filter')}"})
                if cursor in fake.once_429:
                    fake.once_429.discard(cursor)
                    return self._send(429, {"error": "Rate limit exceeded"}, {"Retry-After": fake.retry_after})
                if cursor in fake.always_500:
                    return self._send(503, {"error": "Service unavailable"})
                k = 0 if cursor == "*" else int(cursor[1:]) if cursor[:1] == "c" and cursor[1:].isdigit() else -1
                if not 0 <= k < len(fake.pages):
                    return self._send(200, {"meta": {"count": fake.count, "next_cursor": None}, "results": []})
                nxt = f"c{k + 1}" if k + 1 < len(fake.pages) else None
                self._send(200, {"meta": {"count": fake.count, "per_page": len(fake.pages[0]), "next_cursor": nxt},
                                 "results": fake.pages[k]}, {"X-RateLimit-Remaining": str(1000 - len(fake.requests))})

            def _send(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def cursors(self) -> list[str]:
        return [r.get("cursor") for r in self.requests]


QUERY = ApiQuery(from_year=2010, to_year=2023, per_page=10)


@pytest.fixture
def server(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    fake = FakeOpenAlex(_works(), 10, QUERY.filter_string())
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _opts(server, tmp_path, **kw) -> ApiOptions:
    return ApiOptions(base_url=server.url, api_key=KEY, mailto="team@example.org", min_interval=0, backoff=0.01,
                      cache=tmp_path / "cache", **kw)


def test_filter_string():
    assert QUERY.filter_string() == "primary_topic.subfield.id:1702|1707,publication_year:2010-2023"
    assert ApiQuery(from_year=2018, topic_scope="any").filter_string() == "topics.subfield.id:1702|1707,publication_year:>2017"
    assert ApiQuery(to_year=2020, subfields=("1702",), extra_filter="type:article").filter_string() == \
        "primary_topic.subfield.id:1702,publication_year:<2021,type:article"
    with pytest.raises(ConfigError):
        ApiQuery(subfields=("AI",))
    with pytest.raises(ConfigError):
        ApiQuery(per_page=500)
    with pytest.raises(ConfigError):
        ApiOptions(base_url="ftp://x").resolved()


def test_paging_429_and_cache(server, tmp_path):
    slept: list[float] = []
    pages_seen: list[int] = []
    report = fetch_pages(QUERY, _opts(server, tmp_path), sleep=slept.append, on_page=lambda p, c: pages_seen.append(p))
    assert server.cursors() == ["*", "c1", "c1", "c2"]  # c1 was answered 429 once, then retried
    assert report.done and report.pages == 3 and report.requested == 3 and report.retries == 1 and report.count == 25
    assert max(slept) >= 2.0  # waited what Retry-After asked (more than the 0.01 s backoff)
    assert pages_seen == [1, 2, 3]
    first = server.requests[0]
    assert first["api_key"] == KEY and first["mailto"] == "team@example.org" and first["per-page"] == "10"
    assert report.rate_limit.get("x-ratelimit-remaining") is not None
    pages = cached_pages(report.folder)
    assert [p.name for p in pages] == ["page_00001.jsonl.gz", "page_00002.jsonl.gz", "page_00003.jsonl.gz"]
    assert KEY not in (report.folder / "query.json").read_text()  # the key is never written to disk
    again = fetch_pages(QUERY, _opts(server, tmp_path), sleep=slept.append)
    assert len(server.requests) == 4 and again.done and again.requested == 0  # complete: no request at all


def test_resume_after_failure_and_budget(server, tmp_path):
    server.once_429.clear()
    server.always_500.add("c2")
    with pytest.raises(FetchError, match="giving up after 3 attempt"):
        fetch_pages(QUERY, _opts(server, tmp_path, max_retries=2), sleep=lambda s: None)
    assert server.cursors() == ["*", "c1", "c2", "c2", "c2"]
    folder = next((tmp_path / "cache").iterdir())
    assert len(cached_pages(folder)) == 2
    assert json.loads((folder / "state.json").read_text())["next_cursor"] == "c2"
    server.always_500.clear()
    report = fetch_pages(QUERY, _opts(server, tmp_path), sleep=lambda s: None)
    assert server.cursors()[5:] == ["c2"] and report.done and report.pages == 3


def test_page_budget(server, tmp_path):
    server.once_429.clear()
    report = fetch_pages(QUERY, _opts(server, tmp_path, max_pages=1), sleep=lambda s: None)
    assert report.pages == 1 and not report.done
    report = fetch_pages(QUERY, _opts(server, tmp_path, max_pages=1), sleep=lambda s: None)
    assert report.pages == 2 and not report.done
    assert server.cursors() == ["*", "c1"]


def test_client_errors_are_not_retried(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 403.*invalid api_key"):
        fetch_pages(QUERY, ApiOptions(base_url=server.url, api_key="wrong", min_interval=0, cache=tmp_path / "c"))
    with pytest.raises(FetchError, match="HTTP 400.*unexpected filter"):
        fetch_pages(ApiQuery(from_year=1999, to_year=2000), _opts(server, tmp_path))
    assert len(server.requests) == 2


def test_retry_after_forms():
    assert _retry_after("3") == 3.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait


def test_ingest_from_api_and_rerun(server, tmp_path, wh):
    server.retry_after = "0"
    opts = _opts(server, tmp_path)
    result = tf.ingest_openalex(wh, api=True, from_year=2010, to_year=2023, options=opts)
    assert result.fetch.done and result.fetch.pages == 3
    assert result.ingest.files["status"].tolist() == ["ok"] * 3
    assert wh.count("works") == 25 and result.kept == 25 and result.filtered == 0
    assert wh.query("SELECT count(DISTINCT researcher_id) AS n FROM observations")["n"][0] > 40
    runs = wh.query("SELECT upstream, version, file FROM ingest_runs ORDER BY file")
    assert runs["file"][0].startswith("api/") and KEY not in runs["upstream"][0]
    before = wh.counts()
    again = tf.ingest_openalex(wh, api=True, from_year=2010, to_year=2023, options=opts)
    assert again.ingest.files["status"].tolist() == ["skipped_unchanged"] * 3
    assert {k: v for k, v in wh.counts().items() if k != "meta_runs"} == {k: v for k, v in before.items() if k != "meta_runs"}
    assert len(server.requests) == 4  # the rerun asked the server nothing


def test_lone_surrogate_from_the_api_is_a_reject_not_a_crash(server, tmp_path, wh):
    server.retry_after = "0"
    server.pages[1][3]["title"] = "Broken \ud800 title"  # served as the JSON escape \ud800
    result = tf.ingest_openalex(wh, api=True, from_year=2010, to_year=2023, options=_opts(server, tmp_path))
    assert wh.count("works") == 24 and result.rejected_records == 1
    rej = wh.query("SELECT field, reason, raw_value FROM rejects WHERE reason = 'invalid_unicode'")
    assert rej["field"].tolist() == ["title"] and "\\ud800" in rej["raw_value"][0]


def test_cli_api(server, tmp_path, monkeypatch):
    server.retry_after = "0"
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    monkeypatch.setenv("OPENALEX_BASE_URL", server.url)
    db = tmp_path / "api.duckdb"
    res = CliRunner().invoke(app, ["ingest", "openalex", "--api", "--from-year", "2010", "--to-year", "2023", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "3 page(s) cached" in res.output and "complete" in res.output and "25 AI records kept" in res.output
    assert server.requests[0]["api_key"] == KEY
    with Warehouse(db, read_only=True) as wh:
        assert wh.count("works") == 25
    res = CliRunner().invoke(app, ["ingest", "openalex", "--api", "--from-year", "1999", "--to-year", "2000", "--db", str(db)])
    assert res.exit_code == 2 and "HTTP 400" in res.output


def test_mode_options_do_not_mix(wh, snapshot):
    with pytest.raises(ConfigError, match="either a snapshot"):
        tf.ingest_openalex(wh)
    with pytest.raises(ConfigError, match="snapshot options"):
        tf.ingest_openalex(wh, api=True, work_filter=("all",))
    with pytest.raises(ConfigError, match="API options"):
        tf.ingest_openalex(wh, snapshot, subfields=("1702",))


def test_author_histories_from_the_api(server, tmp_path, wh):
    server.retry_after = "0"
    opts = _opts(server, tmp_path)
    result = tf.ingest_openalex(wh, api=True, from_year=2010, to_year=2023, options=opts, entities=("works", "authors"))
    assert result.fetch.done
    authors = [r for r in server.requests if r["path"] == "/authors"]
    n_authors = wh.query("SELECT count(DISTINCT researcher_id) AS n FROM authorships WHERE researcher_id LIKE 'openalex:A%'")["n"][0]
    assert len(authors) == -(-n_authors // 50) and all(r["api_key"] == KEY for r in authors)
    hist = wh.query("SELECT researcher_id, year, weight FROM observations WHERE source = 'openalex_authors'")
    assert hist["researcher_id"].nunique() == n_authors and len(hist) == 4 * n_authors
    linked = wh.query("SELECT count(DISTINCT o.researcher_id) AS n FROM observations o JOIN authorships a "
                      "USING (researcher_id) WHERE o.source = 'openalex_authors'")["n"][0]
    assert linked == n_authors
    assert sorted(hist[hist["year"] == 2019]["weight"].unique()) == [0.5]
    before = len(server.requests)
    again = tf.ingest_openalex(wh, api=True, from_year=2010, to_year=2023, options=opts, entities=("works", "authors"))
    assert set(again.ingest.files["status"]) == {"skipped_unchanged"} and len(server.requests) == before


def test_api_key_never_shown_in_errors(tmp_path):
    """Issue 15, item 12: upstream error text (a body that echoes the request, an exception naming
    the URL) must not carry the API key into the message shown to the user."""
    import httpx

    secret = "sk-very-secret-4242"

    def echo(request):
        return httpx.Response(401, json={"error": "Unauthorized",
                                         "message": f"bad key for {request.url} (api_key={secret})"})

    opts = ApiOptions(base_url="http://openalex.invalid", api_key=secret, min_interval=0, cache=tmp_path / "a")
    with pytest.raises(FetchError) as info:
        fetch_pages(QUERY, opts, transport=httpx.MockTransport(echo), sleep=lambda s: None)
    assert secret not in str(info.value) and "HTTP 401" in str(info.value) and "api_key=***" in str(info.value)

    def down(request):
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    opts = ApiOptions(base_url="http://openalex.invalid", api_key=secret, min_interval=0, backoff=0, max_retries=1,
                      cache=tmp_path / "b")
    with pytest.raises(FetchError) as info:
        fetch_pages(QUERY, opts, transport=httpx.MockTransport(down), sleep=lambda s: None)
    assert secret not in str(info.value) and "ConnectError" in str(info.value)
