"""The Spark engine: steps become checkpointed DataFrames registered as temporary views.

``spark_session(params)`` builds (or returns the running) SparkSession for the configured
master; Spark allows one SparkContext per process, so a second master in the same process is
refused with a clear error rather than silently ignored. Java 17 or newer must be on PATH (or
JAVA_HOME); ``scripts/ensure_java.sh`` installs it on Debian.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from talentflow.engines.base import EngineParams
from talentflow.engines.portable import to_spark
from talentflow.errors import ConfigError, ExtraMissingError
from talentflow.extras import message, require


def _require_spark():
    require("spark", "the Spark engine")  # PySpark and SQLGlot before Java: the install comes first
    if shutil.which("java") is None and not _java_home():
        raise ConfigError("the Spark engine needs Java 17+ (java not found on PATH nor in JAVA_HOME); "
                          "install it, e.g. with scripts/ensure_java.sh")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*pandas.*", category=FutureWarning)
            import pyspark  # noqa: F401
            from pyspark.sql import SparkSession
    except ImportError:
        raise ExtraMissingError(message("the Spark engine", "spark")) from None
    return SparkSession


def _java_home() -> str | None:
    import os

    home = os.environ.get("JAVA_HOME")
    return home if home and (Path(home) / "bin" / "java").exists() else None


def spark_session(params: EngineParams, app_name: str = "talentflow"):
    """The SparkSession of this process for ``params.spark_master`` (created on first use)."""
    SparkSession = _require_spark()
    active = SparkSession.getActiveSession()
    if active is not None:
        master = active.sparkContext.master
        if master != params.spark_master:
            raise ConfigError(f"a Spark session with master {master} is already running in this process; "
                              f"cannot switch to {params.spark_master} (start a new process)")
        return active
    cores = params.local_cores()
    partitions = params.shuffle_partitions or (max(2, 2 * cores) if cores else 200)
    builder = (SparkSession.builder.master(params.spark_master).appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(partitions))
               .config("spark.sql.adaptive.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.driver.memory", params.driver_memory))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Runs the (DuckDB-dialect) steps on Spark, each translated by ``to_spark``."""

    name = "spark"

    def __init__(self, params: EngineParams):
        self.params = params
        self.spark = spark_session(params)
        self._tmp = params.work_dir is None
        self.work_dir = Path(params.work_dir or tempfile.mkdtemp(prefix="talentflow-spark-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._frames: dict[str, object] = {}

    def load_parquet(self, name: str, path: str | Path) -> None:
        frame = self.spark.read.parquet(str(path))
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def run_steps(self, steps: list[tuple[str, str]]) -> None:
        for name, sql in steps:
            frame = self.spark.sql(to_spark(sql))
            if self.params.materialize == "parquet":
                target = self.work_dir / "steps" / name
                frame.write.mode("overwrite").parquet(str(target))
                frame = self.spark.read.parquet(str(target))
            else:
                frame = frame.localCheckpoint(eager=True)
            frame.createOrReplaceTempView(name)
            self._frames[name] = frame

    def fetch(self, sql: str) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", category=UserWarning)
            warnings.filterwarnings("ignore", category=DeprecationWarning)  # PySpark's toPandas on pandas 3
            return self.spark.sql(to_spark(sql)).toPandas()

    def to_parquet(self, sql: str, path: str | Path) -> Path:
        """Write the result as a folder of Parquet part files (read it with ``path/*.parquet``)."""
        path = Path(path)
        self.spark.sql(to_spark(sql)).write.mode("overwrite").parquet(str(path))
        return path

    def drop(self, names: list[str]) -> None:
        for name in names:
            frame = self._frames.pop(name, None)
            if frame is not None:
                frame.unpersist()
            self.spark.catalog.dropTempView(name)

    def close(self) -> None:
        """Drop this engine's views and files; the session stays up for the process (it is costly to start)."""
        self.drop(list(self._frames))
        if self._tmp:
            shutil.rmtree(self.work_dir, ignore_errors=True)
