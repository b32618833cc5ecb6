"""Which authoring format a notebook uses, and parsing it."""

from __future__ import annotations

from nbformat import NotebookNode

from sheetgrade.course.config import SheetConfig
from sheetgrade.sheets.errors import NotebookError, Problems
from sheetgrade.sheets.formats import native, nbgrader, otter
from sheetgrade.sheets.formats.base import ParsedSheet
from sheetgrade.sheets.model import SheetFormat

PARSERS = {"native": native.parse, "otter": otter.parse, "nbgrader": nbgrader.parse}
LABELS = {
    "native": "native checks (# CHECK)",
    "otter": "otter-assign markup",
    "nbgrader": "nbgrader metadata",
}


def detect_format(nb: NotebookNode, name: str = "notebook") -> SheetFormat:
    """The one format the notebook uses.

    Raises:
        NotebookError: the notebook mixes formats or has no tests at all.
    """
    first: dict[SheetFormat, int] = {}
    for index, cell in enumerate(nb.cells):
        found: tuple[tuple[SheetFormat, bool], ...] = (
            ("otter", otter.is_otter(cell)),
            ("nbgrader", nbgrader.is_nbgrader(cell)),
            ("native", native.is_check_cell(cell)),
        )
        for fmt, hit in found:
            if hit:
                first.setdefault(fmt, index)
    if not first:
        raise NotebookError(
            f"{name}: no tests found; mark them as native checks (`# CHECK 1a points=2`), otter-assign "
            "blocks (`# BEGIN QUESTION`) or nbgrader cells (see docs/authoring.md)"
        )
    if len(first) > 1:
        parts = ", ".join(
            f"{LABELS[f]} from cell {i + 1}" for f, i in sorted(first.items(), key=lambda x: x[1])
        )
        raise NotebookError(
            f"{name}: mixes authoring formats ({parts}); use one format per notebook"
        )
    return next(iter(first))


def parse_notebook(nb: NotebookNode, config: SheetConfig, name: str = "notebook") -> ParsedSheet:
    """Detect the format and parse; raise NotebookError listing every problem."""
    fmt = detect_format(nb, name)
    problems = Problems(name)
    parsed = PARSERS[fmt](nb, config, problems)
    problems.raise_if_any()
    return parsed
