"""The observatory's read side: named read queries (``queries``), the JSON API and the dashboard (``server``).

The HTML report (``talentflow.report``), the dashboard and the API all read the warehouse
through ``talentflow.app.queries``: one module of named, parameterized read functions that
return aggregates only (cells of fewer than ``min_cell`` researchers suppressed).
"""
