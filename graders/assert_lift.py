"""Judging simple assert tests in the grader instead of in the student process.

An assert-style test runs in the student process, which student code can
subvert (up to answering the grader's requests itself). Many such tests have
a simple shape, though: ``assert <expr> == <literal>``, ``assert
np.allclose(<expr>, <literal>)``, ``np.testing.assert_allclose(<expr>,
<literal>)``. For those, the student process only evaluates ``<expr>`` and
returns its value as plain data; the grader compares it with the literal,
which never leaves the grader. A forged reply can then only forge a value,
and a hidden expected value stays hidden.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass, field
from typing import Any

from sheetgrade.graders.compare import CheckFailed, _equal, expect_close

_CLOSE_FUNCTIONS = {
    "allclose",
    "isclose",
    "assert_allclose",
    "assert_almost_equal",
    "assert_array_almost_equal",
}
_EQUAL_FUNCTIONS = {"assert_equal", "assert_array_equal", "array_equal"}
_TOLERANCES = {"rtol", "atol"}


@dataclass(frozen=True)
class Claim:
    """One lifted statement: ``expr`` (evaluated in the student process) vs ``expected``."""

    expr: str
    expected: Any
    close: bool = False
    tolerances: dict[str, float] = field(default_factory=dict)


# CPython 3.11 before 3.11.8 keeps ast.parse's recursion bookkeeping in global
# state: two threads parsing at once can fail with "SystemError: AST constructor
# recursion depth mismatch" (python/cpython#106905). Grading runs tests in
# threads, so every parse in the grader goes through this lock.
_PARSE_LOCK = threading.Lock()


def parse_source(source: str) -> ast.Module:
    """``ast.parse``, one thread at a time (see above)."""
    with _PARSE_LOCK:
        return ast.parse(source)


def lift(code: str) -> list[Claim] | None:
    """The claims of ``code`` if every statement has a liftable shape, else ``None``."""
    try:
        tree = parse_source(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    claims = []
    for statement in tree.body:
        claim = _claim(statement)
        if claim is None:
            return None
        claims.append(claim)
    return claims or None


def _claim(statement: ast.stmt) -> Claim | None:
    if isinstance(statement, ast.Assert):
        node = statement.test
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        node = statement.value
        name = _function_name(node.func)
        if not name.startswith("assert_"):
            return None
    else:
        return None
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
        left, right = node.left, node.comparators[0]
        for expr, literal in ((left, right), (right, left)):
            value = _literal(literal)
            if value is not _NO and _literal(expr) is _NO:
                return Claim(expr=ast.unparse(expr), expected=value)
        return None
    if isinstance(node, ast.Call) and len(node.args) == 2:
        name = _function_name(node.func)
        if name not in _CLOSE_FUNCTIONS | _EQUAL_FUNCTIONS:
            return None
        tolerances: dict[str, float] = {}
        for keyword in node.keywords:
            value = _literal(keyword.value)
            if keyword.arg not in _TOLERANCES or not isinstance(value, int | float):
                return None
            tolerances[keyword.arg] = float(value)
        expected = _literal(node.args[1])
        if expected is _NO or _literal(node.args[0]) is not _NO:
            return None
        return Claim(
            expr=ast.unparse(node.args[0]),
            expected=expected,
            close=name in _CLOSE_FUNCTIONS,
            tolerances=tolerances,
        )
    return None


def _function_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


_NO = object()


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NO


def judge(claim: Claim, actual: Any) -> str | None:
    """``None`` when ``actual`` satisfies the claim, else a message (without the expected value)."""
    if claim.close:
        try:
            tolerances: dict[str, Any] = dict(claim.tolerances)  # only rtol, atol (see lift)
            expect_close(actual, claim.expected, **tolerances)
        except CheckFailed:
            return f"assertion failed: {claim.expr} is not close to the expected value"
        return None
    if _equal(actual, claim.expected):
        return None
    return f"assertion failed: {claim.expr} does not equal the expected value"
