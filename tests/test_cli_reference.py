"""docs/cli.md is generated from the commands (like docs/schema.md) and documents every command,
argument and option; each of them carries a help text."""

from pathlib import Path

from talentflow.cli.reference import commands, render_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == render_markdown() + "\n", (
        "docs/cli.md is stale: run `make docs` (python -m talentflow.cli.reference > docs/cli.md)")


def test_every_command_and_option_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    problems = []
    for name, cmd in commands():
        section = doc.partition(f"## `talentflow {name}`\n")[2].partition("\n## ")[0]
        if not section:
            problems.append(f"talentflow {name}: no section")
            continue
        if not (cmd.help or "").strip():
            problems.append(f"talentflow {name}: no help text")
        for p in getattr(cmd, "params", []):
            shown = f"`{p.name.upper()}`" if p.param_type_name == "argument" else f"`{p.opts[0]}`"
            if shown not in section:
                problems.append(f"talentflow {name} {shown}: not in docs/cli.md")
            if not (getattr(p, "help", None) or "").strip():
                problems.append(f"talentflow {name} {shown}: no help text")
    assert not problems, "\n".join(problems)
