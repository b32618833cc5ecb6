"""Derivatives: the student's gradient or Jacobian against central finite
differences of the student's own function (see :mod:`.ml_checks`).

``x`` may be a number, an array or a dict/list/tuple of arrays (a network's
parameters): :func:`_flatten` turns it into one vector and back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sheetgrade.graders.compare import CheckFailed, _as_numeric, _difference

# ----------------------------------------------------------------- structures


def _flatten(value: Any, what: str) -> tuple[np.ndarray, Callable[[np.ndarray], Any], list[str]]:
    """Flatten numbers, arrays and dicts/lists/tuples of them into one vector.

    Returns the vector, a function that rebuilds the structure from a vector,
    and a label per entry (``['W1'][0, 2]``) for messages.
    """
    if isinstance(value, dict):
        keys = list(value)
        parts = [_flatten(value[k], what) for k in keys]
        labels = [
            f"[{k!r}]{lab}" for k, (_, _, labs) in zip(keys, parts, strict=True) for lab in labs
        ]

        def rebuild_dict(vector: np.ndarray) -> Any:
            out, start = {}, 0
            for k, (flat, rebuild, _) in zip(keys, parts, strict=True):
                out[k] = rebuild(vector[start : start + flat.size])
                start += flat.size
            return out

        return _concat(parts), rebuild_dict, labels
    if isinstance(value, list | tuple) and value and all(_is_leaf_number(v) for v in value):
        return _flatten(_as_numeric(list(value), what), what)  # a plain list of numbers
    if isinstance(value, list | tuple):
        parts = [_flatten(v, what) for v in value]
        labels = [f"[{i}]{lab}" for i, (_, _, labs) in enumerate(parts) for lab in labs]
        kind = type(value)

        def rebuild_seq(vector: np.ndarray) -> Any:
            out, start = [], 0
            for flat, rebuild, _ in parts:
                out.append(rebuild(vector[start : start + flat.size]))
                start += flat.size
            return kind(out)

        return _concat(parts), rebuild_seq, labels
    array = _as_numeric(value, what)
    if array.dtype.kind == "c":
        raise CheckFailed(f"{what} is complex; only real values can be differentiated here")
    shape = array.shape
    if array.ndim == 0:
        return array.reshape(1), lambda v: float(v[0]), [""]
    labels = [str(tuple(int(i) for i in ix)) for ix in np.ndindex(shape)]
    labels = [lab if array.ndim > 1 else lab.replace(",)", ")") for lab in labels]
    return array.ravel().copy(), lambda v: np.asarray(v, dtype=float).reshape(shape), labels


def _is_leaf_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _concat(parts: list[tuple[np.ndarray, Any, list[str]]]) -> np.ndarray:
    if not parts:
        return np.zeros(0)
    return np.concatenate([p[0] for p in parts])


def _scalar(value: Any, what: str) -> float:
    array = _as_numeric(value, what)
    if array.size != 1:
        raise CheckFailed(f"{what} should be a single number, got shape {array.shape}")
    number = float(np.real(array.reshape(())))
    if not math.isfinite(number):
        raise CheckFailed(f"{what} is {number}")
    return number


def _call(f: Callable[..., Any], x: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    return f(x, *args, **kwargs)


def _factor_hint(ratio: float) -> str:
    """Name a typical mistake from the ratio (student / finite differences)."""
    if not math.isfinite(ratio):
        return ""
    for factor, hint in (
        (-1.0, "a sign error?"),
        (2.0, "a factor 2 too large?"),
        (0.5, "a factor 2 too small?"),
    ):
        if abs(ratio - factor) < 0.02 * abs(factor):
            return f" ({hint})"
    return ""


# ------------------------------------------------------------------ gradients


def numerical_jacobian(
    f: Callable[..., Any],
    x: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    eps: float = 1e-6,
) -> np.ndarray:
    """Central finite differences of ``f`` at ``x``: an array of shape
    ``f(x).shape + (x.size,)`` (``x`` flattened as :func:`expect_gradient` does).

    Each column costs two calls of ``f``; use it for small inputs.
    """
    kwargs = kwargs or {}
    flat, rebuild, _ = _flatten(x, "the input")
    columns = []
    for i in range(flat.size):
        h = eps * max(1.0, abs(flat[i]))
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        f_up = _as_numeric(_call(f, rebuild(up), args, kwargs), "f(x + h)")
        f_down = _as_numeric(_call(f, rebuild(down), args, kwargs), "f(x - h)")
        columns.append((f_up - f_down) / (2 * h))
    return np.stack(columns, axis=-1) if columns else np.zeros((0,))


def expect_gradient(
    loss: Callable[..., Any],
    grad: Callable[..., Any],
    x: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    directions: int = 3,
    coordinates: int = 10,
    eps: float = 1e-5,
    rtol: float = 1e-4,
    atol: float = 1e-7,
    seed: int = 0,
    message: str = "",
) -> None:
    """Fail unless ``grad(x, *args)`` is the gradient of ``loss(x, *args)`` at ``x``.

    ``x`` is an array, a number, or a dict/list/tuple of arrays (the
    parameters of a network); ``grad`` returns the same structure. The check
    compares the gradient with central differences of ``loss`` along every
    coordinate (when ``x`` has at most ``coordinates`` entries) and along
    ``directions`` random unit directions (seeded with ``seed``). A directional
    derivative ``d`` matches the student's ``g·v`` when
    ``|g·v - d| <= rtol·(|d| + ‖g‖) + atol``: a sign error, a missing factor
    or an off-by-one index fails, floating-point noise does not.

    Args:
        loss: the loss, e.g. ``student.loss``; must return a number.
        grad: its gradient, e.g. ``student.grad``.
        x: the point.
        args: further positional arguments of both (data, labels).
        kwargs: further keyword arguments of both.
        directions: random directions to test.
        coordinates: test each coordinate too when ``x`` has at most this many entries.
        eps: step, relative to ``max(1, |x|)`` along the direction.
        rtol: relative tolerance (see above).
        atol: absolute tolerance.
        seed: seed of the random directions.
        message: replaces the generated message.
    """
    kwargs = kwargs or {}
    flat, rebuild, labels = _flatten(x, "the point x")
    g_flat, _, _ = _flatten(_call(grad, x, args, kwargs), "the gradient")
    if g_flat.size != flat.size:
        raise CheckFailed(
            message or f"the gradient has {g_flat.size} entries, the point has {flat.size}"
        )
    if not np.all(np.isfinite(g_flat)):
        raise CheckFailed(message or "the gradient contains NaN or infinite values")
    g_norm = float(np.linalg.norm(g_flat))
    scale = max(1.0, float(np.max(np.abs(flat))) if flat.size else 1.0)

    def directional(v: np.ndarray) -> float:
        h = eps * scale
        up = _scalar(_call(loss, rebuild(flat + h * v), args, kwargs), "the loss")
        down = _scalar(_call(loss, rebuild(flat - h * v), args, kwargs), "the loss")
        return (up - down) / (2 * h)

    tests = _directions(flat.size, labels, coordinates, directions, seed)
    _scalar(_call(loss, x, args, kwargs), "the loss")
    for label, v in tests:
        numeric = directional(v)
        claimed = float(g_flat @ v)
        if abs(claimed - numeric) > rtol * (abs(numeric) + g_norm) + atol:
            ratio = claimed / numeric if numeric else math.inf
            raise CheckFailed(
                message
                or f"the gradient does not match finite differences of the loss ({label}): "
                f"gradient gives {claimed:.6g}, (loss(x+hv) - loss(x-hv)) / 2h gives "
                f"{numeric:.6g}{_factor_hint(ratio)}"
            )


def _directions(
    size: int, labels: list[str], coordinates: int, directions: int, seed: int
) -> list[tuple[str, np.ndarray]]:
    """The unit vectors a gradient is tested along, each with a label: every
    coordinate when there are at most ``coordinates``, then ``directions``
    random ones drawn with ``seed``."""
    tests: list[tuple[str, np.ndarray]] = []
    if size <= coordinates:
        for i in range(size):
            e = np.zeros(size)
            e[i] = 1.0
            tests.append((f"component {labels[i] or i}", e))
    rng = np.random.default_rng(seed)
    for k in range(directions):
        v = rng.standard_normal(size)
        v /= np.linalg.norm(v) or 1.0
        tests.append((f"random direction {k + 1}", v))
    return tests


def expect_jacobian(
    f: Callable[..., Any],
    jac: Callable[..., Any],
    x: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    message: str = "",
) -> None:
    """Fail unless ``jac(x)`` is the Jacobian of ``f`` at ``x`` (shape
    ``f(x).shape + x.shape``), compared with :func:`numerical_jacobian`."""
    kwargs = kwargs or {}
    out = _as_numeric(_call(f, x, args, kwargs), "f(x)")
    x_arr = _as_numeric(x, "the point x")
    claimed = _as_numeric(_call(jac, x, args, kwargs), "the Jacobian")
    want_shape = out.shape + x_arr.shape
    if claimed.shape != want_shape:
        raise CheckFailed(
            message or f"the Jacobian has shape {claimed.shape}, expected {want_shape}"
        )
    numeric = numerical_jacobian(f, x, args=args, kwargs=kwargs, eps=eps).reshape(want_shape)
    if not np.allclose(claimed, numeric, rtol=rtol, atol=atol):
        raise CheckFailed(
            message
            or "the Jacobian does not match finite differences: " + _difference(claimed, numeric)
        )
