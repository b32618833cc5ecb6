"""nbgrader 0.9's scoring of grade cells, through build and grade: partial
credit from the cell's last value, ``### AUTOTEST``, output on stderr, and
read-only cells edited or blanked by the student."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat

from sheetgrade.graders.harness import nbgrader_partial

from .conftest import notebook as _unused  # noqa: F401

_spec = importlib.util.spec_from_file_location(
    "compat_nbgrader_sheet",
    Path(__file__).resolve().parents[2] / "benchmarks" / "compat_nbgrader_sheet.py",
)
assert _spec and _spec.loader
sheet = importlib.util.module_from_spec(_spec)
sys.modules["compat_nbgrader_sheet"] = sheet
_spec.loader.exec_module(sheet)


def test_partial_credit_rule() -> None:
    assert nbgrader_partial(None, 4) == (4, "passed")
    assert nbgrader_partial("1", 4)[0] == 1
    assert nbgrader_partial("np.float64(0.5)", 4)[0] == 4  # not a number to float(): full
    assert nbgrader_partial("-1", 4)[0] == 4
    assert nbgrader_partial("'text'", 4)[0] == 4


def test_nbgrader_scores_per_grade_cell(foreign_course) -> None:
    course = foreign_course(sheet.SHEET_YML, {"scoring.ipynb": sheet.notebook()})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    reference = nbformat.read(str(course.build / "autograder" / "reference.ipynb"), as_version=4)
    # the reference notebook lacks the grade cells; students hand in the
    # released notebook with their answers, so put the answers into it
    released = nbformat.read(str(course.build / "student" / "scoring.ipynb"), as_version=4)
    answers = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in reference.cells}
    for cell in released.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    shas = {
        name: course.submit(name, {"scoring.ipynb": sheet.submission(released, edits)})
        for name, edits in sheet.SUBMISSIONS.items()
    }
    graded = course.cli("grade", "01")
    assert graded.exit_code == 0, graded.output
    results = course.results()

    def by_cell(name: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for row in results[shas[name]]["tests"].values():
            out[row["test_id"]] = out.get(row["test_id"], 0) + row["points"]
        return out

    assert results[shas["solved"]]["points"] == 9, {
        k: (r["points"], r["message"]) for k, r in results[shas["solved"]]["tests"].items()
    }
    wrong = by_cell("wrong")
    assert wrong["1.1"] == 1  # 1 of 4 cases right: partial credit
    assert wrong["2.1"] == 0  # AUTOTEST compares with the reference's values
    assert wrong["3.1"] == 0  # np.log(0) warns on stderr
    assert results[shas["wrong"]]["points"] == 1
    blanked = results[shas["blanked"]]
    assert blanked["points"] == 9
    assert "read-only cell 'q1-partial' was blanked" in blanked["flags"]
    assert "read-only" not in results[shas["solved"]]["flags"]
