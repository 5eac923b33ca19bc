"""Gold-set commands: score an inference run against hand-labelled real careers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from talentflow.cli.app import DbOption, FormatOption, OutputOption, app
from talentflow.cli.common import err, errors_to_exit
from talentflow.cli.output import emit

gold_app = typer.Typer(help="Hand-labelled gold sets of real records: measure talentflow's error rates.",
                       no_args_is_help=True)
app.add_typer(gold_app, name="gold")


@gold_app.command("score")
def score(
    db: DbOption = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Gold set folder (persons.csv, moves.csv, "
                                                 "residence.csv; default: the repository's gold/careers).")] = None,
    split: Annotated[str, typer.Option("--split", help="test (what is reported), dev (for tuning) or all.")] = "test",
    tolerance: Annotated[int, typer.Option("--tolerance", help="Years a predicted move's year may lie after the "
                                           "gold move's first year at the destination.")] = 1,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates over gold persons.")] = 500,
    params_id: Annotated[Optional[str], typer.Option("--params-id", help="Inference run (default: the latest).")] = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Store the scores in gold_scores (the report "
                                       "prints them).")] = True,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Precision and recall of moves, movers and residence years of an inference run on a gold set."""
    from talentflow import gold_api as mig

    with errors_to_exit():
        frame = mig.score_gold(db, gold, split=split, tolerance=tolerance, n_boot=n_boot, params_id=params_id,
                               save=save)
        if save:
            err.print(f"[dim]stored in gold_scores under params_id {frame['params_id'].iloc[0]}[/dim]", highlight=False)
        emit(frame[["measure", "value", "lo", "hi", "n", "persons", "split", "gold", "gold_version", "params_id"]],
             format, output, title="Measured on hand-labelled real careers")


@gold_app.command("places")
def places(
    db: DbOption = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Places gold set folder (places.csv; default: "
                                                 "the repository's gold/places).")] = None,
    split: Annotated[str, typer.Option("--split", help="test (what is reported), dev (for tuning) or all.")] = "test",
    mirror: Annotated[Optional[Path], typer.Option("--mirror", help="Data mirror holding paperlists/ (default: "
                                                   "$TALENTFLOW_MIRROR): the gold rows' records are read there.")] = None,
    modal: Annotated[bool, typer.Option("--modal/--no-modal", help="Also apply ingest's after-load step that gives "
                                        "an observation with no country its institution's modal country, from "
                                        "--db's observations.")] = False,
    misses: Annotated[bool, typer.Option("--misses", help="List the gold rows talentflow gets wrong (country set "
                                         "or city) instead of the scores.")] = False,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Store the split's overall scores in gold_scores "
                                       "(needs a writable --db).")] = True,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Country and city accuracy of talentflow's place resolution on hand-labelled affiliation strings,
    beside the upstream country, per stratum (Wilson 95% intervals)."""
    from talentflow import gold_api as mig
    from talentflow.validation.places import misses as list_misses

    with errors_to_exit():
        out = mig.score_places(db, gold, split=split, mirror=mirror, modal=modal, save=save)
        c = out["counts"]
        err.print(f"[dim]split {split}: {c['rows']} gold rows, {c['undecidable']} UNDECIDABLE left out, "
                  f"{c['decidable']} decidable; {c['not_staged']} not staged by ingest (no observation, not "
                  f"scored); upstream AMBIGUOUS {c['upstream_ambiguous']} (left out of the *_upstream measures)"
                  "[/dim]", highlight=False)
        if out["params_id"]:
            err.print(f"[dim]stored in gold_scores under params_id {out['params_id']} (kind places)[/dim]",
                      highlight=False)
        if misses:
            emit(list_misses(out["predicted"], split), format, output,
                 title="Gold places talentflow misses (country set or city)")
            return
        frame = out["scores"][["split", "stratum", "measure", "value", "lo", "hi", "hits", "n", "gold",
                               "gold_version", "params_id"]]
        if format == "table" and output is None:  # a terminal: split and provenance are printed above, and
            # the measures lose "_accuracy" and "_upstream" (an 'of' column) so the names fit
            up = frame["measure"].str.endswith("_upstream")
            frame = frame.assign(measure=frame["measure"].str.removesuffix("_upstream").str.removesuffix("_accuracy"),
                                 of=up.map({True: "upstream", False: "talentflow"}))
            frame = frame[["stratum", "measure", "of", "value", "lo", "hi", "hits", "n"]]
        emit(frame, format, output,
             title=f"Accuracy of place resolution on hand-labelled affiliation strings, split {split} (Wilson 95%)")


@gold_app.command("persons")
def persons(
    db: DbOption = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Persons gold set folder (authorships.csv, "
                                                 "blocks.csv; default: the repository's gold/persons).")] = None,
    split: Annotated[str, typer.Option("--split", help="test (what is reported), dev (for tuning) or all.")] = "test",
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates over name blocks.")] = 500,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Store the overall scores in gold_scores.")] = False,
    identity: Annotated[str, typer.Option("--identity", help="auto (resolved persons when the warehouse has them, "
                                          "else source ids), source_id or resolved.")] = "auto",
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """B³ precision, recall and F1 of the warehouse's person identities (source ids, or the persons of
    `talentflow link`) on hand-labelled name blocks (merged ACL ids, split IEEE ids, name-only twins...),
    overall and per stratum."""
    from talentflow import gold_api as mig

    with errors_to_exit():
        frame = mig.score_persons(db, gold, split=split, n_boot=n_boot, save=save, identity=identity)
        cols = ["stratum", "b3_f1", "b3_precision", "b3_recall", "authorships", "blocks", "b3_precision_lo",
                "b3_precision_hi", "b3_recall_lo", "b3_recall_hi", "b3_f1_lo", "b3_f1_hi", "split", "identity", "resolution",
                "gold_version"]
        emit(frame[[c for c in cols if c in frame.columns]], format, output,
             title="Person identities on hand-labelled name blocks (B³)")
