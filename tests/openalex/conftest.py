"""Fixtures for the OpenAlex tests: snapshot folders built from the JSON Lines fixtures (Work and
Author objects written in OpenAlex's documented format) in the snapshot's layout."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def write_partition(root: Path, entity: str, date: str, lines: bytes, name: str = "part_000.gz") -> Path:
    path = root / "data" / entity / f"updated_date={date}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(lines, mtime=0))
    return path


@pytest.fixture
def works_lines() -> bytes:
    return (FIXTURES / "works.jsonl").read_bytes()


@pytest.fixture
def snapshot(tmp_path) -> Path:
    """A snapshot with one works partition (the fixture works) and one authors partition."""
    root = tmp_path / "openalex-snapshot"
    write_partition(root, "works", "2024-01-15", (FIXTURES / "works.jsonl").read_bytes())
    write_partition(root, "authors", "2024-01-15", (FIXTURES / "authors.jsonl").read_bytes())
    (root / "data" / "works" / "manifest").write_text('{"entries": []}')
    return root
