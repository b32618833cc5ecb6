"""The benchmark sheet in otter-grader's form: an otter-assign source notebook,
``otter assign`` output (autograder zip, student notebook and public tests) and
one notebook per submission."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import competitors
import notebooks as nbs
from bench_sheet import IMPORTS, NOTEBOOK, SHEET_ID, TASKS, TITLE, pattern_for, student_cells
from bench_sheet import student_name as name_of

ASSIGNMENT_CONFIG = f"""\
# ASSIGNMENT CONFIG
name: {SHEET_ID}
run_tests: false
solutions_pdf: false
export_cell: false
check_all_cell: false
generate:
  pdf: false
tests:
  files: true
"""


def source_notebook() -> Any:
    """The instructor's notebook with otter-assign markup (OK-format tests)."""
    cells = [nbs.raw(ASSIGNMENT_CONFIG), nbs.markdown(f"# {TITLE}"), nbs.code(IMPORTS)]
    for task in TASKS:
        cells += [
            nbs.raw(f"# BEGIN QUESTION\nname: {task.question}\npoints: {task.points}"),
            nbs.markdown(f"**Task {task.id}.** {task.prompt}"),
            nbs.raw("# BEGIN SOLUTION"),
            nbs.code(
                f"def {task.signature}:\n    # BEGIN SOLUTION\n{task.solution}\n    # END SOLUTION"
            ),
            nbs.raw("# END SOLUTION"),
            nbs.raw("# BEGIN TESTS"),
        ]
        for check in task.checks:
            cells.append(nbs.code(("# HIDDEN\n" if check.hidden else "") + check.code))
        cells += [nbs.raw("# END TESTS"), nbs.raw("# END QUESTION")]
    return nbs.notebook(cells)


def autograder_zip(root: Path) -> Path:
    """The autograder zip that ``otter assign`` wrote under ``root``."""
    found = sorted((root / "dist" / "autograder").glob("*.zip"))
    if not found:
        raise FileNotFoundError(f"no autograder zip in {root / 'dist' / 'autograder'}")
    return found[0]


def student_dir(root: Path) -> Path:
    """The student version: notebook and ``tests/`` with the public tests."""
    return root / "dist" / "student"


def write(root: Path, n: int, *, trivial: bool = False) -> Path:
    """Write the otter assignment and ``n`` submissions under ``root/submissions``.

    Needs the competitors' venv for ``otter assign``.
    """
    root.mkdir(parents=True, exist_ok=True)
    source = root / "source" / NOTEBOOK
    nbs.write(source_notebook(), source)
    competitors.run(["otter", "assign", str(source), str(root / "dist")], cwd=root)
    stub = nbs.read(student_dir(root) / NOTEBOOK)
    functions = [t.function for t in TASKS]
    for index in range(n):
        imports, cells = student_cells(pattern_for(index), trivial=trivial)
        nb = nbs.fill_student_cells(stub, imports, cells, functions)
        nbs.write(nb, root / "submissions" / name_of(index) / NOTEBOOK)
    return root
