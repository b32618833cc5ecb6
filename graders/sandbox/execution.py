"""What runs inside the student's namespace: cells, calls, OK-format inputs,
assert tests, and the identity checks that detect tampering.

Used in the confined student process (:mod:`sheetgrade.graders.sandbox.child`) and,
on a student's own machine, in-process by ``check("2a")`` inside Jupyter.
Nothing here decides a score: it only runs code and reports what happened.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import sys
import traceback

# Bound at import: student code in the same process may replace attributes of
# the builtins module; this runtime keeps working and reports it (see tamper checks).
from builtins import (  # noqa: UP029
    BaseException,
    Exception,
    MemoryError,
    NameError,
    SystemExit,
    TypeError,
    callable,
    compile,
    dict,
    eval,
    exec,
    getattr,
    int,
    isinstance,
    list,
    range,
    str,
    tuple,
    type,
)
from types import TracebackType
from typing import Any

from sheetgrade.graders.sandbox.ipython_shim import IPythonShim
from sheetgrade.graders.sandbox.ipython_syntax import transform


def new_namespace() -> dict[str, Any]:
    """A fresh ``__main__``-like namespace with a ``get_ipython`` shim."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    shim = IPythonShim(namespace)
    namespace["get_ipython"] = lambda: shim
    return namespace


def shim_of(namespace: dict[str, Any]) -> IPythonShim | None:
    """The shim installed by :func:`new_namespace`, if still there."""
    getter = namespace.get("get_ipython")
    try:
        shim = getter() if callable(getter) else None
    except Exception:  # noqa: BLE001 - student code may have replaced it
        return None
    return shim if isinstance(shim, IPythonShim) else None


def run_cells(namespace: dict[str, Any], cells: list[tuple[int, str]]) -> dict[str, Any]:
    """Run cells in order like IPython: an error ends its cell, not the run.

    Args:
        namespace: the namespace to run in.
        cells: ``(cell index, source)`` pairs; IPython syntax in a source is
            rewritten here (:func:`.ipython_syntax.transform`).

    Returns:
        ``{"errors": [{"cell", "type", "message"}], "memory_error": bool}``;
        tracebacks are printed to stderr (the capped output).
    """
    errors: list[dict[str, Any]] = []
    memory_error = False
    for index, source in cells:
        try:
            code = compile(transform(source), f"<cell {index + 1}>", "exec")
            exec(code, namespace)
        except SystemExit as exc:
            errors.append({"cell": index, "type": "SystemExit", "message": str(exc.code)})
            print_exception(exc, skip=1)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            if isinstance(exc, MemoryError):
                memory_error = True
            errors.append({"cell": index, "type": type(exc).__name__, "message": _safe_str(exc)})
            print_exception(exc, skip=1)
    return {"errors": errors, "memory_error": memory_error}


def print_exception(exc: BaseException, skip: int = 0) -> None:
    """Print a traceback to stderr without the runner's own ``skip`` frames."""
    tb: TracebackType | None = exc.__traceback__
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    try:
        text = "".join(traceback.format_exception(type(exc), exc, tb))
    except Exception:  # noqa: BLE001
        text = f"{type(exc).__name__}\n"
    try:
        sys.__stderr__.write(text) if sys.__stderr__ else None
        sys.__stderr__.flush() if sys.__stderr__ else None
    except Exception:  # noqa: BLE001 - a closed or replaced stderr must not stop grading
        pass


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:  # noqa: BLE001
        return "<unprintable>"


def describe_exception(exc: BaseException) -> str:
    """``TypeName: message``, safe for any exception."""
    return f"{type(exc).__name__}: {_safe_str(exc)}".rstrip(": ")


def lookup(namespace: dict[str, Any], name: str) -> Any:
    """The value of a dotted ``name`` in ``namespace`` (``model.fit`` works too).

    Raises:
        NameError: the name is not defined.
    """
    head, *rest = name.split(".")
    if head not in namespace:
        raise NameError(f"name '{head}' is not defined")
    value = namespace[head]
    for part in rest:
        value = getattr(value, part)
    return value


def call(namespace: dict[str, Any], name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call the student's function ``name``."""
    function = lookup(namespace, name)
    if not callable(function):
        raise TypeError(f"'{name}' is a {type(function).__name__}, not a function")
    return function(*args, **kwargs)


def run_ok(namespace: dict[str, Any], sources: list[str]) -> list[str]:
    """Run the inputs of one OK-format (doctest) case like an interactive prompt.

    Returns:
        The printed output of each input (expression values shown with their
        ``repr``, exceptions as ``Traceback ...`` plus ``Type: message``).
    """
    outputs = []
    for source in sources:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                code = compile(source, "<test>", "single")
                exec(code, namespace)
            except BaseException as exc:  # noqa: BLE001
                buffer.write("Traceback (most recent call last):\n  ...\n")
                buffer.write(describe_exception(exc) + "\n")
        outputs.append(buffer.getvalue())
    return outputs


def evaluate(namespace: dict[str, Any], expr: str) -> Any:
    """The value of one expression in the namespace (output discarded)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return eval(compile(expr, "<test>", "eval"), namespace)


def run_assert(namespace: dict[str, Any], code: str) -> str | None:
    """Run an assert-style test in the namespace; ``None`` if it raised nothing,
    else the error as ``Type: message``."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "<test>", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001
        return describe_exception(exc)
    return None


def run_cell(namespace: dict[str, Any], code: str) -> dict[str, Any]:
    """Run a test cell as a notebook kernel would, for nbgrader's scoring.

    Returns ``{"error": "Type: message" | None, "stderr": bool, "result": str | None}``:
    whether anything was written to stderr (warnings too), and the repr of the
    cell's last expression when it is not ``None`` (what Jupyter would show as
    the cell's result; a trailing ``;`` hides it).
    """
    import ast
    import warnings

    errors = io.StringIO()
    result = None
    try:
        tree = ast.parse(code)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last is not None else tree.body
        # catch_warnings forgets which warnings were shown while the notebook ran
        # (the grade cell ran there once already), as if the cell ran first here
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(errors),
        ):
            exec(compile(ast.Module(body=body, type_ignores=[]), "<test>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<test>", "eval"), namespace)
                if value is not None and not code.rstrip().endswith(";"):
                    result = str(repr(value))[:1000]
    except BaseException as exc:  # noqa: BLE001
        return {"error": describe_exception(exc), "stderr": bool(errors.getvalue()), "result": None}
    return {"error": None, "stderr": bool(errors.getvalue()), "result": result}


# ------------------------------------------------------------ tamper checks

_BUILTIN_NAMES = (
    "isinstance",
    "issubclass",
    "len",
    "abs",
    "all",
    "any",
    "round",
    "sum",
    "min",
    "max",
    "print",
    "repr",
    "type",
    "float",
    "int",
    "bool",
    "str",
    "AssertionError",
    "Exception",
    "getattr",
    "hasattr",
    "sorted",
    "__import__",
    "exec",
    "eval",
    "compile",
    "range",
    "zip",
)
_NUMPY_NAMES = (
    "allclose",
    "isclose",
    "array_equal",
    "array_equiv",
    "array",
    "asarray",
    "abs",
    "all",
    "any",
    "isnan",
    "isfinite",
    "sum",
    "max",
    "min",
    "linalg.norm",
    "testing.assert_allclose",
    "testing.assert_array_equal",
    "testing.assert_array_almost_equal",
    "testing.assert_almost_equal",
    "testing.assert_equal",
    "ndarray",
)


def identity_snapshot() -> dict[str, Any]:
    """The objects that tests rely on, by name (kept alive, compared by identity)."""
    snapshot: dict[str, Any] = {f"builtins.{n}": getattr(builtins, n, None) for n in _BUILTIN_NAMES}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        for dotted in _NUMPY_NAMES:
            value: Any = numpy
            for part in dotted.split("."):
                value = getattr(value, part, None)
            snapshot[f"numpy.{dotted}"] = value
    math = sys.modules.get("math")
    if math is not None:
        snapshot["math.isclose"] = math.isclose
    snapshot["sys.displayhook"] = sys.displayhook
    snapshot["sys.excepthook"] = sys.excepthook
    snapshot["sys.settrace"] = sys.settrace
    snapshot["sys.setprofile"] = sys.setprofile
    return snapshot


def restore(before: dict[str, Any]) -> list[str]:
    """Put back every object of ``before`` that student code replaced, and
    remove trace/profile hooks; return what was changed (for the tamper flags).

    Run after each request, so the runtime that answers the grader, and the
    assert tests after it, see the original builtins and numpy functions.
    """
    changed = identity_changes(before)
    for name, obj in before.items():
        if name in ("sys.settrace", "sys.setprofile"):
            continue
        module_name, _, attribute = name.rpartition(".")
        owner: Any = {"builtins": builtins, "sys": sys}.get(module_name.split(".")[0])
        if owner is None:
            owner = sys.modules.get(module_name.split(".")[0])
        for part in module_name.split(".")[1:]:
            owner = getattr(owner, part, None)
        if owner is None or obj is None:
            continue
        try:
            if getattr(owner, attribute, None) is not obj:
                setattr(owner, attribute, obj)
        except (AttributeError, TypeError):
            pass
    before["sys.settrace"](None)
    before["sys.setprofile"](None)
    sys.settrace, sys.setprofile = before["sys.settrace"], before["sys.setprofile"]
    return changed


def identity_changes(before: dict[str, Any]) -> list[str]:
    """What differs from ``before`` now, plus active trace/profile hooks."""
    after = identity_snapshot()
    changed = [name for name, obj in before.items() if after.get(name) is not obj]
    if sys.gettrace() is not None:
        changed.append("sys.settrace (a trace function is active)")
    if sys.getprofile() is not None:
        changed.append("sys.setprofile (a profile function is active)")
    return changed
