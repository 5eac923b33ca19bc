"""The command line: a thin layer over the library API (talentflow.api). One module per command group."""

from talentflow.cli import demo, ingest, schema  # noqa: F401  (each module registers its commands)
from talentflow.cli.app import app


def main() -> None:
    app()
