"""Scale: the relational pipeline (staging -> residence -> events -> country flows) on synthetic
warehouses of 1M / 10M / 50M observation rows, on DuckDB and on Spark.

    .venv/bin/python bench/bench_scale.py                      # 1M and 10M, Spark at 1M
    .venv/bin/python bench/bench_scale.py --rows 50M --no-spark
    .venv/bin/python bench/bench_scale.py --rows 1M --spark-rows 1M,10M

Each size is generated once under --data (bench/generate.py; not timed). Every measurement runs
in a fresh process (wall seconds, peak resident memory of the process and its children, so a
Spark driver JVM counts), beside references measured in the same run:

- ``parquet scan`` (the floor): DuckDB reads the observation columns the steps use from Parquet;
- ``hand-written DuckDB``: one query from the same warehouse file: modal country per
  researcher-year, a move when it changes, counted per origin, destination and year;
- ``talentflow duckdb``: the full rules (evidence, ties, spells, temporary stays, padding,
  typology, institution and sector moves, travelers) via ``RelationalRun``, then country flows;
- ``talentflow spark local[1]`` / ``local[2]``: the same steps on Spark (Parquet hand-over included);
- ``spark start-up``: a SparkSession started and stopped (the JVM's fixed cost, part of every Spark run).

``--task infer`` measures the user's command instead of flows: ``talentflow infer`` (DuckDB,
``run_inference``) against ``talentflow infer --engine spark`` (``engines_api.infer``: the steps on
Spark, residence and events written back into the warehouse through Parquet), each on a fresh copy
of the warehouse (copied before the timed process starts).

    .venv/bin/python bench/bench_scale.py --rows 1M,10M --spark-rows 1M,10M --task infer

Ratios are against the hand-written DuckDB query. Targets (issue 7): talentflow duckdb within
1.2x of it; peak memory <= 1.5 GB at 50M rows (DuckDB gets ``--memory-limit``, 1GB by default,
and spills beyond it; the reference gets the same limit).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import Measurement, measure_tree  # noqa: E402

FLOOR = """
import duckdb
con = duckdb.connect()
con.execute("SET memory_limit = '{limit}'")
print(con.execute("SELECT count(*), sum(length(researcher_id)), sum(year), count(country), count(institution_id), "
                  "count(hub), sum(weight) FROM read_parquet('{data}/observations.parquet')").fetchall())
"""

REFERENCE = """
import duckdb
con = duckdb.connect('{data}/warehouse.duckdb', read_only=True)
con.execute("SET memory_limit = '{limit}'")
con.execute("SET enable_progress_bar = false")
rows = con.execute('''
    WITH cy AS (SELECT researcher_id, year, country, sum(weight) AS w FROM observations
                WHERE country IS NOT NULL GROUP BY ALL),
    m AS (SELECT researcher_id, year, arg_max(country, (w, country)) AS country FROM cy GROUP BY ALL),
    l AS (SELECT *, lag(country) OVER (PARTITION BY researcher_id ORDER BY year) AS prev FROM m)
    SELECT prev AS origin, country AS destination, year, count(*) AS n FROM l
    WHERE prev <> country GROUP BY ALL ORDER BY ALL''').fetchall()
print(len(rows), "flows", sum(r[3] for r in rows), "moves")
"""

TALENTFLOW = """
from talentflow.engines import EngineParams
from talentflow.engines.relational import RelationalRun
from talentflow.inference.params import InferenceParams
from talentflow.metrics.common import Selection
from talentflow.metrics.flows import FlowParams
from talentflow.store.warehouse import Warehouse
ep = EngineParams(engine='{engine}', spark_master='{master}', duckdb_memory_limit='{limit}', driver_memory='{driver}')
with Warehouse('{data}/warehouse.duckdb', read_only=True) as wh, RelationalRun(wh, ep) as run:
    out = run.flows(InferenceParams(identity='all'), Selection('bench'), FlowParams(level='country'))
print(len(out), "flows", int(out['count'].sum()), "moves")
"""


INFER = """
from talentflow import engines_api
from talentflow.engines import EngineParams
from talentflow.inference.params import InferenceParams
from talentflow.store.warehouse import Warehouse
ep = EngineParams(engine='{engine}', spark_master='{master}', driver_memory='{driver}')
with Warehouse('{scratch}') as wh:
    wh.execute("SET memory_limit = '{limit}'")
    s = engines_api.infer(wh, InferenceParams(identity='all'), engine_params=ep)
print(s.n_residence, "residence rows", s.n_events, "events")
"""

SPARK_START = """
from talentflow.engines import EngineParams
from talentflow.engines.spark import spark_session
spark_session(EngineParams(engine='spark', spark_master='{master}', driver_memory='{driver}')).stop()
print("started and stopped")
"""


def scratch_copy(data: Path) -> Path:
    """A fresh copy of the warehouse for a run that writes (infer); the copy is not timed."""
    target = data / "scratch.duckdb"
    target.unlink(missing_ok=True)
    shutil.copyfile(data / "warehouse.duckdb", target)
    return target


def parse_rows(text: str) -> list[int]:
    out = []
    for item in text.split(","):
        item = item.strip().upper()
        mult = {"K": 1_000, "M": 1_000_000}.get(item[-1:], 1)
        out.append(int(float(item.rstrip("KM")) * mult))
    return out


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def ensure_data(root: Path, n: int) -> Path:
    data = root / f"syn_{label(n)}"
    if not (data / "warehouse.duckdb").is_file() or not (data / "observations.parquet").is_file():
        from generate import generate

        info = generate(n, data)
        print(f"generated {info['observations']:,} observations in {data}", flush=True)
    return data


def table(title: str, results: list[Measurement], ref: Measurement) -> str:
    lines = [f"## {title}", "", "| run | wall s | x hand-written | peak MB | x hand-written | output |",
             "|---|---:|---:|---:|---:|---|"]
    for m in results:
        lines.append(f"| {m.label} | {m.seconds:.1f} | {m.seconds / ref.seconds:.2f}x | {m.peak_mb:.0f} | "
                     f"{m.peak_mb / ref.peak_mb:.2f}x | {m.output.splitlines()[-1] if m.output else ''} |")
    return "\n".join(lines)


def run_talentflow(task: str, engine: str, master: str, fill: dict) -> Measurement:
    name = "talentflow " + (engine if engine == "duckdb" else f"spark {master}") + (" infer" if task == "infer" else "")
    if task == "infer":
        return measure_tree(name, INFER.format(engine=engine, master=master, scratch=scratch_copy(fill["data"]), **fill))
    return measure_tree(name, TALENTFLOW.format(engine=engine, master=master, **fill))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="1M,10M", help="Sizes for DuckDB, e.g. 1M,10M,50M.")
    ap.add_argument("--spark-rows", default="1M", help="Sizes also run on Spark (each --spark-masters).")
    ap.add_argument("--spark-masters", default="local[1],local[2]", help="Spark masters to compare (the first is the "
                                                                         "base of the speed-up).")
    ap.add_argument("--task", default="flows", choices=("flows", "infer"),
                    help="flows: steps -> country flows, nothing written; infer: `talentflow infer [--engine spark]`, "
                         "residence and events written into a copy of the warehouse.")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "talentflow_bench")
    ap.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit for the reference and talentflow.")
    ap.add_argument("--driver-memory", default="2g", help="Spark driver heap.")
    args = ap.parse_args()
    sizes = parse_rows(args.rows)
    spark_sizes = [] if args.no_spark else parse_rows(args.spark_rows)
    masters = [m.strip() for m in args.spark_masters.split(",") if m.strip()]
    startup = None
    for n in sorted(set(sizes) | set(spark_sizes)):
        data = ensure_data(args.data, n)
        fill = dict(data=data, limit=args.memory_limit, driver=args.driver_memory)
        results = [measure_tree("parquet scan (floor)", FLOOR.format(**fill)),
                   measure_tree("hand-written DuckDB", REFERENCE.format(**fill))]
        ref = results[1]
        if n in sizes:
            results.append(run_talentflow(args.task, "duckdb", "local[*]", fill))
        if n in spark_sizes:
            if startup is None:
                startup = measure_tree(f"spark start-up ({masters[0]})", SPARK_START.format(master=masters[0], **fill))
            results.append(startup)
            for master in masters:
                results.append(run_talentflow(args.task, "spark", master, fill))
        print(table(f"{label(n)} observation rows, task {args.task} ({data})", results, ref), flush=True)
        spark = [m for m in results if m.label.startswith("talentflow spark")]
        duck = [m for m in results if m.label.startswith("talentflow duckdb")]
        if len(spark) >= 2:
            base = spark[0]
            for other in spark[1:]:
                print(f"\nSpark scaling {base.label} -> {other.label}: {base.seconds:.1f} s -> {other.seconds:.1f} s, "
                      f"speed-up {base.seconds / other.seconds:.2f}x; without start-up "
                      f"{(base.seconds - startup.seconds) / max(other.seconds - startup.seconds, 1e-9):.2f}x", flush=True)
        if spark and duck:
            for m in spark:
                print(f"{m.label} / {duck[0].label}: {m.seconds / duck[0].seconds:.1f}x wall, "
                      f"{m.peak_mb / duck[0].peak_mb:.1f}x peak memory", flush=True)
        if args.task == "infer":
            (data / "scratch.duckdb").unlink(missing_ok=True)
        print(flush=True)


if __name__ == "__main__":
    main()
