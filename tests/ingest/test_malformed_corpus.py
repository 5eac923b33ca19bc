"""Every case of the malformed-input corpus (tests/ingest/corpus.py) balances or is refused with
one line naming where; none crashes, none loses a record."""

from __future__ import annotations

import pytest

from tests.ingest.corpus import CASES, run_case


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, tmp_path, monkeypatch):
    monkeypatch.delenv("TALENTFLOW_MIRROR", raising=False)
    outcome = run_case(case, tmp_path)
    assert outcome.outcome == case.expect, outcome.detail


def test_corpus_covers_the_issue():
    named = {c.provenance for c in CASES}
    assert {f"item {i}" for i in range(1, 10) if i != 5} <= named  # item 5: tests/ingest/test_determinism.py
    assert len(CASES) >= 40
