"""The block reader and the parallel reader give exactly what the serial line reader gives."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentflow.api import ingest_openalex
from talentflow.ingest.base import RawFile
from talentflow.ingest.openalex import SnapshotSource, WorkFilter, gunzip_blocks, lines_from_bytes, stage_blocks, stage_lines
from talentflow.store.warehouse import Warehouse
from tests.openalex.conftest import FIXTURES, write_partition
from tests.openalex.test_openalex_fuzz import FILTERS, line

RAW = RawFile("openalex", "works/updated_date=2024-01-15/part_000.gz", Path("x"), "u", None)
from tests.openalex.test_openalex_fuzz import TEMPLATES  # noqa: E402
AUTHORS = [json.loads(x) for x in (FIXTURES / "authors.jsonl").read_text().splitlines() if x.strip()]


def _blocks(data: bytes, chunk: int):
    import zlib

    try:
        yield from gunzip_blocks(io.BytesIO(data), chunk=chunk, out_max=max(16, chunk * 3))
    except (EOFError, zlib.error):
        raise


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(line, st.sampled_from([b"", b"  ", b"\r", b"{}"])), max_size=10),
       flt=st.sampled_from(FILTERS), batch=st.integers(1, 4), chunk=st.integers(7, 400), cut=st.floats(0.2, 1),
       newline_at_end=st.booleans())
def test_blocks_equal_lines(lines, flt, batch, chunk, cut, newline_at_end):
    text = b"\n".join(lines) + (b"\n" if newline_at_end else b"")
    data = gzip.compress(text, mtime=0)
    if cut < 1:
        data = data[: int(len(data) * cut)]
    serial = list(stage_lines(RAW, lines_from_bytes(data, RAW.file), flt=flt, batch_size=batch, max_year=2026))
    blocks = list(stage_blocks(RAW, _blocks(data, chunk), flt=flt, batch_size=batch, max_year=2026))
    assert blocks == serial


def _work(rng: random.Random, i: int) -> dict:
    w = json.loads(json.dumps(rng.choice(TEMPLATES)))
    w["id"] = f"https://openalex.org/W9{i:07d}"
    if rng.random() < 0.5 and isinstance(w.get("primary_topic"), dict):  # not an AI work
        w["primary_topic"] = {"id": "https://openalex.org/T1", "subfield": {"id": "https://openalex.org/subfields/2713"},
                              "field": {"id": "https://openalex.org/fields/27"}}
        w["topics"] = [w["primary_topic"]]
        w["concepts"] = []
    for a in w.get("authorships") or []:
        if isinstance(a, dict) and isinstance(a.get("author"), dict):
            a["author"]["id"] = f"https://openalex.org/A5{rng.randrange(60):09d}"
    return w


def generated_snapshot(root: Path, seed: int = 3) -> Path:
    """Six works partitions (AI and other works, malformed and blank lines, a work repeated in a
    later partition, a truncated partition) and two authors partitions."""
    rng = random.Random(seed)
    i = 0
    for p in range(6):
        out = []
        for _ in range(40):
            r = rng.random()
            if r < 0.05:
                out.append(b'{"id": "https://openalex.org/W1", "primary_topic": {"subfield": {"id": "subfields/1702"')
            elif r < 0.08:
                out.append(b"")
            elif r < 0.1 and i > 5:
                out.append(json.dumps(_work(rng, i - 5)).encode())  # a newer version of an earlier work
            else:
                out.append(json.dumps(_work(rng, i)).encode())
                i += 1
        data = b"\n".join(out) + b"\n"
        path = write_partition(root, "works", f"2024-02-{p + 1:02d}", data)
        if p == 4:
            path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    for p in range(2):
        out = []
        for k in range(30):
            a = json.loads(json.dumps(rng.choice(AUTHORS)))
            a["id"] = f"https://openalex.org/A5{rng.randrange(60):09d}"
            out.append(json.dumps(a).encode())
        write_partition(root, "authors", f"2024-03-{p + 1:02d}", b"\n".join(out) + b"\n")
    return root


TABLES = ("works", "researchers", "institutions", "authorships", "observations", "rejects")


def _dump(db: Path) -> dict:
    with Warehouse(db, read_only=True) as wh:
        out = {}
        for t in TABLES:
            frame = wh.query(f"SELECT * EXCLUDE (run_id) FROM {t}" if t == "rejects" else f"SELECT * FROM {t}")
            out[t] = sorted(map(repr, frame.astype(object).where(frame.notna(), None).itertuples(index=False)))
        runs = wh.query("SELECT file, status, n_records, n_authorships, n_observations, n_rejects FROM ingest_runs ORDER BY file")
        out["ingest_runs"] = runs.to_dict("records")
    return out


@pytest.mark.parametrize("flt", [None, ("all",)])
def test_parallel_ingest_equals_serial(tmp_path, flt):
    snap = generated_snapshot(tmp_path / "snap")
    results = {}
    for workers in (1, 2, 3):
        db = tmp_path / f"w{workers}.duckdb"
        s = ingest_openalex(db, snap, entities=("works", "authors"), work_filter=flt, workers=workers, batch_size=7)
        results[workers] = (_dump(db), (s.lines, s.kept, s.filtered, s.rejected_records), s.ingest.n_rejects)
    assert results[1][1][1] > 0 and results[1][2] > 0
    assert results[2] == results[1]
    assert results[3] == results[1]
    statuses = {r["status"] for r in results[1][0]["ingest_runs"]}
    assert "rejected" in statuses  # the truncated partition


def test_parallel_stage_streams_equal_serial(tmp_path):
    snap = generated_snapshot(tmp_path / "snap")
    out = {}
    for workers in (1, 2):
        src = SnapshotSource(snap, WorkFilter(), ("works", "authors"), batch_size=5, workers=workers)
        raws = list(src.fetch())
        out[workers] = ([list(stream) for stream in src.stage_streams(raws)], src.stats)
    assert out[2] == out[1]


def test_worker_failure_is_raised(tmp_path, monkeypatch):
    from talentflow.ingest import openalex_parallel

    snap = generated_snapshot(tmp_path / "snap")
    src = SnapshotSource(snap, WorkFilter(), ("works",), workers=2)
    raws = list(src.fetch())
    raws[1] = RawFile(raws[1].source, raws[1].file, tmp_path / "missing" / "part.gz", raws[1].upstream, None, raws[1].meta)
    # a missing file is a file-level reject, not a crash (as in the serial reader)
    streams = [list(s) for s in src.stage_streams(raws)]
    assert streams[1][-1].rejects[0].severity == "file"
    with pytest.raises(openalex_parallel.WorkerError):
        bad = [(r, "nonsense") for r in raws]
        for stream in openalex_parallel.stage_parallel(bad, flt=WorkFilter(), batch_size=5, max_year=2026, workers=2):
            list(stream)


def test_cli_workers(tmp_path):
    from typer.testing import CliRunner

    from talentflow.cli.app import app

    snap = generated_snapshot(tmp_path / "snap")
    db = tmp_path / "cli.duckdb"
    res = CliRunner().invoke(app, ["ingest", "openalex", "--snapshot", str(snap), "--workers", "2",
                                   "--entities", "works,authors", "--db", str(db)])
    assert res.exit_code == 1 and "truncated_or_corrupt_gzip" in res.output, res.output  # the cut partition
    assert _dump(db) == results_serial(tmp_path, snap)
    res = CliRunner().invoke(app, ["ingest", "openalex", "--snapshot", str(snap), "--workers", "0", "--db", str(db)])
    assert res.exit_code == 2


def results_serial(tmp_path, snap) -> dict:
    db = tmp_path / "serial.duckdb"
    ingest_openalex(db, snap, entities=("works", "authors"), workers=1)
    return _dump(db)
