"""Helpers the command modules share: opening the warehouse, parsing lists, reporting errors,
the optional extra a command needs."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from talentflow import extras
from talentflow.errors import ConfigError, TalentflowError
from talentflow.store.warehouse import Warehouse

err = Console(stderr=True)
F = TypeVar("F", bound=Callable)


def _fail(text: str) -> None:
    err.print(f"[red]error:[/red] {escape(text)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2) from None


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn talentflow's own errors into one red line on stderr and exit code 2; so too a missing
    module of an optional extra (the line names the extra to install)."""
    try:
        yield
    except TalentflowError as exc:
        _fail(str(exc))
    except ModuleNotFoundError as exc:
        extra = extras.extra_of(exc.name)
        if extra is None:
            raise
        _fail(extras.message("this command", extra))


def needs_extra(extra: str, command: str) -> Callable[[F], F]:
    """Decorate the command ``command`` (as typed after ``talentflow``) that needs the optional
    ``extra``: without it the command ends, before any work, with one line naming the extra to
    install (exit code 2)."""
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with errors_to_exit():
                extras.require(extra, f"talentflow {command}")
                return fn(*args, **kwargs)
        return run  # type: ignore[return-value]
    return decorate


def open_warehouse(db: Path | None, *, read_only: bool = False) -> Warehouse:
    return Warehouse(db, read_only=read_only)


def split_list(values: list[str] | None) -> tuple[str, ...] | None:
    """'a,b' 'c' -> ('a', 'b', 'c'); None when nothing was given."""
    if not values:
        return None
    out = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return tuple(out) or None


YEAR_MIN, YEAR_MAX = 1900, 2100  # what --years accepts: checked before a range is built


def parse_years(values: list[str] | None) -> tuple[int, ...] | None:
    """'2015-2018', '2020,2021' -> (2015, 2016, 2017, 2018, 2020, 2021).

    A year outside 1900-2100 or a range whose end comes before its start is a ConfigError
    (``2022-2021`` used to select nothing and so every year; ``1-30000000`` to build 30M years)."""
    items = split_list(values)
    if not items:
        return None
    years: set[int] = set()
    for item in items:
        try:
            lo, hi = (int(x) for x in item.split("-", 1)) if "-" in item[1:] else (int(item), int(item))
        except ValueError:
            raise ConfigError(f"--years {item!r}: expected a year (2015), a range (2015-2018) or a list (2015,2016)") from None
        for y in (lo, hi):
            if not YEAR_MIN <= y <= YEAR_MAX:
                raise ConfigError(f"--years {item!r}: {y} is outside {YEAR_MIN}-{YEAR_MAX}")
        if hi < lo:
            raise ConfigError(f"--years {item!r}: the range ends before it starts (did you mean {hi}-{lo}?)")
        years.update(range(lo, hi + 1))
    return tuple(sorted(years))


def parse_mapping(values: list[str] | None) -> dict[str, str]:
    """--map 'person=id,org=employer' -> {'person': 'id', 'org': 'employer'}; an item without '=' is a ConfigError."""
    mapping: dict[str, str] = {}
    for item in split_list(values) or ():
        target, sep, source = item.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise ConfigError(f"--map {item!r}: expected target=source, e.g. person=employee_id")
        mapping[target.strip()] = source.strip()
    return mapping
