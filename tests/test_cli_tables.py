"""Terminal tables: years without separators, whole-number columns as integers, and in a narrow
terminal the trailing columns that do not fit are named under the table, not cut to one character."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from talentflow.cli.output import render_table


def _render(frame: pd.DataFrame, width: int) -> str:
    out = io.StringIO()
    render_table(frame, console=Console(file=out, width=width, color_system=None))
    return out.getvalue()


def test_years_have_no_thousands_separator_and_whole_floats_print_as_integers():
    frame = pd.DataFrame({"origin": ["University of Tokyo"], "year": [2002], "year_to": [2003.0],
                          "count": [1234.0], "share": [0.25]})
    text = _render(frame, 120)
    assert "2002" in text and "2003" in text and "2,002" not in text
    assert "1,234" in text and "1,234.000" not in text and "0.250" in text


def test_a_narrow_terminal_names_the_columns_it_leaves_out():
    frame = pd.DataFrame({"country": ["USA", "CHN"], **{f"figure_{i}": [1.5, 2.25] for i in range(12)}})
    wide, narrow = _render(frame, 300), _render(frame, 80)
    assert "figure_11" in wide and "need a wider terminal" not in wide
    assert "need a wider terminal" in narrow and "figure_11" in narrow.split("need a wider terminal")[1]
    header = next(line for line in narrow.splitlines() if "country" in line)
    assert "figure_0" in header and "…" not in header  # the shown columns keep whole headers
