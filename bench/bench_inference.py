"""Benchmark: whole inference + country flows vs a hand-written single-query DuckDB reference.

    .venv/bin/python bench/bench_inference.py --sizes 1e6,1e7 [--sizes 5e7] [--memory-limit 1GB] [--repeat 3]

For each size, synthetic observations (about 8 per researcher, careers with moves, co-affiliations
abroad and one-year visits) are generated directly as a DuckDB warehouse (not through CSV
ingest) and cached under --work. Then, each in a fresh subprocess (2 threads, the same DuckDB
memory limit), it measures:

- talentflow: ``run_inference`` (residence + events with the full typology, written to the
  warehouse) followed by ``flows(level='country')``;
- reference: ONE hand-written SQL query from observations to country flows by year (modal
  country per year, spells of at least two observed years, consecutive spells at different
  countries), without writing anything.

- scan floor: DuckDB reading the observation columns the steps use from a Parquet copy of the
  observations (written once beside the cached warehouse): the floor of any engine;
- store floor: copying the residence and events talentflow stored into new tables of the same
  warehouse (rolled back). ``talentflow infer`` must store them (``talentflow events``, ``rates``,
  ``orgs``... read them later), so no implementation of it, however fast its inference, can take
  less than reference + store floor; (reference + store floor) / reference is the best ratio
  reachable.

It prints wall time, peak resident memory of the subprocess (VmHWM, see ``measure.peak_mb``) and the ratios, how
many flows the two agree on (the flows are identical at the default parameters, which the
reference hard-codes), and talentflow's time per step: the steps that do the reference's work
(cyears to core) are also set beside it.
With ``--model``, the residence model (``infer --method hmm``) is measured too, beside the rules
and the reference (target: no slower than twice the rules).
Targets: talentflow within 1.2x of the reference's wall time; peak memory <= 1.5 GB at 50M rows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import peak_mb  # noqa: E402

REFERENCE_SQL = """
WITH
cy AS (
    SELECT researcher_id, year, country, sum(weight) AS w FROM observations
    WHERE country IS NOT NULL AND researcher_id IN (SELECT researcher_id FROM researchers WHERE identity = 'stable_id')
    GROUP BY ALL),
yt AS (SELECT researcher_id, year, sum(w) AS total, max(w) AS wmax FROM cy GROUP BY ALL HAVING sum(w) >= {min_evidence}),
c AS (SELECT cy.*, yt.total, cy.w >= yt.wmax - 1e-9 AS top FROM cy JOIN yt USING (researcher_id, year)),
yn AS (SELECT researcher_id, year, count(*) AS n_top, min(country) AS c1 FROM c WHERE top GROUP BY ALL),
nb AS (
    SELECT *, last_value(CASE WHEN n_top = 1 THEN c1 END IGNORE NULLS) OVER (
                  PARTITION BY researcher_id ORDER BY year ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pc,
              first_value(CASE WHEN n_top = 1 THEN c1 END IGNORE NULLS) OVER (
                  PARTITION BY researcher_id ORDER BY year ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS nc
    FROM yn),
yr AS (  -- the modal country; a tie goes to the next decided year's country, then the previous one's
    SELECT nb.researcher_id, nb.year, arg_min(c.country, (
               CASE WHEN c.country = nb.nc THEN 0 WHEN c.country = nb.pc THEN 1 ELSE 2 END, c.country)) AS country
    FROM nb JOIN c ON c.researcher_id = nb.researcher_id AND c.year = nb.year AND c.top GROUP BY ALL),
s AS (
    SELECT *, sum(brk) OVER (PARTITION BY researcher_id ORDER BY year ROWS UNBOUNDED PRECEDING) AS spell
    FROM (SELECT *, CASE WHEN country IS DISTINCT FROM lag(country) OVER (PARTITION BY researcher_id ORDER BY year)
                         THEN 1 ELSE 0 END AS brk FROM yr)),
sp AS (SELECT researcher_id, spell, any_value(country) AS country, min(year) AS fy, max(year) AS ly, count(*) AS n
       FROM s GROUP BY ALL),
sp1 AS (  -- short stays between two spells at the same country come out
    SELECT *, coalesce(lag(country) OVER w = lead(country) OVER w AND (n < {m} OR ly - fy + 1 <= {window}), FALSE) AS stay
    FROM sp WINDOW w AS (PARTITION BY researcher_id ORDER BY spell)),
k AS (
    SELECT *, sum(brk) OVER (PARTITION BY researcher_id ORDER BY spell ROWS UNBOUNDED PRECEDING) AS s2
    FROM (SELECT *, CASE WHEN country IS DISTINCT FROM lag(country) OVER (PARTITION BY researcher_id ORDER BY spell)
                         THEN 1 ELSE 0 END AS brk FROM sp1 WHERE NOT stay)),
mg AS (SELECT researcher_id, s2, any_value(country) AS country, min(fy) AS fy, max(ly) AS ly, sum(n) AS n
       FROM k GROUP BY ALL),
mg1 AS (SELECT *, lag(country) OVER w AS pc, lead(country) OVER w AS nc, lag(ly) OVER w AS pl, lead(fy) OVER w AS nf
        FROM mg WINDOW w AS (PARTITION BY researcher_id ORDER BY s2)),
cl AS (  -- evidence: own years plus neighbouring boundary years where the country holds boundary_share
    SELECT mg1.*, CASE
        WHEN n + (a.w IS NOT NULL)::INT + (b.w IS NOT NULL)::INT >= {m} THEN 'core'
        WHEN pc IS NULL AND (nc IS NULL OR n + (a.w IS NOT NULL)::INT + (b.w IS NOT NULL)::INT >= {mo}) THEN 'core'
        WHEN pc IS NULL OR nc IS NULL OR pc = nc THEN 'other' ELSE 'ambiguous' END AS ep
    FROM mg1
    LEFT JOIN c a ON a.researcher_id = mg1.researcher_id AND a.year = mg1.pl AND a.country = mg1.country
         AND a.w >= {bs} * a.total - 1e-9
    LEFT JOIN c b ON b.researcher_id = mg1.researcher_id AND b.year = mg1.nf AND b.country = mg1.country
         AND b.w >= {bs} * b.total - 1e-9),
core AS (
    SELECT researcher_id, ci, any_value(country) AS country, min(fy) AS fy, max(ly) AS ly
    FROM (SELECT *, sum(brk) OVER (PARTITION BY researcher_id ORDER BY s2 ROWS UNBOUNDED PRECEDING) AS ci
          FROM (SELECT *, CASE WHEN country IS DISTINCT FROM lag(country) OVER (PARTITION BY researcher_id ORDER BY s2)
                               THEN 1 ELSE 0 END AS brk FROM cl WHERE ep = 'core'))
    GROUP BY ALL),
mv AS (SELECT researcher_id, ci, lag(country) OVER w AS origin, country AS destination, lag(ly) OVER w AS yf,
              fy AS year FROM core WINDOW w AS (PARTITION BY researcher_id ORDER BY ci)),
chain AS (  -- a short spell at a third country, with room for a persisting stay, makes the move ambiguous
    SELECT DISTINCT m.researcher_id, m.ci FROM mv m JOIN cl a ON a.researcher_id = m.researcher_id
        AND a.ep = 'ambiguous' AND a.fy > m.yf AND a.fy < m.year AND a.country <> m.destination
        AND a.country <> m.origin AND a.nf - a.pl - 1 >= {m})
SELECT origin, destination, year, count(*) AS count
FROM mv ANTI JOIN chain USING (researcher_id, ci) WHERE origin IS NOT NULL GROUP BY ALL ORDER BY ALL
"""

GENERATE_SQL = """
CREATE TABLE countries_list AS
    SELECT * FROM (VALUES ('USA'),('CHN'),('GBR'),('DEU'),('CAN'),('FRA'),('JPN'),('KOR'),('IND'),('CHE'),('AUS'),
                          ('ITA'),('NLD'),('SGP'),('ESP'),('ISR'),('SWE'),('BRA'),('HKG'),('TWN')) t(iso3);
CREATE TABLE clist AS SELECT row_number() OVER () - 1 AS k, iso3 FROM countries_list;
CREATE TABLE careers AS
    SELECT r AS rid, 'r' || r AS researcher_id,
           hash(r, 1) % 20 AS home, hash(r, 2) % 20 AS abroad,
           1995 + hash(r, 3) % 20 AS start_year,
           CASE WHEN hash(r, 4) % 100 < 25 THEN 2000 + hash(r, 5) % 25 ELSE 9999 END AS move_year
    FROM range({n_res}) t(r);
INSERT INTO observations
    SELECT c.researcher_id, 'w' || i AS work_id, y AS year,
           'inst' || (CASE WHEN cc = c.home THEN c.home * 10 + hash(i, 8) % 3 ELSE cc * 10 END) AS institution_id,
           cl.iso3 AS country, 'upstream' AS country_rule, 'upstream' AS place_rule, NULL AS city, NULL AS hub,
           NULL AS stage,
           1.0 AS weight, 0 AS aff_seq, 'bench' AS source, 'bench' AS file
    FROM (
        SELECT i, i // 8 AS rid, y,
               CASE WHEN hash(i, 6) % 100 < 4 THEN hash(i, 7) % 20            -- visits and co-affiliations
                    WHEN y >= mv THEN ab ELSE hm END AS cc
        FROM (SELECT i, c.start_year + (hash(i, 9) % 12)::INTEGER AS y, c.move_year AS mv, c.home AS hm,
                     c.abroad AS ab
              FROM range({n}) t(i) JOIN careers c ON c.rid = i // 8)
    ) o JOIN careers c ON c.rid = o.rid JOIN clist cl ON cl.k = o.cc;
INSERT INTO researchers SELECT researcher_id, researcher_id, 'bench', NULL, 'stable_id' FROM careers;
INSERT INTO institutions SELECT DISTINCT institution_id, institution_id, 'education', NULL, NULL, NULL, NULL, NULL
    FROM observations;
"""


def reference_sql() -> str:
    """The reference query with the default parameters' values (it implements the default rules only)."""
    from talentflow.inference.params import InferenceParams

    p = InferenceParams()
    assert (p.tie_break, p.chain_rule, p.padding, p.identity) == ("next", "room", "carry_forward", "stable_id"), p
    return REFERENCE_SQL.format(min_evidence=p.min_evidence, m=p.min_spell_years, mo=p.min_origin_years,
                                window=p.temporary_window, bs=p.boundary_share)


def generate(path: Path, n: int) -> None:
    from talentflow.store.warehouse import Warehouse

    with Warehouse(path) as wh:
        wh.execute("SET threads = 2")
        for stmt in GENERATE_SQL.format(n=n, n_res=n // 8 + 1).split(";\n"):
            if stmt.strip():
                wh.execute(stmt)
        for t in ("countries_list", "clist", "careers"):
            wh.execute(f"DROP TABLE {t}")
        wh.execute("CHECKPOINT")


def child(mode: str, path: str, memory_limit: str, tmp: str) -> None:
    """Run one measurement in this (fresh) process; print JSON. ``generate:N``: make the cached
    warehouse of N observations (if missing) and its Parquet copy."""
    from talentflow.store.warehouse import Warehouse

    Path(tmp).mkdir(parents=True, exist_ok=True)  # DuckDB's spill folder and the flows CSVs
    if mode.startswith("generate:"):
        if not Path(path).exists():
            generate(Path(path), int(mode.partition(":")[2]))
        with Warehouse(path) as wh:
            wh.execute(f"COPY observations TO '{Path(path).with_suffix('.parquet')}' (FORMAT parquet)")
        return

    with Warehouse(path) as wh:
        wh.execute("SET threads = 2")
        wh.execute(f"SET memory_limit = '{memory_limit}'")
        wh.execute(f"SET temp_directory = '{tmp}'")
        wh.execute("SET preserve_insertion_order = false")
        if mode == "scan":  # the floor: read the columns the steps use
            parquet = Path(path).with_suffix(".parquet")
            t0 = time.perf_counter()
            n = wh.execute("SELECT count(*), sum(length(researcher_id)), sum(year), count(country), "
                           f"count(institution_id), count(hub), sum(weight) FROM read_parquet('{parquet}')")[0][0]
            print(json.dumps({"seconds": time.perf_counter() - t0, "rows": n}))
            return
        if mode == "store":  # the results the talentflow run stored, copied (then rolled back)
            wh.con.begin()
            try:
                t0 = time.perf_counter()
                n = sum(wh.execute(f"CREATE TABLE _copy_{t} AS SELECT * FROM {t}")[0][0] for t in ("residence", "events"))
                seconds = time.perf_counter() - t0
            finally:
                wh.con.rollback()
            print(json.dumps({"seconds": seconds, "rows": n}))
            return
        for table in ("residence", "events", "inference_runs"):  # results of an earlier run: start clean
            wh.execute(f"DROP TABLE IF EXISTS {table}")
        wh.execute("CHECKPOINT")
        t0 = time.perf_counter()
        if mode in ("talentflow", "model"):
            from talentflow.inference.params import InferenceParams
            from talentflow.inference.run import run_inference
            from talentflow.metrics.common import select
            from talentflow.metrics.flows import flows

            summary = run_inference(wh, InferenceParams(method="hmm" if mode == "model" else "rules"))
            out = flows(wh, select(wh, summary.params_id))
            steps = {k.removeprefix("_inf_"): v for k, v in summary.step_seconds.items()}
        else:
            steps = {}
            out = wh.query(reference_sql())
        seconds = time.perf_counter() - t0
    peak = peak_mb()
    cells = out[["origin", "destination", "year", "count"]].astype({"year": "int64", "count": "int64"})
    cells.sort_values(["origin", "destination", "year"]).to_csv(Path(tmp) / f"{mode}_flows.csv", index=False)
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "flows": int(out["count"].sum()), "cells": len(out),
                      "steps": steps}))


def measure(mode: str, path: Path, memory_limit: str, tmp: Path, repeat: int = 1) -> dict:
    """The run of median wall time among ``repeat`` fresh-process runs."""
    runs = sorted((measure_once(mode, path, memory_limit, tmp) for _ in range(repeat)), key=lambda r: r["seconds"])
    return runs[len(runs) // 2]


def measure_once(mode: str, path: Path, memory_limit: str, tmp: Path) -> dict:
    res = subprocess.run([sys.executable, __file__, "--child", mode, str(path), memory_limit, str(tmp)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


REFERENCE_STEPS = ("cyears", "oyears", "rspells", "mspells", "core")  # the steps doing the reference's work


def steps_line(steps: dict) -> str:
    """"1 batches, cyears 0.4 s, ..." from talentflow's step times."""
    return ", ".join(f"{v} batches" if k == "batches" else f"{k} {v:.1f} s" for k, v in steps.items())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--memory-limit", default="1GB")
    ap.add_argument("--work", default="/tmp/talentflow-bench")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is reported")
    ap.add_argument("--child", nargs=4)
    ap.add_argument("--model", action="store_true", help="also the residence model (infer --method hmm)")
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(args.work)
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    rows = []
    for size in (int(float(s)) for s in args.sizes.split(",")):
        db = work / f"obs_{size}.duckdb"
        # generated in a subprocess: on Linux a child's peak RSS includes its parent's RSS at the fork,
        # so the parent must stay small for the measurements below
        if not db.exists() or not db.with_suffix(".parquet").exists():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--child", f"generate:{size}", str(db), args.memory_limit,
                            str(work / "tmp")], check=True)
            print(f"generated {size:,} observations in {time.perf_counter() - t0:.1f} s -> {db}", flush=True)
        scan = measure("scan", db, args.memory_limit, work / "tmp", args.repeat)
        ref = measure("reference", db, args.memory_limit, work / "tmp", args.repeat)
        tf = measure("talentflow", db, args.memory_limit, work / "tmp", args.repeat)
        store = measure("store", db, args.memory_limit, work / "tmp", args.repeat)
        model = measure("model", db, args.memory_limit, work / "tmp", args.repeat) if args.model else None
        print(f"{size:>12,} rows  talentflow steps: {steps_line(tf['steps'])}", flush=True)
        if model:
            print(f"{size:>12,} rows  residence model (--method hmm) {model['seconds']:7.1f} s {model['peak_mb']:7.0f} MB: "
                  f"{model['seconds'] / tf['seconds']:.2f}x the rules, {model['seconds'] / ref['seconds']:.2f}x the "
                  f"reference; moves {model['flows']:,}; steps: {steps_line(model['steps'])}", flush=True)
        same = ((work / "tmp" / "talentflow_flows.csv").read_text()
                == (work / "tmp" / "reference_flows.csv").read_text())
        r = {"time": tf["seconds"] / ref["seconds"], "best": (ref["seconds"] + store["seconds"]) / ref["seconds"],
             "steps": sum(tf["steps"].get(k, 0.0) for k in REFERENCE_STEPS)}
        rows.append((size, tf, ref, store, scan, same, r))
        print(f"{size:>12,} rows  talentflow {tf['seconds']:7.1f} s {tf['peak_mb']:7.0f} MB  "
              f"reference {ref['seconds']:7.1f} s {ref['peak_mb']:7.0f} MB  "
              f"time ratio {r['time']:.2f}x  memory ratio {tf['peak_mb'] / ref['peak_mb']:.2f}x  "
              f"moves {tf['flows']:,} vs {ref['flows']:,}, flows identical: {same}", flush=True)
        print(f"{size:>12,} rows  scan floor {scan['seconds']:.1f} s (reference / scan {ref['seconds'] / scan['seconds']:.1f}x, "
              f"talentflow / scan {tf['seconds'] / scan['seconds']:.1f}x)", flush=True)
        print(f"{size:>12,} rows  store floor {store['seconds']:.1f} s ({store['rows']:,} rows): best reachable ratio "
              f"{r['best']:.2f}x; talentflow's steps cyears..core {r['steps']:.1f} s = "
              f"{r['steps'] / ref['seconds']:.2f}x the reference", flush=True)
    print("\n| rows | talentflow s | reference s | time ratio | talentflow peak MB | reference peak MB | moves | "
          "flows identical | scan floor s | store floor s | best reachable ratio | steps cyears..core / reference |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for size, tf, ref, store, scan, same, r in rows:
        print(f"| {size:,} | {tf['seconds']:.1f} | {ref['seconds']:.1f} | {r['time']:.2f} | "
              f"{tf['peak_mb']:.0f} | {ref['peak_mb']:.0f} | {tf['flows']:,} / {ref['flows']:,} | "
              f"{'yes' if same else 'NO'} | {scan['seconds']:.2f} | {store['seconds']:.1f} | "
              f"{r['best']:.2f} | {r['steps'] / ref['seconds']:.2f} |")


if __name__ == "__main__":
    main()
