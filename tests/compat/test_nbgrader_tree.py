"""nbgrader's ``submitted/<student>/<assignment>/`` tree: collected for the sheet
named after the assignment, and refused (exit 1, naming what it holds) when it
holds only other assignments, instead of collecting nothing quietly."""

from __future__ import annotations

from pathlib import Path

import nbformat

from .conftest import code, notebook

SHEET_YML = """\
title: Tree
notebook: tree.ipynb
tasks:
  - {id: "1", title: One, points: 1, kind: manual}
"""


def _tree(root: Path, assignment: str) -> Path:
    for student in ("s001", "s002"):
        target = root / "submitted" / student / assignment / "tree.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook([code(f"answer = '{student}'")]), str(target))
        (target.parent / "timestamp.txt").write_text("2026-10-27 12:00:00\n")
    return root / "submitted"


def test_submitted_tree_collected_or_refused(foreign_course, tmp_path: Path) -> None:
    course = foreign_course(SHEET_YML, {"tree.ipynb": notebook([code("answer = 1")])})
    assert course.cli("roster", "sync").exit_code == 0

    wrong = course.cli("collect", "01", str(_tree(tmp_path / "a", "ps1")))
    assert wrong.exit_code == 1, wrong.output
    assert "assignment(s) 'ps1' and none for sheet 01-foreign" in wrong.output

    right = course.cli("collect", "01", str(_tree(tmp_path / "b", "01-foreign")))
    assert right.exit_code == 0, right.output
    assert "2 stored" in right.output
