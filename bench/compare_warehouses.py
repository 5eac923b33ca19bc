"""Same input, same warehouse: two fresh builds of the mirror and a re-ingest give identical tables.

    TALENTFLOW_MIRROR=/work/shared/data .venv/bin/python bench/compare_warehouses.py [--work DIR] [--venues icra,iros]

Builds warehouse A and warehouse B from scratch (`talentflow ingest paperlists`, each in its own
process), then copies A to A2 and ingests the unchanged mirror into A2 again. For every canonical
table it counts the rows of ``A EXCEPT B`` and ``B EXCEPT A`` (and likewise A vs A2), leaving out
the columns that name the run (``run_id``, ``ingested_at``), which differ by design between two
builds. Prints one line per table and pair and exits 1 if any count is not 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

RUN_COLUMNS = {"run_id", "ingested_at"}


def build(db: Path, venues: str | None) -> None:
    args = [sys.executable, "-c", "from talentflow.cli import main; main()", "ingest", "paperlists", "--db", str(db)]
    if venues:
        args += ["--venues", venues]
    subprocess.run(args, check=True, env=os.environ)


def compare(a: Path, b: Path, label: str) -> int:
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' AND NOT starts_with(table_name, '_') "
        "ORDER BY table_name").fetchall()]
    bad = 0
    for t in tables:
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND table_name = ? ORDER BY column_index",
            [t]).fetchall() if r[0] not in RUN_COLUMNS]
        sel = ", ".join(f'"{c}"' for c in cols)
        n_a = con.execute(f"SELECT count(*) FROM a.{t}").fetchone()[0]
        n_b = con.execute(f"SELECT count(*) FROM b.{t}").fetchone()[0]
        # EXCEPT ALL: a row present twice in one and once in the other counts too
        ab = con.execute(f"SELECT count(*) FROM (SELECT {sel} FROM a.{t} EXCEPT ALL SELECT {sel} FROM b.{t})").fetchone()[0]
        ba = con.execute(f"SELECT count(*) FROM (SELECT {sel} FROM b.{t} EXCEPT ALL SELECT {sel} FROM a.{t})").fetchone()[0]
        bad += ab + ba
        print(f"{label:<22} {t:<14} rows {n_a:>9,} / {n_b:>9,}   A-B {ab:>6}   B-A {ba:>6}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--venues", default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tf-determinism-"))
    work.mkdir(parents=True, exist_ok=True)
    a, b, a2 = work / "a.duckdb", work / "b.duckdb", work / "a2.duckdb"
    for p in (a, b, a2):
        p.unlink(missing_ok=True)
    build(a, args.venues)
    build(b, args.venues)
    shutil.copy(a, a2)
    build(a2, args.venues)  # re-ingest of the unchanged mirror: every file skipped, derived steps run again
    bad = compare(a, b, "fresh A vs fresh B") + compare(a, a2, "A vs A re-ingested")
    print("identical" if bad == 0 else f"DIFFERENT: {bad} row(s)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
