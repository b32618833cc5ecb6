"""Parsing the three authoring formats through the public API."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from sheets_helpers import NATIVE, code, md, raw

from sheetgrade.course.config import SheetConfig
from sheetgrade.course.schema import load_yaml_file
from sheetgrade.sheets.errors import NotebookError
from sheetgrade.sheets.formats import detect_format, parse_notebook
from sheetgrade.sheets.notebook import cell_text

SHEET = """\
title: t
notebook: n.ipynb
tasks:
  - {id: 1a, points: 2}
  - {id: 1b, points: 2}
"""


@pytest.fixture
def config(tmp_path: Path) -> SheetConfig:
    (tmp_path / "sheet.yml").write_text(SHEET, encoding="utf-8")
    return load_yaml_file(SheetConfig, tmp_path / "sheet.yml", label="sheet.yml")


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def texts(cells: list[nbformat.NotebookNode]) -> str:
    return "\n---\n".join(cell_text(c) for c in cells)


def test_native_checks(config: SheetConfig) -> None:
    parsed = parse_notebook(notebook(NATIVE), config, "n.ipynb")
    assert parsed.format == "native"
    assert [(t.id, t.task, t.points, t.hidden, t.kind) for t in parsed.tests] == [
        ("1a.1", "1a", 1.0, False, "native"),
        ("1a.2", "1a", 1.0, True, "native"),
        ("1b.1", "1b", 2.0, False, "native"),
    ]
    assert parsed.tests[0].code == "expect_close(student.double(3.0), reference.double(3.0))"
    student, reference = texts(parsed.student_cells), texts(parsed.reference_cells)
    assert "return 2 * np.asarray" not in student and "raise NotImplementedError" in student
    assert "return 2 * np.asarray" in reference and "BEGIN SOLUTION" not in reference
    assert "CHECK" not in student and "CHECK" not in reference
    assert student.count('check("1a")') == 1 and student.count('check("1b")') == 1


def test_native_check_from_metadata(config: SheetConfig) -> None:
    cells = [
        code("def f():\n    return 1  # SOLUTION"),
        code("expect_equal(student.f(), 1)", sheetgrade={"check": {"task": "1a", "points": 2}}),
        code("# CHECK 1b points=2 hidden name=square\nexpect_equal(student.f(), 1)"),
    ]
    parsed = parse_notebook(notebook(cells), config, "n.ipynb")
    assert [(t.task, t.points, t.hidden, t.name) for t in parsed.tests] == [
        ("1a", 2.0, False, ""),
        ("1b", 2.0, True, "square"),
    ]
    assert cell_text(parsed.student_cells[0]) == "def f():\n    ..."
    assert cell_text(parsed.reference_cells[0]) == "def f():\n    return 1"


OTTER = [
    raw("# ASSIGNMENT CONFIG\nexport_cell: false"),
    raw("# BEGIN QUESTION\nname: q1a\npoints: 2"),
    md("Write `f`."),
    raw("# BEGIN SOLUTION"),
    code(
        'def f(x):\n    """ # BEGIN PROMPT\n    # your code here\n    """ # END PROMPT\n'
        "    # BEGIN SOLUTION NO PROMPT\n    return x + 1\n    # END SOLUTION"
    ),
    raw("# END SOLUTION"),
    raw("# BEGIN TESTS"),
    code("f(1)"),
    code("# HIDDEN\nf(41)"),
    raw("# END TESTS"),
    raw("# END QUESTION"),
    raw("# BEGIN QUESTION\nname: 1b\npoints: [0.5, 1.5]"),
    code("y = 3 # SOLUTION"),
    raw("# BEGIN TESTS"),
    code('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\nassert y == 3'),
    code("for i in range(2):\n    print(i * y)"),
    raw("# END TESTS"),
    raw("# END QUESTION"),
]


def test_otter_assign(config: SheetConfig) -> None:
    cells = list(OTTER)
    cells[7] = code("f(1)")
    cells[7]["outputs"] = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
    ]
    parsed = parse_notebook(notebook(cells), config, "n.ipynb")
    assert parsed.format == "otter"
    tests = [(t.id, t.kind, t.points, t.hidden, t.code) for t in parsed.tests]
    assert tests == [
        ("1a.1", "ok", 1.0, False, ">>> f(1)\n2"),
        ("1a.2", "ok", 1.0, True, ">>> f(41)"),
        ("1b.1", "assert", 0.5, True, "assert y == 3"),
        ("1b.2", "ok", 1.5, False, ">>> for i in range(2):\n...     print(i * y)"),
    ]
    assert parsed.pending_outputs == ["1a.2", "1b.2"]
    student = texts(parsed.student_cells)
    assert "# your code here" in student and "return x + 1" not in student and "y = ..." in student
    assert 'check("1a")' in student and 'check("1b")' in student
    reference = texts(parsed.reference_cells)
    assert (
        "return x + 1" in reference and "y = 3" in reference and "your code here" not in reference
    )
    assert "f(41)" not in reference and "BEGIN QUESTION" not in reference


NBGRADER = [
    code(
        "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION",
        nbgrader={"solution": True, "grade": False, "grade_id": "f_sol", "locked": False},
    ),
    code(
        "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(41) == 42\n### END HIDDEN TESTS",
        nbgrader={
            "solution": False,
            "grade": True,
            "grade_id": "1a_f",
            "points": 2,
            "locked": True,
        },
    ),
    code(
        "assert f(0) == 1",
        nbgrader={"solution": False, "grade": True, "grade_id": "1b", "points": 2},
    ),
    md("An answer", nbgrader={"solution": True, "grade": False, "grade_id": "text"}),
]


def test_nbgrader(config: SheetConfig) -> None:
    parsed = parse_notebook(notebook(NBGRADER), config, "n.ipynb")
    assert parsed.format == "nbgrader"
    assert [(t.id, t.points, t.hidden, t.code) for t in parsed.tests] == [
        ("1a.1", 0.0, False, "assert f(1) == 2"),
        ("1a.2", 2.0, True, "assert f(1) == 2\nassert f(41) == 42"),
        ("1b.1", 2.0, False, "assert f(0) == 1"),
    ]
    student = [cell_text(c) for c in parsed.student_cells]
    assert student[0] == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert student[1] == "assert f(1) == 2"
    assert student[3] == "YOUR ANSWER HERE"
    assert parsed.student_cells[1].metadata["editable"] is False
    assert [cell_text(c) for c in parsed.reference_cells] == [
        "def f(x):\n    return x + 1",
        "An answer",
    ]


def test_detects_mixed_formats(config: SheetConfig) -> None:
    with pytest.raises(NotebookError, match="mixes authoring formats"):
        detect_format(notebook([NATIVE[3], OTTER[1]]), "n.ipynb")
