"""The DuckDB engine: steps become temporary tables of a DuckDB connection."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def _quote(path: str | Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class DuckDBEngine:
    """Runs steps in ``con`` (e.g. the warehouse's connection) or in a new in-memory database."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None, memory_limit: str | None = None):
        self._own = con is None
        self.con = con if con is not None else duckdb.connect(":memory:")
        self._names: list[str] = []
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'").fetchall()

    def load_parquet(self, name: str, path: str | Path) -> None:
        src = Path(path)
        pattern = src / "*.parquet" if src.is_dir() else src
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({_quote(pattern)})").fetchall()
        self._names.append(name)

    def run_steps(self, steps: list[tuple[str, str]]) -> None:
        for name, sql in steps:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}").fetchall()
            self._names.append(name)

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def to_parquet(self, sql: str, path: str | Path) -> Path:
        path = Path(path)
        self.con.execute(f"COPY ({sql}) TO {_quote(path)} (FORMAT parquet)").fetchall()
        return path

    def drop(self, names: list[str]) -> None:
        for name in names:
            kind = self.con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                                    [name]).fetchall()
            if kind:
                self.con.execute(f"DROP {'VIEW' if kind[0][0] == 'VIEW' else 'TABLE'} IF EXISTS {name}").fetchall()

    def close(self) -> None:
        self.drop(list(dict.fromkeys(self._names)))
        self._names.clear()
        if self._own:
            self.con.close()
