"""OpenAlex at scale: the snapshot stage step streaming many gzipped JSON Lines partitions.

    .venv/bin/python bench/bench_openalex_scale.py [--works 1000000] [--partitions 16] [--ingest]

Writes a synthetic snapshot of --works works (the Work objects of bench/bench_openalex.py, about
3 KB a line, --ai-share of them AI works) in --partitions partitions of equal size, then streams
growing prefixes of it (2, 4, 8... partitions) through talentflow's stage step
(``SnapshotSource.stage_stream``: early byte filter, parse of candidate lines, batches of 5,000
works), each in a fresh process, beside the reference (gunzip + ``json.loads`` of every line).
Printed: lines/second and peak memory per prefix: with streaming, the peak must stay flat as the
partitions (and total rows) grow. ``--ingest`` also times the full ingest into DuckDB of the
smallest and the largest prefix.
"""

from __future__ import annotations

import argparse
import gzip
import os
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_openalex as oa  # noqa: E402
from measure import measure  # noqa: E402


def write_snapshot(root: Path, n_works: int, n_partitions: int, ai_share: float, seed: int = 7) -> int:
    """Partitions data/works/updated_date=2024-MM-DD/part_000.gz of n_works / n_partitions works each."""
    rng = random.Random(seed)
    insts = oa._institutions(rng)
    per = -(-n_works // n_partitions)
    size = 0
    for p in range(n_partitions):
        day = f"2024-{1 + p // 28:02d}-{1 + p % 28:02d}"
        path = root / "data" / "works" / f"updated_date={day}" / "part_000.gz"
        if path.is_file():
            size += path.stat().st_size
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wb", compresslevel=3) as fh:
            for i in range(p * per, min(n_works, (p + 1) * per)):
                fh.write(json.dumps(oa.work(i, rng, insts, ai_share), separators=(",", ":")).encode() + b"\n")
        tmp.rename(path)
        size += path.stat().st_size
    return size


def prefix_root(full: Path, k: int) -> Path:
    """A snapshot folder holding the first k partitions of ``full`` (hard links: no copies)."""
    root = full.parent / f"{full.name}_first{k}"
    for part in sorted((full / "data" / "works").iterdir())[:k]:
        for file in part.glob("*.gz"):
            link = root / "data" / "works" / part.name / file.name
            if not link.exists():
                link.parent.mkdir(parents=True, exist_ok=True)
                os.link(file, link)
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--ai-share", type=float, default=0.3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/talentflow_bench/openalex"))
    ap.add_argument("--ingest", action="store_true", help="Also time the full ingest into DuckDB.")
    args = ap.parse_args()
    full = args.dir / f"snapshot_{args.works}_{args.partitions}"
    t = time.perf_counter()
    size = write_snapshot(full, args.works, args.partitions, args.ai_share)
    print(f"snapshot: {args.works:,} works in {args.partitions} partitions, {size / 1e6:,.0f} MB gzipped "
          f"({time.perf_counter() - t:.0f} s to write or find)\n", flush=True)
    env = {"TALENTFLOW_HOME": str(args.dir / "home")}
    ks, k = [], 2
    while k < args.partitions:
        ks.append(k)
        k *= 2
    ks.append(args.partitions)
    per = args.works / args.partitions
    lines = ["| partitions | works | reference s | stage s | stage lines/s | stage / reference | peak MB (stage) | peak MB (reference) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for k in ks:
        root = prefix_root(full, k)
        ref = measure("reference", oa.reference(root), env)
        stage = measure("stage", oa.stage_only(root), env)
        n = int(per * k)
        lines.append(f"| {k} | {n:,} | {ref.seconds:.1f} | {stage.seconds:.1f} | {n / stage.seconds:,.0f} | "
                     f"{stage.seconds / ref.seconds:.2f}x | {stage.peak_mb:.0f} | {ref.peak_mb:.0f} |")
        print(lines[-1], f"  ({stage.output})", flush=True)
    print("\n## OpenAlex stage step, growing partition sets\n")
    print("\n".join(lines))
    if args.ingest:
        print("\n## Full ingest into DuckDB\n")
        for k in (ks[0], ks[-1]):
            db = args.dir / f"ingest_{k}.duckdb"
            for old in args.dir.glob(f"ingest_{k}.duckdb*"):
                old.unlink()
            m = measure(f"ingest {k} partitions", oa.ingest(prefix_root(full, k), db), env)
            print(f"- {k} partitions: {m.seconds:.1f} s, peak {m.peak_mb:.0f} MB: {m.output}", flush=True)


if __name__ == "__main__":
    main()
