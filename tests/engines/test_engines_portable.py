"""The steps translate to Spark SQL (no JVM needed) and the engine parameters are validated."""

from __future__ import annotations

import itertools

import pytest

from talentflow.engines import EngineParams
from talentflow.engines.portable import to_spark
from talentflow.engines.relational import flow_count_sql, pipeline_steps, specialization_count_steps
from talentflow.errors import ConfigError
from talentflow.inference.params import InferenceParams
from talentflow.metrics.common import Selection
from talentflow.metrics.flows import FlowParams
from talentflow.metrics.specialization import SpecializationParams

VARIANTS = [InferenceParams(tie_break=t, padding=pad, point_estimate=pe, return_rule=r, chain_rule=c)
            for t, pad, pe, r, c in itertools.product(("previous", "next", "alphabetical"), ("carry_forward", "none"),
                                                      ("year_to", "midpoint"), ("any_previous", "origin"),
                                                      ("skip", "ambiguous"))]


@pytest.mark.parametrize("p", VARIANTS[::5])
def test_every_inference_step_translates(p):
    for name, sql in pipeline_steps(p):
        out = to_spark(sql)
        assert "EXCLUDE" not in out and "MATERIALIZED" not in out, name
        assert "ARG_MIN" not in out.upper().replace("MIN_BY", ""), name


def test_flow_and_specialization_steps_translate():
    sel = Selection("x", ("ieee", "acl"), 2010, 2020)
    for level in ("country", "region", "hub", "org"):
        assert "GROUP BY" in to_spark(flow_count_sql(FlowParams(level=level), sel, "ev", "grp"))
    for sp in (SpecializationParams(), SpecializationParams(level="region", counting="full"),
               SpecializationParams(by="domain", domain_base="tagged_works", author_base="all")):
        for _, sql in specialization_count_steps(sp, "wf", "wp"):
            to_spark(sql)


def test_arg_min_keeps_duckdb_null_semantics():
    out = to_spark("SELECT arg_max(hub, last_year) FROM t")
    assert out == "SELECT MAX_BY(hub, IF(hub IS NULL, NULL, last_year)) FROM t"


def test_bad_engine_parameters_are_named():
    with pytest.raises(ConfigError, match="--engine"):
        EngineParams(engine="polars")
    with pytest.raises(ConfigError, match="--spark-master"):
        EngineParams(engine="spark", spark_master="localhost")
    assert EngineParams(spark_master="spark://head:7077").local_cores() is None
    assert EngineParams(spark_master="local[3]").local_cores() == 3


def test_unportable_sql_is_refused():
    with pytest.raises(ConfigError, match="one statement"):
        to_spark("SELECT 1; SELECT 2")
