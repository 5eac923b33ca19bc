"""The JavaScript and map data the report inlines and the dashboard serves: plotly.js (from the
``plotly`` package) and the world outlines (vendored in this folder, see PROVENANCE.md).

A package of its own, below both edges: the report (``talentflow.report``) and the web app
(``talentflow.app``) read it without importing each other."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from talentflow.errors import ConfigError

ASSETS = Path(__file__).resolve().parent


def plotly_js_path() -> Path:
    """plotly.min.js shipped inside the ``plotly`` Python package (the ``app`` extra)."""
    try:
        path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    except ModuleNotFoundError:
        raise ConfigError("the report and dashboard need the plotly package: pip install 'talentflow[app]'") from None
    if not path.is_file():
        raise ConfigError(f"plotly.min.js not found at {path}; reinstall plotly (pip install 'talentflow[app]')")
    return path


@lru_cache(maxsize=1)
def plotly_js() -> str:
    return plotly_js_path().read_text(encoding="utf-8")


def topojson_path() -> Path:
    return ASSETS / "world_110m.json"


@lru_cache(maxsize=1)
def world_topojson() -> str:
    """The world_110m topojson as JSON text (registered as window.PlotlyGeoAssets.topojson.world_110m)."""
    return topojson_path().read_text(encoding="utf-8")
