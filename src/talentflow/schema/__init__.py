"""Every table of the warehouse, declared once; DDL, checks and docs derive from these declarations.

``tables.py`` declares the core tables (ingest). Each later area declares its own tables in a
module of this package (``inference.py``, ``specialization.py``...) as a module-level tuple
``TABLES``; ``FULL_SCHEMA`` gathers them all (for docs and checks).
"""

import importlib
import pkgutil

from talentflow.schema.model import Column, Schema, Table
from talentflow.schema.tables import SCHEMA

_NOT_TABLES = {"model", "tables", "docs"}


def full_schema() -> Schema:
    """The core tables plus every area's TABLES."""
    tables = list(SCHEMA.tables)
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if mod in _NOT_TABLES:
            continue
        tables.extend(getattr(importlib.import_module(f"{__name__}.{mod}"), "TABLES", ()))
    return Schema(tuple(tables))


__all__ = ["Column", "Schema", "Table", "SCHEMA", "full_schema"]
