"""ORCID public API (v3.0) -> cached record files (I/O at the edge; staging is ``ingest.orcid``).

``GET {base_url}/{iD}/record`` with ``Accept: application/json``: one JSON document per person,
which carries every education and employment summary (the v3.0 record and its affiliation
sections are not paged; there is no list to page through). Each response is written to
``{cache}/{iD}.json`` before staging, so a rerun reads the cache and an interrupted fetch
resumes where it stopped (``refresh`` fetches again).

Politeness: at most one request per ``min_interval`` seconds (ORCID's public API allows 24
requests a second with bursts of 40); 429 and 5xx responses and transport errors are retried
with exponential backoff, waiting at least what ``Retry-After`` asks, at most ``max_retries``
times; then the fetch stops with a FetchError (records fetched so far stay cached). An iD that
fails its check digit is refused before any request. ``base_url`` points tests at a loopback server.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import httpx

from talentflow.errors import ConfigError, FetchError
from talentflow.ingest.base import RawFile
from talentflow.ingest.openalex_api import _retry_after
from talentflow.ingest.orcid import SOURCE, normalize_orcid, valid_orcid

DEFAULT_BASE_URL = "https://pub.orcid.org/v3.0"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class OrcidApiOptions:
    base_url: str = DEFAULT_BASE_URL
    max_retries: int = 5
    backoff: float = 1.0  # seconds, doubled at each retry
    max_backoff: float = 60.0
    min_interval: float = 0.05
    timeout: float = 30.0
    refresh: bool = False


def parse_ids(values: Iterable[str]) -> list[str]:
    """iDs (bare or as https://orcid.org/ URLs, comma-separated allowed) checked, deduplicated, in order."""
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            ident = normalize_orcid(part)
            if ident is None or not valid_orcid(ident):
                raise ConfigError(f"{part!r} is not a valid ORCID iD (0000-0002-1825-0097: 16 characters, "
                                  "the last an ISO 7064 11,2 check digit)")
            if ident not in out:
                out.append(ident)
    if not out:
        raise ConfigError("no ORCID iD given")
    return out


def cache_folder(root: Path, base_url: str) -> Path:
    """One folder per API base URL (a test server's records never mix with ORCID's)."""
    return root / hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class _Client:
    def __init__(self, opts: OrcidApiOptions, sleep: Callable[[float], None], transport: httpx.BaseTransport | None):
        self.opts = opts
        self.sleep = sleep
        self.last = 0.0
        self.retries = 0
        self.rng = random.Random(0)
        self.http = httpx.Client(timeout=opts.timeout, follow_redirects=True, transport=transport,
                                 headers={"Accept": "application/json", "User-Agent": "talentflow"})

    def close(self) -> None:
        self.http.close()

    def get(self, url: str) -> bytes:
        attempt = 0
        while True:
            wait = self.opts.min_interval - (time.monotonic() - self.last)
            if wait > 0:
                self.sleep(wait)
            self.last = time.monotonic()
            retry_after = None
            try:
                resp = self.http.get(url)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code == 200:
                    return resp.content
                if resp.status_code not in RETRY_STATUSES:
                    raise FetchError(f"ORCID API {url}: HTTP {resp.status_code}"
                                     + (" (no such public record)" if resp.status_code == 404 else "")
                                     + (" (the record is locked or deactivated)" if resp.status_code == 409 else ""))
                problem = f"HTTP {resp.status_code}"
                retry_after = _retry_after(resp.headers.get("Retry-After"))
            if attempt >= self.opts.max_retries:
                raise FetchError(f"ORCID API {url}: giving up after {attempt + 1} attempt(s): {problem}. "
                                 "Records fetched so far are cached; rerun the same command to resume.")
            backoff = min(self.opts.max_backoff, self.opts.backoff * (2 ** attempt))
            backoff += self.rng.uniform(0, 0.1 * backoff)
            self.sleep(max(backoff, retry_after) if retry_after is not None else backoff)
            self.retries += 1
            attempt += 1


def fetch_records(ids: Iterable[str], cache: Path, options: OrcidApiOptions | None = None, *,
                  sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None,
                  on_record: Callable[[str, int, int], None] | None = None) -> list[RawFile]:
    """Fetch (or read from the cache) the record of each iD; return them as RawFiles for ingest."""
    opts = options or OrcidApiOptions()
    idents = parse_ids(ids)
    folder = cache_folder(Path(cache), opts.base_url)
    folder.mkdir(parents=True, exist_ok=True)
    base = opts.base_url.rstrip("/")
    raws: list[RawFile] = []
    client = _Client(opts, sleep, transport)
    try:
        for i, ident in enumerate(idents):
            if on_record:
                on_record(ident, i, len(idents))
            path = folder / f"{ident}.json"
            url = f"{base}/{ident}/record"
            if opts.refresh or not path.is_file():
                _write_atomic(path, client.get(url))
            raws.append(RawFile(SOURCE, f"api/{ident}.json", path, url, "v3.0", {"retries": client.retries}))
    finally:
        client.close()
    return raws
