"""What each install brings (issue 16, item 9): test tools only in `dev`, bounds where an upper
version is known to break or warn, and `make demo` installing only what the demo needs."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
TEST_TOOLS = {"pytest", "pytest-timeout", "hypothesis", "import-linter", "playwright", "schemathesis", "statsmodels"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement, maxsplit=1)[0].lower()


def test_test_tools_are_in_dev_only():
    for extra, reqs in PROJECT["optional-dependencies"].items():
        if extra != "dev":
            assert not {_name(r) for r in reqs} & TEST_TOOLS, f"extra {extra!r} installs a test tool"
    assert not {_name(r) for r in PROJECT["dependencies"]} & TEST_TOOLS
    dev = {_name(r) for r in PROJECT["optional-dependencies"]["dev"]}
    assert TEST_TOOLS <= dev, sorted(TEST_TOOLS - dev)


def test_upper_bounds():
    reqs = {_name(r): r for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["spark"]}
    assert "<3" in reqs["pandas"]  # PySpark warns on pandas 3
    assert "<" in reqs["sqlglot"]  # the Spark translation is tested against one major version


def test_demo_installs_the_app_extra_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: \$\(VENV\)/\.installed-app$", makefile, re.M), "make demo should install .[app]"
