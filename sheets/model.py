"""The contract between building a sheet (``sheetgrade.sheets``) and grading it
(``sheetgrade.graders``): test cases and the autograder bundle on disk.

A build writes ``build/<sheet>/autograder/bundle.json`` (an :class:`AutograderBundle`)
next to ``reference.ipynb`` (the source notebook with solutions, test cells
removed) and the sheet's data files. The grader reads only the bundle.

The student version, ``build/<sheet>/student/``, holds the stub notebook, the
data files and ``public_tests.json``: the public test cases plus
``recorded_reference``, the reference answers those public checks need
(recorded at build time, so students can check offline without the reference).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

TestKind = Literal["native", "ok", "assert"]
SheetFormat = Literal["native", "otter", "nbgrader"]

BUNDLE_FILE = "bundle.json"
PUBLIC_TESTS_FILE = "public_tests.json"
REFERENCE_NOTEBOOK = "reference.ipynb"

#: The guarantee each kind of test gives, recorded on every result.
LEVELS: dict[str, str] = {
    # compared in the grader on decoded plain data: tamper-proof
    "native": "tamper-proof",
    # inputs run in the student process, printed output compared in the grader
    "ok": "output-compared",
    # judged inside the student process: tampering is detected, not prevented
    "assert": "compat",
}


def source_digest(source: str) -> str:
    """sha256 of a cell's source, blank lines at either end and trailing blanks ignored."""
    import hashlib

    text = "\n".join(line.rstrip() for line in source.strip("\n").split("\n"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TestCase:
    """One test of one task.

    ``code`` depends on ``kind``:

    - ``native``: Python run **in the grader** with ``student`` and ``reference``
      proxies (``student.pca(X, 2)`` calls the student's function in the confined
      child and returns decoded plain data; ``student.value("X")`` fetches a
      variable), numpy as ``np``, and the comparison helpers ``expect``,
      ``expect_equal`` and ``expect_close`` (``rtol``, ``atol``, ``up_to_sign``,
      ``permutation``). It passes when it raises nothing.
    - ``ok``: one otter OK-format case, doctest text (``>>> f(2)`` then the
      expected output); inputs run in the child, output compared in the grader.
    - ``assert``: Python run in the child (nbgrader / otter exception style);
      passes when it raises nothing.
    """

    id: str
    task: str
    points: float
    hidden: bool
    kind: TestKind
    code: str
    name: str = ""
    cell: int | None = None  # index of the source cell, for error messages
    # "all": full points when it passes; "nbgrader": an assert test scored as
    # nbgrader 0.9 scores a grade cell (an error or output on stderr: 0; a
    # number as the cell's last value: that many points; otherwise full points)
    scoring: Literal["all", "nbgrader"] = "all"
    # the notebook (file name) the test belongs to, in a sheet of several
    # notebooks; "" in a sheet of one (the bundle's ``student_notebook``)
    notebook: str = ""

    @property
    def level(self) -> str:
        return LEVELS[self.kind]

    @property
    def label(self) -> str:
        """What students see the test called: ``correct_squares (problem1.ipynb)``."""
        name = self.name or self.id
        return f"{name} ({self.notebook})" if self.notebook else name

    @property
    def where(self) -> str:
        """``problem1.ipynb cell 6`` (as Jupyter counts), or ``cell 6``, or ""."""
        cell = f"cell {self.cell + 1}" if self.cell is not None else ""
        return " ".join(part for part in (self.notebook, cell) if part)


def test_data(test: TestCase) -> dict[str, Any]:
    """A test as JSON data; ``notebook`` only when set, so one-notebook sheets read as before."""
    data = asdict(test)
    if not data["notebook"]:
        del data["notebook"]
    return data


@dataclass(frozen=True)
class NotebookPart:
    """One graded notebook of a sheet: the file students hand in, its reference in
    the bundle folder, and its read-only cells (nbgrader grade_id -> sha256)."""

    name: str
    reference: str
    locked_cells: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskInfo:
    id: str
    title: str
    points: float
    kind: Literal["auto", "manual"]


@dataclass
class AutograderBundle:
    """Everything the grader needs for one build of one sheet."""

    sheet_id: str
    build_hash: str
    format: SheetFormat
    tasks: list[TaskInfo]
    tests: list[TestCase]
    reference_notebook: str = REFERENCE_NOTEBOOK  # relative to the bundle folder
    student_notebook: str = ""  # the notebook file name students hand in
    data: list[str] = field(default_factory=list)  # data files, relative to the bundle folder
    # ids of ``ok`` tests whose expected output is not in the source: at build
    # validation the grader records what the reference prints for them
    # (``ValidationReport.expected_outputs``) instead of comparing; empty after a build
    pending_outputs: list[str] = field(default_factory=list)
    # read-only cells (nbgrader grade_id -> sha256 of the source students got):
    # a submission that edited or blanked one is flagged for review
    locked_cells: dict[str, str] = field(default_factory=dict)
    # a sheet of several notebooks: each graded notebook, in order (empty for one
    # notebook: ``student_notebook``, ``reference_notebook`` and ``locked_cells``)
    parts: list[NotebookPart] = field(default_factory=list)
    path: Path | None = None  # folder the bundle was loaded from (not serialised)

    def notebook_parts(self) -> list[NotebookPart]:
        """The graded notebooks: ``parts``, or the one notebook of the sheet."""
        if self.parts:
            return list(self.parts)
        return [NotebookPart(self.student_notebook, self.reference_notebook, self.locked_cells)]

    def tests_in(self, part: NotebookPart) -> list[TestCase]:
        """The tests of one graded notebook, in sheet order."""
        if not self.parts:
            return list(self.tests)
        return [t for t in self.tests if t.notebook == part.name]

    def data_sources(self) -> dict[str, Path]:
        """Each data file's path relative to the notebook -> where the bundle holds it."""
        folder = self.path if self.path is not None else Path(".")
        return {rel: folder / rel for rel in self.data}

    def tests_for(self, task: str) -> list[TestCase]:
        return [t for t in self.tests if t.task == task]

    @property
    def auto_points(self) -> float:
        return sum(t.points for t in self.tasks if t.kind == "auto")

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("path")
        data["tests"] = [test_data(t) for t in self.tests]
        if not self.parts:
            del data["parts"]
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, path: Path | None = None) -> AutograderBundle:
        data: dict[str, Any] = json.loads(text)
        data["tasks"] = [TaskInfo(**t) for t in data["tasks"]]
        data["tests"] = [TestCase(**t) for t in data["tests"]]
        data["parts"] = [NotebookPart(**p) for p in data.get("parts", [])]
        return cls(**data, path=path)

    @classmethod
    def load(cls, folder: Path) -> AutograderBundle:
        return cls.from_json((folder / BUNDLE_FILE).read_text(encoding="utf-8"), path=folder)


@dataclass
class PublicTests:
    """What students get to check their work offline: ``public_tests.json``."""

    sheet_id: str
    build_hash: str
    tasks: list[TaskInfo]
    tests: list[TestCase]  # public only
    # reference answers of public native checks: key -> encoded value (see graders.sandbox.protocol)
    recorded_reference: dict[str, Any] = field(default_factory=dict)
    # a sheet of several notebooks: their file names, in order (empty for one notebook)
    notebooks: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        data = asdict(self)
        data["tests"] = [test_data(t) for t in self.tests]
        if not self.notebooks:
            del data["notebooks"]
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PublicTests:
        data: dict[str, Any] = json.loads(text)
        data["tasks"] = [TaskInfo(**t) for t in data["tasks"]]
        data["tests"] = [TestCase(**t) for t in data["tests"]]
        return cls(**data)


@dataclass
class ValidationReport:
    """What ``sheetgrade.graders.validate.validate_build`` returns: the reference
    solution run against every test of a freshly written bundle.

    ``sheet build`` stops when ``failures`` is not empty, and otherwise records
    ``expected_outputs`` into the ``ok`` tests listed in ``pending_outputs`` and
    ``recorded_reference`` into ``public_tests.json``.
    """

    # test id -> why the reference failed it ("NameError: name 'Xc' is not defined")
    failures: dict[str, str] = field(default_factory=dict)
    # reference answers the public native checks need (key -> encoded value)
    recorded_reference: dict[str, Any] = field(default_factory=dict)
    # ok test id -> the text the reference printed for its inputs (every ok test)
    expected_outputs: dict[str, str] = field(default_factory=dict)
    # what the build reports without failing: reference cells that raised
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures
