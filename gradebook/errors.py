"""Domain errors of the gradebook: marks, admission, exports, feedback, reports."""

from __future__ import annotations

from sheetgrade.course.errors import SheetgradeError


class GradebookError(SheetgradeError):
    """Something about the gradebook a user can fix (unknown student, group, format...)."""


class MarksError(GradebookError):
    """A marks file or a mark is invalid; ``problems`` names file, row and column."""
