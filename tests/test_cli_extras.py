"""A command whose optional extra is not installed ends with one line naming the extra to install
(exit code 2, no traceback). The missing extra is simulated by hiding its modules (``sys.modules[name]
= None`` makes ``import name`` raise ModuleNotFoundError and find_spec answer nothing)."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from talentflow import extras
from talentflow.cli import app

runner = CliRunner()

# every command that needs an extra, and a module of that extra to hide
COMMANDS = [
    (["report"], "report", "app", "jinja2"),
    (["serve"], "serve", "app", "fastapi"),
    (["demo"], "demo", "app", "jinja2"),
    (["model", "fit"], "model fit", "models", "pyfixest"),
    (["model", "backtest"], "model backtest", "models", "pyfixest"),
    (["scenario", "run", "scenarios/korea_visa_fast_track.toml"], "scenario run", "models", "pyfixest"),
]
# features chosen by an option (the library raises the same one-line error)
FEATURES = [
    (["flows", "--engine", "spark"], "the Spark engine", "spark", "pyspark"),
    (["infer", "--engine", "spark"], "the Spark engine", "spark", "sqlglot"),
    (["specialization", "--engine", "spark", "--bootstrap", "0"], "the Spark engine", "spark", "pyspark"),
    (["tag", "--method", "semantic", "--evaluate"], "the semantic tagger", "semantic", "sentence_transformers"),
]


def _hide(monkeypatch, module: str) -> None:
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)


def _one_line_error(result, what: str, extra: str) -> None:
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, ModuleNotFoundError) and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"error: {what} needs the '{extra}' extra: pip install 'talentflow[{extra}]'" + \
        extras.NOTES.get(extra, ""), result.output


@pytest.mark.parametrize(("argv", "name", "extra", "module"), COMMANDS, ids=[c[1] for c in COMMANDS])
def test_command_without_its_extra_names_it(monkeypatch, tmp_path, argv, name, extra, module):
    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parents[1])  # scenarios/ is relative
    _hide(monkeypatch, module)
    result = runner.invoke(app, [*argv, *(["--db", str(tmp_path / "w.duckdb")] if name != "scenario run" else [])],
                           input="n\n", terminal_width=200)
    _one_line_error(result, f"talentflow {name}", extra)
    assert not (tmp_path / "w.duckdb").exists()  # refused before any work


@pytest.mark.parametrize(("argv", "what", "extra", "module"), FEATURES, ids=[" ".join(f[0][:3]) for f in FEATURES])
def test_feature_without_its_extra_names_it(monkeypatch, tmp_path, argv, what, extra, module):
    _hide(monkeypatch, module)
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/java")  # the Java check comes after the extra's
    result = runner.invoke(app, [*argv, "--db", str(tmp_path / "w.duckdb")], terminal_width=200)
    _one_line_error(result, what, extra)


def test_a_late_missing_module_of_an_extra_is_one_line_too(monkeypatch):
    """A module of an extra first imported deep inside a command (past the up-front check)."""
    from talentflow.cli.common import errors_to_exit

    import typer

    with pytest.raises(typer.Exit) as exit_, errors_to_exit():
        raise ModuleNotFoundError("No module named 'plotly.io'", name="plotly.io")
    assert exit_.value.exit_code == 2
    with pytest.raises(ModuleNotFoundError), errors_to_exit():  # not an extra's module: a real bug, kept
        raise ModuleNotFoundError("No module named 'nonesuch'", name="nonesuch")


def test_with_the_extras_installed_the_commands_keep_their_options():
    for argv, *_ in COMMANDS:
        result = runner.invoke(app, [*argv[:2 if argv[0] in ("model", "scenario") else 1], "--help"],
                               terminal_width=200)
        assert result.exit_code == 0 and "--db" in result.output, result.output
    assert extras.extra_of("pyfixest.estimation") == "models" and extras.extra_of("pandas") is None
