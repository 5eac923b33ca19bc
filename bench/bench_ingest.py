"""Full-mirror paperlists ingest against a reference measured in the same run.

References: (1) plain `json.load` of the same 246 gzipped files (the floor: reading the input);
(2) the talentflow stage step alone (parse + align, no resolution, no warehouse).
Run: `.venv/bin/python bench/bench_ingest.py` with TALENTFLOW_MIRROR set (default ../shared/data).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import compare, measure  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MIRROR = os.environ.get("TALENTFLOW_MIRROR") or str(REPO.parent / "shared" / "data")

JSON_LOAD = f"""
import glob, gzip, json
n = 0
for p in sorted(glob.glob({MIRROR!r} + "/paperlists/*/*.json*")):
    with gzip.open(p) if p.endswith(".gz") else open(p, "rb") as fh:
        n += len(json.load(fh))
print(n, "records")
"""

STAGE_ONLY = """
import os
from talentflow.ingest.paperlists import PaperlistsSource
src = PaperlistsSource()
n = 0
for raw in src.fetch(progress=False):
    n += len(src.stage(raw, raw.path.read_bytes()).authorships)
print(n, "authorships")
"""


def full_ingest(db: str) -> str:
    return f"""
from talentflow.api import ingest_paperlists
s = ingest_paperlists({db!r})
print(int(s.files["n_observations"].sum()), "observations")
"""


def main() -> None:
    env = {"TALENTFLOW_MIRROR": MIRROR}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        results = [
            measure("reference: json.load of the 246 files", JSON_LOAD, env, repeat=2),
            measure("talentflow stage step only", STAGE_ONLY, env),
            measure("talentflow ingest paperlists (full, into DuckDB)", full_ingest(db), env),
            measure("talentflow re-ingest (all unchanged)", full_ingest(db), env),
        ]
    print(compare("Full-mirror paperlists ingest", results))
    print()
    for m in results:
        print(f"- {m.label}: {m.output}")


if __name__ == "__main__":
    main()
