"""The OpenAlex snapshot reader, serial and in parallel processes, beside gunzip references.

    .venv/bin/python bench/bench_openalex_parallel.py [--works 400000] [--partitions 8] [--ai-share 0.03]
                                                      [--workers 1,2] [--ingest]

Writes (or reuses) a synthetic snapshot (the Work objects of bench/bench_openalex.py, about 3 KB
a line; ``--ai-share`` of them in the AI subfields: the real snapshot has a few per cent), then
measures, each in a fresh process (wall time, peak RSS of the process and of its largest child):

1. ``gunzip`` alone: stdlib ``gzip`` line iteration (the floor of a zlib line reader);
2. ``gunzip + json.loads`` of every line (stdlib): what a naive reader costs;
3. talentflow's reader (``SnapshotSource.stage_streams``: ISA-L inflate in blocks, the early
   byte filter on the block, orjson parse and mapping of candidate lines, batches of 5,000
   works) with each ``--workers`` count; its batches are hashed (orjson + sha256, in the parent,
   inside the timing), and the hashes must be equal
   for every worker count (the parallel reader gives the serial reader's rows and rejects);
4. with ``--ingest``: the full ingest into DuckDB with each worker count.

Printed: lines/second (timed inside the process, after the imports: "timed s"; "process s" is
the whole process), lines/second per process, the ratio to gunzip alone, peak memory, and
the load average before and after (other work on the machine skews every figure alike).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_openalex_scale import write_snapshot  # noqa: E402
from measure import measure  # noqa: E402

CHILD_PEAK = """
import resource as _r
print(f"child peak {_r.getrusage(_r.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
"""


def gunzip_reference(root: Path, parse: bool) -> str:
    """The references measured beside the reader: gunzip alone, or gunzip + json.loads of every line."""
    line = "json.loads(line)\n            " if parse else ""
    label = "lines parsed" if parse else "lines"
    return f"""
import glob, gzip, json, time
t = time.perf_counter()
n = 0
for p in sorted(glob.glob({str(root)!r} + "/data/works/*/*.gz")):
    with gzip.open(p, "rb") as fh:
        for line in fh:
            {line}n += 1
print(n, {label!r}, f"inner_s={{time.perf_counter() - t:.3f}}")
"""


def gunzip_only(root: Path) -> str:
    return gunzip_reference(root, parse=False)


def gunzip_json(root: Path) -> str:
    return gunzip_reference(root, parse=True)


def reader(root: Path, workers: int) -> str:
    return f"""
import hashlib, time
import orjson
from pathlib import Path
from talentflow.ingest.openalex import SnapshotSource
src = SnapshotSource(Path({str(root)!r}), workers={workers})
raws = list(src.fetch())
h = hashlib.sha256()
t = time.perf_counter()
for stream in src.stage_streams(raws):
    for batch in stream:
        h.update(orjson.dumps((batch.file, batch.works, batch.researchers, batch.authorships, batch.affiliations,
                               [r.row() for r in batch.rejects], batch.n_records, batch.n_kept, batch.n_filtered,
                               batch.n_rejected), default=repr))
s = src.stats
print(f"{{s.lines}} lines, {{s.kept}} kept, {{s.filtered}} filtered, {{s.rejected}} rejected; "
      f"{{s.lines / (time.perf_counter() - t):,.0f}} lines/s; rows sha256 {{h.hexdigest()[:16]}} "
      f"inner_s={{time.perf_counter() - t:.3f}}")
""" + CHILD_PEAK


def ingest(root: Path, db: Path, workers: int) -> str:
    return f"""
import time
t = time.perf_counter()
from talentflow.api import ingest_openalex
r = ingest_openalex({str(db)!r}, {str(root)!r}, workers={workers})
files = r.ingest.files
print(f"{{r.lines}} lines, {{r.kept}} AI works, {{int(files['n_observations'].sum())}} observations; "
      f"{{r.lines_per_second:,.0f}} lines/s inner_s={{time.perf_counter() - t:.3f}}")
""" + CHILD_PEAK


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=400_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--ai-share", type=float, default=0.03)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/talentflow_bench/openalex"))
    ap.add_argument("--ingest", action="store_true")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    root = args.dir / f"snapshot_{args.works}_{args.partitions}_{args.ai_share:g}"
    t = time.perf_counter()
    size = write_snapshot(root, args.works, args.partitions, args.ai_share)
    print(f"snapshot: {args.works:,} works ({args.ai_share:.0%} AI) in {args.partitions} partitions, "
          f"{size / 1e6:,.0f} MB gzipped ({time.perf_counter() - t:.0f} s to write or find); "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n", flush=True)
    env = {"TALENTFLOW_HOME": str(args.dir / "home")}
    runs = [("gunzip alone (stdlib gzip)", 1, gunzip_only(root)), ("gunzip + json.loads (stdlib)", 1, gunzip_json(root))]
    runs += [(f"talentflow reader, {w} process(es)", w, reader(root, w)) for w in counts]
    if args.ingest:
        for w in counts:
            db = args.dir / f"ingest_w{w}.duckdb"
            for old in args.dir.glob(f"ingest_w{w}.duckdb*"):
                old.unlink()
            runs.append((f"talentflow ingest into DuckDB, {w} process(es)", w, ingest(root, db, w)))
    rows = ["| step | process s | timed s | lines/s | lines/s per process | vs gunzip alone | peak MB (parent) | peak MB (largest child) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    base = None
    hashes = set()
    for label, procs, code in runs:
        m = measure(label, code, env)
        inner = float(m.output.split("inner_s=")[1].split()[0])
        rate = args.works / inner
        base = base or rate
        child = m.output.rsplit("child peak", 1)[1].split()[0] if "child peak" in m.output else "-"
        if "rows sha256" in m.output:
            hashes.add(m.output.split("rows sha256 ")[1].split()[0])
        rows.append(f"| {label} | {m.seconds:.1f} | {inner:.1f} | {rate:,.0f} | {rate / procs:,.0f} | {rate / base:.2f}x | "
                    f"{m.peak_mb:.0f} | {child if procs > 1 else '-'} |")
        print(rows[-1], f"  ({m.output.splitlines()[0]})", flush=True)
    print(f"\n## OpenAlex reader, {args.works:,} works, {args.ai_share:.0%} AI "
          f"(load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())})\n")
    print("\n".join(rows))
    print(f"\nreader rows identical for every worker count: {len(hashes) == 1} ({', '.join(sorted(hashes))})")


if __name__ == "__main__":
    main()
