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
    from talentflow import migration_api as mig

    with errors_to_exit():
        frame = mig.score_gold(db, gold, split=split, tolerance=tolerance, n_boot=n_boot, params_id=params_id,
                               save=save)
        if save:
            err.print(f"[dim]stored in gold_scores under params_id {frame['params_id'].iloc[0]}[/dim]", highlight=False)
        emit(frame[["measure", "value", "lo", "hi", "n", "persons", "split", "gold", "gold_version", "params_id"]],
             format, output, title="Measured on hand-labelled real careers")
