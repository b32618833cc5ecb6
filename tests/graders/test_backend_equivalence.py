"""The fork and portable backends give the same verdicts, test by test.

Every example sheet is built as `sheet build` builds it; then its solution, its
blank student version and the partial and broken submissions the demo
synthesises are checked with `SHEETGRADE_BACKEND=fork` and with
`SHEETGRADE_BACKEND=portable`, and the per-test results (pass, points,
message), the status and the notes must be identical.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetgrade.cli.main import cli
from sheetgrade.course.course import Course
from sheetgrade.graders.local_check import CheckReport, check_notebook
from sheetgrade.graders.sandbox.backend import fork_unavailable

pytestmark = pytest.mark.skipif(fork_unavailable() is not None, reason="needs the fork backend")

#: the first sheets of the term (numpy, scipy and matplotlib notebooks); every
#: sheet with EQUIVALENCE_ALL_SHEETS=1 (minutes: two checks per notebook)
FIRST_SHEETS = 3


def _sheets(course: Course) -> list[str]:
    ids = list(course.sheet_ids)
    return ids if os.environ.get("EQUIVALENCE_ALL_SHEETS") == "1" else ids[:FIRST_SHEETS]


@pytest.fixture(scope="module")
def built_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("equivalence") / "mlphys"
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(root), "--example", "mlphys"])
    assert result.exit_code == 0, result.output
    for sheet_id in _sheets(Course.open(root)):
        built = runner.invoke(cli, ["--course", str(root), "sheet", "build", sheet_id])
        assert built.exit_code == 0, built.output
    return root


def _notebooks(course: Course, sheet_id: str) -> dict[str, bytes]:
    """Solution, blank, partial (the first half of the solution cells) and broken notebooks."""
    from sheetgrade.examples.synth import Intent, notebook_bytes, sheet_key

    key = sheet_key(course, sheet_id)
    build = course.build_dir / sheet_id
    out = {
        "solution": (build / "autograder" / "reference.ipynb").read_bytes(),
        "blank": (build / "student" / key.notebook_name).read_bytes(),
    }
    for kind, solved in [("partial", max(1, len(key.cells) // 2)), ("broken", 0)]:
        intent = Intent(sheet_id, "s001", ("s001",), "s001", kind, solved=solved)  # type: ignore[arg-type]
        out[f"{kind}-{solved}" if kind == "partial" else kind] = notebook_bytes(key, intent)
    return out


def _verdicts(report: CheckReport) -> dict[str, object]:
    return {
        "status": report.status,
        "message": report.message,
        "notes": report.notes,
        "tests": [
            (o.test.id, o.passed, o.points, o.message) for t in report.tasks for o in t.outcomes
        ],
    }


def test_fork_and_portable_agree_on_every_example_notebook(
    built_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = Course.open(built_course)
    compared = 0
    for sheet_id in _sheets(course):
        student = course.build_dir / sheet_id / "student"
        for label, data in _notebooks(course, sheet_id).items():
            notebook = student / f"{label}.ipynb"
            notebook.write_bytes(data)
            verdicts = {}
            for backend in ("fork", "portable"):
                monkeypatch.setenv("SHEETGRADE_BACKEND", backend)
                report = check_notebook(notebook, timeout=120)
                if report.status != "invalid":
                    assert report.layers["backend"] == backend, (sheet_id, label)
                verdicts[backend] = _verdicts(report)
            assert verdicts["fork"] == verdicts["portable"], (sheet_id, label)
            assert verdicts["fork"]["tests"] or label == "broken", (sheet_id, label)
            compared += 1
    assert compared >= 3 * 4


def test_the_cli_check_prints_the_same_through_both_backends(
    built_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = Course.open(built_course)
    sheet_id = course.sheet_ids[0]
    student = course.build_dir / sheet_id / "student"
    notebook = student / "solution-cli.ipynb"
    notebook.write_bytes(
        (course.build_dir / sheet_id / "autograder" / "reference.ipynb").read_bytes()
    )
    outputs = {}
    for backend in ("fork", "portable"):
        monkeypatch.setenv("SHEETGRADE_BACKEND", backend)
        result = CliRunner().invoke(cli, ["check", str(notebook)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs[backend] = result.stdout
    assert outputs["fork"] == outputs["portable"]
    assert outputs["fork"].rstrip().endswith("tasks pass their public tests")
