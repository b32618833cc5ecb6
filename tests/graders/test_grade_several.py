"""Grading a sheet of several notebooks (plus a header): each handed-in notebook
runs in its own child with its own tests, a missing one scores 0 with a message,
and ``check`` checks the tasks of the notebook it is given."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from sheetgrade.course.course import Course

from .conftest import store_version
from .test_grade_cli import results_of

SHEET = "01-pca"


def _nbg(grade_id: str, *, grade: bool, solution: bool, points: float | None = None) -> dict:
    meta: dict = {"grade": grade, "grade_id": grade_id, "locked": grade and not solution}
    meta.update({"solution": solution, "schema_version": 3})
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _write(path: Path, cells: list) -> None:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = cells
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i}"
    nbformat.write(nb, str(path))


SHEET_YML = """\
title: Two notebooks
notebooks: [part1.ipynb, part2.ipynb]
header: header.ipynb
tasks:
  - {id: test_squares, points: 2, kind: auto}
  - {id: test_cube, points: 1, kind: auto}
  - {id: explain, points: 1, kind: manual}
"""


def part1(
    body: str = "### BEGIN SOLUTION\n    return [i * i for i in range(1, n + 1)]\n    ### END SOLUTION",
) -> list:
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    return [
        md("# Part 1"),
        code(f"def squares(n):\n    {body}", metadata=_nbg("squares", grade=False, solution=True)),
        code(
            "assert squares(3) == [1, 4, 9]",
            metadata=_nbg("test_squares", grade=True, solution=False, points=2),
        ),
    ]


def part2(body: str = "### BEGIN SOLUTION\n    return x ** 3\n    ### END SOLUTION") -> list:
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    return [
        code(f"def cube(x):\n    {body}", metadata=_nbg("cube", grade=False, solution=True)),
        code(
            "assert cube(2) == 8\n### BEGIN HIDDEN TESTS\nassert cube(3) == 27\n### END HIDDEN TESTS",
            metadata=_nbg("test_cube", grade=True, solution=False, points=1),
        ),
        md("Because.", metadata=_nbg("explain", grade=True, solution=True, points=1)),
    ]


@pytest.fixture
def several(run_cli, example_course: Path) -> Path:
    """The example course whose sheet 01 is two notebooks and a header, built."""
    sheet = example_course / "sheets" / SHEET
    shutil.rmtree(sheet)
    sheet.mkdir()
    (sheet / "sheet.yml").write_text(SHEET_YML, encoding="utf-8")
    _write(sheet / "part1.ipynb", part1())
    _write(sheet / "part2.ipynb", part2())
    _write(sheet / "header.ipynb", [nbformat.v4.new_code_cell('NAME = ""')])
    result = run_cli("sheet", "build", "01", course=example_course)
    assert result.exit_code == 0, result.output
    return example_course


def _answer(course: Path, name: str, answers: dict[str, str]) -> str:
    """The released notebook ``name`` with the solution cells answered."""
    nb = nbformat.read(course / "build" / SHEET / "student" / name, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nbformat.writes(nb)


def _store(course_root: Path, owner: str, files: dict[str, str]) -> str:
    """Store one version holding ``files`` (relative path -> text), as intake does."""
    return store_version(Course.open(course_root), SHEET, owner, files)


SQUARES = "def squares(n):\n    return [i * i for i in range(1, n + 1)]\n"
CUBE = "def cube(x):\n    return x * x * x\n"


def test_grade_several_notebooks_through_the_cli(run_cli, several: Path) -> None:
    good = _store(
        several,
        "s001",
        {
            "part1.ipynb": _answer(several, "part1.ipynb", {"squares": SQUARES}),
            "part2.ipynb": _answer(several, "part2.ipynb", {"cube": CUBE}),
        },
    )
    # part2 only, in a subfolder and in other case: found; part1 missing: 0 for its test
    half = _store(
        several,
        "s002",
        {
            "work/PART2.ipynb": _answer(
                several, "part2.ipynb", {"cube": "def cube(x):\n    return 8\n"}
            )
        },
    )
    # the function lives in part1: part2's tests run in part2's own child and fail there
    crossed = _store(
        several,
        "s003",
        {
            "part1.ipynb": _answer(several, "part1.ipynb", {"squares": SQUARES + CUBE}),
            "part2.ipynb": _answer(several, "part2.ipynb", {"cube": "# moved to part 1"}),
        },
    )
    result = run_cli("grade", "01", "--jobs", "2", course=several)
    assert result.exit_code == 0, result.output
    assert "3 graded" in result.stdout
    res = results_of(several)
    assert (res[good]["status"], res[good]["points"], res[good]["max_points"]) == ("graded", 3, 3)
    assert res[half]["status"] == "graded"
    assert res[half]["points"] == 0  # cube(2) == 8 passes (0 points), the hidden cube(3) not
    assert "part1.ipynb was not handed in" in res[half]["message"]
    squares = res[half]["tests"]["test_squares.1"]
    assert (squares["passed"], squares["message"]) == (False, "part1.ipynb was not handed in")
    assert res[half]["tests"]["test_cube.1"]["passed"]
    assert not res[half]["tests"]["test_cube.2"]["passed"]
    assert res[crossed]["points"] == 2
    assert "NameError" in res[crossed]["tests"]["test_cube.1"]["message"]
    assert "part2.ipynb" in res[crossed]["message"]

    # feedback names the notebook of each test
    assert run_cli("feedback", "01", course=several).exit_code == 0
    texts = " ".join(p.read_text() for p in (several / "feedback").rglob("*.md"))
    assert "test\\_squares (part1.ipynb): failed, 0 / 2" in texts
    assert "part1.ipynb was not handed in" in texts
    assert "*test\\_cube (part2.ipynb) (hidden test)*: passed, 1 / 1" in texts


def test_a_submission_without_any_of_the_notebooks(run_cli, several: Path) -> None:
    sha = _store(several, "s001", {"notes.txt": "nothing here"})
    result = run_cli("grade", "01", course=several)
    assert result.exit_code == 1
    res = results_of(several)[sha]
    assert res["status"] == "invalid"
    assert "none of the sheet's notebooks (part1.ipynb, part2.ipynb)" in res["message"]


def test_check_one_notebook_or_the_folder(run_cli, several: Path, tmp_path: Path) -> None:
    work = tmp_path / "student"
    shutil.copytree(several / "build" / SHEET / "student", work)
    (work / "part1.ipynb").write_text(_answer(several, "part1.ipynb", {"squares": SQUARES}))

    one = run_cli("check", str(work / "part1.ipynb"))
    assert one.exit_code == 0, one.output
    assert "test_squares PASS" in one.stdout
    assert "test_cube" not in one.stdout
    assert one.stdout.strip().endswith("1/1 tasks pass their public tests")

    from sheetgrade import check

    namespace: dict = {"__session__": str(work / "part1.ipynb")}  # as Jupyter sets it
    exec(SQUARES, namespace)
    live = check(tests=work / "public_tests.json", namespace=namespace, quiet=True)
    assert live is not None and live.passed
    assert [t.task.id for t in live.tasks] == ["test_squares"]
    del namespace["__session__"]  # unknown notebook: every task, part2's fails here
    everything = check(tests=work / "public_tests.json", namespace=namespace, quiet=True)
    assert everything is not None
    assert [t.task.id for t in everything.tasks] == ["test_squares", "test_cube"]

    wrong = run_cli("check", str(work / "part1.ipynb"), "test_cube")
    assert wrong.exit_code == 1
    assert "task 'test_cube' is in part2.ipynb, not part1.ipynb" in wrong.stderr

    both = run_cli("check", str(work))
    assert both.exit_code == 1  # part2 is still blank
    assert "== part1.ipynb" in both.stdout and "== part2.ipynb" in both.stdout
    assert "test_cube FAIL" in both.stdout

    named = run_cli("check", str(work / "part1.ipynb"), str(work / "part2.ipynb"), "test_squares")
    assert named.exit_code == 0, named.output  # the task is part1's: part2 is not run
    assert "test_squares PASS" in named.stdout and "test_cube" not in named.stdout

    (work / "part2.ipynb").unlink()
    rest = run_cli("check", str(work))
    assert rest.exit_code == 0, rest.output
    assert "note: part2.ipynb is not in" in rest.stdout


def _ps1_source() -> Path | None:
    """nbgrader's user-guide ps1 in the competitors' venv, if it is installed."""
    import os

    venv = Path(
        os.environ.get("COMPETITOR_VENV")
        or Path(__file__).resolve().parents[2] / "benchmarks" / ".venv-competitors"
    )
    found = sorted(venv.glob("lib/python3*/site-packages/nbgrader/docs/source/user_guide/source"))
    return found[0] if found and (found[0] / "ps1" / "problem2.ipynb").is_file() else None


PS1_YML = """\
title: Problem set 1 (nbgrader user guide)
notebooks: [problem1.ipynb, problem2.ipynb]
header: header.ipynb
tasks:
  - {id: correct_squares, points: 1, kind: auto}
  - {id: squares_invalid_input, points: 1, kind: auto}
  - {id: correct_sum_of_squares, points: 0.5, kind: auto}
  - {id: sum_of_squares_uses_squares, points: 0.5, kind: auto}
  - {id: sum_of_squares_equation, points: 1, kind: manual}
  - {id: sum_of_squares_application, points: 2, kind: manual}
  - {id: part-a, points: 1, kind: manual}
  - {id: part-b, points: 2, kind: manual}
"""


@pytest.mark.skipif(_ps1_source() is None, reason="needs nbgrader in the competitors' venv")
def test_nbgrader_ps1_builds_unchanged_and_grades_as_one_sheet(
    run_cli, example_course: Path
) -> None:
    source = _ps1_source()
    assert source is not None
    sheet = example_course / "sheets" / SHEET
    shutil.rmtree(sheet)
    shutil.copytree(source / "ps1", sheet)  # read at run time, never kept in the repository
    shutil.copyfile(source / "header.ipynb", sheet / "header.ipynb")
    (sheet / "sheet.yml").write_text(PS1_YML, encoding="utf-8")
    built = run_cli("sheet", "build", "01", course=example_course)
    assert built.exit_code == 0, built.output
    assert "problem1.ipynb: 4 public and 0 hidden tests" in built.stdout
    assert "problem2.ipynb: 0 public and 0 hidden tests" in built.stdout
    student = example_course / "build" / SHEET / "student"
    header = nbformat.read(str(source / "header.ipynb"), as_version=4)
    for name in ("problem1.ipynb", "problem2.ipynb"):
        nb = nbformat.read(str(student / name), as_version=4)
        assert [c.source for c in nb.cells[: len(header.cells)]] == [c.source for c in header.cells]
    answers = {
        "squares": "def squares(n):\n    if n < 1:\n        raise ValueError(n)\n"
        "    return [i ** 2 for i in range(1, n + 1)]\n",
        "sum_of_squares": "def sum_of_squares(n):\n    return sum(squares(n))\n",
    }
    full = _store(
        example_course,
        "s001",
        {
            "problem1.ipynb": _answer(example_course, "problem1.ipynb", answers),
            "problem2.ipynb": _answer(example_course, "problem2.ipynb", {"part-a": "Fibonacci."}),
        },
    )
    only2 = _store(
        example_course,
        "s002",
        {"problem2.ipynb": _answer(example_course, "problem2.ipynb", {"part-a": "Fib."})},
    )
    checked = run_cli("check", str(student / "problem2.ipynb"))
    assert checked.exit_code == 0, checked.output
    assert "note: problem2.ipynb has no public tests" in checked.stdout
    result = run_cli("grade", "01", course=example_course)
    assert result.exit_code == 0, result.output
    res = results_of(example_course)
    assert (res[full]["points"], res[full]["max_points"]) == (3, 3)
    assert res[only2]["points"] == 0
    assert "problem1.ipynb was not handed in" in res[only2]["message"]


def test_collect_a_folder_per_student_then_grade(run_cli, several: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "s001").mkdir(parents=True)
    (uploads / "s002").mkdir(parents=True)
    (uploads / "s001" / "part1.ipynb").write_text(
        _answer(several, "part1.ipynb", {"squares": SQUARES})
    )
    (uploads / "s001" / "part2.ipynb").write_text(_answer(several, "part2.ipynb", {"cube": CUBE}))
    (uploads / "s002" / "part2.ipynb").write_text(_answer(several, "part2.ipynb", {"cube": CUBE}))
    collected = run_cli(
        "collect", "01", str(uploads), "--received-at", "2026-10-20T10:00+02:00", course=several
    )
    assert collected.exit_code == 0, collected.output
    result = run_cli("grade", "01", course=several)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1] in "sT"}
    by_points = sorted(r["points"] for r in results_of(several).values())
    assert by_points == [1, 3], rows
    assert "part1.ipynb was not handed in" in result.stdout
