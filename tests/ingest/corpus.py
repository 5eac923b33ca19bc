"""A corpus of malformed inputs for every ingest command, generated here (nothing shipped).

Each case writes its input files into a fresh folder and runs one or more `talentflow` commands
on one warehouse, in process (typer's CliRunner). Its outcome is one of:
- ``balanced``: the commands ran (exit 0, or 1 when a file was rejected whole), and the records
  that went in equal the records accepted plus the records rejected, every reject row carrying
  file, locator and reason; the files the case expects rejected whole have a file-level reject;
- ``refused``: exit 2 with one line ``error: ...`` naming what the case says it must name
  (the file and the line or field, or the option);
- ``crashed``: a Python exception escaped (a traceback);
- ``lost``: ran, but the records do not add up (or a refusal did not say where).
Provenance: the cases marked ``item N`` reproduce issue 15 item N; the others are our own.

    PYTHONPATH=src .venv/bin/python -m tests.ingest.corpus      # prints the table
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

ROWS = "person,year,org,country\n"


def csv_rows(n: int, person: str = "p", start: int = 0) -> str:
    return "".join(f"{person}{i},{2000 + i % 20},Org {i % 7},US\n" for i in range(start, start + n))


@dataclass
class Case:
    name: str
    source: str  # csv | paperlists | openalex | infer | serve
    build: Callable[[Path], list[list[str]]]  # writes the inputs under the folder; returns the commands
    expect: str  # balanced | refused
    n_in: int | None = 0  # records that went in (balanced cases); None: those the stream held before it broke
    files_rejected: int = 0  # files the case expects rejected whole (balanced cases)
    must_name: tuple[str, ...] = ()  # what a refusal's line must contain
    provenance: str = "own"
    patch: Callable | None = None  # a context manager factory run around the last command


@dataclass
class Outcome:
    case: str
    outcome: str
    detail: str = ""
    exit_codes: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# builders


def _w(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def _csv(name: str, body: str | bytes, extra: tuple[str, ...] = ()):
    def build(d: Path):
        f = _w(d / name, body)
        return [["ingest", "csv", str(f), *extra]]
    return build


def _two_csv(a: tuple[str, str | bytes], b: tuple[str, str | bytes]):
    def build(d: Path):
        fa, fb = _w(d / a[0], a[1]), _w(d / b[0], b[1])
        return [["ingest", "csv", str(fa)], ["ingest", "csv", str(fb)]]
    return build


def _changed_csv(d: Path):
    f = _w(d / "people.csv", ROWS + csv_rows(30))
    first = ["ingest", "csv", str(f)]

    class Rewrite(list):  # the second command rewrites the file first (see run_case)
        before = staticmethod(lambda: f.write_text(ROWS + csv_rows(12, person="q")))
    return [first, Rewrite(["ingest", "csv", str(f)])]


def _parquet(frame_fn, name="people.parquet", extra: tuple[str, ...] = ()):
    def build(d: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        f = d / name
        f.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(frame_fn()), f)
        return [["ingest", "csv", str(f), *extra]]
    return build


def _csv_and_parquet(d: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    fc = _w(d / "people.csv", ROWS + csv_rows(10))
    fp = d / "people.parquet"
    pq.write_table(pa.table({"person": [f"z{i}" for i in range(8)], "year": [2010] * 8, "org": ["MIT"] * 8,
                             "country": ["US"] * 8}), fp)
    return [["ingest", "csv", str(fc)], ["ingest", "csv", str(fp)]]


def rec(i: int, **fields) -> dict:
    base = {"id": f"p{i}", "title": f"Paper {i}", "status": "Poster", "abstract": "x", "author": f"A{i};B{i}",
            "authorids": f"~A{i}1;~B{i}1", "aff": "MIT;Oxford", "aff_unique_norm": "MIT;University of Oxford",
            "aff_unique_index": "0;1", "aff_country_unique": "United States;United Kingdom",
            "aff_country_unique_index": "0;1"}
    base.update(fields)
    return base


def _mirror(files: dict[str, bytes | list], extra: tuple[str, ...] = ()):
    """files: path under paperlists/ -> records (gzipped JSON) or raw bytes."""
    def build(d: Path):
        root = d / "mirror"
        for rel, content in files.items():
            content = content() if callable(content) else content  # large inputs are made when the case runs
            data = content if isinstance(content, bytes) else gzip.compress(json.dumps(content).encode(), mtime=0)
            _w(root / "paperlists" / rel, data)
        os.environ["TALENTFLOW_MIRROR"] = str(root)
        return [["ingest", "paperlists", *extra]]
    return build


def _gz(records) -> bytes:
    return gzip.compress(json.dumps(records).encode(), mtime=0)


def _deep_record_file() -> bytes:
    deep = "[" * 50_000 + "]" * 50_000
    text = "[" + json.dumps(rec(0)) + "," + deep + "," + json.dumps(rec(2)) + "]"
    return gzip.compress(text.encode(), mtime=0)


WORK_TEMPLATE = None


def _openalex(lines_fn, extra: tuple[str, ...] = ("--filter", "all"), raw: bool = False):
    def build(d: Path):
        root = d / "snap"
        lines = lines_fn()
        data = lines if raw else gzip.compress(lines, mtime=0)
        _w(root / "data" / "works" / "updated_date=2024-01-15" / "part_000.gz", data)
        return [["ingest", "openalex", "--snapshot", str(root), *extra]]
    return build


def _work(i: int) -> dict:
    return {"id": f"https://openalex.org/W30000000{i:02d}", "title": f"Work {i}", "publication_year": 2021,
            "type": "article", "authorships": [{"author_position": "first", "author": {
                "id": f"https://openalex.org/A50000000{i:02d}", "display_name": f"Author {i}"},
                "institutions": [{"id": "https://openalex.org/I1", "display_name": "MIT", "country_code": "US",
                                  "type": "education"}], "countries": ["US"]}]}


def _work_lines(n: int, bad: dict[int, bytes] | None = None) -> bytes:
    out = []
    for i in range(n):
        out.append((bad or {}).get(i, json.dumps(_work(i)).encode()))
    return b"\n".join(out) + b"\n"


def _infer_full_disk(d: Path):
    f = _w(d / "people.csv", ROWS + "".join(f"p{i},{2000 + y},Org {i % 3},{'US' if y < 3 else 'GB'}\n"
                                            for i in range(20) for y in range(6)))
    return [["ingest", "csv", str(f)], ["infer"]]


@contextlib.contextmanager
def full_disk_at(predicate: Callable[[str], bool]):
    """Every DuckDB connection the warehouse opens fails with ENOSPC ("No space left on device")
    at the commits and statements ``predicate`` selects: what DuckDB raises on a full disk."""
    from talentflow.store import warehouse as wmod

    class FullDisk:
        def __init__(self, con):
            self._con = con

        def __getattr__(self, name):
            return getattr(self._con, name)

        def execute(self, sql, *args, **kwargs):
            if predicate(sql):
                raise duckdb.IOException(f'IO Error: Could not write file "w.duckdb.wal": No space left on device')
            return self._con.execute(sql, *args, **kwargs)

        def commit(self):
            if predicate("COMMIT"):
                raise duckdb.TransactionException(
                    'TransactionContext Error: Failed to commit: Could not write file "w.duckdb.wal": No space left on device')
            return self._con.commit()

    original = wmod.Warehouse.__init__

    def init(self, *a, **k):
        original(self, *a, **k)
        self.con = FullDisk(self.con)

    wmod.Warehouse.__init__ = init
    try:
        yield
    finally:
        wmod.Warehouse.__init__ = original


@contextlib.contextmanager
def locked_by_other_process(db: Path):
    """Another process holds the warehouse file open for writing (as `talentflow serve` or an ingest would)."""
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"),
        str(db)], stdout=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()
        yield
    finally:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------------------------------------
# the cases

BAD_UTF8 = (ROWS + csv_rows(3)).encode() + b"p9,2010,Caf\xe9 Inc,FR\n" + csv_rows(2, start=10).encode()
LONG_ROW = (ROWS + csv_rows(2)).encode() + b"p8,2010," + b"x" * (2 << 20) + b",US\n" + csv_rows(2, start=10).encode()
UNTERMINATED = ROWS + csv_rows(2) + 'p5,2015,"Acme Corp,US\n' + csv_rows(3, start=20) + 'p6,2016,Foo Inc",US\n' + csv_rows(2, start=30)
CASES: list[Case] = [
    # --- CSV
    Case("csv: same file name in two folders", "csv", _two_csv(("a/people.csv", ROWS + csv_rows(200)),
         ("b/people.csv", ROWS + csv_rows(180, person="q"))), "balanced", 380, provenance="item 1"),
    Case("csv: same content under another name", "csv", _two_csv(("one.csv", ROWS + csv_rows(50)),
         ("two.csv", ROWS + csv_rows(50))), "balanced", 50, provenance="item 1"),
    Case("csv: unterminated quote closed lines later", "csv", _csv("q.csv", UNTERMINATED), "balanced", 9,
         provenance="item 2"),
    Case("csv: quote never closed (to end of file)", "csv", _csv("q.csv", ROWS + csv_rows(3) + 'p7,2017,"Open\n'
         + csv_rows(4, start=40)), "balanced", 8),
    Case("csv: legal multi-line quoted field in an unused column", "csv",
         _csv("n.csv", "person,year,org,country,notes\np1,2015,MIT,US,\"two\nlines\"\np2,2016,MIT,US,x\n"), "balanced", 2),
    Case("csv: re-ingest of a changed file", "csv", _changed_csv, "balanced", 12, provenance="item 3"),
    Case("csv: people.csv and people.parquet", "csv", _csv_and_parquet, "balanced", 18, provenance="item 3"),
    Case("csv: one invalid UTF-8 byte", "csv", _csv("b.csv", BAD_UTF8), "balanced", 6, provenance="item 8"),
    Case("csv: an over-long row (2 MiB)", "csv", _csv("l.csv", LONG_ROW), "balanced", 5, provenance="item 8"),
    Case("csv: NUL byte in a row", "csv", _csv("z.csv", (ROWS + csv_rows(2)).encode() + b"p3,20\x0010,MIT,US\n"),
         "balanced", 3),
    Case("csv: UTF-16 export", "csv", _csv("u.csv", (ROWS + csv_rows(3)).encode("utf-16")), "refused",
         must_name=("u.csv", "line 1", "UTF-16", "re-encode"), provenance="item 8"),
    Case("csv: UTF-8 BOM and CRLF line ends", "csv", _csv("crlf.csv", b"\xef\xbb\xbf" + (ROWS + csv_rows(4)).replace(
         "\n", "\r\n").encode()), "balanced", 4),
    Case("csv: rows with too many and too few fields", "csv", _csv("f.csv", ROWS + csv_rows(2) + "p5,2010,MIT,US,extra\n"
         + "p6,2011\n"), "balanced", 4),
    Case("csv: blank lines between rows", "csv", _csv("blank.csv", ROWS + csv_rows(2) + "\n\n" + csv_rows(2, start=5)),
         "balanced", 4),
    Case("csv: bad years and empty persons", "csv", _csv("y.csv", ROWS + "p1,20x5,MIT,US\np2,1850,MIT,US\n,2010,MIT,US\n"
         "p3,2019.5,MIT,US\np4,²⁰¹⁹,MIT,US\np5,2019.0,MIT,US\n"), "balanced", 6),
    Case("csv: empty file", "csv", _csv("e.csv", b""), "refused", must_name=("e.csv", "line 1")),
    Case("csv: header only", "csv", _csv("h.csv", ROWS), "balanced", 0),
    Case("csv: missing required column", "csv", _csv("m.csv", "person,year,org\np1,2010,MIT\n"), "refused",
         must_name=("m.csv", "country")),
    Case("csv: invalid byte in the header", "csv", _csv("hb.csv", b"person,ye\xffar,org,country\np1,2010,MIT,US\n"),
         "refused", must_name=("hb.csv", "line 1")),
    Case("csv: --map without '='", "csv", _csv("map.csv", ROWS + csv_rows(2), ("--map", "person")), "refused",
         must_name=("--map", "person"), provenance="item 7"),
    Case("csv: two columns mapped to person", "csv", _csv("dup.csv", "person,id,year,org,country\na,b,2010,MIT,US\n",
         ("--map", "person=id")), "refused", must_name=("dup.csv", "person")),
    Case("csv: --strict with rejects names file, line, field", "csv", _csv("s.csv", ROWS + csv_rows(2) + "p9,20x5,MIT,US\n",
         ("--strict",)), "refused", must_name=("s.csv", "line 4", "field year"), provenance="item 8"),
    Case("parquet: struct column as org", "csv", _parquet(lambda: {"person": ["a"], "year": [2010],
         "org": [{"name": "MIT", "id": 1}], "country": ["US"]}), "refused", must_name=("people.parquet", "org", "struct"),
         provenance="item 8"),
    Case("parquet: float person ids", "csv", _parquet(lambda: {"person": [1.0, 2.0], "year": [2010, 2011],
         "org": ["MIT", "MIT"], "country": ["US", "US"]}), "refused", must_name=("people.parquet", "person", "double"),
         provenance="item 8"),
    Case("parquet: nulls and float years", "csv", _parquet(lambda: {"person": ["a", None, "c"], "year": [2010.0, 2011.0, None],
         "org": ["MIT", None, "Oxford"], "country": ["US", "GB", None]}), "balanced", 3),
    Case("csv: old Mac line ends (CR only)", "csv", _csv("cr.csv", (ROWS + csv_rows(3)).replace("\n", "\r")), "refused",
         must_name=("cr.csv", "line 1")),
    Case("csv: semicolon-separated export", "csv", _csv("semi.csv", "person;year;org;country\np1;2010;MIT;US\n"),
         "refused", must_name=("semi.csv", "country")),
    Case("csv: full-width digits in a year", "csv", _csv("fw.csv", ROWS + "p1,\uff12\uff10\uff11\uff19,MIT,US\np2,2019,MIT,US\n"),
         "balanced", 2),
    Case("csv: many rows across several batches, a bad one in each", "csv", _csv("many.csv", ROWS + "".join(
         (f"p{i},2010,MIT,US\n" if i % 20_000 else f"p{i},year?,MIT,US\n") for i in range(120_000))), "balanced", 120_000),
    Case("parquet: truncated file", "csv", lambda d: [["ingest", "csv", str(_w(d / "t.parquet", b"PAR1" + b"\x00" * 40))]],
         "refused", must_name=("t.parquet",)),
    # --- paperlists
    Case("paperlists: upper-case file name", "paperlists", _mirror({"corl/CORL2021.json.gz": [rec(i) for i in range(5)]}),
         "balanced", 5, provenance="item 4"),
    Case("paperlists: .json.gz beside .json", "paperlists", _mirror({
         "corl/corl2021.json": json.dumps([rec(i) for i in range(4)]).encode(),
         "corl/corl2021.json.gz": [rec(i) for i in range(6)]}), "balanced", 4, files_rejected=1, provenance="item 4"),
    Case("paperlists: a file that is no venue-year", "paperlists", _mirror({
         "corl/corl2021.json.gz": [rec(0)], "corl/notes.json": b"[]"}), "balanced", 1, files_rejected=1),
    Case("paperlists: --years 2022-2021", "paperlists", _mirror({"corl/corl2021.json.gz": [rec(0)]}, ("--years", "2022-2021")),
         "refused", must_name=("--years", "2022-2021")),
    Case("paperlists: --years 1-30000000", "paperlists", _mirror({"corl/corl2021.json.gz": [rec(0)]}, ("--years", "1-30000000")),
         "refused", must_name=("--years", "1-30000000"), provenance="item 9"),
    Case("paperlists: truncated gzip", "paperlists", _mirror({"corl/corl2021.json.gz": _gz([rec(i) for i in range(50)])[:-30],
         "corl/corl2022.json.gz": [rec(0)]}), "balanced", 1, files_rejected=1, provenance="item 6"),
    Case("paperlists: not gzip", "paperlists", _mirror({"corl/corl2021.json.gz": b"<html>404</html>"}), "balanced", 0,
         files_rejected=1, provenance="item 6"),
    Case("paperlists: trailing garbage after gzip", "paperlists", _mirror({"corl/corl2021.json.gz": _gz([rec(0)]) + b"GARBAGE"}),
         "balanced", 0, files_rejected=1, provenance="item 6"),
    Case("paperlists: an object instead of a list", "paperlists", _mirror({"corl/corl2021.json.gz": {"papers": [rec(0)]}}),
         "balanced", 0, files_rejected=1, provenance="item 6"),
    Case("paperlists: malformed JSON", "paperlists", _mirror({"corl/corl2021.json": b'[{"id": "a", "author": "X"'}),
         "balanced", 0, files_rejected=1),
    Case("paperlists: invalid UTF-8 in the JSON", "paperlists", _mirror({"corl/corl2021.json": b'[{"id": "a", "author": "X\xff"}]'}),
         "balanced", 0, files_rejected=1),
    Case("paperlists: gzip bomb (200 MB of blanks)", "paperlists", _mirror({"corl/corl2021.json.gz": lambda: gzip.compress(
         b"[" + b" " * (200 << 20) + b"]", compresslevel=9, mtime=0)}), "balanced", 0, files_rejected=1, provenance="item 9"),
    Case("paperlists: lone UTF-16 surrogate", "paperlists", _mirror({"corl/corl2021.json": (
         '[' + json.dumps(rec(0)) + ',{"id": "s", "author": "Bad \\ud800 Name"},' + json.dumps(rec(2)) + ']').encode()}),
         "balanced", 3, provenance="item 7"),
    Case("paperlists: very deep nesting in one record", "paperlists", _mirror({"corl/corl2021.json.gz": _deep_record_file}),
         "balanced", 3, provenance="item 7"),
    Case("paperlists: superscript digit in aff_unique_index", "paperlists", _mirror({"corl/corl2021.json.gz": [
         rec(0, aff_unique_index="0;\u00b9"), rec(1)]}), "balanced", 2, provenance="item 7"),
    Case("paperlists: aff_unique_index -1, 1.5, a;b", "paperlists", _mirror({"corl/corl2021.json.gz": [
         rec(0, aff_unique_index="-1;1.5"), rec(1, aff_unique_index="a;b"), rec(2, aff_unique_index="0;99")]}),
         "balanced", 3, provenance="item 8"),
    Case("paperlists: non-string abstract, float and list ids", "paperlists", _mirror({"corl/corl2021.json.gz": [
         rec(0, abstract={"text": "x"}), rec(1, id=1.5), rec(2, id=["a"]), rec(3, id=True), rec(4, status=3)]}),
         "balanced", 5, provenance="item 8"),
    Case("paperlists: records that are no objects, duplicates", "paperlists", _mirror({"corl/corl2021.json.gz": [
         rec(0), 42, "text", None, rec(0), rec(1, author=7)]}), "balanced", 6),
    Case("paperlists: empty list", "paperlists", _mirror({"corl/corl2021.json.gz": []}), "balanced", 0),
    Case("paperlists: implausible year in the file name", "paperlists", _mirror({"corl/corl1066.json.gz": [rec(0)]}),
         "balanced", 0, files_rejected=1),
    # --- OpenAlex
    Case("openalex: lone surrogate in a line", "openalex", _openalex(lambda: _work_lines(4, {
         1: json.dumps(_work(1)).replace("Work 1", "Work \\ud800").encode()})), "balanced", 4, provenance="item 7"),
    Case("openalex: truncated partition", "openalex", _openalex(lambda: gzip.compress(_work_lines(40), mtime=0)[:-40],
         raw=True), "balanced", None, files_rejected=1),
    Case("openalex: --batch-size 0", "openalex", _openalex(lambda: _work_lines(3), ("--filter", "all", "--batch-size", "0")),
         "refused", must_name=("--batch-size", "0"), provenance="item 8"),
    # --- warehouse
    Case("full disk during ingest (at the commit)", "csv", _csv("d.csv", ROWS + csv_rows(5)), "refused",
         must_name=("w.duckdb", "no space left"), provenance="item 7",
         patch=lambda d: full_disk_at(lambda sql: sql == "COMMIT")),
    Case("full disk during ingest (a staging write)", "csv", _csv("d.csv", ROWS + csv_rows(5)), "refused",
         must_name=("w.duckdb", "no space left"), provenance="item 7",
         patch=lambda d: full_disk_at(lambda sql: sql.startswith("INSERT INTO _stage_"))),
    Case("full disk at the infer commit", "infer", _infer_full_disk, "refused", must_name=("w.duckdb", "no space left"),
         provenance="item 7", patch=lambda d: full_disk_at(lambda sql: sql == "COMMIT")),
    Case("lock conflict: another process holds the warehouse", "csv", _csv("k.csv", ROWS + csv_rows(3)), "refused",
         must_name=("w.duckdb", "locked by process", "talentflow serve"), provenance="item 8",
         patch=lambda d: locked_by_other_process(d / "w.duckdb")),
]


# ---------------------------------------------------------------------------------------------
# running


def _counts(db: Path, source: str) -> tuple[int, int, int, int, int]:
    """(accepted, record rejects, file-level rejects, inconsistencies (reject rows lacking file,
    locator or reason; CSV rows whose observation is missing or doubled), records the warehouse
    says it read)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        incomplete = con.execute("SELECT count(*) FROM rejects WHERE file IS NULL OR locator IS NULL OR reason IS NULL"
                                 ).fetchone()[0]
        if source == "csv":
            accepted = con.execute("SELECT count(*) FROM authorships WHERE starts_with(work_id, 'csv:')").fetchone()[0]
            # every accepted row is one authorship and, unless it had no affiliation, one observation
            obs = con.execute("SELECT count(*) FROM observations WHERE source = 'csv'").fetchone()[0]
            bare = con.execute("SELECT count(*) FROM rejects WHERE source = 'csv' AND reason = 'no_affiliation'").fetchone()[0]
            if obs != accepted - bare:
                incomplete += abs(accepted - bare - obs)  # rows that lost their observation (or gained one)
        else:
            accepted = con.execute("SELECT count(*) FROM works WHERE source = ?", [source]).fetchone()[0]
        rejected = con.execute("""SELECT count(*) FROM rejects WHERE source = ? AND severity = 'record'
                                  AND locator NOT LIKE '% author %'""", [source]).fetchone()[0]
        files = con.execute("SELECT count(*) FROM rejects WHERE source = ? AND severity = 'file'", [source]).fetchone()[0]
        read = con.execute("SELECT coalesce(sum(n_records), 0) FROM ingest_runs WHERE source = ?", [source]).fetchone()[0]
        return accepted, rejected, files, incomplete, int(read)
    finally:
        con.close()


def run_case(case: Case, folder: Path) -> Outcome:
    from typer.testing import CliRunner

    from talentflow.cli.app import app

    runner = CliRunner()
    saved = os.environ.get("TALENTFLOW_MIRROR")
    db = folder / "w.duckdb"
    out = Outcome(case.name, "")
    try:
        commands = case.build(folder)
        for k, cmd in enumerate(commands):
            if hasattr(cmd, "before"):
                cmd.before()
            last = k == len(commands) - 1
            ctx = case.patch(folder) if (last and case.patch) else contextlib.nullcontext()
            with ctx:
                result = runner.invoke(app, [*cmd, "--db", str(db)], catch_exceptions=True)
            out.exit_codes.append(result.exit_code)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                out.outcome, out.detail = "crashed", f"{type(result.exception).__name__}: {result.exception}"[:300]
                return out
            if result.exit_code == 2:
                errors = [line for line in result.output.splitlines() if line.startswith("error:")]
                text = " ".join(result.output.split())
                named = all(s.lower() in text.lower() for s in case.must_name)
                if len(errors) == 1 and named:
                    out.outcome, out.detail = "refused", errors[0][:300]
                else:
                    out.outcome, out.detail = "lost", f"refusal does not name {case.must_name}: {result.output[-300:]}"
                return out
            if result.exit_code not in (0, 1):
                out.outcome, out.detail = "lost", f"exit {result.exit_code}: {result.output[-300:]}"
                return out
        accepted, rejected, files, incomplete, read = _counts(db, case.source)
        file_ok = files == case.files_rejected
        exit_ok = (out.exit_codes[-1] == 1) == (case.files_rejected > 0)
        # n_in None: as many as the warehouse says it read (a truncated stream: the lines before the cut)
        n_ok = accepted + rejected == (read if case.n_in is None else case.n_in)
        out.detail = (f"in {case.n_in if case.n_in is not None else f'{read} (read)'}, accepted {accepted}, "
                      f"rejected {rejected}, files rejected {files}, exit {out.exit_codes}"
                      + (f", {incomplete} inconsistent row(s)" if incomplete else ""))
        out.outcome = "balanced" if (n_ok and file_ok and exit_ok and not incomplete) else "lost"
        return out
    finally:
        if saved is None:
            os.environ.pop("TALENTFLOW_MIRROR", None)
        else:
            os.environ["TALENTFLOW_MIRROR"] = saved


def table(outcomes: list[Outcome]) -> str:
    n = {k: sum(o.outcome == k for o in outcomes) for k in ("balanced", "refused", "crashed", "lost")}
    lines = ["| case | outcome | detail |", "|---|---|---|"]
    lines += [f"| {o.case} | {o.outcome} | {o.detail.replace('|', '/')} |" for o in outcomes]
    lines += ["", "| cases | balanced | refused | crashed | lost |", "|---|---|---|---|---|",
              f"| {len(outcomes)} | {n['balanced']} | {n['refused']} | {n['crashed']} | {n['lost']} |"]
    return "\n".join(lines)


def main() -> int:
    outcomes = []
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix="tf-corpus-") as d:
            outcomes.append(run_case(case, Path(d)))
    print(table(outcomes))
    return 0 if all(o.outcome == c.expect for o, c in zip(outcomes, CASES)) else 1


if __name__ == "__main__":
    sys.exit(main())
