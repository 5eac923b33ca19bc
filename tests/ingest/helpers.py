"""Small builders of paperlists records and files for ingest tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from talentflow.ingest.base import RawFile


def record(**fields) -> dict:
    base = {"id": "p1", "title": "A paper", "status": "Poster", "abstract": "About robots.", "primary_area": ""}
    base.update(fields)
    return base


def raw(file: str = "icra/icra2015.json", path: Path | None = None) -> RawFile:
    return RawFile("paperlists", file, path or Path("/nonexistent"), "https://example.invalid/" + file, "test")


def as_bytes(records, gz: bool = False) -> bytes:
    data = json.dumps(records).encode()
    return gzip.compress(data) if gz else data


def write_mirror(root: Path, files: dict[str, list[dict]]) -> Path:
    """Write {'icra/icra2015.json': [records]} as a gzipped paperlists mirror under root."""
    for rel, records in files.items():
        target = root / "paperlists" / (rel + ".gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_bytes(records, gz=True))
    return root
