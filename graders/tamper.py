"""Static scan of a submission's source for tampering with test machinery.

Assert-style tests are judged inside the student process, so a submission
can subvert them. The grader reads the student's code (it never runs it) and
flags, for a tutor to review: assignments to attributes of numpy, builtins,
sys, math and test libraries; ``setattr`` on them; ``__eq__``-style
overrides; trace and profile hooks; frame, gc and ctypes tricks. Native
checks do not depend on this: they compare in the grader.
"""

from __future__ import annotations

import ast

from sheetgrade.graders.assert_lift import parse_source
from sheetgrade.graders.notebook import Cell

_PROTECTED_MODULES = {
    "np",
    "numpy",
    "builtins",
    "__builtins__",
    "sys",
    "math",
    "unittest",
    "pytest",
    "otter",
    "nbgrader",
    "operator",
    "doctest",
    "gc",
    "inspect",
    "testing",
    "sheetgrade",
}
_COMPARISON_DUNDERS = {
    "__eq__",
    "__ne__",
    "__bool__",
    "__hash__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__array_ufunc__",
    "__array_function__",
    "__instancecheck__",
}
_SUSPICIOUS_CALLS = {
    "settrace": "sets a trace function",
    "setprofile": "sets a profile function",
    "_getframe": "inspects stack frames",
    "currentframe": "inspects stack frames",
    "stack": None,
    "get_objects": "walks the garbage collector",
    "get_referrers": "walks the garbage collector",
    "get_referents": "walks the garbage collector",
}
_SUSPICIOUS_ATTRS = {
    "f_back",
    "f_globals",
    "f_locals",
    "f_builtins",
    "tb_frame",
    "gi_frame",
    "__code__",
    "__globals__",
    "__closure__",
    "co_code",
}
_SUSPICIOUS_IMPORTS = {"ctypes", "gc", "inspect", "builtins", "cffi", "socket", "_socket", "mmap"}
# raw file-descriptor access: how a submission could reach the grader's channel
_FD_CALLS = {
    ("os", "dup"),
    ("os", "dup2"),
    ("os", "write"),
    ("os", "read"),
    ("os", "fdopen"),
    ("io", "FileIO"),
    ("os", "sendfile"),
    ("os", "pipe"),
}


#: the usual module behind a conventional alias; binding the alias to anything
#: else (``np = Proxy()``, ``import evil as np``) changes what tests call
_MODULE_ALIASES = {
    "np": "numpy",
    "numpy": "numpy",
    "math": "math",
    "pd": "pandas",
    "pandas": "pandas",
    "scipy": "scipy",
    "sp": "scipy",
    "plt": "matplotlib",
    "torch": "torch",
    "testing": "numpy",
}
#: base classes whose subclasses can lie about arithmetic inside the student process
_NUMERIC_BASES = {
    "float",
    "int",
    "complex",
    "bool",
    "str",
    "list",
    "tuple",
    "dict",
    "ndarray",
    "float64",
    "float32",
    "int64",
    "generic",
    "number",
}
_ARITHMETIC_DUNDERS = {
    "__sub__",
    "__rsub__",
    "__add__",
    "__radd__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__abs__",
    "__neg__",
    "__float__",
    "__int__",
    "__index__",
    "__round__",
    "__len__",
    "__iter__",
    "__getitem__",
    "__array__",
    "__contains__",
    "__repr__",
    "__str__",
    "items",
}


def names_used(sources: list[str]) -> set[str]:
    """Every name the given test sources read (``np``, ``abs``, ``answer``, ...)."""
    found: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        found |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return found


def scan_cells(cells: list[Cell], test_names: set[str] | None = None) -> list[str]:
    """Findings for every cell, as ``cell N line L: what`` strings (sorted, unique).

    Args:
        cells: the submission's code cells.
        test_names: names the sheet's in-process tests read; rebinding one that
            is a builtin or a module alias (``np``, ``abs``, ``len``) is a finding.
    """
    findings: list[str] = []
    for cell in cells:
        findings += [f"cell {cell.index + 1} {f}" for f in scan_source(cell.source)]
        if test_names:
            findings += [
                f"cell {cell.index + 1} {f}" for f in scan_rebinding(cell.source, test_names)
            ]
    return sorted(set(findings), key=findings.index)


def scan_rebinding(source: str, test_names: set[str]) -> list[str]:
    """``line L: rebinds NAME ...`` for builtins and module aliases the tests read."""
    import builtins

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    watched = {n for n in test_names if hasattr(builtins, n) or n in _MODULE_ALIASES}
    out: list[str] = []

    def bound(name: str, line: int, how: str) -> None:
        if name in watched:
            out.append(f"line {line}: rebinds {name}, which the tests use ({how})")

    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound(node.id, line, "assignment")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound(node.name, line, "definition")
        elif isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.split(".")[0]
                if _MODULE_ALIASES.get(name) != a.name.split(".")[0]:
                    bound(name, line, f"import {a.name}")
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                name = a.asname or a.name
                module = (node.module or "").split(".")[0]
                if _MODULE_ALIASES.get(name) != module or name == "*":
                    bound(name, line, f"from {node.module} import")
                if name == "*":
                    out.append(f"line {line}: imports * from {node.module} (may rebind names)")
    return out


def scan_source(source: str, _depth: int = 0) -> list[str]:
    """Findings in one piece of Python source (``line L: what``), including
    Python source carried in its string constants (for ``exec`` or a module
    written to disk and imported)."""
    try:
        tree = parse_source(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name.split(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        for what in _check(node, aliases):
            found.append(f"line {line}: {what}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "\n" in node.value
            and _depth < 3
        ):
            found += [
                f"line {line}: in a string: {what}" for what in scan_source(node.value, _depth + 1)
            ]
    return found


def _root_name(node: ast.AST, aliases: dict[str, str] | None = None) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    name = (aliases or {}).get(node.id, node.id)
    return "np" if name == "numpy" else name


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:60]
    except Exception:  # noqa: BLE001
        return "?"


def _check(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    """What one node does to the test machinery, in words (empty: nothing)."""
    return [
        *_check_assignment(node, aliases),
        *_check_definition(node),
        *_check_call(node, aliases),
        *_check_reference(node),
    ]


def _check_assignment(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    """Assigning (or deleting) attributes of protected modules, ``__class__`` and the like."""
    out: list[str] = []
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    for target in targets:
        for t in target.elts if isinstance(target, ast.Tuple | ast.List) else [target]:
            if (
                isinstance(t, ast.Attribute | ast.Subscript)
                and _root_name(t, aliases) in _PROTECTED_MODULES
            ):
                out.append(f"assigns {_dotted(t)}")
            if isinstance(t, ast.Attribute) and t.attr in (
                "__class__",
                "__code__",
                "__eq__",
                "__dict__",
            ):
                out.append(f"assigns {_dotted(t)}")
            if isinstance(t, ast.Name) and t.id == "__builtins__":
                out.append("assigns __builtins__")
    return out


def _check_definition(node: ast.AST) -> list[str]:
    """Comparison overrides, and numeric subclasses that lie about arithmetic."""
    out: list[str] = []
    if (
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name in _COMPARISON_DUNDERS
    ):
        out.append(f"defines {node.name} (comparison override)")
    if isinstance(node, ast.ClassDef):
        bases = {
            b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
        }
        if bases & _NUMERIC_BASES:
            lies = sorted(
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef) and item.name in _ARITHMETIC_DUNDERS
            )
            if lies:
                out.append(
                    f"subclasses {', '.join(sorted(bases & _NUMERIC_BASES))} and overrides "
                    f"{', '.join(lies)}"
                )
    return out


def _call_name(func: ast.expr) -> str:
    """``f`` of ``f(...)`` or ``x.f(...)``; empty for any other callee."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _check_call(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    """Calls that patch, inspect, exit, run strings or reach raw descriptors."""
    if not isinstance(node, ast.Call):
        return []
    out: list[str] = []
    func = node.func
    if isinstance(func, ast.Name):
        if func.id == "type" and len(node.args) == 3:
            out.append("builds a class with type(name, bases, dict)")
        if func.id in ("globals", "vars"):
            out.append(f"calls {func.id}() (changes names directly)")
    name = _call_name(func)
    if (
        name in ("setattr", "delattr")
        and node.args
        and _root_name(node.args[0], aliases) in _PROTECTED_MODULES
    ):
        out.append(f"calls {name} on {_dotted(node.args[0])}")
    elif name in _SUSPICIOUS_CALLS and (name != "stack" or _root_name(func, aliases) == "inspect"):
        out.append(f"calls {_dotted(func)} ({_SUSPICIOUS_CALLS[name] or 'inspects stack frames'})")
    elif name in ("exit", "_exit") and _root_name(func, aliases) in ("os", "sys"):
        out.append(f"calls {_dotted(func)}")
    elif name in ("exec", "eval", "compile") and _root_name(func, aliases) in (name, "builtins"):
        out.append(f"calls {name} (runs code from a string)")
    if isinstance(func, ast.Attribute) and (_root_name(func, aliases), func.attr) in _FD_CALLS:
        out.append(f"calls {_dotted(func)} (raw file descriptors)")
    if any(k.arg == "fileno" for k in node.keywords):
        out.append(f"calls {_dotted(func)} with fileno= (raw file descriptors)")
    if name in ("__import__", "import_module") and node.args:
        if not isinstance(node.args[0], ast.Constant):
            out.append(f"calls {name} with a computed module name")
    return out


def _check_reference(node: ast.AST) -> list[str]:
    """``/proc`` paths, frame and code attributes, suspicious imports."""
    out: list[str] = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/proc/" in node.value:
        out.append(f"uses the path {node.value[:40]!r}")
    if isinstance(node, ast.Attribute) and node.attr in _SUSPICIOUS_ATTRS:
        out.append(f"uses .{node.attr}")
    if isinstance(node, ast.Import | ast.ImportFrom):
        modules = (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
        for module in modules:
            if module.split(".")[0] in _SUSPICIOUS_IMPORTS:
                out.append(f"imports {module}")
    return out
