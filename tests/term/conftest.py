"""One example course for the whole term, built once per session, and a grader
that grades notebooks against a built sheet through the public engine."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from sheetgrade.cli.main import cli
from sheetgrade.course.course import Course
from sheetgrade.graders.batch import process_limits
from sheetgrade.graders.harness import ProcessReference
from sheetgrade.graders.sandbox.worker import WarmWorker
from sheetgrade.graders.single import start_reference
from sheetgrade.graders.submission import grade_notebook
from sheetgrade.sheets.model import AutograderBundle


class TermGrader:
    """Grades notebooks of the built sheets of one course; one warm worker and
    one reference process per sheet, shared by every test."""

    def __init__(self, root: Path, scratch: Path) -> None:
        self.root = root
        self.course = Course.open(root)
        self.scratch = scratch
        self.worker = WarmWorker()
        self.limits = process_limits(self.course)
        self._references: dict[str, ProcessReference] = {}
        self._built: set[str] = set()
        self._count = 0

    def build(self, sheet_id: str) -> AutograderBundle:
        if sheet_id not in self._built:
            result = CliRunner().invoke(
                cli,
                ["--course", str(self.root), "sheet", "build", sheet_id],
                catch_exceptions=False,
            )
            assert result.exit_code == 0, result.output
            self._built.add(sheet_id)
        return AutograderBundle.load(self.root / "build" / sheet_id / "autograder")

    def reference_notebook(self, sheet_id: str) -> nbformat.NotebookNode:
        bundle = self.build(sheet_id)
        assert bundle.path is not None
        return nbformat.read(bundle.path / bundle.reference_notebook, as_version=4)

    def student_notebook(self, sheet_id: str) -> nbformat.NotebookNode:
        bundle = self.build(sheet_id)
        path = self.root / "build" / sheet_id / "student" / bundle.student_notebook
        return nbformat.read(path, as_version=4)

    def grade(
        self, sheet_id: str, nb: nbformat.NotebookNode, tasks: tuple[str, ...] | None = None
    ) -> dict[str, float]:
        """Points per auto task (only ``tasks`` when given); why tests failed in :attr:`messages`."""
        bundle = self.build(sheet_id)
        assert bundle.path is not None
        data = [bundle.path / d for d in bundle.data]
        if sheet_id not in self._references:
            self._references[sheet_id] = start_reference(
                self.worker,
                bundle.path / bundle.reference_notebook,
                self.limits,
                self.scratch / f"ref-{sheet_id}",
                data,
            )
        self._count += 1
        path = self.scratch / f"n{self._count}" / bundle.student_notebook
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        tests = [t for t in bundle.tests if tasks is None or t.task in tasks]
        result = grade_notebook(
            path,
            tests,
            worker=self.worker,
            reference=self._references[sheet_id],
            limits=self.limits,
            workdir=self.scratch / f"w{self._count}",
            data_files=data,
        )
        assert result.status == "graded", result.message
        points = {
            t.id: 0.0 for t in bundle.tasks if t.kind == "auto" and (not tasks or t.id in tasks)
        }
        self.messages: dict[str, str] = {}
        for outcome in result.tests:
            points[outcome.test.task] += outcome.points
            if not outcome.passed:
                self.messages[outcome.test.id] = outcome.message
        return points

    def close(self) -> None:
        for reference in self._references.values():
            reference.process.close()
        self.worker.close()


@pytest.fixture(scope="session")
def term(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TermGrader]:
    root = tmp_path_factory.mktemp("term") / "course"
    result = CliRunner().invoke(
        cli, ["init", str(root), "--example", "mlphys"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    grader = TermGrader(root, tmp_path_factory.mktemp("term-grading"))
    yield grader
    grader.close()
    shutil.rmtree(grader.scratch, ignore_errors=True)


def with_cell(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """The notebook with one more code cell at the end (a redefinition)."""
    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = nbformat.v4.new_code_cell(source)
    cell.id = "wrong"
    copy.cells.append(cell)
    return copy
