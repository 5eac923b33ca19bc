"""OpenAlex API: the works endpoint with a filter, cursor paging, retries, rate limits, a disk cache.

Each page of results is written to the cache as a gzipped JSON Lines file in the snapshot's
format (one work per line), so the API and the snapshot share one stage step, and a page is
one ``RawFile`` of the ingest. The cache folder of a query is named by a hash of the query
(filter, page size, base URL; never the API key) and holds ``query.json``, ``state.json``
(next cursor, pages so far, whether the listing is complete) and ``page_NNNNN.jsonl.gz``. A run
that stops (network, daily credits exhausted, ``max_pages`` reached) resumes from the saved
cursor on the next call; a completed query makes no request at all.

Politeness: at most one request per ``min_interval`` seconds; 429 and 5xx responses and
transport errors are retried with exponential backoff, waiting at least what ``Retry-After``
asks; the ``api_key`` (``$OPENALEX_API_KEY``) and ``mailto`` (``$OPENALEX_MAILTO``) parameters
are sent when set. OpenAlex bills list requests against a daily credit allowance, so
``max_pages`` caps the pages one run may request.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import gzip
import hashlib
import json
import os
import random
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Literal

import httpx

from talentflow.errors import ConfigError, FetchError
from talentflow.fetch import cache_dir
from talentflow.ingest.base import RawFile
from talentflow.ingest.openalex import (
    AUTHORS_SOURCE, AUTHORS_STAGE, DEFAULT_BATCH, SOURCE, LineStaging, StageStats, WorkFilter, gunzip_lines, short_id,
)

DEFAULT_BASE_URL = "https://api.openalex.org"
BASE_URL_ENV = "OPENALEX_BASE_URL"
API_KEY_ENV = "OPENALEX_API_KEY"
MAILTO_ENV = "OPENALEX_MAILTO"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PER_PAGE = 200
AUTHORS_PER_REQUEST = 50  # author ids OR'ed in one /authors filter (OpenAlex takes up to 100)

PageFn = Callable[[int, int | None], None]  # (pages cached so far, total results the API reports)


@dataclass(frozen=True)
class ApiQuery:
    """What to list: AI works by topic subfield (or field / topic ids) and publication years.

    ``topic_scope='primary'`` filters on ``primary_topic.subfield.id``; ``'any'`` on
    ``topics.subfield.id``. ``extra_filter`` is appended verbatim (OpenAlex filter syntax,
    e.g. ``type:article``). Without subfields, fields or topics, ``extra_filter`` alone selects."""

    from_year: int | None = None
    to_year: int | None = None
    subfields: tuple[str, ...] = ("1702", "1707")
    fields: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    topic_scope: Literal["primary", "any"] = "primary"
    extra_filter: str | None = None
    per_page: int = MAX_PER_PAGE

    def __post_init__(self) -> None:
        # the local filter validates the id forms
        WorkFilter(subfields=self.subfields, fields=self.fields, topics=self.topics, concepts=(),
                   topic_scope=self.topic_scope, from_year=self.from_year, to_year=self.to_year, keep_all=True)
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ConfigError(f"per_page {self.per_page} is not in 1..{MAX_PER_PAGE}")
        if not (self.subfields or self.fields or self.topics or (self.extra_filter or "").strip()):
            raise ConfigError("an OpenAlex API query needs subfields, fields, topics or an extra filter")
        for year in (self.from_year, self.to_year):
            if year is not None and not 1900 <= year <= 2100:
                raise ConfigError(f"year {year} is implausible")

    def filter_string(self) -> str:
        """The ``filter`` parameter, e.g. ``primary_topic.subfield.id:1702|1707,publication_year:2018-2023``."""
        base = "primary_topic" if self.topic_scope == "primary" else "topics"
        parts = []
        if self.subfields:
            parts.append(f"{base}.subfield.id:" + "|".join(self.subfields))
        if self.fields:
            parts.append(f"{base}.field.id:" + "|".join(self.fields))
        if self.topics:
            parts.append(f"{base}.id:" + "|".join(self.topics))
        if self.from_year is not None and self.to_year is not None:
            parts.append(f"publication_year:{self.from_year}-{self.to_year}")
        elif self.from_year is not None:
            parts.append(f"publication_year:>{self.from_year - 1}")
        elif self.to_year is not None:
            parts.append(f"publication_year:<{self.to_year + 1}")
        if self.extra_filter and self.extra_filter.strip():
            parts.append(self.extra_filter.strip())
        return ",".join(parts)


@dataclass(frozen=True)
class ApiOptions:
    """How to talk to the API (none of these change a figure)."""

    base_url: str | None = None  # default: $OPENALEX_BASE_URL, else the public API
    api_key: str | None = None  # default: $OPENALEX_API_KEY
    mailto: str | None = None  # default: $OPENALEX_MAILTO
    max_retries: int = 6
    backoff: float = 1.0  # seconds; doubled after each failed attempt
    max_backoff: float = 120.0
    min_interval: float = 0.1  # seconds between requests (10 per second)
    timeout: float = 60.0
    max_pages: int | None = None  # cap on pages requested in one run (credits)
    cache: Path | None = None  # default: <talentflow cache>/openalex/api

    def resolved(self) -> "ApiOptions":
        base = (self.base_url or os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"OpenAlex base URL {base!r} must start with http:// or https://")
        if self.max_retries < 0 or self.backoff < 0 or self.min_interval < 0:
            raise ConfigError("max_retries, backoff and min_interval must be >= 0")
        if self.max_pages is not None and self.max_pages < 1:
            raise ConfigError(f"max_pages {self.max_pages} must be >= 1")
        return ApiOptions(
            base_url=base,
            api_key=self.api_key or os.environ.get(API_KEY_ENV, "").strip() or None,
            mailto=self.mailto or os.environ.get(MAILTO_ENV, "").strip() or None,
            max_retries=self.max_retries, backoff=self.backoff, max_backoff=self.max_backoff,
            min_interval=self.min_interval, timeout=self.timeout, max_pages=self.max_pages,
            cache=Path(self.cache) if self.cache else cache_dir() / "openalex" / "api",
        )


@dataclass
class FetchReport:
    folder: Path
    pages: int  # pages cached for the query
    requested: int  # pages requested in this run
    retries: int
    count: int | None  # total results the API reports
    done: bool
    rate_limit: dict = field(default_factory=dict)  # last rate-limit headers seen


def query_key(query: ApiQuery, base_url: str) -> str:
    ident = json.dumps({"filter": query.filter_string(), "per_page": query.per_page, "base_url": base_url}, sort_keys=True)
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


class _Client:
    """One httpx client with pacing and retries."""

    def __init__(self, opts: ApiOptions, *, sleep: Callable[[float], None], transport: httpx.BaseTransport | None,
                 rng: random.Random):
        self.opts = opts
        self.sleep = sleep
        self.rng = rng
        self.last = 0.0
        self.retries = 0
        self.rate_limit: dict = {}
        ua = "talentflow (+mailto:" + opts.mailto + ")" if opts.mailto else "talentflow"
        self.http = httpx.Client(timeout=opts.timeout, follow_redirects=True, transport=transport,
                                 headers={"User-Agent": ua})

    def close(self) -> None:
        self.http.close()

    def _pace(self) -> None:
        wait = self.opts.min_interval - (time.monotonic() - self.last)
        if wait > 0:
            self.sleep(wait)
        self.last = time.monotonic()

    def get_json(self, url: str, params: dict) -> dict:
        try:
            return self._get_json(url, params)
        except FetchError as exc:
            # upstream text (an error body, an exception naming the request URL) may echo the key
            raise FetchError(redact(str(exc), self.opts.api_key)) from None

    def _get_json(self, url: str, params: dict) -> dict:
        shown = {k: v for k, v in params.items() if k != "api_key"}
        attempt = 0
        while True:
            self._pace()
            problem: str
            wait: float | None = None
            try:
                resp = self.http.get(url, params=params)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                self.rate_limit = {k: v for k, v in resp.headers.items() if "ratelimit" in k.lower()} or self.rate_limit
                if resp.status_code == 200:
                    try:
                        body = resp.json()
                    except ValueError as exc:
                        problem = f"response is not JSON: {exc}"
                    else:
                        if isinstance(body, dict) and isinstance(body.get("results"), list):
                            return body
                        problem = "response lacks a results list"
                elif resp.status_code in RETRY_STATUSES:
                    problem = f"HTTP {resp.status_code}: {_message(resp)}"
                    wait = _retry_after(resp.headers.get("Retry-After"))
                else:
                    raise FetchError(f"OpenAlex API {url} {shown}: HTTP {resp.status_code}: {_message(resp)}"
                                     + (" (an invalid or missing api_key? set $OPENALEX_API_KEY)"
                                        if resp.status_code in (401, 403) else ""))
            if attempt >= self.opts.max_retries:
                raise FetchError(f"OpenAlex API {url} {shown}: giving up after {attempt + 1} attempt(s): {problem}. "
                                 "Pages fetched so far are cached; rerun the same command to resume "
                                 "(a 429 that persists usually means the daily credits are spent).")
            backoff = min(self.opts.max_backoff, self.opts.backoff * (2 ** attempt))
            backoff += self.rng.uniform(0, 0.1 * backoff)
            self.sleep(max(backoff, wait) if wait is not None else backoff)
            self.retries += 1
            attempt += 1


_KEY_PARAM = re.compile(r"(api[_-]?key[\"']?\s*[=:]\s*[\"']?)[^&\s\"',;}]+", re.IGNORECASE)


def redact(text: str, api_key: str | None) -> str:
    """``text`` with the OpenAlex API key taken out: its value wherever it appears (also URL-encoded)
    and any ``api_key=...`` / ``"api_key": "..."`` parameter."""
    if api_key and len(api_key) >= 4:
        from urllib.parse import quote, quote_plus

        for form in {api_key, quote(api_key, safe=""), quote_plus(api_key)}:
            text = text.replace(form, "***")
    return _KEY_PARAM.sub(lambda m: m.group(1) + "***", text)


def _message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:300]
    return str(body)[:300]


def fetch_pages(query: ApiQuery, options: ApiOptions | None = None, *, on_page: PageFn | None = None,
                sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None,
                seed: int | None = None) -> FetchReport:
    """List the query's works page by page into the cache, resuming where an earlier run stopped."""
    opts = (options or ApiOptions()).resolved()
    key = query_key(query, opts.base_url)
    folder = opts.cache / key
    folder.mkdir(parents=True, exist_ok=True)
    qfile = folder / "query.json"
    if not qfile.is_file():
        _write_atomic(qfile, json.dumps({"base_url": opts.base_url, "filter": query.filter_string(),
                                         "query": asdict(query)}, indent=1, sort_keys=True).encode())
    sfile = folder / "state.json"
    state = json.loads(sfile.read_text()) if sfile.is_file() else {
        "next_cursor": "*", "pages": 0, "count": None, "done": False,
        "started": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    report = FetchReport(folder, state["pages"], 0, 0, state.get("count"), state["done"])
    if state["done"]:
        return report
    client = _Client(opts, sleep=sleep, transport=transport, rng=random.Random(seed))
    try:
        while not state["done"]:
            if opts.max_pages is not None and report.requested >= opts.max_pages:
                break
            params = {"filter": query.filter_string(), "per-page": query.per_page, "cursor": state["next_cursor"]}
            if opts.mailto:
                params["mailto"] = opts.mailto
            if opts.api_key:
                params["api_key"] = opts.api_key
            body = client.get_json(f"{opts.base_url}/works", params)
            report.requested += 1
            results = body["results"]
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            nxt = meta.get("next_cursor")
            if results:
                page_no = state["pages"] + 1
                lines = b"".join(_jsonl(r) for r in results)
                _write_atomic(folder / f"page_{page_no:05d}.jsonl.gz", gzip.compress(lines, mtime=0))
                state["pages"] = page_no
            state["count"] = meta.get("count", state.get("count"))
            if not results or not isinstance(nxt, str) or not nxt or nxt == state["next_cursor"]:
                state["done"] = True
                state["next_cursor"] = None
            else:
                state["next_cursor"] = nxt
            _write_atomic(sfile, json.dumps(state, indent=1).encode())
            if on_page:
                on_page(state["pages"], state.get("count"))
    finally:
        client.close()
    report.pages, report.count, report.done = state["pages"], state.get("count"), state["done"]
    report.retries, report.rate_limit = client.retries, client.rate_limit
    return report


def cached_pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("page_*.jsonl.gz"))


def page_author_ids(pages: list[Path]) -> list[str]:
    """The author ids (``A...``) of the works on cached pages, sorted."""
    ids: set[str] = set()
    for page in pages:
        with open(page, "rb") as fh:
            for line in gunzip_lines(fh):
                try:
                    work = json.loads(line)
                except ValueError:
                    continue
                for a in (work.get("authorships") or []) if isinstance(work, dict) else []:
                    author = a.get("author") if isinstance(a, dict) else None
                    aid = short_id(author.get("id")) if isinstance(author, dict) else None
                    if aid and aid[:1] == "A" and aid[1:].isdigit():
                        ids.add(aid)
    return sorted(ids)


def fetch_author_pages(folder: Path, author_ids: list[str], options: ApiOptions | None = None, *,
                       sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None,
                       seed: int | None = None, budget: int | None = None) -> tuple[int, int, bool]:
    """The Author objects of ``author_ids`` (with their affiliation histories), 50 ids a request
    (``/authors?filter=openalex:A1|A2|...``), cached as ``authors/page_<hash>.jsonl.gz`` in the
    query's folder. A chunk already cached is not requested again (a rerun resumes); at most
    ``budget`` requests. Returns (requested, retries, done)."""
    opts = (options or ApiOptions()).resolved()
    out = folder / "authors"
    out.mkdir(parents=True, exist_ok=True)
    chunks = [author_ids[i:i + AUTHORS_PER_REQUEST] for i in range(0, len(author_ids), AUTHORS_PER_REQUEST)]
    todo = []
    for chunk in chunks:
        name = "page_" + hashlib.sha256("|".join(chunk).encode()).hexdigest()[:16] + ".jsonl.gz"
        if not (out / name).is_file():
            todo.append((name, chunk))
    requested = 0
    client = _Client(opts, sleep=sleep, transport=transport, rng=random.Random(seed)) if todo else None
    try:
        for name, chunk in todo:
            if budget is not None and requested >= budget:
                return requested, client.retries, False
            params = {"filter": "openalex:" + "|".join(chunk), "per-page": len(chunk)}
            if opts.mailto:
                params["mailto"] = opts.mailto
            if opts.api_key:
                params["api_key"] = opts.api_key
            body = client.get_json(f"{opts.base_url}/authors", params)
            requested += 1
            _write_atomic(out / name, gzip.compress(b"".join(_jsonl(r) for r in body["results"]), mtime=0))
    finally:
        if client is not None:
            client.close()
    return requested, client.retries if client else 0, True


@dataclass
class ApiSource(LineStaging):
    """Pages of one API query, fetched (or resumed) into the cache, then staged like snapshot lines."""

    query: ApiQuery
    options: ApiOptions = field(default_factory=ApiOptions)
    batch_size: int = DEFAULT_BATCH
    name: str = SOURCE
    stats: StageStats = field(default_factory=StageStats)
    report: FetchReport | None = None
    on_page: PageFn | None = None
    sleep: Callable[[float], None] = time.sleep

    # the API already filtered: every work of a page is kept (and every author of those works)
    flt: WorkFilter = field(default_factory=lambda: WorkFilter(subfields=(), concepts=(), keep_all=True))
    authors: bool = False  # also the Author objects (affiliation histories) of the listed works' authors
    observation_sources: tuple[str, ...] = (AUTHORS_SOURCE,)
    transport: httpx.BaseTransport | None = None

    def fetch(self, progress: bool = True) -> Iterator[RawFile]:
        self.report = fetch_pages(self.query, self.options, on_page=self.on_page, sleep=self.sleep, transport=self.transport)
        folder = self.report.folder
        state = json.loads((folder / "state.json").read_text())
        base_url = self.options.resolved().base_url
        upstream = f"{base_url}/works?filter={self.query.filter_string()}"
        key = self.flt.stage_key
        pages = cached_pages(folder)
        for page in pages:
            yield RawFile(SOURCE, f"api/{folder.name}/{page.name}", page, upstream,
                          f"api:{state.get('started', '')}", {"entity": "works", "stage_key": key})
        if not self.authors or not self.report.done:  # authors once the works listing is complete
            return
        budget = None
        if self.options.max_pages is not None:
            budget = max(0, self.options.max_pages - self.report.requested)
        requested, retries, done = fetch_author_pages(folder, page_author_ids(pages), self.options, sleep=self.sleep,
                                                      transport=self.transport, budget=budget)
        self.report.requested += requested
        self.report.retries += retries
        self.report.done = done
        for page in sorted((folder / "authors").glob("page_*.jsonl.gz")):
            yield RawFile(SOURCE, f"api/{folder.name}/authors/{page.name}", page, f"{base_url}/authors",
                          f"api:{state.get('started', '')}", {"entity": "authors", "stage_key": key + AUTHORS_STAGE["authors"]})


def _jsonl(record) -> bytes:
    """One cached JSON Lines line. A record holding a lone surrogate ("\\ud800" in the API's JSON)
    cannot be UTF-8 encoded as is: it is written with ASCII escapes, so that staging reads it back
    and rejects it (invalid_unicode) instead of the download crashing."""
    try:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"
