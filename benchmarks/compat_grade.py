"""Grading a sheet of the differential suite with sheetgrade, through its CLI.

:func:`sheetgrade_scores` is shared by ``benchmarks/compat.py`` and
``tests/compat/test_recorded.py``, which checks sheetgrade against the scores
the original tools gave (``tests/compat/recorded.json``) without the
competitors.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
from compat_model import CompatSheet

RECORDED = Path(__file__).resolve().parents[1] / "tests" / "compat" / "recorded.json"

COURSE_YML = """\
course: Compat course
term: WS 2026/27
sheets:
  - id: {sheet}
    due: 2026-11-04T10:00+01:00
grading:
  timeout: 60s
"""


def write_sources(sheet: CompatSheet, folder: Path) -> None:
    """The source notebook and the data files, as the other tool's instructor has them."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(sheet.source(), str(folder / sheet.notebook))
    for rel, file in getattr(sheet, "files", {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(file.read_bytes())
    for rel, text in sheet.data.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


def write_uploads(sheet: CompatSheet, folder: Path) -> dict[str, Path]:
    """``folder/<student>/<notebook>`` for each submission; student -> notebook."""
    out = {}
    for index, student in enumerate(sheet.students()):
        path = folder / student / sheet.notebook
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(sheet.submission(index), str(path))
        out[student] = path
    return out


def sheetgrade_scores(
    sheet: CompatSheet, work: Path, sheetgrade: Path | None = None
) -> dict[str, dict[str, float]]:
    """Grade ``sheet`` with sheetgrade's CLI: ``{label: {question: points}}``, where
    a question is a test's name (the otter question, the nbgrader grade cell)."""
    command = str(sheetgrade or Path(sys.executable).parent / "sheetgrade")
    course = work / "course"
    (course / "roster").mkdir(parents=True, exist_ok=True)
    (course / "course.yml").write_text(COURSE_YML.format(sheet=sheet.name), encoding="utf-8")
    students = sheet.students()
    rows = ["id,first_name,last_name,email,matrikel,group"]
    rows += [f"{s},Student,{s},{s}@example.org,{5000000 + i},G1" for i, s in enumerate(students)]
    (course / "roster" / "students.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (course / "roster" / "groups.csv").write_text("id,name\nG1,Group 1\n", encoding="utf-8")
    (course / "roster" / "tutors.csv").write_text(
        "name,email,groups\nTutor,tutor@example.org,G1\n", encoding="utf-8"
    )
    (course / "roster" / "teams.csv").write_text("team,student\n", encoding="utf-8")
    folder = course / "sheets" / sheet.name
    write_sources(sheet, folder)
    (folder / "sheet.yml").write_text(sheet.sheet_yml, encoding="utf-8")
    write_uploads(sheet, work / "uploads")

    def run(*args: str) -> str:
        done = subprocess.run(
            [command, "--course", str(course), *args], capture_output=True, text=True, check=False
        )
        if done.returncode not in (0,):
            raise RuntimeError(
                f"sheetgrade {' '.join(args)} failed (exit {done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    run("roster", "sync")
    run("sheet", "build", sheet.name)
    run("collect", sheet.name, str(work / "uploads"), "--received-at", "2026-11-01T10:00+01:00")
    run("grade", sheet.name, "-q")
    return _read_scores(course, sheet)


def _read_scores(course_dir: Path, sheet: CompatSheet) -> dict[str, dict[str, float]]:
    from sqlalchemy import select

    from sheetgrade.course import store
    from sheetgrade.course.course import Course
    from sheetgrade.sheets.model import AutograderBundle

    bundle = AutograderBundle.load(course_dir / "build" / sheet.name / "autograder")
    names = {t.id: t.name for t in bundle.tests}
    course = Course.open(course_dir)
    labels = sheet.students()
    out: dict[str, dict[str, float]] = {}
    with course.engine.connect() as conn:
        owners = dict(
            conn.execute(select(store.submissions.c.sha256, store.submissions.c.owner)).all()
        )
        rows = conn.execute(
            select(
                store.test_results.c.submission_sha,
                store.test_results.c.test_id,
                store.test_results.c.points,
            ).where(store.test_results.c.build_hash == bundle.build_hash)
        ).all()
    for label in labels.values():
        out[label] = {name: 0.0 for name in names.values()}
    for sha, test_id, points in rows:
        label = labels[owners[sha]]
        out[label][names[test_id]] += float(points)
    return {
        label: {q: round(p, 6) for q, p in sorted(scores.items())} for label, scores in out.items()
    }


def max_scores(sheet: CompatSheet, work: Path) -> dict[str, float]:
    """Each question's points in the build of ``sheet`` under ``work`` (after
    :func:`sheetgrade_scores`): what a solution at full marks scores."""
    from sheetgrade.sheets.model import AutograderBundle

    bundle = AutograderBundle.load(work / "course" / "build" / sheet.name / "autograder")
    out: dict[str, float] = {}
    for test in bundle.tests:
        out[test.name] = round(out.get(test.name, 0.0) + test.points, 6)
    return out


def recorded() -> dict[str, Any]:
    """The original tools' scores on these sheets (written by ``make compat RECORD=1``)."""
    return json.loads(RECORDED.read_text(encoding="utf-8"))
