"""Domain errors of grading."""

from __future__ import annotations

from sheetgrade.course.errors import SheetgradeError


class GradingError(SheetgradeError):
    """Grading cannot start or go on (missing build, broken bundle, ...)."""


class BuildMissing(GradingError):
    """The sheet has no autograder build yet."""


class ProtocolError(GradingError):
    """A message across the process boundary is malformed or too big."""


class StudentProcessDied(GradingError):
    """The student process ended while the grader was waiting for it."""


class PublicTestsMissing(GradingError):
    """No ``public_tests.json`` was found for a local check."""
