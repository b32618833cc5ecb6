"""The graded notebooks of a sheet, parsed: one for most sheets, several for a
sheet with ``notebooks:`` in sheet.yml (an nbgrader assignment such as
``problem1.ipynb`` + ``problem2.ipynb``), plus the optional ``header:`` notebook
whose cells open every released notebook.

Each notebook is parsed with the sheet's format against the tasks it has tests
for (its ``kind: manual`` tasks stay known to all), so that "task 'x' has no
tests" means no tests in any notebook. A task's tests live in one notebook, and
an nbgrader ``grade_id`` names one cell of the whole sheet: a clash is refused
with both places named. Every test of a several-notebook sheet records its
notebook (``TestCase.notebook``). No code runs here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from sheetgrade.course.course import Sheet
from sheetgrade.sheets.errors import NotebookError, Problems, SheetError, at
from sheetgrade.sheets.formats.base import ParsedSheet


@dataclass
class NotebookSource:
    """One graded source notebook of a sheet, parsed."""

    name: str  # the file name students hand in
    path: Path
    parsed: ParsedSheet


def parse_sources(sheet: Sheet) -> list[NotebookSource]:
    """Read and parse every graded notebook of the sheet (no code runs).

    Raises:
        NotebookError: a notebook or its markup is invalid, a task has tests in
            two notebooks, a grade id appears in two, or an auto task has none.
    """
    from sheetgrade.sheets.formats.detect import parse_notebook
    from sheetgrade.sheets.notebook import read_notebook

    paths = sheet.notebook_paths
    if len(paths) == 1 and not sheet.config.notebooks:
        nb = read_notebook(paths[0])
        return [
            NotebookSource(paths[0].name, paths[0], parse_notebook(nb, sheet.config, paths[0].name))
        ]
    notebooks = [(path, read_notebook(path)) for path in paths]
    probes = [
        NotebookSource(path.name, path, _probe(nb, sheet, path.name)) for path, nb in notebooks
    ]
    _check_across(sheet, probes)
    sources = []
    for (path, nb), probe in zip(notebooks, probes, strict=True):
        named = {t.task for t in probe.parsed.tests}
        tasks = [t for t in sheet.config.tasks if t.kind == "manual" or t.id in named]
        parsed = parse_notebook(nb, replace(sheet.config, tasks=tasks), path.name)
        parsed.tests = [replace(t, notebook=path.name) for t in parsed.tests]
        sources.append(NotebookSource(path.name, path, parsed))
    return sources


def _probe(nb: NotebookNode, sheet: Sheet, name: str) -> ParsedSheet:
    """A first reading against all the sheet's tasks, problems ignored: which tasks
    the notebook's tests name (its own parse then reports its problems)."""
    from sheetgrade.sheets.formats.detect import PARSERS, detect_format

    return PARSERS[detect_format(nb, name)](nb, sheet.config, Problems(name))


def _check_across(sheet: Sheet, sources: list[NotebookSource]) -> None:
    problems = Problems(f"sheets/{sheet.id}")
    formats = {s.parsed.format for s in sources}
    if len(formats) > 1:
        used = ", ".join(f"{s.name}: {s.parsed.format}" for s in sources)
        problems.items.append(
            f"sheets/{sheet.id}: the notebooks mix authoring formats ({used}); use one per sheet"
        )
    first: dict[str, tuple[str, int | None]] = {}
    for source in sources:
        for test in source.parsed.tests:
            seen = first.setdefault(test.task, (source.name, test.cell))
            if seen[0] != source.name:
                problems.items.append(
                    f"{at(source.name, test.cell)}: task '{test.task}' already has tests in "
                    f"{at(*seen)}; a task's tests live in one notebook (rename the task in one "
                    "of them, and in sheet.yml)"
                )
    grade_ids: dict[str, str] = {}
    for source in sources:
        for index, cell in enumerate(source.parsed.notebook.cells):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(grade_id, str) or not grade_id:
                continue
            here = at(source.name, index)
            if grade_id in grade_ids and not grade_ids[grade_id].startswith(source.name + " "):
                problems.items.append(
                    f"{here}: nbgrader grade_id '{grade_id}' is also used in {grade_ids[grade_id]}; "
                    "grade ids name one cell of the whole sheet, rename one of them"
                )
            grade_ids.setdefault(grade_id, here)
    names = ", ".join(s.name for s in sources)
    for task in sheet.config.tasks:
        if task.kind == "auto" and task.id not in first:
            problems.items.append(
                f"sheets/{sheet.id}/sheet.yml: task '{task.id}' is `kind: auto` but none of "
                f"the notebooks ({names}) has tests for it; add tests or make it `kind: manual`"
            )
    if len(problems.items) == 1:
        raise NotebookError(problems.items[0])
    problems.raise_if_any()


def header_cells(sheet: Sheet) -> list[NotebookNode]:
    """The cells of the sheet's header notebook, without outputs (none without one).

    Raises:
        SheetError: the header notebook is missing or not a notebook.
    """
    if not sheet.config.header:
        return []
    from sheetgrade.sheets.notebook import new_cell, read_notebook

    path = sheet.path / sheet.config.header
    if not path.is_file():
        raise SheetError(
            f"sheets/{sheet.id}/sheet.yml: header notebook '{sheet.config.header}' not found "
            f"in {sheet.path}"
        )
    nb = read_notebook(path)
    return [
        new_cell(c.cell_type, "".join(c.source), like=c, salt=f"header/{i}")
        for i, c in enumerate(nb.cells)
    ]


def with_header(header: list[NotebookNode], cells: list[NotebookNode]) -> list[NotebookNode]:
    """The header's cells (fresh copies), then ``cells``."""
    import copy

    return [copy.deepcopy(c) for c in header] + list(cells)


def hash_part(source: NotebookSource) -> dict[str, Any]:
    """What of one parsed notebook goes into the build hash."""
    from sheetgrade.sheets.model import test_data

    parsed = source.parsed
    return {
        "notebook": source.name,
        "format": parsed.format,
        "kernel": {k: parsed.notebook.metadata.get(k) for k in ("kernelspec",)},
        "student": parsed.student_cells,
        "reference": parsed.reference_cells,
        "tests": [test_data(t) for t in parsed.tests],
        "pending": parsed.pending_outputs,
    }


def reference_name(name: str) -> str:
    """Where a several-notebook bundle keeps the reference of ``name``."""
    return f"reference/{name}"


__all__ = ["NotebookSource", "header_cells", "parse_sources", "with_header"]
