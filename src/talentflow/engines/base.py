"""The engine contract and its parameters.

An engine holds named relations: inputs loaded from Parquet (``load_parquet``) and the results
of SQL steps (``run_steps``: each ``(name, SELECT)`` is materialized under ``name`` so later
steps can read it). ``fetch`` returns a (small) result as a DataFrame; ``to_parquet`` writes a
(large) one to files another engine, or the warehouse, can read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args

import pandas as pd

from talentflow.errors import ConfigError
from talentflow.extras import require

EngineName = Literal["duckdb", "spark"]
Materialize = Literal["checkpoint", "parquet"]
ENGINES: tuple[str, ...] = get_args(EngineName)

_MASTER = re.compile(r"^(local(\[(\*|\d+)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|spark://\S+|yarn|k8s://\S+|mesos://\S+)$")
_MEMORY = re.compile(r"^\d+[kmgt]?$", re.IGNORECASE)


@dataclass(frozen=True)
class EngineParams:
    """Where the relational steps run.

    engine: ``duckdb`` (embedded, the default) or ``spark``.
    spark_master: Spark master URL: ``local[*]`` (all cores of this machine), ``local[N]``, or a
        cluster (``spark://host:7077``, ``yarn``, ``k8s://...``). Ignored by DuckDB.
    shuffle_partitions: Spark's ``spark.sql.shuffle.partitions``; 0 = twice the local cores
        (the Spark default of 200 is slow on small data), kept at 200 on a cluster.
    driver_memory: JVM heap of the Spark driver (local mode runs the executors in it).
    materialize: how Spark keeps each step: ``checkpoint`` (local checkpoint in executor
        memory/disk, lineage cut) or ``parquet`` (written under ``work_dir``: use on a cluster
        whose executors may be lost).
    work_dir: folder for the Parquet hand-over between DuckDB and Spark (default: a temporary
        folder). On a cluster it must be visible to every executor (a shared file system).
    duckdb_memory_limit: DuckDB's ``memory_limit`` for the steps (e.g. ``1GB``; None keeps
        DuckDB's default of 80 % of RAM); above it DuckDB spills to disk.
    """

    engine: EngineName = "duckdb"
    spark_master: str = "local[*]"
    shuffle_partitions: int = 0
    driver_memory: str = "2g"
    materialize: Materialize = "checkpoint"
    work_dir: str | None = None
    duckdb_memory_limit: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"--engine {self.engine!r}: expected one of {', '.join(ENGINES)}")
        if self.engine == "spark":  # before any work: the install the engine needs
            require("spark", "the Spark engine")
        if not _MASTER.match(self.spark_master or ""):
            raise ConfigError(f"--spark-master {self.spark_master!r}: expected local[*], local[N], spark://host:port, "
                              "yarn or k8s://...")
        if not isinstance(self.shuffle_partitions, int) or self.shuffle_partitions < 0:
            raise ConfigError(f"shuffle_partitions={self.shuffle_partitions!r}: expected a whole number >= 0")
        if not _MEMORY.match(self.driver_memory or ""):
            raise ConfigError(f"driver_memory={self.driver_memory!r}: expected e.g. 2g or 512m")
        if self.duckdb_memory_limit is not None and not re.match(r"^\d+(\.\d+)?\s*[KMGT]i?B$",
                                                                  self.duckdb_memory_limit, re.IGNORECASE):
            raise ConfigError(f"duckdb_memory_limit={self.duckdb_memory_limit!r}: expected e.g. 1GB or 512MB")
        if self.materialize not in get_args(Materialize):
            raise ConfigError(f"materialize={self.materialize!r}: expected one of {', '.join(get_args(Materialize))}")

    def local_cores(self) -> int | None:
        """Cores of a local master (None on a cluster)."""
        if self.spark_master == "local":
            return 1
        m = re.match(r"^local\[(\*|\d+)", self.spark_master)
        if not m:
            return None
        if m.group(1) == "*":
            return os.cpu_count() or 1
        return int(m.group(1))


class Engine(Protocol):
    name: str

    def load_parquet(self, name: str, path: str | Path) -> None: ...

    def run_steps(self, steps: list[tuple[str, str]]) -> None: ...

    def fetch(self, sql: str) -> pd.DataFrame: ...

    def to_parquet(self, sql: str, path: str | Path) -> Path: ...

    def drop(self, names: list[str]) -> None: ...

    def close(self) -> None: ...


def open_engine(params: EngineParams, con=None) -> Engine:
    """An engine for ``params``; DuckDB reuses ``con`` (a DuckDB connection) when given."""
    if params.engine == "spark":
        from talentflow.engines.spark import SparkEngine

        return SparkEngine(params)
    from talentflow.engines.duck import DuckDBEngine

    return DuckDBEngine(con, memory_limit=params.duckdb_memory_limit)
