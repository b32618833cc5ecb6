"""The benchmark sheet in sheetgrade's form: a course directory and a folder of
submissions that ``sheetgrade collect`` takes in.

The course holds the sheet three times, once per authoring format, all with
the same tasks and checks:

- ``bench``: native checks, compared in the grader (the format the timings use);
- ``bench-nbgrader``: the very notebook nbgrader gets;
- ``bench-otter``: the very notebook ``otter assign`` gets.

Submissions are ``submissions/<sheet>/<student>/bench.ipynb``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import form_nbgrader
import form_otter
import notebooks as nbs
from bench_sheet import (
    IMPORTS,
    NOTEBOOK,
    SHEET_ID,
    TASKS,
    TITLE,
    Check,
    Task,
    pattern_for,
    student_cells,
    student_name,
)

#: sheet id -> writer of its source notebook
SHEETS = {
    SHEET_ID: lambda: source_notebook(),
    f"{SHEET_ID}-nbgrader": form_nbgrader.source_notebook,
    f"{SHEET_ID}-otter": form_otter.source_notebook,
}

COURSE_YML = """\
course: Benchmark course
term: WS 2026/27
timezone: Europe/Berlin
sheets:
{entries}
admission:
  share: 0.5
late:
  kind: none
grading:
  timeout: 60s
"""

SHEET_YML = """\
title: {title}
notebook: {notebook}
tasks:
{tasks}
"""


def native_code(check: Check, task: Task) -> str:
    """A check's code as a native check: the student's function through the
    ``student`` proxy, the final ``assert`` as ``expect``."""
    code = re.sub(rf"\b{task.function}\(", f"student.{task.function}(", check.code)
    lines = code.splitlines()
    last = lines[-1]
    if not last.startswith("assert "):
        raise ValueError(f"check {task.id}/{check.name} must end in an assert")
    lines[-1] = f"expect({last.removeprefix('assert ')})"
    return "\n".join(lines)


def source_notebook() -> Any:
    """The instructor's notebook with native checks (``# CHECK``)."""
    cells = [nbs.markdown(f"# {TITLE}"), nbs.code(IMPORTS)]
    for task in TASKS:
        cells.append(nbs.markdown(f"**Task {task.id}.** {task.prompt}"))
        cells.append(
            nbs.code(
                f"def {task.signature}:\n    # BEGIN SOLUTION\n{task.solution}\n    # END SOLUTION"
            )
        )
        for check in task.checks:
            options = f"points=1 name={check.name}" + (" hidden" if check.hidden else "")
            cells.append(nbs.code(f"# CHECK {task.id} {options}\n{native_code(check, task)}"))
    return nbs.notebook(cells)


def submission_notebook(imports: str, cells: list[str]) -> Any:
    """A student's notebook: the sheet's cells with the student's code in them."""
    body = [nbs.markdown(f"# {TITLE}"), nbs.code(imports)]
    for task, source in zip(TASKS, cells, strict=True):
        body += [nbs.markdown(f"**Task {task.id}.** {task.prompt}"), nbs.code(source)]
    return nbs.notebook(body)


def _students_csv(n: int) -> str:
    rows = ["id,first_name,last_name,email,matrikel,group"]
    for index in range(n):
        sid = student_name(index)
        rows.append(
            f"{sid},Student,Number {index + 1},{sid}@example.org,{3000000 + index},G{index % 4 + 1}"
        )
    return "\n".join(rows) + "\n"


def write_course(root: Path, n: int, sheets: tuple[str, ...] = tuple(SHEETS)) -> Path:
    """Write the course directory (course.yml, roster of ``n``, the sheets)."""
    entries = "\n".join(f"  - id: {s}\n    due: 2026-11-04T10:00+01:00" for s in sheets)
    (root / "roster").mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(COURSE_YML.format(entries=entries), encoding="utf-8")
    roster = root / "roster"
    (roster / "students.csv").write_text(_students_csv(n), encoding="utf-8")
    (roster / "groups.csv").write_text(
        "id,name\n" + "".join(f"G{g},Group {g}\n" for g in range(1, 5)), encoding="utf-8"
    )
    (roster / "tutors.csv").write_text(
        "name,email,groups\nTutor One,tutor@example.org,G1;G2;G3;G4\n", encoding="utf-8"
    )
    (roster / "teams.csv").write_text("team,student\n", encoding="utf-8")
    tasks = "\n".join(
        f"  - {{id: {t.id}, title: {t.function}, points: {t.points}, kind: auto}}" for t in TASKS
    )
    for sheet in sheets:
        folder = root / "sheets" / sheet
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "sheet.yml").write_text(
            SHEET_YML.format(title=json.dumps(TITLE), notebook=NOTEBOOK, tasks=tasks),
            encoding="utf-8",
        )
        nbs.write(SHEETS[sheet](), folder / NOTEBOOK)
    return root


def write_submissions(folder: Path, n: int, *, trivial: bool = False) -> Path:
    """Write ``n`` submissions as ``folder/<student>/bench.ipynb``."""
    for index in range(n):
        imports, cells = student_cells(pattern_for(index), trivial=trivial)
        nbs.write(submission_notebook(imports, cells), folder / student_name(index) / NOTEBOOK)
    return folder


def write(root: Path, n: int, *, trivial: bool = False) -> Path:
    """Write the course under ``root/course`` and the submissions of every
    sheet under ``root/submissions/<sheet>``."""
    write_course(root / "course", n)
    for sheet in SHEETS:
        write_submissions(root / "submissions" / sheet, n, trivial=trivial)
    return root
