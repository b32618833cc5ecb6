"""Bad input to `sheet build` gives exit 1 and a message naming cell and line, never a traceback."""

from __future__ import annotations

import pytest
from sheets_helpers import NATIVE, code, md, raw


def build(run_cli, course):
    result = run_cli("sheet", "build", "01", course=course)
    assert "Traceback" not in result.output
    return result


def test_invalid_json(run_cli, make_course):
    course = make_course()
    path = course / "sheets" / "01-demo" / "demo.ipynb"
    text = path.read_text(encoding="utf-8").splitlines()
    text[3] = text[3] + " oops"
    path.write_text("\n".join(text), encoding="utf-8")
    result = build(run_cli, course)
    assert result.exit_code == 1
    assert "demo.ipynb line 4 column" in result.stderr and "invalid notebook JSON" in result.stderr


@pytest.mark.parametrize(
    ("source", "where", "what"),
    [
        (
            "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x",
            "cell 3 line 2",
            "BEGIN SOLUTION is never closed",
        ),
        (
            "def double(x):\n    return 2 * x\n    # END SOLUTION",
            "cell 3 line 3",
            "END SOLUTION without a BEGIN",
        ),
        (
            "# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION",
            "cell 3 line 2",
            "BEGIN SOLUTION inside",
        ),
    ],
)
def test_unbalanced_solution_markers(run_cli, make_course, source, where, what):
    cells = list(NATIVE)
    cells[2] = code(source)
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert f"demo.ipynb {where}: {what}" in result.stderr


def test_unbalanced_otter_blocks_and_hidden_tests(run_cli, make_course):
    cells = [
        raw("# BEGIN QUESTION\nname: 1a\npoints: 2"),
        raw("# BEGIN TESTS"),
        code("1 + 1"),
        raw("# END QUESTION"),
    ]
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert (
        "demo.ipynb cell 4 line 1: END QUESTION without a matching BEGIN QUESTION" in result.stderr
    )
    cells = [
        code(
            "assert True\n### BEGIN HIDDEN TESTS\nassert 1",
            nbgrader={"grade": True, "solution": False, "grade_id": "1a", "points": 2},
        )
    ]
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert "demo.ipynb cell 1 line 2: BEGIN HIDDEN TESTS is never closed" in result.stderr


def test_test_without_points(run_cli, make_course):
    cells = list(NATIVE)
    cells[6] = code("# CHECK 1b\nexpect_close(student.square([1.0]), [1.0])")
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert "demo.ipynb cell 7: test for task '1b' has no points" in result.stderr
    nbgrader = [
        code("assert True", nbgrader={"grade": True, "solution": False, "grade_id": "1a_x"})
    ]
    result = build(run_cli, make_course(nbgrader))
    assert "demo.ipynb cell 1: test for task '1a' has no points" in result.stderr


def test_task_in_sheet_yml_missing_from_notebook(run_cli, make_course):
    result = build(run_cli, make_course(NATIVE[:5]))
    assert result.exit_code == 1
    assert (
        "task '1b' is `kind: auto` in sheet.yml but has no tests in the notebook" in result.stderr
    )


def test_task_in_notebook_missing_from_sheet_yml(run_cli, make_course):
    cells = [*NATIVE, code("# CHECK 1ab points=1\nexpect(True)")]
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert (
        "demo.ipynb cell 8: test for task '1ab', which sheet.yml does not have; did you mean '1b'? (add it to sheet.yml or fix the name)"
        in result.stderr
    )


def test_points_disagree_and_syntax_error(run_cli, make_course):
    cells = list(NATIVE)
    cells[6] = code("# CHECK 1b points=3\nexpect_close(student.square([1.0]),\n  [1.0]")
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert "demo.ipynb cell 7 line" in result.stderr and "syntax error in test" in result.stderr


def test_no_tests_and_mixed_formats(run_cli, make_course):
    result = build(run_cli, make_course([md("# nothing"), code("x = 1")]))
    assert result.exit_code == 1 and "no tests found" in result.stderr
    result = build(run_cli, make_course([*NATIVE, raw("# BEGIN QUESTION\nname: 1a")]))
    assert result.exit_code == 1 and "mixes authoring formats" in result.stderr


def test_failing_reference_stops_the_build(run_cli, make_course):
    cells = list(NATIVE)
    cells[4] = code(
        "# CHECK 1a points=1 hidden\nexpect_close(student.double(values), undefined_name)"
    )
    course = make_course(cells)
    result = build(run_cli, course)
    assert result.exit_code == 1
    assert "fails 1 test(s)" in result.stderr
    assert (
        "test 1a.2 (hidden native, demo.ipynb cell 5): the check raised NameError: "
        "name 'values' is not defined" in result.stderr
    )
    assert not (course / "build" / "01-demo" / "student").exists()
    assert not (course / "build" / "01-demo" / ".staging").exists()


def test_hidden_test_with_an_undefined_name_fails_real_validation(run_cli, make_course):
    cells = list(NATIVE)
    cells[4] = code("# CHECK 1a points=1 hidden\nexpect_close(student.double(2.0), undefined_name)")
    result = build(run_cli, make_course(cells))
    assert result.exit_code == 1
    assert (
        "test 1a.2 (hidden native, demo.ipynb cell 5)" in result.stderr
        and "undefined_name" in result.stderr
    )
