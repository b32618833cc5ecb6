"""What every format parser produces, and the checks common to all formats."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from nbformat import NotebookNode

from sheetgrade.course.config import SheetConfig
from sheetgrade.course.suggest import did_you_mean
from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.model import SheetFormat, TestCase, TestKind
from sheetgrade.sheets.notebook import new_cell

#: Metadata on cells the build adds; the grader skips these cells when it runs a submission.
ROLE_KEY = "sheetgrade"


@dataclass
class SecretLine:
    """A line students must not see, and where it came from."""

    text: str
    cell: int
    line: int


@dataclass
class ParsedSheet:
    """A source notebook taken apart: student cells, reference cells and tests."""

    format: SheetFormat
    notebook: NotebookNode
    student_cells: list[NotebookNode]
    reference_cells: list[NotebookNode]
    tests: list[TestCase]
    secret_lines: list[SecretLine] = field(default_factory=list)
    # ok tests whose expected output the build records from the reference run
    pending_outputs: list[str] = field(default_factory=list)
    # read-only cells students get (nbgrader grade_id -> source): edits are flagged
    locked_sources: dict[str, str] = field(default_factory=dict)

    def given_code(self) -> list[str]:
        """The code students get from the source as written: every student code
        cell but the ones the build adds. A statement in it is no secret, even
        when a solution or a hidden test repeats it (the leak check's ``given``)."""
        return [
            str(cell.source)
            for cell in self.student_cells
            if cell.cell_type == "code" and ROLE_KEY not in cell.get("metadata", {})
        ]


@dataclass
class DraftTest:
    """A test before ids are assigned and tasks are checked."""

    task: str
    points: float | None
    hidden: bool
    kind: TestKind
    code: str
    name: str
    cell: int
    pending: bool = False
    scoring: str = "all"


def resolve_task(name: str, tasks: Iterable[str]) -> str | None:
    """Map a question name or grade id to a task id.

    Exact match first, then otter's ``q`` prefix (``q1a`` -> ``1a``), then the
    longest task id followed by a separator (``1a-orthogonal``, ``1a_shape``).
    """
    ids = list(tasks)
    if name in ids:
        return name
    if name[:1] in "qQ" and name[1:] in ids:
        return name[1:]
    for task in sorted(ids, key=len, reverse=True):
        for candidate in (name, name[1:] if name[:1] in "qQ" else name):
            if re.match(rf"^{re.escape(task)}[-_.:/ ]", candidate):
                return task
    return None


def finish_tests(
    drafts: list[DraftTest], config: SheetConfig, problems: Problems
) -> tuple[list[TestCase], list[str]]:
    """Assign ids (``<task>.<n>``) and check tests against sheet.yml.

    Reports: a test without points, a test for a task sheet.yml lacks or marks
    manual, an auto task of sheet.yml without tests, and tasks whose tests'
    points do not add up to the points sheet.yml gives.
    """
    tasks = {t.id: t for t in config.tasks}
    counters: dict[str, int] = {}
    tests: list[TestCase] = []
    pending: list[str] = []
    for draft in drafts:
        task = tasks.get(draft.task)
        if task is None:
            problems.add(
                f"test for task '{draft.task}', which sheet.yml does not have"
                f"{did_you_mean(draft.task, tasks)} (add it to sheet.yml or fix the name)",
                draft.cell,
            )
            continue
        if task.kind == "manual":
            problems.add(
                f"test for task '{draft.task}', which sheet.yml marks `kind: manual`; "
                "make it `kind: auto` or drop the test",
                draft.cell,
            )
            continue
        if draft.points is None:
            problems.add(
                f"test for task '{draft.task}' has no points; give them (see docs/authoring.md)",
                draft.cell,
            )
            continue
        counters[draft.task] = counters.get(draft.task, 0) + 1
        test_id = f"{draft.task}.{counters[draft.task]}"
        tests.append(
            TestCase(
                id=test_id,
                task=draft.task,
                points=float(draft.points),
                hidden=draft.hidden,
                kind=draft.kind,
                code=draft.code,
                name=draft.name,
                cell=draft.cell,
                scoring=draft.scoring,  # type: ignore[arg-type]
            )
        )
        if draft.pending:
            pending.append(test_id)
    if problems.items:
        return tests, pending
    for task in config.tasks:
        if task.kind != "auto":
            continue
        own = [t for t in tests if t.task == task.id]
        if not own:
            problems.add(
                f"task '{task.id}' is `kind: auto` in sheet.yml but has no tests in the notebook; "
                "add tests or make it `kind: manual`"
            )
            continue
        total = round(sum(t.points for t in own), 6)
        if abs(total - task.points) > 1e-6:
            problems.add(
                f"task '{task.id}': its tests carry {total:g} points but sheet.yml gives "
                f"{task.points:g}; make them agree"
            )
    return tests, pending


def check_cell(task: str, salt: str) -> NotebookNode:
    """The cell students run to check one task against the public tests."""
    return new_cell(
        "code",
        f'from sheetgrade import check\n\ncheck("{task}")',
        salt=f"check/{task}/{salt}",
        metadata={ROLE_KEY: {"role": "check", "task": task}, "editable": False, "deletable": False},
    )


def to_doctest(code: str) -> str:
    """Python source as doctest input lines: ``>>>`` for each statement, ``...`` for its continuation."""
    tree = ast.parse(code)
    lines = code.split("\n")
    out: list[str] = []
    for node in tree.body:
        start = node.lineno - 1
        end = node.end_lineno or node.lineno
        if getattr(node, "decorator_list", None):
            start = min(d.lineno for d in node.decorator_list) - 1  # type: ignore[attr-defined]
        chunk = lines[start:end]
        out.append(">>> " + chunk[0])
        out += ["... " + line for line in chunk[1:]]
    return "\n".join(out)


def syntax_problem(code: str, cell: int, problems: Problems, offset: int = 0) -> bool:
    """Report a syntax error in ``code`` at its cell line; True when there was one."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        problems.add(f"syntax error in test: {exc.msg}", cell, (exc.lineno or 1) + offset)
        return True
    return False


def with_expected(test: TestCase, output: str) -> TestCase:
    """An ok test with ``output`` appended as the expected output."""
    text = output.rstrip("\n")
    return replace(test, code=test.code + ("\n" + text if text else ""))
