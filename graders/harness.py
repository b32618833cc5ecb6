"""Running one sheet's tests against one student: the same harness for grading,
build validation and students' local checks.

The student is a :class:`Target`: a confined child (:class:`ChildTarget`) or,
on a student's own machine, the live notebook namespace (:class:`LiveTarget`).
The reference is a :class:`Reference`: a child running ``reference.ipynb``
(:class:`ProcessReference`, in the grader) or the answers recorded at build
time (:class:`RecordedReference`, for students).

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
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sheetgrade.graders.assert_lift import judge, lift
from sheetgrade.graders.compare import HELPERS, CheckFailed
from sheetgrade.graders.errors import GradingError, ProtocolError
from sheetgrade.graders.ml_checks import ML_HELPERS
from sheetgrade.graders.sandbox import execution, protocol
from sheetgrade.graders.sandbox.session import RunReport, StudentError, StudentProcess
from sheetgrade.sheets.model import TestCase


class Target(Protocol):
    """Where student code runs."""

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...
    def value(self, name: str) -> Any: ...
    def run_ok(self, sources: list[str]) -> list[str]: ...
    def run_assert(self, code: str) -> str | None: ...
    def evaluate(self, expr: str) -> Any: ...


class Reference(Protocol):
    """Where reference answers come from."""

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...
    def value(self, name: str) -> Any: ...


class ReferenceUnavailable(Exception):
    """A reference answer is needed but not known (e.g. not recorded for students)."""


# ------------------------------------------------------------------ targets


class ChildTarget:
    """The student's confined process."""

    def __init__(self, process: StudentProcess) -> None:
        self.process = process

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self.process.request(
            {"op": "call", "name": name, "args": list(args), "kwargs": kwargs}
        )

    def value(self, name: str) -> Any:
        return self.process.request({"op": "value", "name": name})

    def run_ok(self, sources: list[str]) -> list[str]:
        outputs = self.process.request({"op": "ok", "sources": sources})
        if not isinstance(outputs, list):
            raise StudentError("ProtocolError", "malformed answer")
        return [str(o) for o in outputs]

    def run_assert(self, code: str) -> str | None:
        result = self.process.request({"op": "assert", "code": code})
        return None if result is None else str(result)

    def run_cell(self, code: str) -> dict[str, Any]:
        result = self.process.request({"op": "cell", "code": code})
        if not isinstance(result, dict):
            raise StudentError("ProtocolError", "malformed answer")
        return result

    def evaluate(self, expr: str) -> Any:
        return self.process.request({"op": "eval", "expr": expr})


def _roundtrip(value: Any) -> Any:
    """Copy a value through the wire format, as it would cross the boundary."""
    return protocol.loads(protocol.dumps(value))


class LiveTarget:
    """A live namespace (the student's own kernel, for ``check("2a")``).

    Values still cross the wire format, so answers are judged exactly as in grading.
    """

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        args_copy, kwargs_copy = _roundtrip(list(args)), _roundtrip(kwargs)
        try:
            result = execution.call(self.namespace, name, args_copy, kwargs_copy)
        except Exception as exc:  # noqa: BLE001 - student code may raise anything
            raise StudentError(type(exc).__name__, execution.describe_exception(exc)) from None
        return self._copy(result)

    def value(self, name: str) -> Any:
        try:
            result = execution.lookup(self.namespace, name)
        except Exception as exc:  # noqa: BLE001
            raise StudentError(type(exc).__name__, execution.describe_exception(exc)) from None
        return self._copy(result)

    @staticmethod
    def _copy(value: Any) -> Any:
        try:
            return _roundtrip(value)
        except ProtocolError as exc:
            raise StudentError("EncodeError", str(exc)) from None

    def run_ok(self, sources: list[str]) -> list[str]:
        return execution.run_ok(self.namespace, sources)

    def run_assert(self, code: str) -> str | None:
        return execution.run_assert(self.namespace, code)

    def run_cell(self, code: str) -> dict[str, Any]:
        return execution.run_cell(self.namespace, code)

    def evaluate(self, expr: str) -> Any:
        try:
            result = execution.evaluate(self.namespace, expr)
        except Exception as exc:  # noqa: BLE001
            raise StudentError(type(exc).__name__, execution.describe_exception(exc)) from None
        return self._copy(result)


# --------------------------------------------------------------- references


class ProcessReference:
    """The reference notebook in its own child; answers cached by request.

    Thread-safe. Answers are cached encoded and decoded afresh for every
    caller, so a test cannot change what the next test sees. When
    ``record`` is on, the answers are kept by :func:`protocol.call_key` in
    :attr:`recorded` (what ``public_tests.json`` ships as ``recorded_reference``).
    """

    def __init__(self, process: StudentProcess, timeout: float) -> None:
        self.process = process
        self.timeout = timeout
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        self.recording = False
        self.recorded: dict[str, Any] = {}
        self.report: RunReport | None = None  # how running the reference's cells went

    def _ask(self, op: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        key = protocol.call_key(op, name, args, kwargs)
        with self._lock:
            if key not in self._cache:
                self.process.deadline = time.monotonic() + self.timeout
                message: dict[str, Any] = {"op": op, "name": name}
                if op == "call":
                    message.update(args=list(args), kwargs=kwargs)
                try:
                    answer = self.process.request(message)
                except StudentError as exc:
                    answer = {"$error": f"{exc.type_name}: {exc}"}
                except (
                    GradingError
                ) as exc:  # the reference timed out or died: not the student's fault
                    raise ReferenceUnavailable(f"the reference solution failed: {exc}") from None
                self._cache[key] = protocol.encode(answer)
            encoded = self._cache[key]
            if self.recording:
                self.recorded[key] = encoded
        return _answer(encoded, f"reference.{name}")

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._ask("call", name, args, kwargs)

    def value(self, name: str) -> Any:
        return self._ask("value", name, (), {})


def _answer(encoded: Any, label: str) -> Any:
    if isinstance(encoded, dict) and set(encoded) == {"$error"}:
        raise ReferenceUnavailable(f"{label} raised {encoded['$error']}")
    return protocol.decode(encoded)


class RecordedReference:
    """Reference answers recorded at build time (``public_tests.json``)."""

    def __init__(self, recorded: dict[str, Any]) -> None:
        self.recorded = recorded

    def _get(self, op: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        key = protocol.call_key(op, name, args, kwargs)
        if key not in self.recorded:
            raise ReferenceUnavailable(
                f"the reference answer for reference.{name}(...) was not recorded at build time "
                f"(does the test build its inputs without a fixed random seed?)"
            )
        return _answer(self.recorded[key], f"reference.{name}")

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._get("call", name, args, kwargs)

    def value(self, name: str) -> Any:
        return self._get("value", name, (), {})


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
