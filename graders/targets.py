"""Where a test's answers come from: the student (a :class:`Target`) and the
reference solution (a :class:`Reference`).

The student is a confined child (:class:`ChildTarget`) or, on a student's own
machine, the live notebook namespace (:class:`LiveTarget`). The reference is
a child running ``reference.ipynb`` (:class:`ProcessReference`, in the grader)
or the answers recorded at build time (:class:`RecordedReference`, for
students). Every answer crosses the wire format, so it arrives as fresh plain
data whichever kind answered; :mod:`.harness` judges it.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from sheetgrade.graders.errors import GradingError, ProtocolError
from sheetgrade.graders.sandbox import execution, protocol
from sheetgrade.graders.sandbox.session import RunReport, StudentError, StudentProcess


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
