"""Checks for machine-learning answers, run in the grader on decoded plain data.

Exact outputs do not fit gradients, symmetries, stochastic training or
samplers; these helpers judge them by what must hold instead:

- :func:`expect_gradient` / :func:`expect_jacobian`: the student's derivative
  against central finite differences of the student's own function, computed
  here by calling it at shifted points;
- :func:`expect_equivariant` / :func:`expect_invariant`: ``f(g·x) == g'·f(x)``
  for group actions built with :func:`shift`, :func:`permute`, :func:`rotate`,
  :func:`translate`, :func:`scale`, :func:`each`;
- :func:`expect_distribution`: a one-sample (a CDF or a frozen
  ``scipy.stats`` distribution), two-sample (reference samples) or discrete
  (probabilities) test at a stated false-failure rate ``alpha``; correlated
  chains are thinned by their integrated autocorrelation time first;
- :func:`expect_trains`: a loss history decreases and reaches a tolerance
  within a step budget (optionally agreeing with a loss the grader recomputed);
- :func:`expect_probabilities`: non-negative entries summing to one.

``f``, ``loss`` and ``grad`` are usually ``student.f``: each call crosses to the
student's confined process and returns fresh plain data, so a student cannot
influence the comparison. Random directions and projections come from a
generator seeded in the check, so a check judges the same way every time.

One module per kind of check: :mod:`.ml_gradients`, :mod:`.ml_symmetries`,
:mod:`.ml_distributions`, :mod:`.ml_training`. This module gathers them:
:data:`ML_HELPERS` is what a native test's namespace holds by name (the
harness puts it there), and every helper can be imported from here.
"""

from __future__ import annotations

from typing import Any

from sheetgrade.graders.ml_distributions import autocorrelation_time, expect_distribution
from sheetgrade.graders.ml_gradients import expect_gradient, expect_jacobian, numerical_jacobian
from sheetgrade.graders.ml_symmetries import (
    Action,
    each,
    expect_equivariant,
    expect_invariant,
    identity,
    permute,
    rotate,
    rotation_matrix,
    scale,
    shift,
    translate,
)
from sheetgrade.graders.ml_training import expect_probabilities, expect_trains

__all__ = [
    "ML_HELPERS",
    "Action",
    "autocorrelation_time",
    "each",
    "expect_distribution",
    "expect_equivariant",
    "expect_gradient",
    "expect_invariant",
    "expect_jacobian",
    "expect_probabilities",
    "expect_trains",
    "identity",
    "numerical_jacobian",
    "permute",
    "rotate",
    "rotation_matrix",
    "scale",
    "shift",
    "translate",
]

ML_HELPERS: dict[str, Any] = {
    "expect_gradient": expect_gradient,
    "expect_jacobian": expect_jacobian,
    "numerical_jacobian": numerical_jacobian,
    "expect_equivariant": expect_equivariant,
    "expect_invariant": expect_invariant,
    "expect_distribution": expect_distribution,
    "expect_trains": expect_trains,
    "expect_probabilities": expect_probabilities,
    "autocorrelation_time": autocorrelation_time,
    "shift": shift,
    "permute": permute,
    "rotate": rotate,
    "rotation_matrix": rotation_matrix,
    "translate": translate,
    "scale": scale,
    "each": each,
    "identity": identity,
}
