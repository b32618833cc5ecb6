"""Sheets of several graded notebooks plus a header notebook (nbgrader's ps1
shape): build, release, validation naming the notebook, id clashes refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from sheets_helpers import COURSE_YML, code, md, write_notebook

from sheetgrade.sheets.model import AutograderBundle, PublicTests


def nbg(grade_id: str, *, grade: bool, solution: bool, points: float | None = None) -> dict:
    meta: dict = {"grade": grade, "grade_id": grade_id, "locked": grade and not solution}
    meta.update({"solution": solution, "schema_version": 3})
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


SHEET_YML = """\
title: Two notebooks
notebooks: [part1.ipynb, part2.ipynb]
header: header.ipynb
tasks:
  - {id: test_squares, points: 2, kind: auto}
  - {id: test_cube, points: 1, kind: auto}
  - {id: explain, points: 1, kind: manual}
"""


def part1(answer: str = "[i * i for i in range(1, n + 1)]") -> list:
    return [
        md("# Part 1"),
        code(
            f"def squares(n):\n    ### BEGIN SOLUTION\n    return {answer}\n    ### END SOLUTION",
            **nbg("squares", grade=False, solution=True),
        ),
        code(
            "assert squares(3) == [1, 4, 9]",
            **nbg("test_squares", grade=True, solution=False, points=2),
        ),
    ]


def part2(grade_id: str = "test_cube") -> list:
    return [
        code(
            "def cube(x):\n    ### BEGIN SOLUTION\n    return x ** 3\n    ### END SOLUTION",
            **nbg("cube", grade=False, solution=True),
        ),
        code(
            "assert cube(2) == 8\n### BEGIN HIDDEN TESTS\nassert cube(3) == 27\n### END HIDDEN TESTS",
            **nbg(grade_id, grade=True, solution=False, points=1),
        ),
        md("Because.", **nbg("explain", grade=True, solution=True, points=1)),
    ]


HEADER = [md("Before you turn this in, restart and run all cells."), code('NAME = ""')]


def write_sheet(root: Path, one: list | None = None, two: list | None = None) -> Path:
    sheet = root / "sheets" / "01-demo"
    sheet.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (sheet / "sheet.yml").write_text(SHEET_YML, encoding="utf-8")
    write_notebook(sheet / "part1.ipynb", one if one is not None else part1())
    write_notebook(sheet / "part2.ipynb", two if two is not None else part2())
    write_notebook(sheet / "header.ipynb", list(HEADER))
    return root


def test_build_and_release_several_notebooks_with_header(run_cli, tmp_path: Path) -> None:
    course = write_sheet(tmp_path / "course")
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 0, result.output
    assert "built 01-demo (nbgrader): 2 public and 1 hidden tests" in result.stdout
    assert "  part1.ipynb: 1 public and 0 hidden tests" in result.stdout
    assert "  part2.ipynb: 1 public and 1 hidden tests" in result.stdout

    auto = course / "build" / "01-demo" / "autograder"
    bundle = AutograderBundle.load(auto)
    assert [(p.name, p.reference) for p in bundle.parts] == [
        ("part1.ipynb", "reference/part1.ipynb"),
        ("part2.ipynb", "reference/part2.ipynb"),
    ]
    assert {t.id: t.notebook for t in bundle.tests} == {
        "test_squares.1": "part1.ipynb",
        "test_cube.1": "part2.ipynb",
        "test_cube.2": "part2.ipynb",
    }
    assert set(bundle.parts[1].locked_cells) == {"test_cube"}
    reference = nbformat.read(auto / "reference" / "part2.ipynb", as_version=4)
    assert "return x ** 3" in reference.cells[0].source
    assert not (auto / "reference.ipynb").exists()

    run_cli("sheet", "release", "01", course=course)
    with zipfile.ZipFile(course / "release" / "01-demo.zip") as z:
        assert sorted(z.namelist()) == [
            "01-demo/part1.ipynb",
            "01-demo/part2.ipynb",
            "01-demo/public_tests.json",
        ]
        for name in ("part1.ipynb", "part2.ipynb"):
            nb = nbformat.reads(z.read(f"01-demo/{name}").decode(), as_version=4)
            assert nb.cells[0].source.startswith("Before you turn this in")
            assert nb.cells[1].source == 'NAME = ""'
            assert "BEGIN SOLUTION" not in json.dumps(nb)
        second = nbformat.reads(z.read("01-demo/part2.ipynb").decode(), as_version=4)
        assert "cube(3) == 27" not in json.dumps(second)  # the hidden test stays hidden
        public = PublicTests.from_json(z.read("01-demo/public_tests.json").decode())
    assert public.notebooks == ["part1.ipynb", "part2.ipynb"]
    assert [(t.id, t.notebook) for t in public.tests] == [
        ("test_squares.1", "part1.ipynb"),
        ("test_cube.1", "part2.ipynb"),
    ]

    listing = run_cli("sheet", "list", course=course).stdout
    assert "01-demo" in listing and "stale" not in listing
    shown = run_cli("sheet", "show", "01", course=course).stdout
    assert "notebook: part1.ipynb, part2.ipynb" in shown
    index = (course / "release" / "index.html").read_text()
    assert "sheetgrade check ." in index

    # the header is part of the build: changing it makes the build stale
    header = course / "sheets" / "01-demo" / "header.ipynb"
    header.write_text(header.read_text().replace("restart", "restart the kernel"))
    assert "stale" in run_cli("sheet", "release", "01", course=course).stderr


def test_validation_names_the_notebook_and_test(run_cli, tmp_path: Path) -> None:
    course = write_sheet(tmp_path / "course", one=part1(answer="[i for i in range(n)]"))
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1
    assert "fails 1 test(s)" in result.stderr
    assert "test test_squares.1 (public assert, part1.ipynb cell 3)" in result.stderr
    assert not (course / "build" / "01-demo" / "student").exists()


def test_a_grade_id_in_two_notebooks_is_refused(run_cli, tmp_path: Path) -> None:
    two = part2()
    two[0].metadata["nbgrader"]["grade_id"] = "squares"  # also part1's solution cell
    course = write_sheet(tmp_path / "course", two=two)
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1
    assert (
        "part2.ipynb cell 1: nbgrader grade_id 'squares' is also used in part1.ipynb cell 2"
        in result.stderr
    )


def test_a_task_with_tests_in_two_notebooks_is_refused(run_cli, tmp_path: Path) -> None:
    two = part2()
    two[1].metadata["sheetgrade"] = {"task": "test_squares"}  # the test counts for part1's task
    course = write_sheet(tmp_path / "course", two=two)
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1
    assert (
        "part2.ipynb cell 2: task 'test_squares' already has tests in part1.ipynb cell 3; "
        "a task's tests live in one notebook" in result.stderr
    )


def test_an_auto_task_without_tests_in_any_notebook(run_cli, tmp_path: Path) -> None:
    course = write_sheet(tmp_path / "course", two=part2()[:1] + part2()[2:])
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1
    assert (
        "task 'test_cube' is `kind: auto` but none of the notebooks (part1.ipynb, part2.ipynb) "
        "has tests for it" in result.stderr
    )


@pytest.mark.parametrize("missing", ["part2.ipynb", "header.ipynb"])
def test_a_missing_notebook_is_named(run_cli, tmp_path: Path, missing: str) -> None:
    course = write_sheet(tmp_path / "course")
    (course / "sheets" / "01-demo" / missing).unlink()
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1
    assert missing in result.stderr and "not found" in result.stderr


NATIVE_YML = """\
title: Two native notebooks
notebooks: [one.ipynb, two.ipynb]
tasks:
  - {id: 1a, points: 1, kind: auto}
  - {id: 1b, points: 1, kind: auto}
"""


def _native(name: str, task: str, body: str) -> list:
    return [
        code("import numpy as np"),
        code(f"def {name}(x):\n    # BEGIN SOLUTION\n    return {body}\n    # END SOLUTION"),
        code(
            f"# CHECK {task} points=1\nSEED = 3\nx = np.random.default_rng(SEED).normal(size=4)\n"
            f"expect_close(student.{name}(x), reference.{name}(x))"
        ),
    ]


def test_native_notebooks_each_check_against_their_own_reference(run_cli, tmp_path: Path) -> None:
    root = tmp_path / "course"
    sheet = root / "sheets" / "01-demo"
    sheet.mkdir(parents=True)
    (root / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (sheet / "sheet.yml").write_text(NATIVE_YML, encoding="utf-8")
    write_notebook(sheet / "one.ipynb", _native("twice", "1a", "2 * x"))
    write_notebook(sheet / "two.ipynb", _native("thrice", "1b", "3 * x"))
    built = run_cli("sheet", "build", "01", course=root)
    assert built.exit_code == 0, built.output
    # each seeded check runs against its own notebook's reference (thrice is not in one.ipynb)
    seeds = run_cli("sheet", "seeds", "01", "--runs", "2", course=root)
    assert seeds.exit_code == 0, seeds.output
    assert "2 stochastic checks, 2 seeds each: no failure" in seeds.stdout


def test_a_secret_of_one_notebook_shown_in_another_is_refused(run_cli, tmp_path: Path) -> None:
    two = [md("Hint:\n\n```python\nreturn [i * i for i in range(1, n + 1)]\n```"), *part2()]
    course = write_sheet(tmp_path / "course", two=two)
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1
    assert "refusing to write the student version of part1.ipynb" in result.stderr
    assert "part2.ipynb cell 1" in result.stderr


def test_a_header_on_a_sheet_of_one_notebook(run_cli, make_course) -> None:
    from sheets_helpers import SHEET_YML

    course = make_course(sheet_yml=SHEET_YML + "header: header.ipynb\n")
    write_notebook(course / "sheets" / "01-demo" / "header.ipynb", list(HEADER))
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 0, result.output
    student = nbformat.read(course / "build" / "01-demo" / "student" / "demo.ipynb", as_version=4)
    assert [c.source for c in student.cells[:2]] == [c.source for c in HEADER]
    bundle = AutograderBundle.load(course / "build" / "01-demo" / "autograder")
    assert bundle.parts == [] and all(t.notebook == "" for t in bundle.tests)
    assert (course / "build" / "01-demo" / "autograder" / "reference.ipynb").is_file()
