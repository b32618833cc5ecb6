"""Code the source shows students (given code: a worked example, the scaffold
of an answer) is no secret, even when a solution or a hidden test repeats a
statement of it; real nbgrader sheets do this all the time."""

from __future__ import annotations

from sheetgrade.sheets.formats.base import SecretLine
from sheetgrade.sheets.leaks import find_leaks

from .conftest import code, md, notebook


def nbgrader(grade_id: str, *, solution: bool, grade: bool, points: float = 0) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": not solution, "grade_id": grade_id}
    if grade:
        meta["points"] = points
    return {"nbgrader": {**meta, "schema_version": 3}}


SHEET_YML = """\
title: LU
notebook: lu.ipynb
tasks:
  - {id: "1", title: Pivoting, points: 2, kind: auto}
"""

CELLS = [
    code("import numpy as np"),
    md("LU without pivoting, for reference:"),
    code(
        "def diy_lu(a):\n    N = a.shape[0]\n    u = a.copy()\n    L = np.eye(N)\n"
        "    for j in range(N - 1):\n        lam = np.eye(N)\n"
        "        gamma = u[j+1:, j] / u[j, j]\n        lam[j+1:, j] = -gamma\n"
        "        u = lam @ u\n        lam[j+1:, j] = gamma\n        L = L @ lam\n    return L, u\n\n"
        "a = np.array([[4.0, 3.0], [6.0, 3.0]])\nL0, u0 = diy_lu(a)"
    ),
    code(
        "def lu_factor_ratio(a):\n    ### BEGIN SOLUTION\n    N = a.shape[0]\n    u = a.copy()\n"
        "    ratio = u[1, 0] / u[0, 0]\n    return ratio\n    ### END SOLUTION",
        **nbgrader("lu_sol", solution=True, grade=False),
    ),
    code(
        "assert lu_factor_ratio(a) == 1.5\n### BEGIN HIDDEN TESTS\nL0, u0 = diy_lu(a)\n"
        "assert np.allclose(L0 @ u0, a)\n### END HIDDEN TESTS",
        **nbgrader("1-ratio", solution=False, grade=True, points=2),
    ),
]


def test_given_code_repeated_by_a_solution_builds(foreign_course) -> None:
    course = foreign_course(SHEET_YML, {"lu.ipynb": notebook(CELLS)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    student = (course.build / "student" / "lu.ipynb").read_text()
    assert "ratio = u[1, 0] / u[0, 0]" not in student


def test_a_solution_line_not_given_is_still_a_leak() -> None:
    secrets = [SecretLine("N = a.shape[0]", 3, 3), SecretLine("ratio = u[1, 0] / u[0, 0]", 3, 4)]
    texts = {"cell 3": "N = a.shape[0]\nratio = u[1, 0] / u[0, 0]"}
    given = ["def diy_lu(a):\n    N = a.shape[0]\n    return a"]
    leaks = find_leaks(texts, secret_lines=secrets, tests=[], notebook="lu.ipynb", given=given)
    assert [leak.text for leak in leaks] == ["ratio = u[1, 0] / u[0, 0]"]
    # without given code, the repeated line is a leak as before
    leaks = find_leaks(texts, secret_lines=secrets, tests=[], notebook="lu.ipynb")
    assert [leak.text for leak in leaks] == ["N = a.shape[0]", "ratio = u[1, 0] / u[0, 0]"]
