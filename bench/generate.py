"""Synthetic warehouse inputs at scale: N observation rows of simulated careers, as Parquet.

    .venv/bin/python bench/generate.py --rows 10_000_000 --out /tmp/tf_synth_10m

writes observations.parquet, researchers.parquet, institutions.parquet and countries.parquet
(the columns the relational steps read) under --out, and a DuckDB file ``warehouse.duckdb``
with the same tables (plain tables, no keys: what the benchmarks read). Careers are generated
by DuckDB itself, deterministically from --seed, so 50M rows take a minute or two and little
memory:

- a researcher is active 3..14 consecutive years from a start year from 1995, ending by 2025, with 1..3
  papers a year (about 18 observation rows per researcher on average, co-affiliations included);
- each year they move to another country with probability --move-rate (one of 60 countries,
  with a skew towards the first ones, as in real data), and change institution within the
  country with probability 0.1; 5 % of papers carry a second affiliation abroad (weight 0.5
  each), 3 % of rows have no country (unlocated).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

COUNTRIES = ("USA CHN GBR DEU FRA CAN JPN KOR IND AUS CHE NLD ITA ESP SGP ISR SWE HKG TWN BRA "
             "AUT BEL DNK FIN NOR IRL POL CZE PRT GRC TUR RUS IRN SAU ARE EGY ZAF NGA KEN MEX "
             "ARG CHL COL PER NZL MYS THA VNM IDN PHL PAK BGD LKA NPL HUN ROU UKR QAT LUX EST").split()
HUBS = {"USA": ["Bay Area", "Boston", "New York", "Seattle", "Pittsburgh"], "CHN": ["Beijing", "Shanghai", "Shenzhen"],
        "GBR": ["London", "Cambridge UK"], "DEU": ["Berlin", "Munich"], "FRA": ["Paris"], "CAN": ["Toronto", "Montreal"],
        "JPN": ["Tokyo"], "KOR": ["Seoul"], "IND": ["Bangalore"], "SGP": ["Singapore"], "ISR": ["Tel Aviv"]}
INST_PER_COUNTRY = 40
TYPES = ("education", "education", "education", "company", "government", "nonprofit")


def generate(rows: int, out: Path, seed: int = 7, move_rate: float = 0.08, threads: int | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    researchers = max(1, rows // 18)
    con = duckdb.connect(str(out / "warehouse.duckdb"))
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    nc = len(COUNTRIES)
    con.execute("CREATE OR REPLACE TABLE countries AS SELECT c.iso3, c.iso3 AS name, "
                "CASE WHEN c.i < 20 THEN 'High income' WHEN c.i < 40 THEN 'Middle income' ELSE 'Other' END AS wb_region "
                "FROM (SELECT unnest(?) AS iso3, unnest(range(?)) AS i) c", [list(COUNTRIES), nc])
    hub_rows = [(c, j, h) for c, hs in HUBS.items() for j, h in enumerate(hs)]
    con.execute("CREATE OR REPLACE TEMP TABLE hubs (iso3 VARCHAR, j INTEGER, hub VARCHAR)")
    con.executemany("INSERT INTO hubs VALUES (?, ?, ?)", hub_rows)
    con.execute(f"""
        CREATE OR REPLACE TABLE institutions AS
        SELECT c.iso3 || '-inst-' || k AS institution_id, c.iso3 || ' Institute ' || k AS name,
               list_extract(?, 1 + (hash(c.iso3, k) % {len(TYPES)})::INTEGER) AS type, c.iso3 AS country,
               CASE WHEN k % 10 = 9 THEN c.iso3 || '-inst-0' END AS parent_id,
               h.hub
        FROM countries c CROSS JOIN range({INST_PER_COUNTRY}) r(k)
        LEFT JOIN hubs h ON h.iso3 = c.iso3 AND h.j = k % 5""", [list(TYPES)])
    # Country index with a skew: the square of a uniform number favours the first countries.
    cidx = lambda key: f"(floor(pow((hash({seed}, {key}) % 1000000) / 1000000.0, 2) * {nc}))::INTEGER"  # noqa: E731
    con.execute(f"""
        CREATE OR REPLACE TABLE researchers AS
        SELECT 'syn:' || r AS researcher_id, 'syn' AS namespace,
               CASE WHEN hash({seed}, r, 'id') % 10 = 0 THEN 'name_only' ELSE 'stable_id' END AS identity
        FROM range({researchers}) t(r)""")
    con.execute(f"""
        CREATE OR REPLACE TABLE observations AS
        WITH ry AS (
            SELECT r, (1995 + (hash({seed}, r, 'start') % (31 - n))::INTEGER + i)::INTEGER AS year,
                   CASE WHEN i > 0 AND hash({seed}, r, i, 'move') % 1000 < {int(move_rate * 1000)} THEN 1 ELSE 0 END AS mv,
                   CASE WHEN i > 0 AND hash({seed}, r, i, 'job') % 100 < 10 THEN 1 ELSE 0 END AS job
            FROM range({researchers}) t(r),
                 LATERAL (SELECT 3 + (hash({seed}, r, 'len') % 12)::INTEGER AS n),
                 LATERAL (SELECT unnest(range(n)) AS i)),
        sp AS (
            SELECT *, sum(mv) OVER w AS spell, sum(job) OVER w AS jspell
            FROM ry WINDOW w AS (PARTITION BY r ORDER BY year ROWS UNBOUNDED PRECEDING)),
        loc AS (
            SELECT r, year, {cidx("r, spell, 'c'")} AS ci,
                   ((hash({seed}, r, spell, jspell, 'inst') % {INST_PER_COUNTRY}))::INTEGER AS k,
                   1 + (hash({seed}, r, year, 'np') % 3)::INTEGER AS npapers
            FROM sp),
        papers AS (
            SELECT l.*, p, hash({seed}, r, year, p, 'co') % 100 < 5 AS coaff,
                   hash({seed}, r, year, p, 'loc') % 100 < 3 AS unlocated
            FROM loc l, LATERAL (SELECT unnest(range(npapers)) AS p)),
        affs AS (
            SELECT r, year, p, ci, k, CASE WHEN coaff THEN 0.5 ELSE 1.0 END::DOUBLE AS weight, 0 AS aff_seq, unlocated FROM papers
            UNION ALL
            SELECT r, year, p, (ci + 1 + (hash({seed}, r, year, p, 'abroad') % {nc - 1})::INTEGER) % {nc},
                   (hash({seed}, r, year, p, 'k2') % {INST_PER_COUNTRY})::INTEGER, 0.5::DOUBLE, 1, unlocated
            FROM papers WHERE coaff)
        SELECT 'syn:' || a.r AS researcher_id, 'syn:w' || a.r || '-' || a.year || '-' || a.p AS work_id, a.year,
               i.institution_id, CASE WHEN a.unlocated THEN NULL ELSE i.country END AS country, i.hub, a.weight,
               a.aff_seq
        FROM affs a JOIN countries c ON c.rowid = a.ci
        JOIN institutions i ON i.institution_id = c.iso3 || '-inst-' || a.k""")
    n = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    for table in ("observations", "researchers", "institutions", "countries"):
        con.execute(f"COPY {table} TO '{out / (table + '.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
    con.execute("CHECKPOINT")
    con.close()
    return {"observations": n, "researchers": researchers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=1_000_000,
                    help="Target observation rows (actual count is printed).")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--move-rate", type=float, default=0.08)
    args = ap.parse_args()
    start = time.perf_counter()
    info = generate(args.rows, args.out, args.seed, args.move_rate)
    print(f"{info['observations']:,} observations of {info['researchers']:,} researchers in {args.out} "
          f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
