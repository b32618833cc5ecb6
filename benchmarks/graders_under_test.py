"""Grading a prepared batch with each tool: one timed run, then its scores.

Each class prepares a fresh working copy before every timed run (untimed), so
no run benefits from an earlier one's results, and reads the per-task scores
of its last run afterwards. Times are wall-clock seconds of the whole command,
start-up included, as a tutor would see them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import competitors
import tools
from bench_sheet import NOTEBOOK, SHEET_ID, TASKS
from timing import time_command

Scores = dict[str, dict[str, float]]  # student -> task id -> points

_TASK_BY_QUESTION = {t.question: t.id for t in TASKS}


class NbgraderBatch:
    """``nbgrader autograde bench`` on a copy of the nbgrader course directory."""

    def __init__(self, course: Path, work: Path, students: list[str] | None = None) -> None:
        self.course, self.work, self.students = course, work, students

    def __call__(self) -> float:
        if self.work.exists():
            shutil.rmtree(self.work)
        shutil.copytree(self.course, self.work)
        argv = [str(competitors.bin_path("nbgrader")), "autograde", SHEET_ID]
        if self.students:  # nbgrader takes one glob: one student, or all
            if len(self.students) != 1:
                raise ValueError("NbgraderBatch grades one student or all")
            argv.append(f"--student={self.students[0]}")
        return time_command(argv, self.work, competitors.environment())

    def scores(self) -> Scores:
        done = competitors.helper("nbgrader_scores.py", SHEET_ID, cwd=self.work)
        raw: dict[str, dict[str, float]] = json.loads(done.stdout)
        scores: Scores = {}
        for student, grades in raw.items():
            per_task = {t.id: 0.0 for t in TASKS}
            for grade_id, points in grades.items():
                task = grade_id.split("_", 1)[0]
                if task in per_task:
                    per_task[task] += float(points or 0.0)
            scores[student] = per_task
        return scores


class OtterBatch:
    """A loop over ``otter.api.grade_submission`` in one Python process."""

    def __init__(self, root: Path, students: list[str] | None = None) -> None:
        import form_otter

        self.zip = form_otter.autograder_zip(root)
        folders = sorted((root / "submissions").iterdir())
        if students:
            folders = [f for f in folders if f.name in students]
        self.notebooks = [str(f / NOTEBOOK) for f in folders]
        self.root = root
        self.out = Path(tempfile.mkdtemp(prefix="otter-out-")) / "results.json"
        self.per_call: list[float] = []

    def __call__(self) -> float:
        argv = [
            str(competitors.python()),
            str(competitors.HELPERS / "otter_grade.py"),
            str(self.zip),
            str(self.out),
            *self.notebooks,
        ]
        seconds = time_command(argv, self.root, competitors.environment())
        self.per_call = json.loads(self.out.read_text(encoding="utf-8"))["seconds"]
        return seconds

    def scores(self) -> Scores:
        raw = json.loads(self.out.read_text(encoding="utf-8"))["scores"]
        return {
            student: {_TASK_BY_QUESTION.get(q, q): float(p or 0.0) for q, p in questions.items()}
            for student, questions in raw.items()
        }


class SheetgradeBatch:
    """``sheetgrade grade SHEET [--jobs N]`` on a copy of the prepared course
    (roster synced, sheet built, submissions collected)."""

    def __init__(
        self,
        course: Path,
        work: Path,
        sheet: str,
        jobs: int | None,
        students: list[str] | None = None,
    ) -> None:
        self.course, self.work, self.sheet, self.jobs = course, work, sheet, jobs
        self.students = students

    def argv(self) -> list[str]:
        argv = [str(tools.sheetgrade()), "--course", str(self.work), "grade", self.sheet, "--quiet"]
        if self.jobs is not None:
            argv += ["--jobs", str(self.jobs)]
        for student in self.students or []:
            argv += ["--only", student]
        return argv

    def __call__(self) -> float:
        if self.work.exists():
            shutil.rmtree(self.work)
        shutil.copytree(self.course, self.work)
        # exit 1 means some submission ended in error, which a broken batch may cause
        return time_command(self.argv(), self.work, ok_codes=(0, 1))

    def scores(self) -> Scores:
        import sheetgrade_results

        return sheetgrade_results.task_scores(self.work, self.sheet)
