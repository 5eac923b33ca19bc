"""Writing DataFrames in the formats every command offers: table, csv, json, parquet."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from talentflow.errors import ConfigError

FORMATS = ("table", "csv", "json", "parquet")


def emit(frame: pd.DataFrame, fmt: str = "table", output: Path | None = None, *, title: str | None = None,
         max_rows: int = 60) -> None:
    """Write ``frame`` to ``output`` (or stdout) in ``fmt``."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
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
        if output is not None:
            text = frame.to_string(index=False) + "\n"
        else:
            render_table(frame, title=title, max_rows=max_rows)
            return
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric_text(text: str) -> bool:
    """A cell formatted as a number ("1,234", "+4.9", "-0.25") or empty."""
    try:
        float(text.replace(",", "")) if text else None
        return True
    except ValueError:
        return False


def render_table(frame: pd.DataFrame, *, title: str | None = None, max_rows: int = 60, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=title, show_lines=False)
    rows = [[_cell(v) for v in row] for row in frame.head(max_rows).itertuples(index=False)]
    for i, col in enumerate(frame.columns):
        numeric = pd.api.types.is_numeric_dtype(frame[col]) or all(_numeric_text(r[i]) for r in rows)
        # the first column labels the rows: narrow terminals shrink the figures' columns before it
        label_width = (min(30, console.width // 4, max([len(str(col))] + [len(r[i]) for r in rows]))
                       if i == 0 and not numeric else None)
        table.add_column(str(col), justify="right" if numeric else "left", min_width=label_width)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if len(frame) > max_rows:
        console.print(f"[dim]… {len(frame) - max_rows:,} more rows (use --format csv to get them all)[/dim]")
