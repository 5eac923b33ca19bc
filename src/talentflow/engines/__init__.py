"""Execution engines for the relational steps: the embedded DuckDB and Apache Spark.

The relational steps of talentflow (staging, residence, events, flows, specialization counts)
are lists of named SELECT statements written once, in DuckDB's dialect, in a subset that
SQLGlot translates to Spark SQL (``talentflow.engines.portable``). An ``Engine`` materializes
such a list step by step, over input tables loaded from Parquet:

- ``DuckDBEngine``: temporary tables in a DuckDB connection (the warehouse's own, or a new one);
- ``SparkEngine``: checkpointed DataFrames registered as temporary views in a SparkSession
  whose master is ``local[*]`` by default or a cluster URL (``spark://host:7077``, ``yarn``...).

``open_engine(EngineParams(...))`` gives either; ``talentflow.engines.relational`` runs the
pipeline's steps on it from a warehouse.
"""

from talentflow.engines.base import ENGINES, Engine, EngineName, EngineParams, open_engine

__all__ = ["ENGINES", "Engine", "EngineName", "EngineParams", "open_engine"]
