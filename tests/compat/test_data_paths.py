"""Data files keep their paths relative to the notebook in the build, the
student's check, grading and the release: ``data/iris.csv`` stays
``data/iris.csv`` everywhere a notebook runs."""

from __future__ import annotations

import zipfile

import nbformat

from .conftest import code, notebook, raw

SHEET_YML = """\
title: Iris
notebook: iris.ipynb
data: [data/iris.csv, sizes.csv]
tasks:
  - {id: "1", title: Rows, points: 2, kind: auto}
  - {id: "2", title: Sizes, points: 1, kind: auto}
"""

CELLS = [
    code("import pandas as pd"),
    raw("# BEGIN QUESTION\nname: q1\npoints: 2"),
    code('df = pd.read_csv("data/iris.csv")\nn_rows = len(df)  # SOLUTION'),
    raw("# BEGIN TESTS"),
    code("n_rows"),
    code("# HIDDEN\nint(df['petal'].sum())"),
    raw("# END TESTS"),
    raw("# END QUESTION"),
    raw("# BEGIN QUESTION\nname: q2\npoints: 1"),
    code('sizes = pd.read_csv("sizes.csv")\ntotal = int(sizes["n"].sum())  # SOLUTION'),
    raw("# BEGIN TESTS"),
    code("total"),
    raw("# END TESTS"),
    raw("# END QUESTION"),
]


def test_subfolder_data_in_build_check_grade_and_release(foreign_course) -> None:
    course = foreign_course(
        SHEET_YML,
        {
            "iris.ipynb": notebook(CELLS),
            "data/iris.csv": "petal,kind\n1,a\n2,b\n4,c\n",
            "sizes.csv": "n\n5\n6\n",
        },
    )
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    student = course.build / "student"
    assert (student / "data" / "iris.csv").is_file()
    assert (course.build / "autograder" / "data" / "iris.csv").is_file()
    assert not (course.build / "autograder" / "iris.csv").exists()

    solved = nbformat.read(str(course.build / "autograder" / "reference.ipynb"), as_version=4)
    nbformat.write(solved, str(student / "solved.ipynb"))
    checked = course.cli("check", str(student / "solved.ipynb"))
    assert checked.exit_code == 0, checked.output

    sha = course.submit("s001", {"iris.ipynb": solved})
    graded = course.cli("grade", "01")
    assert graded.exit_code == 0, graded.output
    result = course.results()[sha]
    assert result["status"] == "graded", result["message"]
    assert result["points"] == 3, {k: t["message"] for k, t in result["tests"].items()}

    released = course.cli("sheet", "release", "01")
    assert released.exit_code == 0, released.output
    with zipfile.ZipFile(course.root / "release" / "01-foreign.zip") as archive:
        names = archive.namelist()
    assert any(n.endswith("/data/iris.csv") for n in names), names
    assert any(n.endswith("/sizes.csv") for n in names), names
