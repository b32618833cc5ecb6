"""Untimed preparation of a written batch: what each tool needs before grading.

sheetgrade: roster sync, ``sheet build`` of every sheet, ``collect`` of every
submission folder. nbgrader and otter need nothing beyond batch.py's output.
Also the folders in which a student runs a check.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import form_otter
import form_sheetgrade
import tools
from bench_sheet import NOTEBOOK, SHEET_ID, student_name

#: The submission a student checks: a partial one (task 1b wrong).
CHECK_STUDENT = student_name(1)
#: Upload time given to collect (the folders carry none): before the deadline.
RECEIVED_AT = "2026-11-01T10:00+01:00"


class PrepareError(RuntimeError):
    """A preparation step failed; the message has the command's output."""


def run_sheetgrade(course: Path, *args: str) -> str:
    """Run ``sheetgrade --course COURSE ARGS``; its stdout.

    Raises:
        PrepareError: the command failed (with its output).
    """
    argv = [str(tools.sheetgrade()), "--course", str(course), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PrepareError(
            f"sheetgrade {' '.join(args)} failed (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


def sheetgrade_course(root: Path, sheets: tuple[str, ...] = tuple(form_sheetgrade.SHEETS)) -> Path:
    """Sync, build and collect the sheetgrade form under ``root``; the course folder."""
    course = root / "course"
    run_sheetgrade(course, "roster", "sync")
    for sheet in sheets:
        run_sheetgrade(course, "sheet", "build", sheet)
        run_sheetgrade(
            course,
            "collect",
            sheet,
            str(root / "submissions" / sheet),
            "--received-at",
            RECEIVED_AT,
            # the three sheets are one sheet in three formats: its submissions
            # look alike, which collect's wrong-sheet check would refuse
            "--force",
        )
    return course


def sheetgrade_check_dir(root: Path, target: Path) -> Path:
    """A student's folder for ``sheetgrade check``: the released student files
    of the native sheet with a partial submission as the notebook."""
    student = root / "course" / "build" / SHEET_ID / "student"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(student, target)
    shutil.copy(root / "submissions" / SHEET_ID / CHECK_STUDENT / NOTEBOOK, target / NOTEBOOK)
    return target


def otter_check_dir(root: Path, target: Path) -> Path:
    """A student's folder for ``otter check``: otter's student files (public
    tests in ``tests/``) with the same partial submission as the notebook."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(form_otter.student_dir(root), target)
    shutil.copy(root / "submissions" / CHECK_STUDENT / NOTEBOOK, target / NOTEBOOK)
    return target


def nbgrader_check_dir(root: Path, target: Path) -> Path:
    """A folder with the same partial submission in nbgrader's form, for
    ``nbgrader validate``."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(root / "submitted" / CHECK_STUDENT / SHEET_ID / NOTEBOOK, target / NOTEBOOK)
    return target
