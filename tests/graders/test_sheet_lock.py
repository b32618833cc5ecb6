"""One ``grade`` or ``collect`` per sheet at a time, on SQLite and on PostgreSQL (where
the lock is an advisory lock, and so holds across machines)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sheetgrade.course import store
from sheetgrade.course.course import Course
from sheetgrade.course.locks import sheet_lock

from .conftest import CORRECT, PARTIAL, SHEET, AddSubmission

pytestmark = pytest.mark.usefixtures("database")


def test_a_held_sheet_is_busy_for_grade_and_collect_and_names_the_holder(
    run_cli, graded_course: Path, add_submission: AddSubmission, tmp_path: Path
) -> None:
    add_submission("s001", CORRECT)
    course = Course.open(graded_course)
    upload = tmp_path / "s002.ipynb"
    upload.write_text("{}")
    with sheet_lock(course, SHEET, "grade"):
        graded = run_cli("grade", "01", course=graded_course)
        collected = run_cli("collect", "01", str(upload), course=graded_course)
    holder = f"`sheetgrade grade {SHEET} on {socket.gethostname()} pid "
    for result in (graded, collected):
        assert result.exit_code == 1
        assert f"sheet {SHEET} is busy: {holder}" in result.stderr
        assert "wait for it to finish" in result.stderr
    assert run_cli("grade", "01", course=graded_course).exit_code == 0  # released


def test_two_grade_processes_on_one_sheet_do_not_both_grade_it(
    graded_course: Path, add_submission: AddSubmission, run_together
) -> None:
    slow = "import time\ntime.sleep(0.3)\n"
    shas = [add_submission(f"s{i:03}", [slow, *(CORRECT if i % 2 else PARTIAL)]) for i in range(4)]
    env = {"SHEETGRADE_COURSE": str(graded_course)}
    done = run_together(
        [["grade", "01", "--jobs", "1", "--quiet"]] * 2,
        preload=("sheetgrade.cli.grade", "sheetgrade.graders.batch", "sqlalchemy"),
        env=env,
    )
    graded = []
    for p in done:
        match = re.search(r"sheet 01-pca: (\d+) graded", p.stdout)
        if p.returncode == 0 and match:
            graded.append(int(match.group(1)))
        else:
            assert p.returncode == 1, p.stderr
            assert f"sheet {SHEET} is busy: `sheetgrade grade {SHEET} on " in p.stderr
    assert sorted(graded) in ([4], [0, 4])  # one run graded everything; the other nothing
    course = Course.open(graded_course)
    with course.engine.connect() as conn:
        rows = conn.execute(select(store.results.c.submission_sha)).scalars().all()
        count = conn.execute(select(func.count()).select_from(store.results)).scalar()
    assert sorted(rows) == sorted(shas) and count == 4
