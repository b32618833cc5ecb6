"""nbgrader runs grade cells in place, sheetgrade after the notebook
(docs/authoring.md): a source notebook that reuses a name across answers is
refused by the build, naming the test that fails."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "compat_nbgrader_sheet",
    Path(__file__).resolve().parents[2] / "benchmarks" / "compat_nbgrader_sheet.py",
)
assert _spec and _spec.loader
sheet = importlib.util.module_from_spec(_spec)
sys.modules["compat_nbgrader_sheet"] = sheet
_spec.loader.exec_module(sheet)

SHEET_YML = sheet.ORDER_YML.replace("order.ipynb", "reuse.ipynb")


def reusing() -> list:
    return [
        sheet.solution("a", "### BEGIN SOLUTION\nresult = 1 + 2\n### END SOLUTION"),
        sheet.grade("q1-add", 1, "assert result == 3"),
        sheet.solution("b", "### BEGIN SOLUTION\nresult = 10 * 2\n### END SOLUTION"),
        sheet.grade("q2-scale", 1, "assert result == 20"),
    ]


def test_a_name_reused_across_answers_is_refused(foreign_course) -> None:
    course = foreign_course(SHEET_YML, {"reuse.ipynb": sheet.notebook(reusing)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 1, built.output
    assert "test 1.1 (public assert, reuse.ipynb cell 2)" in built.output, built.output
    assert "2.1" not in built.output, built.output


def test_a_name_from_an_earlier_hidden_region(foreign_course) -> None:
    """SquareWell pattern: a grade cell uses ``assert_allclose``, imported only in
    an earlier grade cell's hidden region; nbgrader (in place) gives its points."""
    cells = [
        sheet.solution(
            "a", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
        ),
        sheet.grade(
            "q1-add",
            1,
            "assert double(1) == 2\n### BEGIN HIDDEN TESTS\n"
            "from numpy.testing import assert_allclose\nassert_allclose(double(0.5), 1.0)\n"
            "### END HIDDEN TESTS",
        ),
        sheet.solution(
            "b", "def scale(x):\n    ### BEGIN SOLUTION\n    return 10 * x\n    ### END SOLUTION"
        ),
        sheet.grade("q2-scale", 1, "N = 2\nassert_allclose(scale(N), 20)"),
    ]
    course = foreign_course(SHEET_YML, {"reuse.ipynb": sheet.notebook(lambda: cells)})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output
    tests = {t["id"]: (t["hidden"], t["points"]) for t in course.bundle()["tests"]}
    assert tests == {"1.1": (False, 0), "1.2": (True, 1), "2.1": (True, 1)}
    # the solved notebook as a student hands it in (hidden regions are not in it)
    handed_in = sheet.notebook(lambda: cells)
    handed_in.cells[1].source = handed_in.cells[1].source.split("\n### BEGIN HIDDEN")[0]
    sha = course.submit("s001", {"reuse.ipynb": handed_in})
    graded = course.cli("grade", "01")
    assert graded.exit_code == 0, graded.output
    assert course.results()[sha]["points"] == 2
