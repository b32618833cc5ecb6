"""Domain errors of the submissions intake."""

from __future__ import annotations

from sheetgrade.course.errors import SheetgradeError


class SubmissionError(SheetgradeError):
    """A problem with collecting or listing submissions that the user can fix."""
