"""A small nbgrader 0.9 assignment written for the tests (and ``make compat``):
partial credit, ``### AUTOTEST``, a warning on stderr, a hidden test region."""

from __future__ import annotations

from collections.abc import Callable

import nbformat

SHEET_YML = """\
title: Scoring
notebook: scoring.ipynb
tasks:
  - {id: "1", title: Add, points: 4, kind: auto}
  - {id: "2", title: Words, points: 2, kind: auto}
  - {id: "3", title: Logs, points: 1, kind: auto}
  - {id: "4", title: Hidden, points: 2, kind: auto}
"""


def _meta(grade_id: str, *, grade: bool, solution: bool, points: float = 0) -> dict:
    nb = {
        "grade": grade,
        "solution": solution,
        "locked": not solution,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    if grade:
        nb["points"] = points
    return {"nbgrader": nb}


def solution(grade_id: str, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text, metadata=_meta(grade_id, grade=False, solution=True))


def grade(grade_id: str, points: float, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(
        text, metadata=_meta(grade_id, grade=True, solution=False, points=points)
    )


def cells() -> list[nbformat.NotebookNode]:
    return [
        nbformat.v4.new_code_cell("import numpy as np"),
        solution(
            "add",
            "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
        ),
        grade(
            "q1-partial",
            4,
            "score = 0\nfor a, b in [(1, 2), (2, 3), (0, 0), (-1, 1)]:\n"
            "    if add(a, b) == a + b:\n        score += 1\nscore",
        ),
        solution(
            "words",
            "### BEGIN SOLUTION\nwords = 'the cat sat'.split()\ntotal = len(words)\n### END SOLUTION",
        ),
        grade("q2-auto", 2, "### AUTOTEST total; words"),
        solution(
            "logs",
            "def safe_log(x):\n    ### BEGIN SOLUTION\n"
            "    return np.log(np.maximum(x, 1e-300))\n    ### END SOLUTION",
        ),
        grade("q3-warn", 1, "assert safe_log(np.array([1.0, 0.0]))[0] == 0.0"),
        solution(
            "square",
            "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
        ),
        grade(
            "q4-hidden",
            2,
            "assert square(2) == 4\n### BEGIN HIDDEN TESTS\nassert square(-3) == 9\n"
            "### END HIDDEN TESTS",
        ),
    ]


ORDER_YML = """\
title: Order
notebook: order.ipynb
tasks:
  - {id: "1", title: Add, points: 1, kind: auto}
  - {id: "2", title: Scale, points: 1, kind: auto}
"""


def order_cells() -> list[nbformat.NotebookNode]:
    """Two answers, each followed by its grade cell: nbgrader runs a grade cell
    in place, sheetgrade after the whole notebook (docs/authoring.md)."""
    return [
        solution(
            "add", "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"
        ),
        grade("q1-add", 1, "assert add(1, 2) == 3"),
        solution(
            "scale",
            "def scale(x):\n    ### BEGIN SOLUTION\n    return 10 * x\n    ### END SOLUTION",
        ),
        grade("q2-scale", 1, "assert scale(2) == 20"),
    ]


GIVEN_YML = """\
title: Given code
notebook: given.ipynb
tasks:
  - {id: "1", title: Ratio, points: 2, kind: auto}
  - {id: "2", title: Scale, points: 1, kind: auto}
"""


def given_cells() -> list[nbformat.NotebookNode]:
    """Two patterns of real nbgrader sheets: a solution repeating lines of a
    worked example students are given, and a grade cell using a name that only
    an earlier grade cell's hidden tests import."""
    return [
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell(
            "def first_column_ratio(a):\n    N = a.shape[0]\n    u = a.copy()\n"
            "    return u[N - 1, 0] / u[0, 0]\n\n"
            "a = np.array([[4.0, 3.0], [6.0, 3.0]])\nfirst_column_ratio(a)"
        ),
        solution(
            "ratio",
            "def lower_ratio(a):\n    ### BEGIN SOLUTION\n    N = a.shape[0]\n    u = a.copy()\n"
            "    return u[N - 1, 1] / u[0, 1]\n    ### END SOLUTION",
        ),
        grade(
            "q1-ratio",
            2,
            "assert lower_ratio(a) == 1.0\n### BEGIN HIDDEN TESTS\n"
            "from numpy.testing import assert_allclose\n"
            "assert_allclose(lower_ratio(np.array([[2.0, 4.0], [1.0, 2.0]])), 0.5)\n"
            "### END HIDDEN TESTS",
        ),
        solution(
            "scale",
            "def scale(x):\n    ### BEGIN SOLUTION\n    return 10 * x\n    ### END SOLUTION",
        ),
        grade("q2-scale", 1, "assert_allclose(scale(np.arange(3)), [0, 10, 20])"),
    ]


def notebook(make: Callable[[], list[nbformat.NotebookNode]] = cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = make()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell{i}"
    return nb


#: what students hand in, as edits of the released notebook's cells
#: (cell source -> replacement); ``None`` is the reference solution
SUBMISSIONS: dict[str, dict[str, str] | None] = {
    "solved": None,
    "wrong": {
        "    return a + b": "    return a - b",
        "total = len(words)": "total = len(words) + 1",
        "    return np.log(np.maximum(x, 1e-300))": "    return np.log(x)",
        "    return x * x": "    return 2 * x",
    },
    "blanked": {"score = 0\nfor a, b in": ""},
}


def submission(released_solution: nbformat.NotebookNode, edits: dict[str, str] | None):
    """The solved notebook with ``edits`` applied (a cell starting with a key
    is blanked when the replacement is empty)."""
    nb = nbformat.from_dict(released_solution)
    for old, new in (edits or {}).items():
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if new == "" and cell.source.startswith(old):
                cell.source = ""
            elif new != "":
                cell.source = cell.source.replace(old, new)
    return nb
