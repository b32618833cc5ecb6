"""Fixtures for sheets written in other tools' markup: a course made in the
test, built, checked and graded through the CLI (real notebooks, real child
processes)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import insert, select

from sheetgrade.course import store
from sheetgrade.course.course import Course

COURSE_YML = """\
course: Compat course
term: WS 2026/27
sheets:
  - id: 01-foreign
    due: 2026-10-28T10:00+01:00
"""


def md(text: str, **meta: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text, metadata=dict(meta))


def code(text: str, outputs: list | None = None, **meta: object) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text, metadata=dict(meta))
    if outputs:
        cell.outputs = outputs
    return cell


def raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    for i, cell in enumerate(cells):
        cell["id"] = f"cell{i}"
    nb.cells = cells
    return nb


@dataclass
class ForeignCourse:
    """A course with one sheet, ``01-foreign``, written for the test."""

    root: Path
    run_cli: Callable[..., object]

    @property
    def sheet(self) -> Path:
        return self.root / "sheets" / "01-foreign"

    @property
    def build(self) -> Path:
        return self.root / "build" / "01-foreign"

    def cli(self, *args: str):  # type: ignore[no-untyped-def]
        return self.run_cli(*args, course=self.root)

    def bundle(self) -> dict:
        return json.loads((self.build / "autograder" / "bundle.json").read_text())

    def submit(self, owner: str, files: dict[str, str | nbformat.NotebookNode]) -> str:
        """Store a submission (a folder of files) directly; returns its sha."""
        texts = {
            name: nbformat.writes(content) if not isinstance(content, str) else content
            for name, content in files.items()
        }
        sha = hashlib.sha256(json.dumps([owner, texts], sort_keys=True).encode()).hexdigest()
        rel = Path("submissions") / "01-foreign" / owner / "v1"
        for name, text in texts.items():
            target = self.root / rel / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        notebooks = [n for n in texts if n.endswith(".ipynb")]
        now = datetime.now(UTC).isoformat()
        with store.transaction(Course.open(self.root).engine) as conn:
            conn.execute(
                insert(store.submissions).values(
                    sheet_id="01-foreign",
                    owner=owner,
                    owner_kind="student",
                    submitted_by=owner,
                    version=1,
                    sha256=sha,
                    path=str(rel),
                    notebook=notebooks[0] if len(notebooks) == 1 else None,
                    received_at=now,
                    late_seconds=0.0,
                    source="test",
                    flags="[]",
                    created_at=now,
                )
            )
        return sha

    def results(self) -> dict[str, dict]:
        """submission sha -> result row, with ``tests``: test id -> test row."""
        course = Course.open(self.root)
        with course.engine.connect() as conn:
            rows = conn.execute(select(store.results)).mappings().all()
            tests = conn.execute(select(store.test_results)).mappings().all()
        out = {r["submission_sha"]: dict(r) | {"tests": {}} for r in rows}
        for t in tests:
            out[t["submission_sha"]]["tests"][t["test_id"]] = dict(t)
        return out


@pytest.fixture
def foreign_course(tmp_path: Path, run_cli) -> Callable[..., ForeignCourse]:  # type: ignore[no-untyped-def]
    """``foreign_course(sheet_yml, {"lab.ipynb": nb, "data/x.csv": "..."})``."""

    def make(sheet_yml: str, files: dict[str, str | nbformat.NotebookNode]) -> ForeignCourse:
        root = tmp_path / "course"
        sheet = root / "sheets" / "01-foreign"
        sheet.mkdir(parents=True, exist_ok=True)
        (root / "course.yml").write_text(COURSE_YML, encoding="utf-8")
        roster = root / "roster"
        roster.mkdir(exist_ok=True)
        (roster / "students.csv").write_text(
            "id,first_name,last_name,email,matrikel,group\n"
            + "".join(
                f"s00{i},Student,S{i},s00{i}@example.org,{6000000 + i},G1\n" for i in (1, 2, 3)
            ),
            encoding="utf-8",
        )
        (roster / "groups.csv").write_text("id,name\nG1,Group 1\n", encoding="utf-8")
        (roster / "tutors.csv").write_text(
            "name,email,groups\nTutor,tutor@example.org,G1\n", encoding="utf-8"
        )
        (roster / "teams.csv").write_text("team,student\n", encoding="utf-8")
        (sheet / "sheet.yml").write_text(sheet_yml, encoding="utf-8")
        for rel, content in files.items():
            target = sheet / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                nbformat.write(content, str(target))
        return ForeignCourse(root, run_cli)

    return make
