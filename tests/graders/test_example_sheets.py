"""The example course's real sheets: built by `sheet build`, graded through the CLI.

The reference solutions score full marks, the student stubs score only what
their stubs earn, and `sheetgrade check` agrees on the public tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheetgrade.course.course import Course

from .conftest import store_version
from .test_grade_cli import results_of

SHEETS = ["01-pca", "02-kde", "03-regression"]


def _submit(course_root: Path, sheet_id: str, owner: str, notebook: Path, name: str) -> str:
    return store_version(Course.open(course_root), sheet_id, owner, {name: notebook.read_text()})


@pytest.mark.slow
@pytest.mark.parametrize("sheet_id", SHEETS)
def test_example_sheet_grades_reference_full_and_stub_low(
    run_cli, example_course: Path, sheet_id: str
) -> None:
    built = run_cli("sheet", "build", sheet_id, course=example_course)
    assert built.exit_code == 0, built.output
    build = example_course / "build" / sheet_id
    bundle = json.loads((build / "autograder" / "bundle.json").read_text())
    name = bundle["student_notebook"]
    full = _submit(example_course, sheet_id, "s001", build / "autograder" / "reference.ipynb", name)
    stub = _submit(example_course, sheet_id, "s002", build / "student" / name, name)
    result = run_cli("grade", sheet_id, course=example_course)
    assert result.exit_code == 0, result.output
    res = results_of(example_course)
    total = sum(t["points"] for t in bundle["tests"])
    assert res[full]["status"] == "graded"
    assert res[full]["points"] == total, res[full]["tests"]
    assert res[stub]["status"] == "graded"
    assert res[stub]["points"] < total

    solved = build / "student" / "solved.ipynb"
    solved.write_text((build / "autograder" / "reference.ipynb").read_text())
    assert run_cli("check", str(solved)).exit_code == 0
    stub_check = run_cli("check", str(build / "student" / name))
    assert stub_check.exit_code == 1
    assert "FAIL" in stub_check.stdout
