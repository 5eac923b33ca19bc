"""The CLI reference (``docs/cli.md``), generated from the commands themselves: every command,
argument and option with its type, default, environment variable and help. Regenerate with
``make docs`` (``python -m talentflow.cli.reference > docs/cli.md``); tests/test_cli_reference.py
checks that the file is current and that it names every command and option."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import typer


def commands() -> Iterator[tuple[str, object]]:
    """(name as typed after `talentflow`, click command) for every command and group, in order."""
    from talentflow.cli import app

    def walk(cmd, prefix: str):
        if prefix:
            yield prefix, cmd
        for name in sorted(getattr(cmd, "commands", {}) or {}):
            yield from walk(cmd.commands[name], f"{prefix} {name}".strip())

    yield from walk(typer.main.get_command(app), "")


def _default(value) -> str:
    if value is None or value == () or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Path):
        return f"`{value.as_posix()}`"
    return f"`{value}`"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def render_markdown() -> str:
    out = ["# The talentflow command line", "",
           "Generated from the commands by `python -m talentflow.cli.reference` (`make docs`); do not edit by hand.",
           "Every command also takes `--help`.", ""]
    for name, cmd in commands():
        out += [f"## `talentflow {name}`", ""]
        text = (cmd.help or "").strip()
        if text:
            out += [line.rstrip() for line in text.replace("\b\n", "").splitlines()] + [""]
        if getattr(cmd, "commands", None):
            out += ["Commands: " + ", ".join(f"`{name} {sub}`" for sub in sorted(cmd.commands)), ""]
            continue
        params = [p for p in cmd.params if not getattr(p, "hidden", False)]
        args = [p for p in params if p.param_type_name == "argument"]
        opts = [p for p in params if p.param_type_name == "option"]
        usage = " ".join([f"talentflow {name}", *(["[OPTIONS]"] if opts else []), *(p.name.upper() for p in args)])
        out += [f"Usage: `{usage}`", ""]
        if args:
            out += ["| argument | type | help |", "|---|---|---|"]
            out += [f"| `{p.name.upper()}` | {_type(p)} | {_cell(getattr(p, 'help', ''))} |" for p in args]
            out.append("")
        if opts:
            out += ["| option | type | default | env | help |", "|---|---|---|---|---|"]
            for p in opts:
                names = " / ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                kind = "flag" if p.is_flag else _type(p) + (" (repeatable)" if p.multiple else "")
                env = f"`{p.envvar}`" if p.envvar else ""
                out.append(f"| {names} | {kind} | {_default(p.default)} | {env} | {_cell(p.help)} |")
            out.append("")
    return "\n".join(out)


def _type(param) -> str:
    try:
        shown = param.display_type(None)
    except Exception:  # noqa: BLE001 - a type without a display name
        shown = ""
    shown = str(shown).strip("<>").replace("list[str]", "str")
    return shown


def main() -> None:
    print(render_markdown())


if __name__ == "__main__":
    main()
