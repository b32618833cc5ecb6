"""Symmetries: ``f(g·x) == g'·f(x)`` for group actions built here
(see :mod:`.ml_checks`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sheetgrade.graders.compare import CheckFailed, _as_numeric, _difference, _short


class Action:
    """A group element acting on plain data (arrays, or tuples of them)."""

    def __init__(self, apply: Callable[[Any], Any], name: str) -> None:
        self._apply = apply
        self.name = name

    def __call__(self, value: Any) -> Any:
        return self._apply(value)

    def __repr__(self) -> str:
        return self.name


def shift(k: int, axis: int | tuple[int, ...] = -1) -> Action:
    """Cyclic shift by ``k`` places along ``axis`` (translations of periodic signals)."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    return Action(
        lambda x: np.roll(np.asarray(x), k, axis=axes), f"a cyclic shift by {k} along axis {axis}"
    )


def permute(perm: Any, axes: int | tuple[int, ...] = 0) -> Action:
    """Reorder entries along each of ``axes`` by ``perm`` (``x[perm]``); ``axes=(0, 1)``
    permutes rows and columns alike, as an adjacency matrix."""
    order = np.asarray(perm, dtype=int)
    axes_t = axes if isinstance(axes, tuple) else (axes,)

    def apply(x: Any) -> Any:
        out = np.asarray(x)
        for ax in axes_t:
            out = np.take(out, order, axis=ax)
        return out

    shown = order.tolist() if order.size <= 8 else f"{order[:8].tolist()}..."
    return Action(apply, f"the permutation {shown} along axes {axes}")


def rotation_matrix(angle: float, axis: Sequence[float] | None = None) -> np.ndarray:
    """The 2-D rotation by ``angle`` (radians), or the 3-D one about ``axis``."""
    c, s = math.cos(angle), math.sin(angle)
    if axis is None:
        return np.array([[c, -s], [s, c]])
    n = np.asarray(axis, dtype=float)
    n = n / np.linalg.norm(n)
    k = np.array([[0, -n[2], n[1]], [n[2], 0, -n[0]], [-n[1], n[0], 0]])
    rotation: np.ndarray = np.eye(3) + s * k + (1 - c) * k @ k
    return rotation


def rotate(rotation: Any, axis: Sequence[float] | None = None) -> Action:
    """Rotate vectors stored along the last axis: ``x @ R.T``. ``rotation`` is a
    matrix or an angle (2-D; 3-D with ``axis``)."""
    if np.ndim(rotation) == 0:
        matrix = rotation_matrix(float(rotation), axis)
        name = f"a rotation by {float(rotation):.4g} rad"
    else:
        matrix = np.asarray(rotation, dtype=float)
        name = "the rotation " + np.array2string(matrix, precision=3).replace("\n", "")
    return Action(lambda x: np.asarray(x, dtype=float) @ matrix.T, name)


def translate(offset: Any) -> Action:
    """Add ``offset`` (broadcast over leading axes): translations of coordinates,
    or a constant added to logits."""
    vector = np.asarray(offset, dtype=float)
    return Action(lambda x: np.asarray(x, dtype=float) + vector, f"adding {_short(offset, 40)}")


def scale(factor: Any) -> Action:
    """Multiply by ``factor`` (broadcast over leading axes)."""
    value = np.asarray(factor, dtype=float)
    return Action(lambda x: np.asarray(x, dtype=float) * value, f"scaling by {_short(factor, 40)}")


def each(*actions: Action | None) -> Action:
    """Act on a tuple of inputs, one action each (``None`` leaves that input alone)."""
    acts = [a if a is not None else identity for a in actions]

    def apply(x: Any) -> Any:
        if not isinstance(x, tuple | list) or len(x) != len(acts):
            raise CheckFailed(f"each(...) needs {len(acts)} inputs, got {_short(x)}")
        return tuple(a(v) for a, v in zip(acts, x, strict=True))

    return Action(apply, "(" + ", ".join(a.name for a in acts) + ")")


identity = Action(lambda x: x, "the identity")


def _edge_hint(diff: np.ndarray, axis_size: int) -> str:
    """Differences at a few positions, one of them an end of the last axis,
    suggest a padding mistake (the ends and where the shift wraps around)."""
    if diff.ndim == 0 or axis_size < 8:
        return ""
    bad = np.any(diff.reshape(-1, diff.shape[-1]), axis=0)
    where = np.flatnonzero(bad)
    near_end = bool(np.any((where < 3) | (where >= axis_size - 3)))
    if where.size and near_end and where.size <= axis_size // 4:
        return (
            " (only at a few positions near the ends and the wrap-around: is the padding periodic?)"
        )
    return ""


def expect_equivariant(
    f: Callable[..., Any],
    g_in: Action | Callable[[Any], Any] | Sequence[Any],
    g_out: Action | Callable[[Any], Any] | Sequence[Any] | None,
    x: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    message: str = "",
) -> None:
    """Fail unless ``f(g_in(x)) == g_out(f(x))``.

    ``x`` is the input; a tuple means several arguments, ``f(*x)``, and then
    ``g_in`` maps the tuple to a tuple (see :func:`each`). ``g_out=None`` (or
    :data:`identity`) checks invariance. ``g_in`` and ``g_out`` may be lists
    of the same length: each pair is one group element to test.

    Example: a convolution with periodic padding commutes with shifts,
    ``expect_equivariant(student.conv, shift(3), shift(3), signal)``; message
    passing commutes with relabelling the nodes,
    ``expect_equivariant(student.layer, each(permute(p), permute(p, axes=(0, 1))), permute(p), (H, A))``.
    """
    ins: list[Callable[[Any], Any]] = list(g_in) if isinstance(g_in, list | tuple) else [g_in]  # type: ignore[list-item]
    outs: list[Callable[[Any], Any] | None] = (
        list(g_out) if isinstance(g_out, list | tuple) else [g_out] * len(ins)  # type: ignore[list-item]
    )
    if len(ins) != len(outs):
        raise CheckFailed("g_in and g_out must list the same number of group elements")

    def run(arg: Any) -> np.ndarray:
        result = f(*arg) if isinstance(arg, tuple) else f(arg)
        return _as_numeric(result, "your answer")

    base = run(x)
    for act_in, act_out in zip(ins, outs, strict=True):
        moved = run(act_in(x))
        expected = base if act_out is None else _as_numeric(act_out(base), "g_out(f(x))")
        name = repr(act_in) if isinstance(act_in, Action) else "the transformation"
        if moved.shape != expected.shape:
            raise CheckFailed(
                message
                or f"under {name} the output has shape {moved.shape}, expected {expected.shape}"
            )
        if not np.allclose(moved, expected, rtol=rtol, atol=atol):
            kind = "invariant" if act_out is None or act_out is identity else "equivariant"
            diff = ~np.isclose(moved, expected, rtol=rtol, atol=atol)
            hint = _edge_hint(diff, moved.shape[-1]) if moved.ndim and kind == "equivariant" else ""
            raise CheckFailed(
                message
                or f"not {kind} under {name}: f(g·x) and "
                + ("f(x)" if kind == "invariant" else "g·f(x)")
                + " differ; "
                + _difference(moved, expected)
                + hint
            )


def expect_invariant(
    f: Callable[..., Any],
    g_in: Action | Callable[[Any], Any] | Sequence[Any],
    x: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    message: str = "",
) -> None:
    """Fail unless ``f(g_in(x)) == f(x)`` (see :func:`expect_equivariant`)."""
    outs = [None] * len(g_in) if isinstance(g_in, list | tuple) else None
    expect_equivariant(f, g_in, outs, x, rtol=rtol, atol=atol, message=message)
