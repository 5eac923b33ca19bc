"""Writing DataFrames in the formats every command offers: table, csv, json, parquet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from talentflow.errors import ConfigError

FORMATS = ("table", "csv", "json", "parquet")


def emit(frame: pd.DataFrame, fmt: str = "table", output: Path | None = None, *, title: str | None = None,
         max_rows: int = 60, lead: Sequence[str] = ()) -> None:
    """Write ``frame`` to ``output`` (or stdout) in ``fmt``. The table format shows :func:`table_view`
    (``lead`` columns first, constant columns on a line above); csv, json and parquet every column as is,
    then the provenance columns (:func:`with_provenance`)."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt != "table":
        frame = with_provenance(frame)
    if fmt == "parquet":
        if output is None:
            raise ConfigError("--format parquet needs --output FILE")
        frame.to_parquet(output, index=False)
        return
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, date_format="iso") + "\n"
    else:
        if len(frame) == 1 and len(frame.columns) > 8:  # one wide record (a score, a summary): one line per field
            frame = pd.DataFrame({"field": frame.columns, "value": [_cell(v) for v in frame.iloc[0]]})
        frame, constants = table_view(frame, lead)
        above = constants_line(constants)
        if output is not None:
            text = (above + "\n" if above else "") + frame.to_string(index=False) + "\n"
        else:
            render_table(frame, title=title, max_rows=max_rows, above=above)
            return
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


def with_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    """An export carries what it rests on: the ``params_id`` and ``source_versions`` that the library
    recorded in ``frame.attrs['provenance']`` become the last columns (a column already there is kept)."""
    prov = frame.attrs.get("provenance") or {}
    extra = {k: v for k, v in prov.items() if k not in frame.columns}
    return frame.assign(**extra) if extra else frame


def table_view(frame: pd.DataFrame, lead: Sequence[str] = ()) -> tuple[pd.DataFrame, dict[str, object]]:
    """A result as a terminal shows it: the ``lead`` columns (the figures that answer the command,
    in that order) first, then the others in their order; a column holding one value in every row
    (a level, a period, an all-false flag; not a figure of ``lead``, such as a count of 1 in every
    row) is taken out and returned as ``{column: value}``, to be printed once above the table. A
    single row, or a frame whose every column is constant, keeps its columns."""
    first = [c for c in lead if c in frame.columns]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    if len(frame) < 2:
        return frame, {}
    constant = [c for c in frame.columns if _constant(frame[c]) and not (c in first and _figure(frame[c]))]
    if len(constant) == len(frame.columns):
        return frame, {}
    return frame.drop(columns=constant), {c: frame[c].iloc[0] for c in constant}


def _constant(values: pd.Series) -> bool:
    try:
        return values.nunique(dropna=False) == 1
    except TypeError:  # unhashable cells (lists): not folded
        return False


def _figure(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def constants_line(constants: dict[str, object]) -> str:
    """"level country · period all" (the columns a table leaves out because every row has the same value)."""
    return " · ".join(f"{c} {_cell(v, _is_year(c)) or '(empty)'}" for c, v in constants.items())


def _cell(value, plain: bool = False) -> str:
    """A value as table text: thousands separators and three decimals, except ``plain`` (years)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and (abs(value) >= 1 or plain):
        return f"{int(value)}" if plain else f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value}" if plain else f"{value:,}"
    return str(value)


def _is_year(column) -> bool:
    return "year" in str(column).lower() and "years" not in str(column).lower()


def _integral(values: pd.Series) -> bool:
    """A float column holding whole numbers only (counts that went through a join or a sum)."""
    if not pd.api.types.is_float_dtype(values):
        return False
    present = values.dropna()
    return len(present) > 0 and bool((present == present.round()).all())


MIN_TEXT = 10  # characters a text column keeps in a narrow terminal (it wraps below that)
MAX_WORD = 24  # ... or its longest word up to this (ids such as machine_learning do not wrap)
MAX_FIGURE = 16  # a figure's column keeps its header and values up to this width


def _numeric_text(text: str) -> bool:
    """A cell formatted as a number ("1,234", "+4.9", "-0.25") or empty."""
    try:
        float(text.replace(",", "")) if text else None
        return True
    except ValueError:
        return False


def render_table(frame: pd.DataFrame, *, title: str | None = None, max_rows: int = 60, console: Console | None = None,
                 above: str = "") -> None:
    """A rich table (``above``: a line printed before it). In a narrow terminal the row labels (first
    column) and the figures keep their width, text columns wrap, the last columns that do not fit
    are named below the table, and the room left goes to the shown columns, up to their natural width
    (so no shown column is cut at the terminal's edge)."""
    console = console or Console()
    table = Table(title=title, show_lines=False)
    head = frame.head(max_rows)
    plain = [_is_year(col) for col in frame.columns]
    whole = [_integral(head[col]) for col in frame.columns]
    rows = [[_cell(int(v) if w and pd.notna(v) else v, p) for v, p, w in zip(row, plain, whole)]
            for row in head.itertuples(index=False)]
    widths, naturals, numeric = [], [], []
    for i, col in enumerate(frame.columns):
        natural = max([len(str(col))] + [len(r[i]) for r in rows])
        is_num = _figure(frame[col]) or (any(r[i] for r in rows) and all(_numeric_text(r[i]) for r in rows))
        numeric.append(is_num)
        naturals.append(natural)
        if i == 0 and not is_num:
            widths.append(min(30, console.width // 4, natural))
        else:
            word = max([len(w) for r in rows for w in r[i].split()] or [0])
            widths.append(min(natural, MAX_FIGURE) if is_num else min(natural, max(MIN_TEXT, min(word, MAX_WORD))))
    shown, used = len(widths), 1
    for i, w in enumerate(widths):
        used += w + 3
        if used > console.width and i >= 2:
            shown = i
            break
    spare = console.width - (1 + sum(w + 3 for w in widths[:shown]))
    for i in range(shown):  # the room left: to the shown columns, in order, up to their natural width
        grow = max(0, min(spare, naturals[i] - widths[i]))
        widths[i] += grow
        spare -= grow
    hidden = [str(col) for col in frame.columns[shown:]]
    for i, col in enumerate(frame.columns[:shown]):
        table.add_column(str(col), justify="right" if numeric[i] else "left", min_width=widths[i],
                         max_width=widths[i], no_wrap=numeric[i])
    for row in rows:
        table.add_row(*row[:shown])
    if above:
        console.print(above, highlight=False, markup=False)
    console.print(table)
    if hidden:
        console.print(f"[dim]{len(hidden)} more column(s) need a wider terminal: {', '.join(hidden)} "
                      "(use --format csv to get them all)[/dim]")
    if len(frame) > max_rows:
        console.print(f"[dim]… {len(frame) - max_rows:,} more rows (use --format csv to get them all)[/dim]")
