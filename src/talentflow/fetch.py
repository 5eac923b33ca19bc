"""Finding public data files: a local mirror, then the user's cache, then the upstream address.

Every data set talentflow uses is published somewhere public. For a user with a network the
file is downloaded once from its original address into a cache (with its SHA-256 recorded);
on an offline machine, in tests and in CI, a *mirror directory* named by the environment
variable ``TALENTFLOW_MIRROR`` stands in for the network. The mirror holds files under the
same relative paths as the upstream repositories, optionally gzipped (``x.json`` may be stored
as ``x.json.gz``).

When ``TALENTFLOW_MIRROR`` is set, talentflow never touches the network: a file missing from
the mirror is an error naming the path it looked for.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from talentflow.errors import FetchError

MIRROR_ENV = "TALENTFLOW_MIRROR"
HOME_ENV = "TALENTFLOW_HOME"


@dataclass(frozen=True)
class Upstream:
    """A public repository of data files, pinned to a version.

    ``url_template`` is formatted with ``version`` and ``path``; ``mirror_prefix`` is the
    folder of the mirror directory that holds this upstream's files.
    """

    name: str
    url_template: str
    version: str
    mirror_prefix: str
    licence: str
    listing_url: str | None = None  # JSON listing of the repository's files at ``version`` (GitHub trees API)

    def url(self, path: str) -> str:
        return self.url_template.format(version=self.version, path=path)


PAPERLISTS = Upstream(
    name="paperlists",
    url_template="https://raw.githubusercontent.com/papercopilot/paperlists/{version}/{path}",
    version="33f9884e652f05a768d2f216534d7f1e446a0cf7",
    mirror_prefix="paperlists",
    licence="none stated upstream; analysis use, do not redistribute",
    listing_url="https://api.github.com/repos/papercopilot/paperlists/git/trees/{version}?recursive=1",
)

SCHOLARLY_MIGRATION = Upstream(
    name="scholarly-migration",
    url_template=(
        "https://raw.githubusercontent.com/MPIDR/"
        "Global-flows-and-rates-of-international-migration-of-scholars/{version}/data_processed/{path}"
    ),
    version="35bf3f40a78b7cd4c8a507ae295caf86bb03e54f",
    mirror_prefix="scholarly_migration",
    licence="CC-BY 4.0; Akbaritabar, Theile, Zagheni (2023), MPIDR WP-2023-018",
)


def mirror_dir() -> Path | None:
    """The mirror directory from ``TALENTFLOW_MIRROR``, or None when unset."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise FetchError(f"{MIRROR_ENV}={value!r} is not a directory; set it to a folder holding e.g. paperlists/")
    return path


def data_home() -> Path:
    """Where talentflow keeps its cache and default warehouse (``TALENTFLOW_HOME`` or the XDG data dir)."""
    value = os.environ.get(HOME_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "talentflow"


def cache_dir() -> Path:
    return data_home() / "cache"


@dataclass(frozen=True)
class Located:
    """A data file found on disk, with where it came from."""

    path: Path
    upstream: str  # the public address the file stands for
    version: str
    origin: str  # "mirror" | "cache" | "download"


def locate(upstream: Upstream, path: str, *, progress: bool = True) -> Located:
    """Return a local copy of ``path`` of ``upstream``: from the mirror, the cache, or a download."""
    url = upstream.url(path)
    mirror = mirror_dir()
    if mirror is not None:
        base = mirror / upstream.mirror_prefix / path
        for candidate in (base, base.with_name(base.name + ".gz")):
            if candidate.is_file():
                return Located(candidate, url, upstream.version, "mirror")
        raise FetchError(
            f"{path} is not in the mirror: looked for {base} and {base}.gz "
            f"({MIRROR_ENV} is set, so talentflow does not download)"
        )
    target = cache_dir() / upstream.name / upstream.version / path
    if target.is_file():
        return Located(target, url, upstream.version, "cache")
    _download(url, target, progress=progress)
    return Located(target, url, upstream.version, "download")


def _download(url: str, target: Path, *, progress: bool) -> None:
    import pooch  # imported here: only a download needs it

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        pooch.retrieve(url, known_hash=None, fname=target.name, path=target.parent, progressbar=progress)
    except Exception as exc:  # noqa: BLE001 - pooch raises many kinds; we name the file
        raise FetchError(f"could not download {url}: {exc}") from exc


def remote_sizes(urls: list[str]) -> int | None:
    """Total size in bytes of ``urls`` by HEAD requests, or None if any size is unknown."""
    import httpx

    total = 0
    with httpx.Client(follow_redirects=True, timeout=30) as client:
        for url in urls:
            try:
                head = client.head(url)
                size = int(head.headers.get("content-length", ""))
            except (httpx.HTTPError, ValueError):
                return None
            total += size
    return total


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
