"""The comparison helpers native checks use, run in the grader on decoded data.

``expect``, ``expect_equal`` and ``expect_close`` raise :class:`CheckFailed`
with a message a student can read. Values reach them as fresh builtins and
plain ``numpy.ndarray`` (see :mod:`sheetgrade.graders.sandbox.protocol`), so no
student-defined ``__eq__`` can take part in a comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """A native check found a wrong answer; the message says what differs."""


def expect(condition: Any, message: str = "check failed") -> None:
    """Fail with ``message`` unless ``condition`` is true (a real bool)."""
    if isinstance(condition, np.ndarray | np.bool_):
        condition = bool(np.all(condition))
    if condition is not True:
        raise CheckFailed(message)


def expect_equal(actual: Any, expected: Any, message: str = "") -> None:
    """Fail unless ``actual`` equals ``expected`` exactly (arrays elementwise, same shape)."""
    if not _equal(actual, expected):
        raise CheckFailed(message or f"got {_short(actual)}, expected {_short(expected)}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            a_arr, b_arr = np.asarray(a), np.asarray(b)
        except Exception:  # noqa: BLE001
            return False
        return a_arr.shape == b_arr.shape and bool(np.array_equal(a_arr, b_arr))
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | complex) and not isinstance(x, bool)


def expect_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    up_to_sign: bool = False,
    permutation: bool = False,
    message: str = "",
) -> None:
    """Fail unless ``actual`` is numerically close to ``expected``.

    Args:
        actual: the student's answer (number, nested lists, array).
        expected: the right answer.
        rtol: relative tolerance, as in ``numpy.allclose``.
        atol: absolute tolerance.
        up_to_sign: each column (of a 2-D array) or the whole vector (1-D) may
            be flipped in sign, as eigenvectors and singular vectors may.
        permutation: ``actual`` may be any relabelling of ``expected``
            (cluster labels): equal up to a one-to-one renaming of values.
        message: replaces the generated message.
    """
    a = _as_numeric(actual, "your answer")
    e = _as_numeric(expected, "the expected answer")
    if a.shape != e.shape:
        raise CheckFailed(message or f"shape {a.shape}, expected {e.shape}")
    if permutation:
        if not _same_partition(a.ravel(), e.ravel()):
            raise CheckFailed(
                message or "the labels do not match the expected grouping under any renaming"
            )
        return
    if up_to_sign:
        if a.ndim == 2:
            a = a * _column_signs(a, e)
        elif a.ndim == 1 and not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
            a = -a
    if not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        raise CheckFailed(message or _difference(a, e))


def _as_numeric(value: Any, what: str) -> np.ndarray:
    if isinstance(value, bool | np.bool_):
        return np.asarray(value, dtype=float)
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists and such
        raise CheckFailed(f"{what} is not numeric: {_short(value)}") from None
    if array.dtype.kind not in "biufc":
        raise CheckFailed(f"{what} is not numeric: {_short(value)}")
    return array.astype(complex if array.dtype.kind == "c" else float)


def _column_signs(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    dots = np.real(np.sum(np.conj(a) * e, axis=0))
    return np.where(dots < 0, -1.0, 1.0)


def _same_partition(a: np.ndarray, e: np.ndarray) -> bool:
    forward: dict[Any, Any] = {}
    backward: dict[Any, Any] = {}
    for x, y in zip(a.tolist(), e.tolist(), strict=True):
        if forward.setdefault(x, y) != y or backward.setdefault(y, x) != x:
            return False
    return True


def _difference(a: np.ndarray, e: np.ndarray) -> str:
    if a.ndim == 0:
        return f"got {_short(a.item())}, expected {_short(e.item())}"
    diff = np.abs(a - e)
    diff = np.where(np.isnan(diff), np.inf, diff)
    index = np.unravel_index(int(np.argmax(diff)), a.shape)
    wrong = int(np.sum(~np.isclose(a, e, equal_nan=True)))
    return (
        f"{wrong} of {a.size} values differ; e.g. at index {tuple(int(i) for i in index)}: "
        f"got {_short(a[index].item())}, expected {_short(e[index].item())}"
    )


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


HELPERS: dict[str, Any] = {
    "expect": expect,
    "expect_equal": expect_equal,
    "expect_close": expect_close,
}
