"""otter's ``all_or_nothing: true`` question config: the question's points only
when every case passes (otter 7 ``TestFile.grade``), through build and grade."""

from __future__ import annotations

import nbformat

from .conftest import code, notebook, raw

SHEET_YML = """\
title: All or nothing
notebook: lab.ipynb
tasks:
  - {id: "1", title: Square, points: 3, kind: auto}
  - {id: "2", title: Cube, points: 2, kind: auto}
  - {id: "3", title: Per case, points: 2, kind: auto}
"""


def out(text: str) -> list:
    return [nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)]


def question(name: str, config: str, solution: str, tests: list) -> list:
    cells = [raw(f"# BEGIN QUESTION\nname: {name}\n{config}"), raw("# BEGIN SOLUTION")]
    cells += [code(solution), raw("# END SOLUTION"), raw("# BEGIN TESTS")]
    cells += tests
    return cells + [raw("# END TESTS"), raw("# END QUESTION")]


CELLS = [
    *question(
        "q1",
        "points: 3\nall_or_nothing: true",
        "def square(x):\n    return x * x",
        [
            code("square(2)", out("4")),
            code("square(3)", out("9")),
            code("# HIDDEN\nsquare(-1)", out("1")),
        ],
    ),
    # no points (worth 1 in otter, scaled to the task's 2), an assert case, all public
    *question(
        "q2",
        "all_or_nothing: true",
        "def cube(x):\n    return x ** 3",
        [code("assert cube(2) == 8"), code("cube(-2)", out("-8"))],
    ),
    *question(
        "q3",
        "points: 2",
        "def half(x):\n    return x / 2",
        [code("half(2)", out("1.0")), code("half(-2)", out("-1.0"))],
    ),
]


def test_all_or_nothing_build(foreign_course) -> None:
    course = foreign_course(SHEET_YML, {"lab.ipynb": notebook(CELLS)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    tests = {t["id"]: (t["points"], t["hidden"], t["kind"]) for t in course.bundle()["tests"]}
    # public cases stay for students' check, worth 0; one hidden test holds them all
    assert tests == {
        "1.1": (0, False, "ok"),
        "1.2": (0, False, "ok"),
        "1.3": (3, True, "ok"),
        "2.1": (2, False, "ok"),
        "3.1": (1, False, "ok"),
        "3.2": (1, False, "ok"),
    }
    whole = next(t for t in course.bundle()["tests"] if t["id"] == "1.3")["code"]
    assert whole.split("\n") == [">>> square(2)", "4", ">>> square(3)", "9", ">>> square(-1)", "1"]
    public = course.build / "student" / "lab.ipynb"
    assert "square(-1)" not in public.read_text()


def test_all_or_nothing_grade(foreign_course) -> None:
    course = foreign_course(SHEET_YML, {"lab.ipynb": notebook(CELLS)})
    assert course.cli("sheet", "build", "01").exit_code == 0
    reference = nbformat.read(str(course.build / "autograder" / "reference.ipynb"), as_version=4)

    full = course.submit("s001", {"lab.ipynb": reference})
    # passes two of q1's three cases (the hidden one fails), one of q2's, one of q3's
    part = course.submit("s002", {"lab.ipynb": _all_edits(reference)})
    graded = course.cli("grade", "01")
    assert graded.exit_code == 0, graded.output
    results = course.results()
    assert results[full]["points"] == 7
    by_task: dict[str, float] = {}
    for test_id, row in results[part]["tests"].items():
        by_task[test_id.split(".")[0]] = by_task.get(test_id.split(".")[0], 0) + row["points"]
    # per case this would be 2 + 1 + 1
    assert by_task == {"1": 0, "2": 0, "3": 1}
    assert results[part]["tests"]["1.1"]["passed"]
    assert not results[part]["tests"]["1.3"]["passed"]


def _all_edits(reference: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(reference)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = (
                cell.source.replace("return x * x", "return x * abs(x)")
                .replace("return x ** 3", "return x ** 3 if x > 0 else x")
                .replace("return x / 2", "return abs(x) / 2")
            )
    return nb


def test_all_or_nothing_must_be_a_flag(foreign_course) -> None:
    cells = question("q3", "points: 2\nall_or_nothing: sometimes", "y = 1", [code("y", out("1"))])
    course = foreign_course(SHEET_YML, {"lab.ipynb": notebook(cells)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 1
    assert "all_or_nothing must be true or false, not 'sometimes'" in built.output


def test_a_case_without_stored_output_expects_none(foreign_course) -> None:
    """In an all_or_nothing question a test cell without output expects none, as in
    otter: here the reference prints 4, so the build names the failing test."""
    cells = question(
        "q1",
        "points: 3\nall_or_nothing: true",
        "def square(x):\n    return x * x",
        [code("square(2)"), code("square(3)", out("9"))],
    )
    yml = 'title: One\nnotebook: lab.ipynb\ntasks:\n  - {id: "1", points: 3, kind: auto}\n'
    course = foreign_course(yml, {"lab.ipynb": notebook(cells)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 1, built.output
    assert "test 1.1" in built.output and ">>> square(2)" in built.output, built.output
