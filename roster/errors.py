"""Errors of the roster."""

from __future__ import annotations

from sheetgrade.course.errors import SheetgradeError


class RosterError(SheetgradeError):
    """A roster file or import is invalid, or a roster change is refused.

    ``problems`` holds one line per problem, each naming file and line.
    """
