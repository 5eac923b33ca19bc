"""The warehouse: an embedded DuckDB database holding the canonical tables.

``Warehouse(path)`` opens (and creates) a database file; ``Warehouse.memory()`` an in-memory
one for tests. The default file is ``$TALENTFLOW_DB`` or ``<data home>/talentflow.duckdb``.
Writes happen inside ``transaction()``: an ingest that fails or is killed leaves the previous
committed state (DuckDB discards an uncommitted transaction on recovery).
"""

from __future__ import annotations

import errno
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Union

import duckdb
import pandas as pd

from talentflow.errors import WarehouseError
from talentflow.fetch import data_home
from talentflow.schema import SCHEMA, Schema, Table

DB_ENV = "TALENTFLOW_DB"


def default_db_path() -> Path:
    value = os.environ.get(DB_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    return data_home() / "talentflow.duckdb"


class Warehouse:
    """A connection to the warehouse, with the schema applied."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, schema: Schema = SCHEMA):
        self.schema = schema
        self.read_only = read_only
        if path == ":memory:":
            self.path = None
            self.con = duckdb.connect(":memory:")
        else:
            self.path = Path(path) if path is not None else default_db_path()
            if read_only and not self.path.is_file():
                raise WarehouseError(f"no warehouse at {self.path}; build one first with `talentflow ingest ... --db {self.path}`")
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.con = duckdb.connect(str(self.path), read_only=read_only)
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                raise WarehouseError(open_error(self.path, exc)) from None
        self.con.execute("SET enable_progress_bar = false").fetchall()
        if not read_only:
            self.apply_schema()

    @classmethod
    def memory(cls) -> "Warehouse":
        return cls(":memory:")

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- schema -----------------------------------------------------------------------------
    def apply_schema(self, tables: tuple[Table, ...] | None = None) -> None:
        for table in tables or tuple(self.schema):
            self.execute(table.ddl())

    def has_table(self, name: str) -> bool:
        return bool(self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0])

    def require(self, *names: str) -> None:
        missing = [n for n in names if not self.has_table(n)]
        if missing:
            raise WarehouseError(f"the warehouse {self.path or ':memory:'} lacks table(s) {missing}")

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator["Warehouse"]:
        """All or nothing; a full disk (at any statement or at the commit) is a WarehouseError
        saying that nothing of the transaction was written."""
        self.con.begin()
        try:
            yield self
        except BaseException as exc:
            self._rollback_quietly()
            if isinstance(exc, (duckdb.Error, OSError)) and is_disk_full(exc):
                raise WarehouseError(self._disk_full(exc)) from None
            raise
        try:
            self.con.commit()
        except (duckdb.Error, OSError) as exc:
            if is_disk_full(exc):
                self._rollback_quietly()
                raise WarehouseError(self._disk_full(exc)) from None
            raise

    def _rollback_quietly(self) -> None:
        try:
            self.con.rollback()
        except duckdb.Error:  # a failed commit has already ended the transaction
            pass

    def _disk_full(self, exc: BaseException) -> str:
        return (f"{self.path or ':memory:'}: no space left on the device ({first_line(exc)}); nothing of this "
                "step was written and the warehouse keeps its previous state: free space and run it again")

    def execute(self, sql: str, params: list | None = None) -> list[tuple]:
        """Run a statement written by talentflow's own code and return all its rows."""
        try:
            return self.con.execute(sql, params or []).fetchall()
        except (duckdb.Error, OSError) as exc:
            if is_disk_full(exc):  # inside a transaction, transaction() rolls back on the way out
                raise WarehouseError(self._disk_full(exc)) from None
            raise

    # -- reading ----------------------------------------------------------------------------
    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run a read query written by talentflow's own code (never built from user strings)."""
        return self.con.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.schema.names and not self.has_table(name):
            raise WarehouseError(f"no table {name!r}; tables: {self.schema.names}")
        return self.con.execute(f'SELECT * FROM "{name}"').df()

    def count(self, name: str) -> int:
        return int(self.con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])

    def counts(self) -> dict[str, int]:
        return {t.name: self.count(t.name) for t in self.schema if self.has_table(t.name)}

    # -- writing ----------------------------------------------------------------------------
    def _declared(self, name: str) -> Table:
        """The declaration of table ``name``: this warehouse's schema, else any area's (full_schema)."""
        try:
            return self.schema[name]
        except KeyError:
            from talentflow.schema import full_schema

            return full_schema()[name]

    def insert(self, name: str, frame: pd.DataFrame, *, ignore_conflicts: bool = False, into: str | None = None) -> None:
        """Insert rows of ``frame`` into table ``name`` (or the table ``into`` with the same columns
        plus ``_run``, e.g. a staging table). Columns in any order; missing columns become NULL."""
        if frame.empty:
            return
        table = self._declared(name)
        cols = [c for c in table.column_names + ["_run"] if c in frame.columns]
        if "_run" in cols and into is None:
            cols.remove("_run")
        view = f"_incoming_{name}"
        self.con.register(view, frame[cols])
        try:
            verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
            col_list = ", ".join(cols)
            self.execute(f"{verb} INTO {into or name} ({col_list}) SELECT {col_list} FROM {view}")
        finally:
            self.con.unregister(view)


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def is_disk_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc)


_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _process(pid: int) -> list[str] | None:
    """The arguments of process ``pid`` (Linux /proc); None when they cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [a for a in raw.decode("utf-8", "replace").split("\0") if a] or None


def open_error(path: Path, exc: BaseException) -> str:
    """One line for a warehouse that cannot be opened; for a lock conflict, which process holds it."""
    text = first_line(exc)
    if "lock" not in text.lower():
        return f"cannot open the warehouse {path}: {text}"
    m = _LOCK_PID.search(text)
    pid = int(m.group(1)) if m else None
    args = _process(pid) if pid else None
    shown = " ".join(" ".join(args).split())[:120] if args else None
    holder = (f"process {pid}" + (f" ({shown})" if shown else "")) if pid else "another process"
    if args and "serve" in args:
        hint = "; it is a running `talentflow serve`: stop it (Ctrl-C) first, then run this again"
    else:
        hint = ("; stop that process first, then run this again (a running `talentflow serve` holds the file "
                "and must be stopped before an ingest or infer)")
    return f"cannot open the warehouse {path}: it is locked by {holder}{hint}"


DB = Union[str, Path, "Warehouse", None]  # what the Python API accepts as a warehouse


@contextmanager
def opened(db: DB, read_only: bool = False) -> Iterator[Warehouse]:
    """Use a given Warehouse as is, or open one from a path (closed again on exit)."""
    if isinstance(db, Warehouse):
        yield db
        return
    wh = Warehouse(db, read_only=read_only)
    try:
        yield wh
    finally:
        wh.close()
