"""One result from the graded notebooks of a sheet of several (``notebooks:``).

Each handed-in notebook ran in its own child with its own tests; a notebook
not handed in scores 0 for its tests, with a message that says so. The
combined result keeps every test in sheet order, says which notebook each
note and flag is about, and takes the most serious status of the parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sheetgrade.graders.harness import TestOutcome
from sheetgrade.graders.submission import STATUSES, SubmissionResult

if TYPE_CHECKING:
    from sheetgrade.sheets.model import TestCase

#: which status a combined result takes when parts differ (most serious first)
_SEVERITY = ("crashed", "memory", "timeout", "invalid", "graded")


def not_handed_in(name: str, tests: list[TestCase]) -> SubmissionResult:
    """The result of a graded notebook missing from the submission: 0 for its tests."""
    message = f"{name} was not handed in"
    return SubmissionResult(
        status="graded",
        points=0.0,
        max_points=sum(t.points for t in tests),
        message=message,
        tests=[
            TestOutcome(test=t, passed=False, points=0.0, message=message, duration=0.0)
            for t in tests
        ],
    )


def _named(flag: str, name: str) -> str:
    """``review: cell 3 …`` -> ``review: problem1.ipynb: cell 3 …``."""
    head, sep, rest = flag.partition(":")
    return f"{head}: {name}:{rest}" if sep else f"{name}: {flag}"


def combine(results: list[tuple[str, SubmissionResult]], tests: list[TestCase]) -> SubmissionResult:
    """One submission result of the parts ``(notebook name, result)``, tests in sheet order."""
    statuses = [r.status for _, r in results if r.status in STATUSES]
    status = min(statuses, key=_SEVERITY.index) if statuses else "graded"
    order = {t.id: i for i, t in enumerate(tests)}
    outcomes = [o for _, r in results for o in r.tests]
    outcomes.sort(key=lambda o: order.get(o.test.id, len(order)))
    layers: dict[str, str] = {}
    for _, r in results:
        layers = layers or dict(r.layers)
    stdout = "\n".join(f"--- {name} ---\n{r.stdout}" for name, r in results if r.stdout)
    return SubmissionResult(
        status=status,
        points=sum(r.points for _, r in results),
        max_points=sum(t.points for t in tests),
        message=" | ".join(
            r.message if r.message.startswith(name) else f"{name}: {r.message}"
            for name, r in results
            if r.message
        ),
        layers=layers,
        stdout=stdout,
        flags=[_named(f, name) for name, r in results for f in r.flags],
        duration=sum(r.duration for _, r in results),
        tests=outcomes,
        cell_errors=[{**e, "notebook": name} for name, r in results for e in r.cell_errors],
        detail=" | ".join(f"{name}: {r.detail}" for name, r in results if r.detail),
    )
