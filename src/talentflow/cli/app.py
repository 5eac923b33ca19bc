"""The Typer application every command module registers on, and the options they share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="talentflow",
    help="An open observatory of global AI talent migration and regional AI specialization.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", envvar="TALENTFLOW_DB", help="Warehouse file (default: $TALENTFLOW_DB or the user data dir)."),
]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="Output format: table, csv, json or parquet (parquet needs --output).")
]
OutputOption = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")]
FromOption = Annotated[Optional[int], typer.Option("--from", help="First year (inclusive).")]
ToOption = Annotated[Optional[int], typer.Option("--to", help="Last year (inclusive).")]
SparkMasterOption = Annotated[str, typer.Option(
    "--spark-master", envvar="TALENTFLOW_SPARK_MASTER",
    help="Spark master (with --engine spark): local[*], local[N] or a cluster URL (spark://host:7077, yarn).")]
