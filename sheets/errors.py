"""Errors of building and releasing sheets; each names the file, cell and line."""

from __future__ import annotations

from collections.abc import Iterable

from sheetgrade.course.errors import SheetgradeError


class SheetError(SheetgradeError):
    """A sheet cannot be parsed, built or released."""


class NotebookError(SheetError):
    """The source notebook is invalid: bad JSON, bad markup, missing points."""


class ValidationFailed(SheetError):
    """The reference solution fails one of the sheet's own tests."""


class LeakError(SheetError):
    """The student version would contain a solution, a hidden test or a reference value."""


class BuildMissing(SheetError):
    """A sheet has no build, or its build is stale."""


def at(notebook: str, cell: int | None = None, line: int | None = None) -> str:
    """A location for messages: ``pca.ipynb cell 4 line 2`` (1-based, as Jupyter counts).

    Args:
        notebook: the notebook's file name.
        cell: 0-based cell index, or None.
        line: 1-based line within the cell, or None.
    """
    text = notebook
    if cell is not None:
        text += f" cell {cell + 1}"
    if line is not None:
        text += f" line {line}"
    return text


class Problems:
    """Collects every problem of a notebook so that one error reports them all."""

    def __init__(self, notebook: str) -> None:
        self.notebook = notebook
        self.items: list[str] = []

    def add(self, message: str, cell: int | None = None, line: int | None = None) -> None:
        """Record one problem at a location."""
        self.items.append(f"{at(self.notebook, cell, line)}: {message}")

    def extend(self, items: Iterable[str]) -> None:
        self.items.extend(items)

    def raise_if_any(self, error: type[SheetError] = NotebookError) -> None:
        """Raise ``error`` listing every problem, if there is one."""
        if not self.items:
            return
        if len(self.items) == 1:
            raise error(self.items[0])
        raise error(f"{self.notebook}: {len(self.items)} problems", self.items)
