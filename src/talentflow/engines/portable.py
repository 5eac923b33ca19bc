"""Portable SQL: the steps are written in DuckDB's dialect and translated to Spark SQL with SQLGlot.

The subset that translates faithfully (checked by ``tests/engines``): CTEs, ``GROUP BY ALL``,
window functions with named windows and ``IGNORE NULLS``, ``arg_min``/``arg_max`` (Spark's
``min_by``/``max_by``, tuples ordering as structs), ``list``/``list_contains`` (``collect_list``/
``array_contains``), ``string_agg(DISTINCT x, ',' ORDER BY x)`` (``listagg``), ``unnest(range())``
(``explode(sequence())``), ``* EXCLUDE`` (``* EXCEPT``), ``||`` on strings and numbers,
``//`` on non-negative integers, ``IS DISTINCT FROM``, ``x::TYPE`` casts. DuckDB's
``WITH x AS MATERIALIZED (...)`` planner hint is dropped for Spark (which has no such syntax;
each step is materialized as a whole anyway).

Semantic differences SQLGlot does not cover, fixed here on the syntax tree:

- ``arg_min(x, k)``/``arg_max(x, k)`` skip rows where ``x`` is NULL in DuckDB, while Spark's
  ``min_by``/``max_by`` may return NULL: translated to ``min_by(x, IF(x IS NULL, NULL, k))``
  (Spark skips NULL orderings).

Written portably in the steps themselves (not fixable by translation): NULLs inside a tuple
ordering key (DuckDB sorts them last, Spark first: put ``col IS NULL`` before ``col``), and
ties on floating-point sums (round the sum in the key: engines add in different orders).

Not portable, so not used in the steps: ``mode()`` and ``any_value()`` where a group's values
differ (each engine may pick another value), DuckDB's ``QUALIFY``, ``list_*`` lambdas, and
floating-point sums whose order matters for an exact comparison (see ``docs/scale.md``).
"""

from __future__ import annotations

from functools import lru_cache

from talentflow.errors import ConfigError


@lru_cache(maxsize=512)
def to_spark(sql: str) -> str:
    """One DuckDB SELECT (or WITH ... SELECT) statement in Spark SQL."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = sqlglot.parse(sql, read="duckdb")
        if len(trees) != 1 or trees[0] is None:
            raise ConfigError(f"a SQL step must be one statement, got {len(trees)}")
        tree = trees[0]
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", None)
        for agg in list(tree.find_all(exp.ArgMax, exp.ArgMin)):
            value, key = agg.this, agg.expression
            agg.set("expression", exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()),
                                         true=exp.Null(), false=key.copy()))
        return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except ParseError as exc:
        raise ConfigError(f"SQL step is not portable (SQLGlot cannot parse it): {exc}") from None
    except sqlglot.errors.UnsupportedError as exc:
        raise ConfigError(f"SQL step is not portable to Spark: {exc}") from None
