"""Notebooks written for otter-grader: ``import otter`` and ``grader.check``
work inside the grader and the reference run, and cells that raise on purpose
are a build warning, not a failure, unless a test fails."""

from __future__ import annotations

import nbformat

from .conftest import code, md, notebook, raw

RESULT_4 = nbformat.v4.new_output("execute_result", data={"text/plain": "4"}, execution_count=1)

SHEET_YML = """\
title: Errors
notebook: lab.ipynb
tasks:
  - {id: "1", title: Square, points: 2, kind: auto}
"""


def cells(solution: str = "def square(x):\n    return x * x") -> list:
    return [
        code('import otter\ngrader = otter.Notebook("lab.ipynb")'),
        md("Using a name before defining it raises a `NameError`:"),
        code("print(undefined_name)"),
        code("int('not a number')"),
        raw("# BEGIN QUESTION\nname: q1\npoints: 2"),
        raw("# BEGIN SOLUTION"),
        code(solution),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code("square(3)"),
        code("# HIDDEN\nsquare(-2)", outputs=[RESULT_4]),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        code('grader.check("q1")'),
        code("grader.check_all()\ngrader.export(pdf=False)"),
    ]


def test_otter_import_and_raising_cells_build_with_a_warning(foreign_course) -> None:
    course = foreign_course(SHEET_YML, {"lab.ipynb": notebook(cells())})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    assert "warning: the reference raised in its cell 3 `print(undefined_name)`" in built.stderr
    assert "NameError" in built.stderr and "ValueError" in built.stderr
    assert "No module named 'otter'" not in built.stderr

    reference = nbformat.read(str(course.build / "autograder" / "reference.ipynb"), as_version=4)
    sha = course.submit("s001", {"lab.ipynb": reference})
    graded = course.cli("grade", "01")
    assert graded.exit_code == 0, graded.output
    result = course.results()[sha]
    assert result["points"] == 2, {k: t["message"] for k, t in result["tests"].items()}


def test_a_failing_test_is_named_with_the_cell_that_raised(foreign_course) -> None:
    course = foreign_course(
        SHEET_YML,
        {"lab.ipynb": notebook(cells("def square(x):\n    return x * abs(x)"))},
    )
    built = course.cli("sheet", "build", "01")
    assert built.exit_code != 0
    assert "fails 1 test(s)" in built.output
    assert "test 1.2 (hidden ok, lab.ipynb cell 11)" in built.output
    assert "cell 3 `print(undefined_name)`" in built.output
    assert "1.1" not in built.output.replace("test 1.2", "")
