"""Scores of talentflow's inferred careers against the hand-labelled gold sets (``talentflow gold score``)."""

from __future__ import annotations

from talentflow.schema.model import Column, Table

GOLD_SCORES = Table(
    "gold_scores",
    "Precision, recall and accuracy of an inference run measured on a hand-labelled gold set of real careers "
    "(one row per measure), with a bootstrap interval over the gold persons.",
    (
        Column("params_id", "VARCHAR", "Inference run scored (meta_runs.params_id, kind 'inference').", False,
               references="meta_runs.params_id"),
        Column("gold", "VARCHAR", "Gold set (folder name, e.g. careers).", False),
        Column("gold_version", "VARCHAR", "Hash of the gold set's files (persons, moves, residence).", False),
        Column("split", "VARCHAR", "Split scored: test (report), dev (tuning) or all.", False,
               accepted=("dev", "test", "all")),
        Column("measure", "VARCHAR", "What is measured.", False,
               accepted=("move_precision", "move_recall", "mover_precision", "mover_recall", "residence_accuracy")),
        Column("value", "DOUBLE", "The measure on the whole split.", unit="share"),
        Column("lo", "DOUBLE", "Lower end of the 95% bootstrap interval (persons resampled).", unit="share"),
        Column("hi", "DOUBLE", "Upper end of the 95% bootstrap interval.", unit="share"),
        Column("n", "BIGINT", "Denominator: predicted moves, gold moves, movers or person-years.", unit="count"),
        Column("persons", "BIGINT", "Gold persons scored.", unit="researchers"),
        Column("tolerance", "INTEGER", "Years a predicted move may lie after the gold move's first year at the "
               "destination.", unit="years"),
        Column("scored_at", "TIMESTAMP", "When it was scored (UTC).", False),
    ),
    primary_key=("params_id", "gold", "split", "measure"),
    layer="derived",
)

TABLES = (GOLD_SCORES,)
