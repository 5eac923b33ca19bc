"""Scores of talentflow against the hand-labelled gold sets: inferred careers (``talentflow gold score``)
and place resolution of affiliation strings (``talentflow gold places``)."""

from __future__ import annotations

from talentflow.schema.model import Column, Table

GOLD_SCORES = Table(
    "gold_scores",
    "Precision, recall and accuracy measured on a hand-labelled gold set (one row per measure): of an "
    "inference run on real careers (gold careers, bootstrap interval over the gold persons), or of place "
    "resolution on affiliation strings (gold places, Wilson interval over the gold rows).",
    (
        Column("params_id", "VARCHAR", "What was scored (meta_runs.params_id): an inference run (kind 'inference') "
               "or a place-resolution set-up (kind 'places': hash of the resolver's tables, modal step or not).", False,
               references="meta_runs.params_id"),
        Column("gold", "VARCHAR", "Gold set (folder name: careers or places).", False),
        Column("gold_version", "VARCHAR", "Hash of the gold set's files (careers: persons, moves, residence; "
               "places: places.csv).", False),
        Column("split", "VARCHAR", "Split scored: test (report), dev (tuning) or all.", False,
               accepted=("dev", "test", "all")),
        Column("measure", "VARCHAR", "What is measured.", False,
               accepted=("move_precision", "move_recall", "mover_precision", "mover_recall", "residence_accuracy",
                         "country_accuracy", "country_accuracy_upstream", "first_country_accuracy",
                         "first_country_accuracy_upstream", "city_accuracy", "b3_precision", "b3_recall",
                         "b3_f1")),
        Column("value", "DOUBLE", "The measure on the whole split.", unit="share"),
        Column("lo", "DOUBLE", "Lower end of the 95% interval (careers: bootstrap, persons resampled; places: "
               "Wilson).", unit="share"),
        Column("hi", "DOUBLE", "Upper end of the 95% bootstrap interval.", unit="share"),
        Column("n", "BIGINT", "Denominator: predicted moves, gold moves, movers or person-years (careers); "
               "gold affiliation strings the measure applies to (places); gold authorships (persons).", unit="count"),
        Column("persons", "BIGINT", "Gold persons scored (careers); decidable gold affiliation strings staged "
               "(places); name blocks (persons).", unit="count"),
        Column("tolerance", "INTEGER", "Years a predicted move may lie after the gold move's first year at the "
               "destination (careers; empty for places).", unit="years"),
        Column("scored_at", "TIMESTAMP", "When it was scored (UTC).", False),
    ),
    primary_key=("params_id", "gold", "split", "measure"),
    layer="derived",
)

TABLES = (GOLD_SCORES,)
