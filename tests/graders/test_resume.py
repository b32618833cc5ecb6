"""Results are keyed by (build, submission): idempotent, resumable, --force regrades."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sheetgrade.course import store
from sheetgrade.course.course import Course

from .conftest import CORRECT, PARTIAL, AddSubmission
from .test_grade_cli import results_of


def _comparable(results: dict[str, dict]) -> dict[str, tuple]:
    return {
        sha: (
            r["status"],
            r["points"],
            sorted((t["test_id"], t["passed"], t["points"]) for t in r["tests"].values()),
        )
        for sha, r in results.items()
    }


@pytest.mark.usefixtures("database")
def test_rerun_is_idempotent_and_force_regrades(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    add_submission("s001", CORRECT)
    add_submission("s002", PARTIAL)
    first = run_cli("grade", "01", course=graded_course)
    assert first.exit_code == 0
    before = results_of(graded_course)
    again = run_cli("grade", "01", course=graded_course)
    assert again.exit_code == 0
    assert "0 graded; 2 already graded" in again.stdout
    assert results_of(graded_course) == before
    forced = run_cli("grade", "01", "--force", "--only", "s001", course=graded_course)
    assert forced.exit_code == 0 and "1 graded" in forced.stdout
    after = results_of(graded_course)
    assert _comparable(after) == _comparable(before)
    changed = [sha for sha in after if after[sha]["graded_at"] != before[sha]["graded_at"]]
    assert len(changed) == 1
    course = Course.open(graded_course)
    with course.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.test_results)).scalar() == 10
        assert conn.execute(select(func.count()).select_from(store.marks)).scalar() == 0


@pytest.mark.usefixtures("database")
def test_new_submission_only_grades_the_new_one(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    add_submission("s001", CORRECT)
    run_cli("grade", "01", course=graded_course)
    add_submission("s002", CORRECT + ["# a different version\n"])
    result = run_cli("grade", "01", course=graded_course)
    assert "1 graded; 1 already graded" in result.stdout


def test_only_unknown_student_is_a_clear_error(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    add_submission("s001", CORRECT)
    result = run_cli("grade", "01", "--only", "s00l", course=graded_course)
    assert result.exit_code == 1
    assert "no submission for s00l" in result.stderr and "did you mean 's001'" in result.stderr


def test_missing_build_is_a_clear_error(run_cli, example_course: Path) -> None:
    result = run_cli("grade", "02", course=example_course)
    assert result.exit_code == 1
    assert "run `sheetgrade sheet build 02`" in result.stderr
    assert "Traceback" not in result.output


def test_bad_options_are_usage_errors(run_cli, graded_course: Path) -> None:
    result = run_cli("grade", "01", "--timeout", "soon", course=graded_course)
    assert result.exit_code == 2 and "--timeout" in result.stderr


def _grade_process(course: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SHEETGRADE_COURSE": str(course)}
    return subprocess.Popen(
        [sys.executable, "-m", "sheetgrade.cli", "grade", "01", "--jobs", "1", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _count(course: Path) -> int:
    with Course.open(course).engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(store.results)).scalar() or 0)


def test_kill_midway_then_rerun_equals_one_clean_run(
    tmp_path: Path, graded_course: Path, add_submission: AddSubmission
) -> None:
    slow = "import time\ntime.sleep(0.4)\n"
    for i in range(6):
        add_submission(f"s{i:03}", [slow, *(CORRECT if i % 2 else PARTIAL)])
    clean = tmp_path / "clean"
    shutil.copytree(graded_course, clean)

    process = _grade_process(graded_course)
    deadline = time.monotonic() + 60
    while _count(graded_course) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = results_of(graded_course)
    assert 2 <= len(interrupted) < 6

    assert _grade_process(graded_course).wait(120) == 0
    resumed = results_of(graded_course)
    assert len(resumed) == 6
    for sha, row in interrupted.items():  # nothing graded twice
        assert resumed[sha]["graded_at"] == row["graded_at"]

    assert _grade_process(clean).wait(120) == 0
    assert _comparable(resumed) == _comparable(results_of(clean))
