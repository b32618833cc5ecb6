"""Code stays readable in one sitting: no module over 400 lines and no function
over 80 lines, outside the tests (issue 17's limits, kept for good)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the package's folders (pyproject's package-dir) and the benchmarks
FOLDERS = (
    *tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ].values(),
    "benchmarks",
)
MODULE_LINES = 400
FUNCTION_LINES = 80


def _sources() -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        for path in (REPO / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def test_sources_are_found() -> None:
    assert len(_sources()) > 100


def test_no_module_over_the_limit() -> None:
    over = []
    for path in _sources():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LINES:
            over.append(f"{path.relative_to(REPO)}: {lines} lines")
    assert over == [], f"split modules over {MODULE_LINES} lines"


def test_no_function_over_the_limit() -> None:
    over = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    rel = path.relative_to(REPO)
                    over.append(f"{rel}:{node.lineno} {node.name}: {length} lines")
    assert over == [], f"split functions over {FUNCTION_LINES} lines"
