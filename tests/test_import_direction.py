"""Imports point down the pipeline (docs/architecture.md): nothing imports ``cli``,
``course`` and ``templates`` import no other subpackage, ``sheets`` never imports
``graders``, the sandbox imports nothing else of ``graders``, and there is no
import cycle between modules, inside a package or across packages.

The graph is read from the source with :mod:`ast`, every import counted wherever
it stands (module level or inside a function); imports under ``if TYPE_CHECKING:``
count for the direction rules but not for cycles (they never run).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = {
    "api": "sheetgrade",
    "cli": "sheetgrade.cli",
    "course": "sheetgrade.course",
    "templates": "sheetgrade.templates",
    "sheets": "sheetgrade.sheets",
    "roster": "sheetgrade.roster",
    "submissions": "sheetgrade.submissions",
    "graders": "sheetgrade.graders",
    "gradebook": "sheetgrade.gradebook",
    "examples": "sheetgrade.examples",
}
EVERYTHING = {"course", "templates", "sheets", "roster", "submissions", "graders", "gradebook"}
#: the subpackages each part may import (besides itself); docs/architecture.md says why
ALLOWED: dict[str, set[str]] = {
    "course": set(),
    "templates": set(),
    "sheets": {"course", "templates"},
    "roster": {"course"},
    "submissions": {"course", "roster", "sheets"},
    "graders": {"course", "sheets", "roster", "submissions"},
    "gradebook": {"course", "templates", "sheets", "roster", "submissions", "graders"},
    "examples": set(EVERYTHING),
    "sheetgrade": {"course", "graders"},  # the facade: __version__ and the lazy check()
    "entry": {"cli"},  # python -m sheetgrade
    "cli": EVERYTHING | {"sheetgrade", "examples"},
}
SANDBOX = "sheetgrade.graders.sandbox"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    type_only: bool


def library_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for folder, package in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if "mlphys" in parts:  # the example course's data, not library code
                continue
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Edge]:
    """The library modules ``name`` imports. ``from pkg import sub`` is an import
    of ``pkg.sub`` (the package itself is loaded anyway, as every parent is)."""
    edges: list[Edge] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def add(target: str, node: ast.stmt, type_only: bool) -> None:
        if target in modules and target != name:
            edges.append(Edge(name, target, node.lineno, type_only))

    def visit(node: ast.AST, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, True)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name, child, type_only)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    add(sub if sub in modules else base, child, type_only)
            visit(child, type_only)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return edges


def part_of(module: str) -> str:
    if module == "sheetgrade.__main__":
        return "entry"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "sheetgrade"


@pytest.fixture(scope="module")
def graph() -> list[Edge]:
    modules = library_modules()
    assert "sheetgrade.graders.sandbox.child" in modules and "sheetgrade.cli.main" in modules
    return [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]


def where(edge: Edge) -> str:
    return f"{edge.source} (line {edge.line}) imports {edge.target}"


def test_imports_follow_the_direction_rules(graph: list[Edge]) -> None:
    wrong = [
        where(e)
        for e in graph
        if part_of(e.source) != part_of(e.target)
        and part_of(e.target) not in ALLOWED[part_of(e.source)]
    ]
    assert wrong == []


def test_the_sandbox_imports_nothing_else_of_graders(graph: list[Edge]) -> None:
    wrong = [
        where(e)
        for e in graph
        if e.source.startswith(SANDBOX)
        and e.target.startswith("sheetgrade.graders")
        and not e.target.startswith(SANDBOX)
    ]
    assert wrong == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_no_cycle_between_modules(graph: list[Edge]) -> None:
    edges: dict[str, set[str]] = {}
    for e in graph:
        if not e.type_only:
            edges.setdefault(e.source, set()).add(e.target)
    assert cycles(edges) == []


def test_no_cycle_between_packages(graph: list[Edge]) -> None:
    edges: dict[str, set[str]] = {}
    for e in graph:
        if not e.type_only and part_of(e.source) != part_of(e.target):
            edges.setdefault(part_of(e.source), set()).add(part_of(e.target))
    assert cycles(edges) == []


def test_the_checks_see_a_forbidden_import_and_a_cycle(tmp_path: Path) -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    probe = tmp_path / "x.py"
    probe.write_text("def f():\n    from sheetgrade.graders import y\n", encoding="utf-8")
    modules = {"sheetgrade.sheets.x": probe, "sheetgrade.graders.y": tmp_path / "y.py"}
    (edge,) = imports_of("sheetgrade.sheets.x", probe, modules)
    assert (edge.target, edge.line, edge.type_only) == ("sheetgrade.graders.y", 2, False)
    assert part_of(edge.target) not in ALLOWED[part_of(edge.source)]
