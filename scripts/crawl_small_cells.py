"""Crawl every published output of a warehouse for counts of people between 1 and min_cell - 1.

    python scripts/crawl_small_cells.py --db ai.duckdb [--min-cell 10] [--report report.html]

Every GET route of the JSON API (in process, no server), each with a set of filter variants
(levels, panels, years, a raised min_cell), and every CSV table embedded in the report (written
here if --report is not given). A count of people is a value of one of PEOPLE_COUNTS; a value in
1..min_cell-1 (under the request's own min_cell) is printed with where it was found. Exit code 1
if any is found. Specialization ``count`` is fractional papers (its rule is on n_researchers).
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

PEOPLE_COUNTS = {"count", "researchers", "inflows", "outflows", "foreign", "stayed", "graduates", "moves",
                 "n_movers", "papers_full", "population", "reverse_count", "one_year", "n_researchers"}
VARIANTS = ("", "level=region", "level=hub", "level=org", "panel=ieee", "panel=acl", "panel=openreview",
            "year_from=2015&year_to=2022", "year_from=2023", "country=KOR", "min_cell=50")


def _small(key: str, value, floor: int, where: str) -> bool:
    if key not in PEOPLE_COUNTS or (key == "count" and "specialization" in where):
        return False
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return 0 < v < floor


def crawl_api(db: Path, min_cell: int) -> tuple[int, list[str]]:
    from fastapi.testclient import TestClient

    from talentflow.app.server import create_app

    found, checked = [], 0
    with TestClient(create_app(db, min_cell=min_cell, n_boot=50), base_url="http://127.0.0.1") as client:
        paths = [p for p in client.get("/api/v1/openapi.json").json()["paths"] if "{" not in p]
        paths += ["/api/v1/rates/USA/years", "/api/v1/countries/USA", "/api/v1/countries/KOR/organizations",
                  "/api/v1/specialization/profile/KOR"]
        for path in paths:
            for variant in VARIANTS:
                floor = 50 if "min_cell=50" in variant else min_cell
                url = f"{path}?{variant}&page_size=1000" if variant else f"{path}?page_size=1000"
                r = client.get(url)
                if r.status_code != 200:
                    continue
                body = r.json()
                data = body.get("data")
                rows = data if isinstance(data, list) else [v for d in (data or {}).values() if isinstance(d, list)
                                                            for v in d]
                for row in rows:
                    if not isinstance(row, dict):
                        continue
                    for key, value in row.items():
                        checked += 1
                        if _small(key, value, floor, path):
                            found.append(f"API {url}: {key}={value}")
                    if row.get("unit") in ("researchers", "moves") and _small("count", row.get("value"), floor, path):
                        found.append(f"API {url}: {row.get('figure')}={row.get('value')}")  # headline figures
    return checked, found


def crawl_report(report: Path, min_cell: int) -> tuple[int, list[str]]:
    page = report.read_text(encoding="utf-8")
    found, checked = [], 0
    for name, data in re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8,([^"]*)"', page):
        text = unquote(html.unescape(data))
        for row in csv.DictReader(io.StringIO(text)):
            for key, value in row.items():
                checked += 1
                if _small(key, value, min_cell, name):
                    found.append(f"report {name}: {key}={value}")
    return checked, found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--min-cell", type=int, default=10)
    ap.add_argument("--report", type=Path, help="a report written from --db (default: write one)")
    args = ap.parse_args()
    report = args.report
    if report is None:
        from talentflow.report.build import ReportParams, write_report

        report = Path(tempfile.mkdtemp()) / "report.html"
        write_report(args.db, report, ReportParams(min_cell=args.min_cell, n_boot=100))
    n_api, api = crawl_api(args.db, args.min_cell)
    n_rep, rep = crawl_report(report, args.min_cell)
    for line in api + rep:
        print(line)
    print(f"API: {n_api:,} cells checked, {len(api)} counts of people in 1..{args.min_cell - 1}; "
          f"report CSV tables: {n_rep:,} cells checked, {len(rep)}")
    return 1 if api or rep else 0


if __name__ == "__main__":
    sys.exit(main())
