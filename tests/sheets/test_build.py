"""`sheet build`: outputs, determinism, the recorded hash, the leak check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sheets_helpers import NATIVE, code, md


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_writes_student_and_autograder(run_cli, make_course):
    course = make_course()
    result = run_cli("sheet", "build", "01-demo", course=course)
    assert result.exit_code == 0, result.output
    assert "built 01-demo (native): 2 public and 1 hidden tests" in result.stdout
    build = course / "build" / "01-demo"
    assert sorted(snapshot(build)) == [
        "autograder/bundle.json",
        "autograder/numbers.csv",
        "autograder/reference.ipynb",
        "student/demo.ipynb",
        "student/numbers.csv",
        "student/public_tests.json",
    ]
    bundle = json.loads((build / "autograder" / "bundle.json").read_text())
    assert [t["id"] for t in bundle["tests"]] == ["1a.1", "1a.2", "1b.1"]
    public = json.loads((build / "student" / "public_tests.json").read_text())
    assert [t["id"] for t in public["tests"]] == ["1a.1", "1b.1"]
    assert public["build_hash"] == bundle["build_hash"]
    student = (build / "student" / "demo.ipynb").read_text()
    assert "raise NotImplementedError" in student and "2 * np.asarray" not in student
    assert "2 * np.asarray" in (build / "autograder" / "reference.ipynb").read_text()

    from sqlalchemy import select

    from sheetgrade.course import store
    from sheetgrade.course.course import Course

    with Course.open(course).engine.connect() as conn:
        row = conn.execute(select(store.sheets).where(store.sheets.c.id == "01-demo")).one()
    assert row.build_hash == bundle["build_hash"] and row.built_at


def test_build_is_deterministic(run_cli, make_course):
    course = make_course()
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    first = snapshot(course / "build" / "01-demo")
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    assert snapshot(course / "build" / "01-demo") == first
    # outputs and execution counts in the source do not change the build
    nb_path = course / "sheets" / "01-demo" / "demo.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"][1]["execution_count"] = 7
    nb_path.write_text(json.dumps(nb))
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    assert snapshot(course / "build" / "01-demo") == first
    # a changed source does
    (course / "sheets" / "01-demo" / "numbers.csv").write_text("1,2,3\n")
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    assert (
        snapshot(course / "build" / "01-demo")["autograder/bundle.json"]
        != first["autograder/bundle.json"]
    )


def refused(run_cli, course) -> str:
    result = run_cli("sheet", "build", "01", course=course)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not (course / "build" / "01-demo" / "student").exists()
    return result.stderr


def test_leak_of_a_solution_line_is_refused(run_cli, make_course):
    cells = [*NATIVE, md("Hint: `return np.asarray(x, dtype=float) ** 2` does it.")]
    stderr = refused(run_cli, make_course(cells))
    assert "refusing to write the student version of demo.ipynb" in stderr
    assert "student notebook cell 7: solution line from demo.ipynb cell 6 line 3" in stderr


def test_leak_of_a_hidden_test_is_refused(run_cli, make_course):
    cells = [
        *NATIVE,
        code(
            "# expect_close(student.double(reference.value('values')), 2 * reference.value('values'))"
        ),
    ]
    stderr = refused(run_cli, make_course(cells))
    assert "hidden test from hidden test 1a.2 (demo.ipynb cell 5)" in stderr


def test_leak_of_a_reference_value_is_refused(run_cli, make_course):
    from sheets_helpers import raw

    cells = [
        raw("# BEGIN QUESTION\nname: 1a\npoints: 2"),
        code("def f(x):\n    return x / 7  # SOLUTION"),
        raw("# BEGIN TESTS"),
        code("f(1)"),
        code("# HIDDEN\nf(3)"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        raw("# BEGIN QUESTION\nname: 1b\npoints: 2"),
        raw("# BEGIN TESTS"),
        code("f(14)"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        md("For comparison: f(3) should be about 0.42857."),
    ]
    stderr = refused(run_cli, make_course(cells))
    assert "reference value from hidden test 1a.2" in stderr and "'0.42857'" in stderr


def test_cli_list_and_show(run_cli, make_course):
    course = make_course()
    result = run_cli("sheet", "list", course=course)
    assert result.exit_code == 0
    assert "01-demo  Demo sheet" in result.stdout and "no" in result.stdout
    run_cli("sheet", "build", "01", course=course)
    result = run_cli("sheet", "show", "1", course=course)
    assert result.exit_code == 0, result.output
    assert "built:    yes" in result.stdout and "(native)" in result.stdout
    assert "1a    Double   auto    2       1 public, 1 hidden" in result.stdout
    assert run_cli("sheet", "show", "07", course=course).exit_code == 1
