"""The benchmark sheet in nbgrader's form: a course directory with
``source/``, ``release/`` (from ``nbgrader generate_assignment``), the gradebook
database, and ``submitted/<student>/bench/bench.ipynb``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import competitors
import notebooks as nbs
from bench_sheet import IMPORTS, NOTEBOOK, SHEET_ID, TASKS, TITLE, Task, pattern_for, student_cells
from bench_sheet import student_name as name_of

CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "bench"
c.Execute.timeout = 60
"""


def _meta(grade_id: str, *, solution: bool = False, points: int | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": points is not None,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def test_id(task: Task, check_name: str) -> str:
    """The nbgrader grade id of one check."""
    return f"{task.id}_{check_name}"


def source_notebook() -> Any:
    """The instructor's notebook with nbgrader markup."""
    cells = [nbs.markdown(f"# {TITLE}"), nbs.code(IMPORTS)]
    for task in TASKS:
        cells.append(nbs.markdown(f"**Task {task.id}.** {task.prompt}"))
        cells.append(
            nbs.code(
                f"def {task.signature}:\n    ### BEGIN SOLUTION\n{task.solution}\n"
                "    ### END SOLUTION",
                **_meta(task.function, solution=True),
            )
        )
        for check in task.checks:
            source = check.code
            if check.hidden:
                source = f"### BEGIN HIDDEN TESTS\n{source}\n### END HIDDEN TESTS"
            cells.append(nbs.code(source, **_meta(test_id(task, check.name), points=1)))
    return nbs.notebook(cells)


def write(root: Path, n: int, *, trivial: bool = False) -> Path:
    """Write the nbgrader course directory with ``n`` submissions.

    Needs the competitors' venv for ``nbgrader generate_assignment``.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    nbs.write(source_notebook(), root / "source" / SHEET_ID / NOTEBOOK)
    competitors.run(["nbgrader", "generate_assignment", SHEET_ID, "--force"], cwd=root)
    stub = nbs.read(root / "release" / SHEET_ID / NOTEBOOK)
    functions = [t.function for t in TASKS]
    for index in range(n):
        imports, cells = student_cells(pattern_for(index), trivial=trivial)
        nb = nbs.fill_student_cells(stub, imports, cells, functions)
        nbs.write(nb, root / "submitted" / name_of(index) / SHEET_ID / NOTEBOOK)
    return root
