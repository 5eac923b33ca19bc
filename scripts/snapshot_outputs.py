#!/usr/bin/env python3
"""Before/after harness: every published figure of talentflow, written into one folder, and a
comparison of two such folders (issue 16, "Done when": byte-identical output before and after).

A snapshot holds
  cli/<name>.csv      stdout of each CLI command that prints figures, with ``--format csv``
                      (``<name>.exit``: the exit code, when it is not 0; stderr goes to _logs/)
  report/<file>.csv   every table of ``talentflow report`` (the CSV each table offers for download,
                      read back out of the HTML), figures.json (every chart's Plotly specification)
                      and report.html (the page without the inlined plotly.js and world outlines)
  api/<name>.json|csv every route of the JSON API through FastAPI's TestClient: status and body;
                      table routes also with format=csv (every row); the dashboard's pages by hash
  _logs/              stderr, timings, the code and warehouse used: never compared

Usage (from the repository root; talentflow importable, e.g. PYTHONPATH=src):

  # a snapshot of the code on the Python path, on a warehouse built from the full mirror
  TALENTFLOW_MIRROR=/work/shared/data python scripts/snapshot_outputs.py --out /tmp/snap_after --build
  # ... or on an existing warehouse (copied first; the copy is what the commands may write to)
  TALENTFLOW_MIRROR=/work/shared/data python scripts/snapshot_outputs.py --out /tmp/snap_after --db W.duckdb
  # the differences (nothing printed and exit code 0 = identical)
  python scripts/snapshot_outputs.py --compare /work/snapshots/base /tmp/snap_after
  # ... one line per differing file: row order only, floating-point noise only, or figures
  python scripts/snapshot_outputs.py --compare /work/snapshots/base /tmp/snap_after --explain

The baseline of main at ed7ebc0 is in /work/snapshots/base; it was taken with the code of that
commit on the path and this script (``git archive ed7ebc0 | tar -x -C /tmp/base_src``):

  cd /work/wt-arch && TALENTFLOW_MIRROR=/work/shared/data PYTHONPATH=/tmp/base_src/src \\
      /work/main/.venv/bin/python scripts/snapshot_outputs.py --out /work/snapshots/base --build

The code at ed7ebc0 is not reproducible from one build to the next: /work/snapshots/base_rerun
(the same command again) differs from base in 26 files, all of three kinds (see
/work/snapshots/README.md): the specialization bootstrap intervals (works indexed in a query's row
order), the row order of `talentflow events`, and floating-point noise of parallel sums. Until those
are fixed, ``--compare ... --explain`` tells them apart from a real change.

``--build`` runs BUILD (ingest paperlists, infer, tag, specialization, collab --save,
circulation --save, scenario run --save, gold score, gold places) into ``<out>/_logs/warehouse.duckdb``;
the figures those commands print are part of the snapshot too (cli/build_*.csv).

Volatile values, and only these, are normalised (replaced by ``<volatile>``), in CSV columns and
JSON keys of these names: VOLATILE_COLUMNS (wall-clock timestamps of runs, ingest run ids,
durations). Text: the warehouse's path and the scratch folder become ``<DB>`` and ``<TMP>``, and
the report's "Generated <time>" line becomes ``Generated <volatile>``. Everything else must match
byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# -- what is volatile ---------------------------------------------------------------------------------

VOLATILE_COLUMNS = frozenset({
    "ingested_at",  # ingest_runs: when the ingest committed
    "created_at",   # meta_runs: first use of a parameter set
    "run_at",       # inference_runs and friends: when the run committed
    "tagged_at",    # domain tagging runs
    "scored_at",    # gold_scores
    "seconds",      # wall time of a run
    "run_id",       # ingest run id (uuid4)
    "first_ingest", "last_ingest",  # provenance: when a source was first / last ingested
})
# report.html: its tables print the same timestamps (meta_runs' "First used", inference runs' "Run
# at") and an inference run's wall time ("Seconds", the cell after a run's timestamp and counts)
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?")
RUN_SECONDS = re.compile(r'(<td>&lt;volatile&gt;</td>(?:<td class="num">[^<]*</td>){2}<td class="num">)[^<]*(</td>)')
VOLATILE = "<volatile>"

# -- the fixed list of commands -----------------------------------------------------------------------

# (name, arguments after `talentflow`); every one gets --db <warehouse> where it takes one, and
# --format csv. BUILD writes the warehouse (in this order); COMMANDS read it (in this order; a few
# re-store a result under the same params_id, which the later outputs see as the same rows).
BUILD = [
    ("ingest_paperlists", ["ingest", "paperlists"]),
    ("build_infer", ["infer"]),
    ("build_tag", ["tag"]),
    ("build_specialization", ["specialization"]),
    ("build_collab", ["collab", "--save"]),
    ("build_circulation", ["circulation", "--save"]),
    ("build_scenario_uk_70m", ["scenario", "run", "scenarios/uk_70m.toml", "--save"]),
    ("build_gold_score", ["gold", "score"]),
    ("build_gold_places", ["gold", "places"]),
]
NO_FORMAT = {"ingest_paperlists"}  # prints a summary table, not figures

COMMANDS = [
    ("status", ["status"]),
    ("events", ["events"]),
    ("events_all", ["events", "--kind", "all"]),
    ("flows_country", ["flows"]),
    ("flows_region", ["flows", "--level", "region"]),
    ("flows_hub", ["flows", "--level", "hub"]),
    ("flows_org", ["flows", "--level", "org"]),
    ("flows_org_no_fold", ["flows", "--level", "org", "--no-fold"]),
    ("flows_period0", ["flows", "--period", "0"]),
    ("flows_top", ["flows", "--top", "20"]),
    ("flows_between", ["flows", "--between", "USA,CHN", "--n-boot", "100"]),
    ("rates", ["rates"]),
    ("rates_period0", ["rates", "--period", "0", "--countries", "USA,CHN,GBR,DEU"]),
    ("rates_ranking", ["rates", "--ranking"]),
    ("orgs", ["orgs"]),
    ("orgs_group_before_join", ["orgs", "--seat", "group", "--before-join", "--org", "google,meta"]),
    ("pipeline", ["pipeline"]),
    ("pipeline_stay", ["pipeline", "--stay"]),
    ("pipeline_orcid", ["pipeline", "--source", "orcid"]),
    ("sweep", ["sweep", "--vary", "min_spell_years=1,2", "--vary", "max_gap=1,3"]),
    ("smd", ["smd"]),
    ("smd_recompute", ["smd", "--recompute"]),
    ("simulate", ["simulate", "{tmp}/sim", "-n", "1500"]),
    ("score", ["score", "{tmp}/sim/obs.csv"]),
    ("specialization_cells", ["specialization"]),
    ("specialization_regions", ["specialization", "--view", "regions"]),
    ("specialization_fields", ["specialization", "--view", "fields"]),
    ("specialization_proximity", ["specialization", "--view", "proximity"]),
    ("specialization_domain", ["specialization", "--by", "domain", "--bootstrap", "50"]),
    ("specialization_region_period", ["specialization", "--level", "region", "--period", "5", "--bootstrap", "50"]),
    ("profile_usa", ["profile", "USA"]),
    ("taxonomy", ["taxonomy"]),
    ("tag_evaluate", ["tag", "--evaluate"]),
    ("collab_units", ["collab"]),
    ("collab_pairs", ["collab", "--view", "pairs"]),
    ("collab_summary", ["collab", "--view", "summary"]),
    ("collab_org", ["collab", "--level", "org", "--rollup"]),
    ("collab_flows_correlations", ["collab-flows"]),
    ("collab_flows_classes", ["collab-flows", "--view", "classes"]),
    ("circulation_all", ["circulation", "--scope", "all"]),
    ("model_fit", ["model", "fit"]),
    ("model_backtest", ["model", "backtest"]),
    ("scenario_japan_series", ["scenario", "run", "scenarios/japan_gpu_program.toml", "--draws", "50",
                               "--table", "series"]),
    ("scenario_korea_flows", ["scenario", "run", "scenarios/korea_visa_fast_track.toml", "--draws", "50",
                              "--table", "flows"]),
    ("scenario_us_drivers", ["scenario", "run", "scenarios/us_visa_restrictions.toml", "--draws", "50",
                             "--table", "drivers"]),
    ("gold_score", ["gold", "score", "--no-save"]),
    ("gold_places", ["gold", "places", "--no-save"]),
    ("gold_places_misses", ["gold", "places", "--no-save", "--misses"]),
    ("gold_persons", ["gold", "persons"]),
]
NO_DB = {"simulate", "score", "taxonomy", "smd_recompute", "tag_evaluate", "model_fit", "model_backtest",
         "scenario_japan_series", "scenario_korea_flows", "scenario_us_drivers"}
# commands that print no figures (not in COMMANDS); `report` is snapshotted by run_report
NOT_FIGURES = {"demo", "report", "serve", "schema", "ingest csv", "ingest orcid", "ingest openalex"}

# -- the API ------------------------------------------------------------------------------------------

API = "/api/v1"
# (name, path with query); table routes (those answering format=csv) are also fetched with format=csv
REQUESTS = [
    ("health", "/health"),
    ("meta", "/meta"),
    ("openapi", "/openapi.json"),
    ("headline", "/headline"),
    ("flows", "/flows"),
    ("flows_yearly", "/flows?period=1"),
    ("flows_region", "/flows?level=region"),
    ("flows_hub", "/flows?level=hub"),
    ("flows_org", "/flows?level=org"),
    ("flows_country_usa", "/flows?country=USA"),
    ("flows_top", "/flows/top"),
    ("flows_top_region", "/flows/top?level=region&n=10"),
    ("rates", "/rates"),
    ("rates_acl", "/rates?panel=acl"),
    ("rates_years", "/rates/USA/years"),
    ("country", "/countries/USA"),
    ("country_unknown", "/countries/XXX"),
    ("country_organizations", "/countries/USA/organizations"),
    ("organizations", "/organizations"),
    ("organizations_google", "/organizations?org=google"),
    ("pipeline", "/pipeline"),
    ("pipeline_stay", "/pipeline/stay"),
    ("specialization", "/specialization"),
    ("specialization_domain", "/specialization?field_kind=domain"),
    ("profile", "/specialization/profile/USA"),
    ("scenarios", "/scenarios"),
    ("collaboration_units", "/collaboration/units"),
    ("collaboration_pairs", "/collaboration/pairs"),
    ("circulation", "/circulation"),
    ("validation", "/validation"),
    ("validation_smd", "/validation/smd"),
    ("panel", "/panel"),
    ("provenance", "/provenance"),
    ("parameters", "/parameters"),
]
PAGES = [("docs", f"{API}/docs"), ("index", "/"), ("static_plotly", "/static/plotly.min.js"),
         ("static_geo", "/static/geo-assets.js"), ("static_app_js", "/static/app.js"),
         ("static_style_css", "/static/style.css")]


# -- normalisation ------------------------------------------------------------------------------------

class Norm:
    """Text substitutions (paths) and the volatile columns."""

    def __init__(self, subs: dict[str, str]):
        self.subs = sorted(subs.items(), key=lambda kv: -len(kv[0]))

    def text(self, s: str) -> str:
        for old, new in self.subs:
            s = s.replace(old, new)
        return s

    def csv(self, s: str) -> str:
        s = self.text(s)
        if not s.strip() or s.startswith("#"):
            return s
        rows = list(csv.reader(io.StringIO(s)))
        if not rows:
            return s
        volatile = [i for i, name in enumerate(rows[0]) if name in VOLATILE_COLUMNS]
        if not volatile:
            return s
        for row in rows[1:]:
            for i in volatile:
                if i < len(row) and row[i] != "":
                    row[i] = VOLATILE
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return buf.getvalue()

    def json(self, obj):
        if isinstance(obj, dict):
            return {k: (VOLATILE if k in VOLATILE_COLUMNS and v not in (None, "") else self.json(v))
                    for k, v in obj.items()}
        if isinstance(obj, list):
            # a records list keeps the same shape; a PageOut's 'columns' list names columns, kept
            return [self.json(v) for v in obj]
        if isinstance(obj, str):
            return self.text(obj)
        return obj


def _dump_json(obj) -> str:
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# -- running ------------------------------------------------------------------------------------------

def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from talentflow.cli import main; main()", *args],
                          env=env, cwd=cwd, capture_output=True, text=True)


def cli_commands() -> list[str]:
    """Every command of the CLI as typed after `talentflow` ("flows", "gold score")."""
    import typer

    from talentflow.cli import app

    def walk(cmd, prefix):
        if hasattr(cmd, "commands"):  # a group (typer vendors its own click)
            for name, sub in cmd.commands.items():
                yield from walk(sub, f"{prefix} {name}".strip())
        else:
            yield prefix

    return sorted(walk(typer.main.get_command(app), ""))


def uncovered_commands() -> list[str]:
    """CLI commands neither in BUILD/COMMANDS nor in NOT_FIGURES (a new command: list it)."""
    runs = [args for _, args in BUILD + COMMANDS]
    return [cmd for cmd in cli_commands() if cmd not in NOT_FIGURES
            and not any(args[:len(cmd.split())] == cmd.split() for args in runs)]


def run_cli(commands, out: Path, db: Path, tmp: Path, norm: Norm, env: dict[str, str], log) -> None:
    folder = out / "cli"
    folder.mkdir(parents=True, exist_ok=True)
    for name, args in commands:
        args = [a.replace("{tmp}", str(tmp)) for a in args]
        if name not in NO_DB:
            args += ["--db", str(db)]
        if name not in NO_FORMAT:
            args += ["--format", "csv"]
        started = time.perf_counter()
        proc = _cli(args, env, REPO)
        took = time.perf_counter() - started
        log.write(f"$ talentflow {' '.join(args)}\n# exit {proc.returncode} in {took:.1f} s\n{proc.stderr}\n")
        log.flush()
        print(f"  {name:32s} exit {proc.returncode}  {took:6.1f} s", flush=True)
        if name in NO_FORMAT:
            continue
        (folder / f"{name}.csv").write_text(norm.csv(proc.stdout), encoding="utf-8")
        if proc.returncode != 0:
            last = norm.text(proc.stderr.strip().splitlines()[-1]) if proc.stderr.strip() else ""
            (folder / f"{name}.exit").write_text(f"{proc.returncode}\n{last}\n", encoding="utf-8")
    if (tmp / "sim").is_dir():  # the synthetic careers `simulate` wrote are figures too
        for f in sorted((tmp / "sim").glob("*.csv")):
            (folder / f"simulate_{f.name}").write_text(norm.csv(f.read_text(encoding="utf-8")), encoding="utf-8")


CSV_LINK = re.compile(r'<a download="([^"]+)" href="data:text/csv;charset=utf-8,([^"]*)"')
FIGURES = re.compile(r'<script type="application/json" id="tf-figures">(.*?)</script>', re.S)
BIG_SCRIPT = re.compile(r"<script>(?:(?!</script>).){20000,}</script>", re.S)
GENERATED = re.compile(r"Generated [^<]*? by talentflow")


def run_report(out: Path, db: Path, norm: Norm, env: dict[str, str], log) -> None:
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    page = out / "_logs" / "report.html"
    started = time.perf_counter()
    proc = _cli(["report", "--db", str(db), "--output", str(page)], env, REPO)
    log.write(f"$ talentflow report\n# exit {proc.returncode} in {time.perf_counter() - started:.1f} s\n"
              f"{proc.stderr}\n")
    print(f"  {'report':32s} exit {proc.returncode}  {time.perf_counter() - started:6.1f} s", flush=True)
    if proc.returncode != 0:
        (folder / "report.exit").write_text(f"{proc.returncode}\n{norm.text(proc.stderr.strip())}\n", encoding="utf-8")
        return
    text = page.read_text(encoding="utf-8")
    seen: dict[str, int] = {}
    for name, data in CSV_LINK.findall(text):
        name = html.unescape(name)
        seen[name] = seen.get(name, 0) + 1
        stem = name if seen[name] == 1 else f"{name[:-4]}_{seen[name]}.csv"
        body = urllib.parse.unquote(html.unescape(data))
        (folder / stem).write_text(norm.csv(body), encoding="utf-8")
    m = FIGURES.search(text)
    figures = json.loads(m.group(1)) if m else {}
    (folder / "figures.json").write_text(_dump_json(norm.json(figures)), encoding="utf-8")
    page_text = FIGURES.sub('<script type="application/json" id="tf-figures">(figures.json)</script>', text)
    page_text = BIG_SCRIPT.sub("<script>(inlined asset)</script>", page_text)
    page_text = GENERATED.sub(f"Generated {VOLATILE} by talentflow", page_text)
    page_text = TIMESTAMP.sub(html.escape(VOLATILE), page_text)
    page_text = RUN_SECONDS.sub(lambda mm: mm.group(1) + html.escape(VOLATILE) + mm.group(2), page_text)
    page_text = CSV_LINK.sub(lambda mm: f'<a download="{mm.group(1)}" href="(the CSV file)"', page_text)
    (folder / "report.html").write_text(norm.text(page_text), encoding="utf-8")


def run_api(out: Path, db: Path, norm: Norm, log) -> None:
    from fastapi.testclient import TestClient

    from talentflow.app.server import create_app

    folder = out / "api"
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(db)
    get_paths = sorted({r.path for r in app.routes if "GET" in (getattr(r, "methods", None) or ())})
    covered = {_route_of(path, get_paths) for _, path in REQUESTS} | {_route_of(p[len(API):] if p.startswith(API)
                                                                                  else "!" + p, get_paths)
                                                                       for _, p in PAGES}
    uncovered = [p for p in get_paths if p not in covered and not p.startswith(f"{API}/docs/")
                 and "/oauth2-redirect" not in p and not p.startswith("/static-offline-docs")]
    if uncovered:
        (folder / "UNCOVERED_ROUTES").write_text("\n".join(uncovered) + "\n", encoding="utf-8")
        print(f"  warning: routes not in REQUESTS: {', '.join(uncovered)}", flush=True)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for name, path in REQUESTS:
            started = time.perf_counter()
            r = client.get(API + path)
            try:
                body = r.json()
            except ValueError:
                body = r.text
            (folder / f"{name}.json").write_text(_dump_json({"status": r.status_code, "body": norm.json(body)}),
                                                 encoding="utf-8")
            line = f"  api {name:28s} {r.status_code}"
            if isinstance(body, dict) and "columns" in body and "data" in body:  # a table: every row as CSV
                sep = "&" if "?" in path else "?"
                rc = client.get(API + path + sep + "format=csv")
                (folder / f"{name}.csv").write_text(f"# status {rc.status_code}\n" + norm.csv(rc.text),
                                                    encoding="utf-8")
                line += f"  csv {rc.status_code}"
            line += f"  {time.perf_counter() - started:6.1f} s"
            log.write(line + "\n")
            print(line, flush=True)
        for name, path in PAGES:
            r = client.get(path)
            digest = hashlib.sha256(r.content).hexdigest()
            (folder / f"page_{name}.txt").write_text(
                f"status {r.status_code}\ncontent-type {r.headers.get('content-type')}\nbytes {len(r.content)}\n"
                f"sha256 {digest}\n", encoding="utf-8")


def _route_of(path: str, routes: list[str]) -> str | None:
    """The route template (/api/v1/rates/{iso3}/years) a request path falls under."""
    if path.startswith("!"):
        path = path[1:]
    else:
        path = API + path
    path = path.split("?", 1)[0]
    for route in routes:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route)) + "$"
        if re.match(pattern, path):
            return route
    return None


def snapshot(out: Path, db: Path | None, build: bool, parts: set[str]) -> int:
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out} exists and is not empty")
    if not os.environ.get("TALENTFLOW_MIRROR"):
        sys.exit("set TALENTFLOW_MIRROR to the data mirror (e.g. /work/shared/data)")
    (out / "_logs").mkdir(parents=True, exist_ok=True)
    work = out / "_logs" / "warehouse.duckdb"
    tmp = Path(tempfile.mkdtemp(prefix="tf_snapshot_"))
    norm = Norm({str(work): "<DB>", str(tmp): "<TMP>", str(out): "<OUT>"})
    env = dict(os.environ, COLUMNS="200", TALENTFLOW_DB=str(work))
    import talentflow

    commit = subprocess.run(["git", "-C", str(Path(talentflow.__file__).parent), "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    (out / "_logs" / "code.txt").write_text(f"talentflow {talentflow.__file__}\ncommit {commit or '?'}\n"
                                            f"python {sys.executable}\nmirror {os.environ['TALENTFLOW_MIRROR']}\n"
                                            f"source warehouse {db or '(built)'}\n", encoding="utf-8")
    missing = uncovered_commands()
    if missing:  # a new command: add it to COMMANDS (or NOT_FIGURES)
        (out / "UNCOVERED_COMMANDS").write_text("\n".join(missing) + "\n", encoding="utf-8")
        print(f"warning: CLI commands not in COMMANDS: {', '.join(missing)}", flush=True)
    started = time.perf_counter()
    with open(out / "_logs" / "commands.log", "w", encoding="utf-8") as log:
        if build:
            print("build:", flush=True)
            run_cli(BUILD, out, work, tmp, norm, env, log)
        else:
            shutil.copyfile(db, work)
        if "cli" in parts:
            print("cli:", flush=True)
            run_cli(COMMANDS, out, work, tmp, norm, env, log)
        if "report" in parts:
            print("report:", flush=True)
            run_report(out, work, norm, env, log)
        if "api" in parts:
            print("api:", flush=True)
            run_api(out, work, norm, log)
    shutil.rmtree(tmp, ignore_errors=True)
    work.unlink(missing_ok=True)
    Path(str(work) + ".wal").unlink(missing_ok=True)
    print(f"snapshot in {out} ({time.perf_counter() - started:.0f} s)")
    return 0


def renormalise(root: Path) -> int:
    """Apply the current normalisation to a snapshot taken with an older version of this script
    (in place; idempotent): CSV columns, JSON keys, report.html."""
    norm = Norm({})
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "_logs" not in p.relative_to(root).parts):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".csv":
            head, sep, rest = text.partition("\n") if text.startswith("# status") else ("", "", text)
            new = head + sep + norm.csv(rest)
        elif path.suffix == ".json":
            new = _dump_json(norm.json(json.loads(text)))
        elif path.name == "report.html":
            new = RUN_SECONDS.sub(lambda mm: mm.group(1) + html.escape(VOLATILE) + mm.group(2),
                                  TIMESTAMP.sub(html.escape(VOLATILE), text))
        else:
            continue
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"renormalised {path.relative_to(root)}")
    return 0


# -- comparing ----------------------------------------------------------------------------------------

def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
            and not p.relative_to(root).as_posix().startswith("_logs/")}


NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+")


def _rounded(line: str, digits: int) -> str:
    return NUMBER.sub(lambda m: f"{float(m.group()):.{digits}g}", line)


def explain(la: list[str], lb: list[str], digits: int = 9) -> str:
    """What kind of difference two files' lines show: the rows in another order, floating-point
    noise (equal when every decimal number is rounded to ``digits`` significant digits), both, or
    a difference in the figures."""
    if sorted(la) == sorted(lb):
        return "row order only (same rows)"
    ra, rb = [_rounded(x, digits) for x in la], [_rounded(x, digits) for x in lb]
    if ra == rb:
        return f"floating-point noise only (equal to {digits} significant digits)"
    if sorted(ra) == sorted(rb):
        return f"row order and floating-point noise (same rows to {digits} significant digits)"
    changed = sum(1 for x, y in zip(ra, rb) if x != y) + abs(len(ra) - len(rb))
    return f"figures differ ({changed} of {max(len(la), len(lb))} lines beyond {digits} significant digits)"


def compare(a: Path, b: Path, context: int = 2, max_lines: int = 40, explain_only: bool = False) -> int:
    """Print every difference between snapshots ``a`` and ``b``; 0 when there is none, 1 otherwise."""
    fa, fb = _files(a), _files(b)
    n = 0
    for name in sorted(fa - fb):
        print(f"only in {a}: {name}")
        n += 1
    for name in sorted(fb - fa):
        print(f"only in {b}: {name}")
        n += 1
    for name in sorted(fa & fb):
        ta, tb = (a / name).read_bytes(), (b / name).read_bytes()
        if ta == tb:
            continue
        n += 1
        la = ta.decode("utf-8", "replace").splitlines()
        lb = tb.decode("utf-8", "replace").splitlines()
        print(f"differs: {name} ({len(la)} vs {len(lb)} lines): {explain(la, lb)}")
        if explain_only:
            continue
        diff = list(difflib.unified_diff(la, lb, f"a/{name}", f"b/{name}", n=context, lineterm=""))
        for line in diff[:max_lines]:
            print("  " + (line if len(line) <= 300 else line[:300] + " …"))
        if len(diff) > max_lines:
            print(f"  … {len(diff) - max_lines} more diff lines")
    if n:
        print(f"{n} difference(s) between {a} and {b}")
    return 1 if n else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="folder to write the snapshot into (new or empty)")
    ap.add_argument("--db", type=Path, help="warehouse to snapshot (copied; the copy is written to)")
    ap.add_argument("--build", action="store_true", help="build the warehouse from $TALENTFLOW_MIRROR (BUILD)")
    ap.add_argument("--only", default="cli,report,api", help="parts: cli, report, api (comma-separated)")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="print the differences of two snapshots")
    ap.add_argument("--normalise", type=Path, metavar="DIR", help="apply this script's normalisation to a "
                    "snapshot taken with an older version of it (in place)")
    ap.add_argument("--explain", action="store_true", help="with --compare: one line per differing file, saying "
                    "whether only the row order or floating-point noise differs (the exit code stays 1)")
    args = ap.parse_args(argv)
    if args.normalise:
        return renormalise(args.normalise)
    if args.compare:
        return compare(*args.compare, explain_only=args.explain)
    if not args.out or (args.db is None) == (not args.build):
        ap.error("give --out DIR and one of --db WAREHOUSE or --build (or --compare A B)")
    return snapshot(args.out.resolve(), args.db.resolve() if args.db else None, args.build,
                    set(args.only.split(",")))


if __name__ == "__main__":
    sys.exit(main())
