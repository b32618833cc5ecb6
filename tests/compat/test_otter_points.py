"""otter 7's point rules, through build and grade: questions without points,
test cases with their own points, ``{each: N}``, and manual questions."""

from __future__ import annotations

import nbformat

from sheetgrade.sheets.formats.otter import otter_case_points

from .conftest import code, md, notebook, raw

SHEET_YML = """\
title: Points
notebook: lab.ipynb
tasks:
  - {id: "1", title: No points, points: 1, kind: auto}
  - {id: "2", title: Own case points, points: 2, kind: auto}
  - {id: "3", title: Each, points: 2, kind: auto}
  - {id: "4", title: Explain, points: 2, kind: manual}
  - {id: "5", title: Scaled, points: 4, kind: auto}
"""


def question(name: str, config: str, solution: str, tests: list[str]) -> list:
    cells = [raw(f"# BEGIN QUESTION\nname: {name}\n{config}"), raw("# BEGIN SOLUTION")]
    cells += [code(solution), raw("# END SOLUTION"), raw("# BEGIN TESTS")]
    cells += [code(t) for t in tests]
    return cells + [raw("# END TESTS"), raw("# END QUESTION")]


CELLS = [
    md("# Lab"),
    *question("q1", "", "a = 1\nb = 2", ["a == 1", "b == 2"]),
    *question(
        "q2",
        "",
        "c = 3\nd = 4",
        ['""" # BEGIN TEST CONFIG\npoints: 2\n""" # END TEST CONFIG\nc == 3', "d == 4"],
    ),
    *question("q3", "points:\n  each: 1", "e = 5\nf = 6", ["e == 5", "# HIDDEN\nf == 6"]),
    raw("# BEGIN QUESTION\nname: q4\nmanual: true\npoints: 2"),
    md("Explain why."),
    raw("# BEGIN SOLUTION"),
    md("Because."),
    raw("# END SOLUTION"),
    raw("# END QUESTION"),
    *question("q5", "", "g = 7\nh = 8\ni = 9\nj = 10", ["g == 7", "h == 8", "i == 9", "j == 10"]),
]


def test_otter_case_points_rule() -> None:
    assert otter_case_points(None, [None, None]) == [0.5, 0.5]
    assert otter_case_points(None, [2, None]) == [2, 0]
    assert otter_case_points(None, [0, None]) == [0, 1]
    assert otter_case_points(3, [1, None, None]) == [1, 1, 1]
    assert otter_case_points(2, [2, 0]) == [2, 0]


def test_otter_defaults_build_and_grade(foreign_course) -> None:
    course = foreign_course(SHEET_YML, {"lab.ipynb": notebook(CELLS)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    points = {t["id"]: t["points"] for t in course.bundle()["tests"]}
    assert points == {
        "1.1": 0.5,
        "1.2": 0.5,
        "2.1": 2,
        "2.2": 0,
        "3.1": 1,
        "3.2": 1,
        "5.1": 1,
        "5.2": 1,
        "5.3": 1,
        "5.4": 1,
    }

    reference = nbformat.read(str(course.build / "autograder" / "reference.ipynb"), as_version=4)
    wrong = nbformat.read(str(course.build / "autograder" / "reference.ipynb"), as_version=4)
    for cell in wrong.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace("b = 2", "b = 0").replace("c = 3", "c = 0")
            cell.source = cell.source.replace("f = 6", "f = 0").replace("j = 10", "j = 0")
    full = course.submit("s001", {"lab.ipynb": reference})
    part = course.submit("s002", {"lab.ipynb": wrong})
    graded = course.cli("grade", "01")
    assert graded.exit_code == 0, graded.output
    results = course.results()
    assert results[full]["points"] == 9
    by_task: dict[str, float] = {}
    for test_id, row in results[part]["tests"].items():
        by_task[test_id.split(".")[0]] = by_task.get(test_id.split(".")[0], 0) + row["points"]
    assert by_task == {"1": 0.5, "2": 0, "3": 1, "5": 3}
