"""OpenAlex snapshot ingest on a synthetic snapshot, against references measured in the same run.

Generates a snapshot in OpenAlex's layout (``data/works/updated_date=.../part_NNN.gz``, one Work
object per line with authorships, institutions, topics, concepts, an abstract inverted index and
references, about 3 KB a line) with ``--works`` works (default 200,000) of which about
``--ai-share`` are AI works (primary topic in subfields 1702/1707), then measures, each in a
fresh process (wall time and peak RSS):

1. reference: gunzip + ``json.loads`` of every line (stdlib ``gzip``), the floor of any reader
   that parses everything;
2. the talentflow stage step alone (early byte filter, parse of candidate lines, mapping);
3. the full ingest into a DuckDB file (stage, resolve, store, publish), and its lines/second;
4. a re-ingest (every partition unchanged);
5. the full ingest of the same works in ONE partition: peak memory must not grow with the
   partition size (streamed in batches).

Run: ``.venv/bin/python bench/bench_openalex.py [--works 200000] [--partitions 4]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import compare, measure  # noqa: E402

P = "https://openalex.org/"
REAL = [("Tsinghua University", "CN", "education"), ("Peking University", "CN", "education"),
        ("Stanford University", "US", "education"), ("Massachusetts Institute of Technology", "US", "education"),
        ("Carnegie Mellon University", "US", "education"), ("University of Toronto", "CA", "education"),
        ("Google (United States)", "US", "company"), ("Microsoft Research Asia (China)", "CN", "company"),
        ("Meta (United States)", "US", "company"), ("DeepMind (United Kingdom)", "GB", "company"),
        ("University of Oxford", "GB", "education"), ("ETH Zurich", "CH", "education"),
        ("Chinese University of Hong Kong", "HK", "education"), ("National Taiwan University", "TW", "education"),
        ("Korea Advanced Institute of Science and Technology", "KR", "education"), ("University of Tokyo", "JP", "education"),
        ("Indian Institute of Science Bangalore", "IN", "education"), ("Max Planck Society", "DE", "nonprofit"),
        ("Inria", "FR", "government"), ("Charité - Universitätsmedizin Berlin", "DE", "healthcare")]
COUNTRIES = ["US", "CN", "GB", "DE", "FR", "JP", "KR", "IN", "CA", "IT", "ES", "BR", "AU", "NL", "CH", "SE", "IR", "TR", "SG", "IL"]
TYPES = ["education"] * 6 + ["company", "government", "facility", "nonprofit", "healthcare", "other"]
SUBFIELDS = [("1702", "Artificial Intelligence", "17", "Computer Science"),
             ("1707", "Computer Vision and Pattern Recognition", "17", "Computer Science"),
             ("2713", "Epidemiology", "27", "Medicine"), ("1710", "Information Systems", "17", "Computer Science"),
             ("2207", "Control and Systems Engineering", "22", "Engineering"), ("1312", "Molecular Biology", "13", "Biochemistry"),
             ("3304", "Education", "33", "Social Sciences"), ("2505", "Materials Chemistry", "25", "Materials Science")]
VOCAB = ("model learning data network neural method results performance task training approach propose show "
         "deep images features graph language using based two new state art benchmark experiments").split()


def _institutions(rng: random.Random, n: int = 3000) -> list[dict]:
    out = []
    for i in range(n):
        name, cc, typ = REAL[i] if i < len(REAL) else (f"University of Place {i}", rng.choice(COUNTRIES), rng.choice(TYPES))
        out.append({"id": f"{P}I{1000 + i}", "display_name": name, "ror": f"https://ror.org/0{i:07d}",
                    "country_code": cc, "type": typ, "lineage": [f"{P}I{1000 + i}"]})
    return out


def _topic(rng: random.Random, ai_share: float) -> dict:
    sub = SUBFIELDS[rng.randrange(2)] if rng.random() < ai_share else rng.choice(SUBFIELDS[2:])
    return {"id": f"{P}T1{rng.randrange(4500):04d}", "display_name": f"Topic in {sub[1]}", "score": round(rng.random(), 4),
            "subfield": {"id": f"{P}subfields/{sub[0]}", "display_name": sub[1]},
            "field": {"id": f"{P}fields/{sub[2]}", "display_name": sub[3]},
            "domain": {"id": f"{P}domains/3", "display_name": "Physical Sciences"}}


def work(i: int, rng: random.Random, insts: list[dict], ai_share: float) -> dict:
    year = rng.randint(1995, 2024)
    primary = _topic(rng, ai_share)
    authorships = []
    for pos in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 8])):
        chosen = rng.sample(insts, rng.choice([1, 1, 1, 1, 2]) if rng.random() > 0.05 else 0)
        raw = [f"Dept. of Computing, {x['display_name']}, City {rng.randrange(50)}" for x in chosen]
        authorships.append({
            "author_position": "first" if pos == 0 else "middle", "is_corresponding": pos == 0,
            "author": {"id": f"{P}A5{rng.randrange(400_000):09d}", "display_name": f"Author {rng.randrange(10**6)}", "orcid": None},
            "institutions": chosen, "countries": sorted({x["country_code"] for x in chosen}),
            "raw_author_name": "A. Author", "raw_affiliation_strings": raw,
            "affiliations": [{"raw_affiliation_string": r, "institution_ids": [x["id"]]} for r, x in zip(raw, chosen)]})
    words: dict[str, list[int]] = {}
    for k in range(rng.randint(60, 160)):
        words.setdefault(rng.choice(VOCAB), []).append(k)
    return {
        "id": f"{P}W4{i:09d}", "doi": f"https://doi.org/10.9999/{i}", "title": f"Synthetic work {i}",
        "display_name": f"Synthetic work {i}", "publication_year": year, "publication_date": f"{year}-03-01",
        "type": "article", "language": "en",
        "primary_location": {"is_oa": False, "landing_page_url": None, "pdf_url": None, "license": None, "version": None,
                             "source": {"id": f"{P}S{rng.randrange(500)}", "display_name": f"Venue {rng.randrange(500)}",
                                        "issn_l": None, "type": "journal"}},
        "authorships": authorships, "cited_by_count": rng.randrange(200), "is_retracted": False, "is_paratext": False,
        "primary_topic": primary if year >= 2000 else None, "topics": [primary] if year >= 2000 else [],
        "concepts": [{"id": f"{P}C{154945302 if rng.random() < ai_share else 41008148}", "display_name": "c",
                      "level": 1, "score": round(rng.random(), 3)} for _ in range(3)],
        "abstract_inverted_index": words, "referenced_works": [f"{P}W{rng.randrange(10**9)}" for _ in range(rng.randrange(40))],
        "updated_date": "2024-01-15T00:00:00", "created_date": "2016-06-24",
    }


def generate(root: Path, n_works: int, n_partitions: int, ai_share: float, seed: int = 7) -> tuple[int, int]:
    """Write the snapshot; return (lines, compressed bytes)."""
    rng = random.Random(seed)
    insts = _institutions(rng)
    per = -(-n_works // n_partitions)
    size = 0
    for p in range(n_partitions):
        path = root / "data" / "works" / f"updated_date=2024-01-{15 + p:02d}" / "part_000.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wb", compresslevel=5) as fh:
            for i in range(p * per, min(n_works, (p + 1) * per)):
                fh.write(json.dumps(work(i, rng, insts, ai_share), separators=(",", ":")).encode() + b"\n")
        size += path.stat().st_size
    return n_works, size


def reference(root: Path) -> str:
    return f"""
import glob, gzip, json
n = 0
for p in sorted(glob.glob({str(root)!r} + "/data/works/*/*.gz")):
    with gzip.open(p, "rb") as fh:
        for line in fh:
            json.loads(line)
            n += 1
print(n, "lines parsed")
"""


def stage_only(root: Path) -> str:
    return f"""
import time
from pathlib import Path
from talentflow.ingest.openalex import SnapshotSource
src = SnapshotSource(Path({str(root)!r}))
t = time.perf_counter()
n = 0
for raw in src.fetch():
    for batch in src.stage_stream(raw):
        n += len(batch.affiliations)
s = src.stats
print(f"{{s.lines}} lines, {{s.kept}} AI works kept, {{s.filtered}} filtered, {{n}} affiliation rows; "
      f"{{s.lines / (time.perf_counter() - t):,.0f}} lines/s")
"""


def ingest(root: Path, db: Path) -> str:
    return f"""
from talentflow.api import ingest_openalex
r = ingest_openalex({str(db)!r}, {str(root)!r})
files = r.ingest.files
print(f"{{r.lines}} lines, {{r.kept}} AI works, {{int(files['n_observations'].sum())}} observations, "
      f"statuses {{files['status'].value_counts().to_dict()}}; {{r.lines_per_second:,.0f}} lines/s, "
      f"{{r.kept_per_second:,.0f}} AI works/s")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--ai-share", type=float, default=0.3)
    ap.add_argument("--dir", type=Path, default=None, help="Keep the generated snapshot here (default: a temp dir).")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.dir or Path(tmp)
        many, one = base / "snapshot", base / "snapshot_one_partition"
        t = time.perf_counter()
        lines, size = generate(many, args.works, args.partitions, args.ai_share)
        generate(one, args.works, 1, args.ai_share)
        print(f"generated {lines:,} works in {args.partitions} partition(s) ({size / 1e6:,.0f} MB gzipped) "
              f"and again in 1 partition, in {time.perf_counter() - t:.0f} s\n")
        env = {"TALENTFLOW_HOME": str(base / "home")}
        for db in base.glob("*.duckdb*"):  # measure fresh ingests, also in a kept --dir
            db.unlink()
        results = [
            measure("reference: gunzip + json.loads of every line", reference(many), env),
            measure("talentflow stage step only", stage_only(many), env),
            measure(f"talentflow ingest openalex ({args.partitions} partitions, into DuckDB)", ingest(many, base / "a.duckdb"), env),
            measure("talentflow re-ingest (all unchanged)", ingest(many, base / "a.duckdb"), env),
            measure("talentflow ingest openalex (1 partition, into DuckDB)", ingest(one, base / "b.duckdb"), env),
        ]
    print(compare(f"OpenAlex snapshot ingest, {args.works:,} synthetic works", results))
    print()
    for m in results:
        print(f"- {m.label}: {m.output}")


if __name__ == "__main__":
    main()
