"""Errors of running code in a student process.

:class:`GradingError` is the base of every grading error; the judging layer
adds its own (:mod:`sheetgrade.graders.errors`) on top of it.
"""

from __future__ import annotations

from sheetgrade.course.errors import SheetgradeError


class GradingError(SheetgradeError):
    """Grading cannot start or go on (missing build, broken bundle, ...)."""


class ProtocolError(GradingError):
    """A message across the process boundary is malformed or too big."""


class StudentProcessDied(GradingError):
    """The student process ended while the grader was waiting for it."""
