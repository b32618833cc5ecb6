"""Domain errors. The library raises these; only ``sheetgrade.cli`` turns them
into click errors, so a user mistake never ends in a traceback."""

from __future__ import annotations

from collections.abc import Iterable


class SheetgradeError(Exception):
    """Base class of every error a user can cause and fix.

    ``problems`` holds one line per problem when several were found at once
    (validation reports every error, not only the first).
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)

    def render(self) -> str:
        """The message followed by one indented line per problem."""
        lines = [str(self)]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class ConfigError(SheetgradeError):
    """course.yml or sheet.yml is missing or invalid."""


class CourseNotFound(ConfigError):
    """No course directory was found."""


class StoreError(SheetgradeError):
    """The database cannot be opened or upgraded."""


class SheetBusy(SheetgradeError):
    """Another ``grade`` or ``collect`` run holds the sheet's lock."""
