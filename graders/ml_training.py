"""Training and outputs: a loss history that shows training works, and
probabilities (see :mod:`.ml_checks`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sheetgrade.graders.compare import CheckFailed, _as_numeric
from sheetgrade.graders.ml_gradients import _scalar


def expect_trains(
    history: Any,
    *,
    below: float,
    within: int | None = None,
    final: Any = None,
    monotone: bool = False,
    window: int = 1,
    rtol: float = 1e-6,
    message: str = "",
) -> None:
    """Fail unless a loss history shows training that works.

    Args:
        history: the loss after each step (the first entry: at the seeded
            initialisation), as returned by the student's training loop.
        below: the loss must reach this value ...
        within: ... within this many steps (``history[within]`` or earlier);
            ``None``: anywhere. The last entry must be below too.
        final: the loss of the returned parameters, recomputed independently
            (e.g. ``reference.loss(w, X, y)``); it must agree with the last
            entry, so a history cannot claim what the parameters do not do.
        monotone: every step must not increase the loss (full-batch gradient
            descent with a small step); otherwise only the trend counts.
        window: with ``monotone=False``, averages over this many steps must
            decrease from the first window to the last (noisy SGD losses).
        rtol: tolerance for ``final`` and for ``monotone``.
        message: replaces the generated message.
    """
    losses = _as_numeric(history, "the loss history").ravel()
    if losses.dtype.kind == "c":
        raise CheckFailed("the loss history is complex")
    if losses.size < 2:
        raise CheckFailed(message or "the loss history needs at least two entries")
    if not np.all(np.isfinite(losses)):
        step = int(np.flatnonzero(~np.isfinite(losses))[0])
        raise CheckFailed(
            message
            or f"the loss became {losses[step]} at step {step} (is the step size too large?)"
        )
    if monotone:
        rises = np.flatnonzero(np.diff(losses) > rtol * np.abs(losses[:-1]) + 1e-12)
        if rises.size:
            i = int(rises[0])
            raise CheckFailed(
                message or f"the loss rose at step {i + 1}: {losses[i]:.6g} -> {losses[i + 1]:.6g}"
            )
    w = max(1, min(window, losses.size // 2))
    start, end = float(np.mean(losses[:w])), float(np.mean(losses[-w:]))
    if not end < start:
        raise CheckFailed(
            message or f"the loss did not decrease: {start:.6g} at the start, {end:.6g} at the end"
        )
    reached = np.flatnonzero(losses <= below)
    if reached.size == 0:
        raise CheckFailed(
            message
            or f"the loss never reached {below:g} in {losses.size - 1} steps (lowest {losses.min():.6g})"
        )
    if within is not None and int(reached[0]) > within:
        raise CheckFailed(
            message
            or f"the loss reached {below:g} only after {int(reached[0])} steps; the budget is {within}"
        )
    if losses[-1] > below:
        raise CheckFailed(
            message or f"the loss ended at {losses[-1]:.6g}, above {below:g}, after reaching it"
        )
    if final is not None:
        recomputed = _scalar(final, "the recomputed loss")
        if not math.isclose(recomputed, float(losses[-1]), rel_tol=max(rtol, 1e-6), abs_tol=1e-9):
            raise CheckFailed(
                message
                or f"the last loss in the history, {losses[-1]:.6g}, is not the loss of the "
                f"returned parameters, {recomputed:.6g}"
            )


# ------------------------------------------------------------------- others


def expect_probabilities(p: Any, *, axis: int = -1, atol: float = 1e-8, message: str = "") -> None:
    """Fail unless ``p`` holds probabilities: finite, non-negative, summing to 1 along ``axis``."""
    array = _as_numeric(p, "your answer")
    if array.dtype.kind == "c" or not np.all(np.isfinite(array)):
        raise CheckFailed(message or "the probabilities contain NaN, infinite or complex values")
    if np.any(array < -atol):
        raise CheckFailed(message or f"a probability is negative: {float(array.min()):.6g}")
    sums = array.sum(axis=axis) if array.ndim else array
    if not np.allclose(
        sums, 1.0, atol=max(atol, 1e-8) * max(1, array.shape[axis] if array.ndim else 1)
    ):
        worst = float(np.ravel(sums)[int(np.argmax(np.abs(np.ravel(sums) - 1)))])
        raise CheckFailed(
            message or f"the probabilities do not sum to 1 along axis {axis} (e.g. {worst:.6g})"
        )
