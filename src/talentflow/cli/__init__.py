"""The command line: a thin layer over the library API (talentflow.api and friends).

Every module of this package registers its commands on ``talentflow.cli.app.app`` when imported;
all modules are imported here, so adding a command group means adding one module.
"""

import importlib
import pkgutil

from talentflow.cli.app import app

_SUPPORT = {"app", "common", "output", "reference"}
for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _mod not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_mod}")


def main() -> None:
    app()
