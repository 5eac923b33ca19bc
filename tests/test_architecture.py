"""Imports run one way: the pure middle never imports the edges."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "talentflow"

# package -> packages it must not import
FORBIDDEN = {
    "schema": {"store", "ingest", "resolve", "inference", "metrics", "models", "pipeline", "api", "cli", "report", "app"},
    "resolve": {"store", "pipeline", "api", "cli", "report", "app", "inference", "metrics", "models"},
    "ingest": {"store", "pipeline", "api", "cli", "report", "app"},
    "inference": {"pipeline", "api", "cli", "report", "app"},
    "metrics": {"pipeline", "api", "cli", "report", "app"},
    "models": {"pipeline", "api", "cli", "report", "app"},
    "store": {"ingest", "resolve", "pipeline", "api", "cli", "report", "app"},
    "persons": {"ingest", "resolve", "inference", "metrics", "models", "pipeline", "api", "cli", "report", "app"},
}


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("talentflow."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("talentflow."):
                    out.add(alias.name.split(".")[1])
    return out


def test_layers():
    problems = []
    for package, banned in FORBIDDEN.items():
        folder = SRC / package
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.py"):
            bad = _imports(path) & banned
            if bad:
                problems.append(f"{path.relative_to(SRC)} imports {sorted(bad)}")
    assert not problems, "\n".join(problems)
