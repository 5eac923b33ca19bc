"""Imports run one way: the import-linter contracts of pyproject.toml ([tool.importlinter]) hold,
every package of src/talentflow has its place in the layers, and a wrong import breaks the check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "talentflow"
CONFIG = ROOT / "pyproject.toml"


def lint_imports(src_parent: Path, config: Path = CONFIG) -> subprocess.CompletedProcess:
    """Run import-linter (what `lint-imports` does) on the talentflow package found in ``src_parent``."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True, no_logo=True))")
    env = dict(os.environ, PYTHONPATH=str(src_parent))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def _layers() -> list[str]:
    contracts = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    return [name.strip() for line in layers for name in line.split("|")]


def test_contracts_are_kept():
    run = lint_imports(SRC.parent)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "broken" not in run.stdout.lower().replace("0 broken", "")


def test_every_package_has_a_layer():
    """A new module or package of src/talentflow goes on a line of the layers contract."""
    present = {p.stem if p.is_file() else p.name for p in SRC.iterdir()
               if (p.is_file() and p.suffix == ".py" and p.stem != "__init__")
               or (p.is_dir() and (p / "__init__.py").is_file())}
    placed = {name.removeprefix("talentflow.") for name in _layers()}
    assert present - placed == set(), f"not in [tool.importlinter] layers: {sorted(present - placed)}"
    assert placed - present == set(), f"layers name packages that do not exist: {sorted(placed - present)}"
    dirs = {p.name for p in SRC.iterdir() if p.is_dir() and any(p.glob("*.py"))}
    assert all((SRC / d / "__init__.py").is_file() for d in dirs), "a namespace package is invisible to the contract"


@pytest.mark.parametrize("importer, line", [
    ("metrics/common.py", "from talentflow.report import figures  # planted"),  # a core package imports an edge
    ("inference/sweep.py", "from talentflow.metrics import common  # planted"),  # the cycle that was removed
])
def test_a_planted_wrong_import_breaks_the_contract(tmp_path, importer, line):
    copy = tmp_path / "src" / "talentflow"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "static", "templates"))
    target = copy / importer
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    run = lint_imports(copy.parent)
    assert run.returncode != 0, run.stdout
    assert "BROKEN" in run.stdout
    assert f"talentflow.{importer.removesuffix('.py').replace('/', '.')}" in run.stdout, run.stdout
