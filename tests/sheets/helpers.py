"""Notebooks and course files shared by the sheets tests (imported as ``sheets_helpers``)."""

from __future__ import annotations

from pathlib import Path

import nbformat

COURSE_YML = """\
course: Test course
term: WS 2026/27
sheets:
  - id: 01-demo
    due: 2026-10-28T10:00+01:00
"""

SHEET_YML = """\
title: Demo sheet
notebook: demo.ipynb
data: [numbers.csv]
tasks:
  - {id: 1a, title: Double, points: 2, kind: auto}
  - {id: 1b, title: Square, points: 2, kind: auto}
  - {id: "2", title: A proof, points: 3, kind: manual}
"""


def md(text: str, **meta: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text, metadata=dict(meta))


def code(text: str, **meta: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text, metadata=dict(meta))


def raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def write_notebook(path: Path, cells: list[nbformat.NotebookNode]) -> None:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    for i, cell in enumerate(cells):
        cell["id"] = f"cell{i}"
    nb.cells = cells
    nbformat.write(nb, str(path))


NATIVE = [
    md("# Demo"),
    code("import numpy as np\nvalues = np.loadtxt('numbers.csv', delimiter=',')"),
    code(
        "def double(x):\n    # BEGIN SOLUTION\n    return 2 * np.asarray(x, dtype=float)\n    # END SOLUTION"
    ),
    code("# CHECK 1a points=1\nexpect_close(student.double(3.0), reference.double(3.0))"),
    code(
        "# CHECK 1a points=1 hidden\nexpect_close(student.double(reference.value('values')), 2 * reference.value('values'))"
    ),
    code(
        "def square(x):\n    # BEGIN SOLUTION\n    return np.asarray(x, dtype=float) ** 2\n    # END SOLUTION"
    ),
    code("# CHECK 1b points=2\nexpect_close(student.square([1.0, 2.0]), [1.0, 4.0])"),
]
