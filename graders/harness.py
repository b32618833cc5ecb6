"""Running one sheet's tests against one student: the same harness for grading,
build validation and students' local checks.

:mod:`.targets` holds where answers come from: the student is a
:class:`~.targets.Target` (a confined child or, on a student's own machine,
the live notebook namespace) and the reference a :class:`~.targets.Reference`
(a child running ``reference.ipynb``, or the answers recorded at build time).

- native checks run here, in the grader, with ``student`` and ``reference``
  proxies; every answer is decoded plain data, compared by
  :mod:`sheetgrade.graders.compare`;
- OK-format cases run their inputs in the student process and compare the
  printed text here, after normalising numpy 2 scalar reprs;
- assert tests run in the student process (level "compat").
"""

from __future__ import annotations

import builtins
import doctest
import re
import time
from dataclasses import dataclass
from typing import Any

from sheetgrade.graders.assert_lift import judge, lift
from sheetgrade.graders.compare import HELPERS, CheckFailed
from sheetgrade.graders.errors import GradingError
from sheetgrade.graders.ml_checks import ML_HELPERS
from sheetgrade.graders.sandbox import execution
from sheetgrade.graders.sandbox.session import StudentError
from sheetgrade.graders.targets import (
    ChildTarget,
    LiveTarget,
    ProcessReference,
    RecordedReference,
    Reference,
    ReferenceUnavailable,
    Target,
)
from sheetgrade.sheets.model import TestCase

__all__ = [
    "ChildTarget",
    "LiveTarget",
    "ProcessReference",
    "Proxy",
    "RecordedReference",
    "Reference",
    "ReferenceUnavailable",
    "Target",
    "TestOutcome",
    "nbgrader_partial",
    "normalise_output",
    "run_test",
]

# ------------------------------------------------------------------- proxies


class _Function:
    def __init__(self, source: Target | Reference, name: str, label: str) -> None:
        self._source, self._name, self._label = source, name, label

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._source.call(self._name, args, kwargs)
        except StudentError as exc:
            exc.call_name = self._name
            raise

    def __repr__(self) -> str:
        return f"<{self._label}.{self._name}>"


class Proxy:
    """``student`` / ``reference`` in native checks: ``student.f(x)`` calls ``f``
    where it lives and returns decoded plain data; ``student.value("X")`` fetches
    a variable; ``student.call("value", x)`` calls a function with a reserved name."""

    def __init__(self, source: Target | Reference, label: str) -> None:
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Function(self._source, name, self._label)

    def value(self, name: str) -> Any:
        return self._source.value(name)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._source.call(name, args, kwargs)


# --------------------------------------------------------------------- tests


@dataclass
class TestOutcome:
    """The result of one test for one submission."""

    test: TestCase
    passed: bool
    points: float
    message: str
    duration: float

    __test__ = False  # not a pytest class


def run_test(test: TestCase, student: Target, reference: Reference) -> TestOutcome:
    """Run one test. Timeouts and a dead student process propagate as exceptions."""
    start = time.perf_counter()
    if test.kind == "assert" and test.scoring == "nbgrader" and hasattr(student, "run_cell"):
        # A cell of simple asserts is judged in the grader first: an object whose
        # __eq__ agrees with anything cannot pass it there. The cell then runs as
        # nbgrader runs it (output on stderr scores 0).
        failed = _run_assert(test, student) if lift(test.code) is not None else None
        points, scored = (0.0, failed) if failed is not None else _run_nbgrader_cell(test, student)
        return TestOutcome(
            test=test,
            passed=points >= test.points,
            points=points,
            message=scored,
            duration=time.perf_counter() - start,
        )
    if test.kind == "native":
        message = _run_native(test, student, reference)
    elif test.kind == "ok":
        message = _run_ok(test, student)
    else:
        message = _run_assert(test, student)
    passed = message is None
    return TestOutcome(
        test=test,
        passed=passed,
        points=test.points if passed else 0.0,
        message="passed" if passed else str(message),
        duration=time.perf_counter() - start,
    )


def _run_native(test: TestCase, student: Target, reference: Reference) -> str | None:
    namespace: dict[str, Any] = {
        "__builtins__": builtins,
        "__name__": f"sheetgrade_test_{test.id}",
        "np": _numpy(),
        "student": Proxy(student, "student"),
        "reference": Proxy(reference, "reference"),
        **HELPERS,
        **ML_HELPERS,
    }
    try:
        exec(compile(test.code, f"<test {test.id}>", "exec"), namespace)
    except CheckFailed as exc:
        return str(exc) or "check failed"
    except StudentError as exc:
        return _student_error(exc)
    except ReferenceUnavailable as exc:
        return f"cannot run this check: {exc}"
    except AssertionError as exc:
        return str(exc) or "check failed"
    except (TimeoutError, EOFError):
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. indexing a wrongly shaped answer
        if _is_fatal(exc):
            raise
        return f"the check raised {execution.describe_exception(exc)}"
    return None


def _is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, GradingError)


def _student_error(exc: StudentError) -> str:
    if exc.type_name == "NameError":
        return f"{exc} (is it defined, and did its cell run without errors?)"
    if exc.type_name == "EncodeError":
        return f"your answer cannot be checked: {exc}"
    if exc.call_name:
        return f"{exc.call_name}(...) raised {exc}"
    return f"your code raised {exc}"


def _numpy() -> Any:
    import numpy

    return numpy


# --- OK-format


_NP_SCALAR = re.compile(
    r"\bnp\.(?:float|int|uint|complex|longdouble|clongdouble|str_|bytes_)\d*_?\((.*?)\)"
)
_NP_BOOL = re.compile(r"\bnp\.(True|False)_")


def normalise_output(text: str) -> str:
    """Print numpy 2 scalars as numpy 1 did: ``np.float64(0.5)`` → ``0.5``, ``np.True_`` → ``True``."""
    text = _NP_BOOL.sub(r"\1", text)
    previous = None
    while previous != text:  # nested, e.g. inside tuples
        previous, text = text, _NP_SCALAR.sub(r"\1", text)
    return text


_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _run_ok(test: TestCase, student: Target) -> str | None:
    try:
        examples = doctest.DocTestParser().get_examples(test.code)
    except ValueError as exc:
        return f"malformed test: {exc}"
    if not examples:
        return None
    try:
        outputs = student.run_ok([e.source for e in examples])
    except StudentError as exc:
        return _student_error(exc)
    for example, got in zip(examples, outputs, strict=False):
        want = normalise_output(example.want)
        got_n = normalise_output(got)
        if example.exc_msg is not None:
            last = got_n.strip().splitlines()[-1] if got_n.strip() else ""
            if "Traceback (most recent call last)" in got_n and _CHECKER.check_output(
                normalise_output(example.exc_msg), last + "\n", _FLAGS
            ):
                continue
        elif _CHECKER.check_output(want, got_n, _FLAGS):
            continue
        source = example.source.strip()
        return f">>> {source}\nexpected:\n{_indent(example.want)}\ngot:\n{_indent(got)}"
    if len(outputs) < len(examples):
        return "the student process returned fewer outputs than inputs"
    return None


def _indent(text: str) -> str:
    text = text.rstrip("\n") or "(nothing)"
    if len(text) > 600:
        text = text[:600] + " ..."
    return "\n".join("    " + line for line in text.splitlines())


# --- assert-style


def _run_assert(test: TestCase, student: Target) -> str | None:
    claims = lift(test.code)
    if claims is not None:  # simple shape: the student process only evaluates, the grader judges
        for claim in claims:
            try:
                actual = student.evaluate(claim.expr)
            except StudentError as exc:
                return (
                    _assert_error(str(exc))
                    if exc.type_name != "EncodeError"
                    else _student_error(exc)
                )
            message = judge(claim, actual)
            if message is not None:
                return message
        return None
    try:
        error = student.run_assert(test.code)
    except StudentError as exc:
        return _student_error(exc)
    return None if error is None else _assert_error(error)


def _run_nbgrader_cell(test: TestCase, student: Any) -> tuple[float, str]:
    """(points, message) as nbgrader 0.9's ``determine_grade`` scores a grade cell."""
    try:
        result = student.run_cell(test.code)
    except StudentError as exc:
        return 0.0, _student_error(exc)
    error, stderr, shown = result.get("error"), result.get("stderr"), result.get("result")
    if error:
        return 0.0, _assert_error(str(error))
    if stderr:
        return (
            0.0,
            "the test cell wrote to stderr (a warning or an error message), which nbgrader scores 0",
        )
    return nbgrader_partial(shown, test.points)


def nbgrader_partial(shown: Any, max_points: float) -> tuple[float, str]:
    """nbgrader's ``get_partial_grade`` on the text of a cell's last value."""
    if shown is None:
        return max_points, "passed"
    try:
        grade = float(str(shown))
    except ValueError:
        return max_points, "passed"  # nbgrader: output that is not a number means full credit
    if grade < 0:
        return max_points, "passed (a negative partial credit counts as full credit in nbgrader)"
    if grade > max_points:
        return max_points, (
            f"partial credit {grade:g} is above the cell's {max_points:g} points "
            "(nbgrader refuses to grade this); counted as full points"
        )
    if grade == max_points:
        return max_points, "passed"
    return grade, f"partial credit: {grade:g} of {max_points:g} points"


def _assert_error(error: str) -> str:
    if error.startswith("NameError"):
        return f"{error} (is it defined, and did its cell run without errors?)"
    if error.startswith("AssertionError"):
        detail = error[len("AssertionError") :].lstrip(": ")
        return f"assertion failed{': ' + detail if detail else ''}"
    return error
