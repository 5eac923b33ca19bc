"""Peak memory of the three inputs of issue 15 item 9, each ingested by `talentflow` in a child process.

    .venv/bin/python bench/bench_ingest_memory.py [--src SRC] [--work DIR]

- ``--years 1-30000000`` on a one-file mirror;
- a gzip bomb: a 1.5 MB ``.json.gz`` that inflates to about 1.5 GB;
- a CSV of 500,000 rows (person, year, org, country).
Peak resident memory is "Maximum resident set size" of ``/usr/bin/time -v`` (the child's own
high-water mark). ``--src`` picks the code measured (default: this checkout's src/), so the same
script measures an older revision too: ``git archive <rev> src | tar -x -C /tmp/old`` then
``--src /tmp/old/src``. Prints a table: input, exit code, wall seconds, peak MB, last line of output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def make_inputs(work: Path) -> dict[str, tuple[list[str], dict]]:
    small = work / "small-mirror"
    f = small / "paperlists" / "corl" / "corl2021.json.gz"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(gzip.compress(json.dumps([{"id": "p1", "author": "A", "authorids": "~A1"}]).encode(), mtime=0))

    bomb = work / "bomb-mirror"
    b = bomb / "paperlists" / "corl" / "corl2021.json.gz"
    b.parent.mkdir(parents=True, exist_ok=True)
    if not b.is_file():
        with gzip.open(b, "wb", compresslevel=9) as out:  # written in chunks: the bomb is never in memory here
            out.write(b"[")
            chunk = b" " * (1 << 24)
            for _ in range(1536 // 16):  # 1.5 GiB of blanks
                out.write(chunk)
            out.write(b"]")

    big = work / "people-500k.csv"
    if not big.is_file():
        with open(big, "w") as out:
            out.write("person,year,org,country\n")
            for i in range(500_000):
                out.write(f"p{i % 120_000},{1990 + i % 35},Organization number {i % 5_000},{('US', 'GB', 'FR', 'CN')[i % 4]}\n")
    return {
        "--years 1-30000000": (["ingest", "paperlists", "--years", "1-30000000"], {"TALENTFLOW_MIRROR": str(small)}),
        f"gzip bomb ({b.stat().st_size / 1e6:.1f} MB .gz)": (["ingest", "paperlists"], {"TALENTFLOW_MIRROR": str(bomb)}),
        "CSV, 500,000 rows": (["ingest", "csv", str(big)], {}),
    }


def run(src: Path, args: list[str], env: dict, db: Path) -> tuple[int, float, float, str]:
    db.unlink(missing_ok=True)
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", "from talentflow.cli import main; main()", *args, "--db", str(db)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, **env, "PYTHONPATH": str(src), "COLUMNS": "200"})
    seconds = time.perf_counter() - start
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    peak = int(m.group(1)) / 1024 if m else float("nan")
    exit_m = re.search(r"Exit status: (\d+)", proc.stderr)
    code = int(exit_m.group(1)) if exit_m else proc.returncode
    text = [ln.strip() for ln in (proc.stdout + proc.stderr.split("\tCommand being timed")[0]).splitlines() if ln.strip()]
    last = next((ln for ln in reversed(text) if ln.startswith(("error", "ingested", "Traceback", "MemoryError"))),
                text[-1] if text else "")
    return code, seconds, peak, last[:160]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, default=HERE.parent / "src")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tf-bench-memory")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"code: {args.src}\n")
    print("| input | exit | wall s | peak MB | last line |\n|---|---:|---:|---:|---|")
    for label, (cli, env) in make_inputs(args.work).items():
        code, seconds, peak, last = run(args.src, cli, env, args.work / "w.duckdb")
        print(f"| {label} | {code} | {seconds:.1f} | {peak:,.0f} | {last.replace('|', '/')} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
