"""What `sheetgrade check` and the portable backend import runs on macOS and Windows.

Walks, without importing, every sheetgrade module that `sheetgrade check`,
`check("1a")` and the portable backend can import (module level and inside
functions), and fails on an unguarded import of a POSIX-only module, or on a
use of ``os.fork``, ``socket.AF_UNIX`` or ``SOCK_SEQPACKET`` outside the Linux
backend. An import is guarded when it sits in a ``try`` that catches
``ImportError`` (or ``Exception``), or under an ``if`` on the platform
(``sys.platform``, ``os.name``, ``hasattr``); modules reached only through
guarded imports are optional there and not walked.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

POSIX_ONLY = frozenset({"resource", "fcntl", "termios", "pwd", "grp"})
FORBIDDEN_ATTRIBUTES = {("os", "fork"), ("socket", "AF_UNIX"), ("socket", "SOCK_SEQPACKET")}
FORBIDDEN_NAMES = frozenset({"SOCK_SEQPACKET", "AF_UNIX"})
#: the fork server: Linux only, chosen at run time by sandbox.backend
LINUX_BACKEND = frozenset(
    {
        "sheetgrade.graders.sandbox.worker",
        "sheetgrade.graders.sandbox.zygote",
    }
)
ROOTS = (
    "sheetgrade.cli.main",
    "sheetgrade.cli.check",
    "sheetgrade.graders.local_check",
    "sheetgrade.graders.notebook_check",
    "sheetgrade.graders.sandbox.backend",
    "sheetgrade.graders.sandbox.portable",
    "sheetgrade.graders.sandbox.portable_child",
)
_CATCHES = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException", "OSError"}
_PLATFORM_WORDS = ("platform", "os.name", "hasattr", "WinDLL")


@dataclass
class Scan:
    """Imports and findings of one module."""

    edges: list[str] = field(default_factory=list)  # sheetgrade modules, unguarded
    problems: list[str] = field(default_factory=list)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _guarding_try(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(isinstance(n, ast.Name) and n.id in _CATCHES for n in names):
            return True
    return False


def _platform_test(node: ast.expr) -> bool:
    text = ast.unparse(node)
    return any(word in text for word in _PLATFORM_WORDS)


def scan_source(source: str, module: str, *, linux_backend: bool = False) -> Scan:
    """Findings and unguarded sheetgrade imports of one module's source."""
    scan = Scan()
    tree = ast.parse(source)

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.Try) and _guarding_try(node):
            for child in node.body:
                visit(child, True)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, guarded)
            return
        if isinstance(node, ast.If) and _platform_test(node.test):
            for child in [*node.body, *node.orelse]:
                visit(child, True)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            _imports(node, guarded)
        elif not linux_backend and isinstance(node, ast.Attribute):
            base = node.value
            if isinstance(base, ast.Name) and (base.id, node.attr) in FORBIDDEN_ATTRIBUTES:
                scan.problems.append(f"{module} line {node.lineno}: {base.id}.{node.attr}")
            elif node.attr in FORBIDDEN_NAMES:
                scan.problems.append(f"{module} line {node.lineno}: {ast.unparse(node)}")
        elif not linux_backend and isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            scan.problems.append(f"{module} line {node.lineno}: {node.id}")
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    def _imports(node: ast.Import | ast.ImportFrom, guarded: bool) -> None:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = module.rsplit(".", node.level)[0]
                base = f"{package}.{base}" if base else package
            names = [base] + [f"{base}.{a.name}" for a in node.names if a.name != "*"]
            if any(a.name == "fork" for a in node.names) and base == "os" and not linux_backend:
                scan.problems.append(f"{module} line {node.lineno}: from os import fork")
        for name in names:
            top = name.partition(".")[0]
            if top in POSIX_ONLY and not guarded:
                scan.problems.append(f"{module} line {node.lineno}: unguarded import {name}")
            if top == "sheetgrade" and not guarded and _is_module(name):
                scan.edges.append(name)

    visit(tree, False)
    return scan


def walk(roots: tuple[str, ...] = ROOTS) -> tuple[set[str], list[str]]:
    """Every module reachable from ``roots`` through unguarded imports, and the findings."""
    seen: set[str] = set()
    problems: list[str] = []
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        # the packages of a module are imported first
        parent = name.rpartition(".")[0]
        if parent:
            todo.append(parent)
        scan = scan_source(
            Path(spec.origin).read_text(encoding="utf-8"),
            name,
            linux_backend=name in LINUX_BACKEND,
        )
        problems += scan.problems
        todo += scan.edges
    return seen, problems


def test_check_and_the_portable_backend_import_nothing_posix_only() -> None:
    seen, problems = walk()
    assert problems == []
    # the walk reaches what it should
    assert {
        "sheetgrade.graders.sandbox.protocol",
        "sheetgrade.graders.sandbox.child",
        "sheetgrade.graders.sandbox.execution",
        "sheetgrade.graders.harness",
        "sheetgrade.graders.sandbox.winjob",
    } <= seen
    # confine (rlimits via `resource`) is reached only through guarded imports
    assert "sheetgrade.graders.sandbox.confine" not in seen


def test_the_walk_finds_what_it_forbids() -> None:
    source = (
        "import os, socket, sys\n"
        "import fcntl\n"
        "from resource import setrlimit\n"
        "try:\n    import pwd\nexcept ImportError:\n    pwd = None\n"
        "if sys.platform != 'win32':\n    import grp\n"
        "def f():\n"
        "    import termios\n"
        "    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
        "    return os.fork()\n"
    )
    problems = scan_source(source, "m").problems
    assert problems == [
        "m line 2: unguarded import fcntl",
        "m line 3: unguarded import resource",
        "m line 3: unguarded import resource.setrlimit",
        "m line 11: unguarded import termios",
        "m line 12: socket.AF_UNIX",
        "m line 12: socket.SOCK_SEQPACKET",
        "m line 13: os.fork",
    ]
    assert scan_source(source, "m", linux_backend=True).problems == problems[:4]
