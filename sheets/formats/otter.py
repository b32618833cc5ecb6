"""otter-assign markup, read without importing otter.

Blocks are raw cells (or Markdown cells fenced as `````otter``) starting with
``# BEGIN QUESTION`` (YAML: ``name``, ``points``, optional ``manual``,
``all_or_nothing`` and ``task``), ``# BEGIN PROMPT``, ``# BEGIN SOLUTION``, ``# BEGIN TESTS`` and their
``# END ...`` cells. Test cells are OK-format: their inputs become doctest
``>>>`` lines and the expected output is the cell's stored output or, when it
has none, what the reference prints at build validation. A test cell that uses
``assert`` becomes an ``assert`` test. ``# HIDDEN`` as the first line, or a
``""\" # BEGIN TEST CONFIG`` YAML block (``hidden``, ``points``), configure a test.
Points follow otter 7: a question's ``points`` are a number (split evenly over
the tests without points of their own), a list (one per test) or ``{each: N}``;
a question without ``points`` is worth 1 split over its tests (or the sum of
its tests' own points), scaled to the task's points in sheet.yml when it is the
task's only question. A ``manual: true`` question needs no tests: its points
are the manual task's in sheet.yml. ``all_or_nothing: true`` gives the
question's points only when all its cases pass (``otter_points.all_or_nothing``).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import yaml
from nbformat import NotebookNode

from sheetgrade.course.config import SheetConfig
from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.formats.base import (
    DraftTest,
    ParsedSheet,
    SecretLine,
    check_cell,
    finish_tests,
    resolve_task,
    syntax_problem,
    to_doctest,
)
from sheetgrade.sheets.formats.otter_points import (
    Question,
    all_or_nothing,
    otter_case_points,
    resolve_points,
)
from sheetgrade.sheets.markers import dots_stub, split_solutions
from sheetgrade.sheets.notebook import new_cell, source_lines

__all__ = ["boundary", "is_otter", "otter_case_points", "parse"]

BLOCKS = ("question", "prompt", "solution", "tests")
BOUNDARY = re.compile(r"^#\s+(begin|end)\s+(question|prompt|solution|tests)\b\s*$", re.IGNORECASE)
ASSIGNMENT_CONFIG = re.compile(r"^#\s+assignment\s+config\s*$", re.IGNORECASE)
IGNORE_CELL = re.compile(r"^(##\s*ignore\s*##|#\s*ignore)\s*$", re.IGNORECASE)
BEGIN_TEST_CONFIG = re.compile(r'^(?:.\s*=\s*)?"""?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)
END_TEST_CONFIG = re.compile(r'^"""?\s*#\s*END\s*TEST\s*CONFIG', re.IGNORECASE)
HIDDEN_WORD = re.compile(r"\bhidden\b", re.IGNORECASE)


def _unfenced(cell: NotebookNode) -> tuple[str, list[str]]:
    """(cell type, lines) with a Markdown ```otter fence read as a raw cell."""
    lines = source_lines(cell)
    if (
        cell.cell_type == "markdown"
        and len(lines) >= 2
        and lines[0].strip() == "```otter"
        and lines[-1].strip() == "```"
    ):
        return "raw", lines[1:-1]
    return cell.cell_type, lines


def boundary(cell: NotebookNode) -> tuple[str, str] | None:
    """``("begin"|"end", block)`` when the cell is a block boundary."""
    kind, lines = _unfenced(cell)
    if kind != "raw" or not lines:
        return None
    m = BOUNDARY.match(lines[0].strip())
    return (m.group(1).lower(), m.group(2).lower()) if m else None


def is_otter(cell: NotebookNode) -> bool:
    """Whether the cell is otter-assign markup (a block boundary or the assignment config)."""
    kind, lines = _unfenced(cell)
    return (
        kind == "raw"
        and bool(lines)
        and (boundary(cell) is not None or bool(ASSIGNMENT_CONFIG.match(lines[0])))
    )


def _yaml(
    lines: list[str], cell: int, problems: Problems, what: str, offset: int = 1
) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + offset if mark is not None else None
        problems.add(f"invalid YAML in {what}: {getattr(exc, 'problem', exc)}", cell, line)
        return None
    if not isinstance(data, dict):
        problems.add(f"{what} must be YAML keys (name: ..., points: ...)", cell)
        return None
    return data


def _read_test(
    cell: NotebookNode, index: int, problems: Problems
) -> tuple[DraftTest, float | None] | None:
    lines = source_lines(cell)
    while lines and not lines[-1].strip():
        lines.pop()
    config: dict[str, Any] = {}
    start = 0
    hidden = bool(lines and lines[0].lstrip().startswith("#") and HIDDEN_WORD.search(lines[0]))
    if hidden:
        start = 1
    if lines and BEGIN_TEST_CONFIG.match(lines[0]):
        end = next((i for i, line in enumerate(lines) if i and END_TEST_CONFIG.match(line)), None)
        if end is None:
            problems.add('BEGIN TEST CONFIG is never closed; add `""" # END TEST CONFIG`', index, 1)
            return None
        parsed = _yaml(lines[1:end], index, problems, "the test config", offset=1)
        if parsed is None:
            return None
        config, start = parsed, end + 1
    hidden = bool(config.get("hidden", hidden))
    points = config.get("points")
    body_lines = lines[start:]
    body = "\n".join(body_lines).strip("\n")
    offset = start + next((i for i, line in enumerate(body_lines) if line.strip()), 0)
    if not body.strip():
        problems.add("empty test cell", index)
        return None
    if syntax_problem(body, index, problems, offset=offset):
        return None
    output = ""
    for item in cell.get("outputs", []):
        text = item.get("text", "")
        output += "".join(text) if isinstance(text, list) else str(text)
        plain = item.get("data", {}).get("text/plain")
        if plain:
            output += "".join(plain) if isinstance(plain, list) else str(plain)
    uses_assert = any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(body)))
    if uses_assert:
        draft = DraftTest(
            task="", points=None, hidden=hidden, kind="assert", code=body, name="", cell=index
        )
    else:
        code = to_doctest(body)
        if output:
            code += "\n" + output.rstrip("\n")
        draft = DraftTest(
            task="",
            points=None,
            hidden=hidden,
            kind="ok",
            code=code,
            name="",
            cell=index,
            pending=not output,
        )
    if points is not None and not isinstance(points, int | float):
        problems.add(f"test points must be a number, not {points!r}", index)
        return None
    return draft, points


def _question_tasks(nb: NotebookNode, task_ids: list[str]) -> list[str]:
    """The task of every question in the notebook (one entry per question)."""
    found = []
    for cell in nb.cells:
        edge = boundary(cell)
        if edge != ("begin", "question"):
            continue
        try:
            config = yaml.safe_load("\n".join(_unfenced(cell)[1][1:])) or {}
        except yaml.YAMLError:
            continue
        if isinstance(config, dict) and config.get("name"):
            name = str(config["name"])
            found.append(str(config.get("task") or resolve_task(name, task_ids) or name))
    return found


def parse(nb: NotebookNode, config: SheetConfig, problems: Problems) -> ParsedSheet:
    """Parse a notebook written with otter-assign markup."""
    reader = _Reader(config, problems, _question_tasks(nb, [t.id for t in config.tasks]))
    for index, cell in enumerate(nb.cells):
        reader.cell(index, cell)
    return reader.finish(nb)


class _Reader:
    """One pass over the cells: the student and reference cells, tests and secrets."""

    def __init__(self, config: SheetConfig, problems: Problems, question_tasks: list[str]) -> None:
        self.config = config
        self.problems = problems
        self.task_ids = [t.id for t in config.tasks]
        self.task_points = {t.id: float(t.points) for t in config.tasks}
        self.question_tasks = question_tasks
        self.student: list[NotebookNode] = []
        self.reference: list[NotebookNode] = []
        self.drafts: list[DraftTest] = []
        self.secrets: list[SecretLine] = []
        self.stack: list[tuple[str, int]] = []  # open blocks: (block, cell index)
        self.question: Question | None = None

    def cell(self, index: int, cell: NotebookNode) -> None:
        lines = source_lines(cell)
        if lines and IGNORE_CELL.match(lines[0].strip()):
            return
        kind, unfenced = _unfenced(cell)
        if kind == "raw" and unfenced and ASSIGNMENT_CONFIG.match(unfenced[0]):
            return
        edge = boundary(cell)
        if edge is not None:
            action, block = edge
            if action == "end":
                self._end(index, block)
            else:
                self._begin(index, block, unfenced)
            return
        current = self.stack[-1][0] if self.stack else None
        if current == "tests":
            self._test(index, cell)
        elif current == "prompt":
            self.student.append(new_cell(cell.cell_type, "\n".join(lines), like=cell))
        else:
            self._content(index, cell, lines, in_solution=current == "solution")

    # --- block boundaries

    def _end(self, index: int, block: str) -> None:
        stack = self.stack
        if not stack or stack[-1][0] != block:
            opened = (
                f"; the open block is {stack[-1][0].upper()} from cell {stack[-1][1] + 1}"
                if stack
                else ""
            )
            self.problems.add(
                f"END {block.upper()} without a matching BEGIN {block.upper()}{opened}", index, 1
            )
            return
        stack.pop()
        if block == "question" and self.question is not None:
            self._close_question(self.question)
            self.question = None

    def _begin(self, index: int, block: str, unfenced: list[str]) -> None:
        stack = self.stack
        if block == "question":
            if stack:
                self.problems.add(
                    f"BEGIN QUESTION inside the {stack[-1][0].upper()} block opened in cell "
                    f"{stack[-1][1] + 1}; close it first",
                    index,
                    1,
                )
                return
            parsed = _yaml(unfenced[1:], index, self.problems, "the question config") or {}
            if not parsed.get("name"):
                self.problems.add("BEGIN QUESTION needs `name:` (the task id or q<task>)", index, 1)
            self.question = Question(parsed, index)
        elif not stack or stack[-1][0] != "question":
            where = f"inside {stack[-1][0].upper()}" if stack else "outside a question"
            self.problems.add(
                f"BEGIN {block.upper()} {where}; it belongs directly in a question block",
                index,
                1,
            )
            return
        elif block == "prompt" and self.question is not None:
            self.question.has_prompt = True
        stack.append((block, index))

    def _close_question(self, question: Question) -> None:
        task = question.task or resolve_task(question.name, self.task_ids) or question.name
        resolve_points(
            question,
            self.problems,
            self.task_points.get(task),
            shared=self.question_tasks.count(task) > 1,
        )
        all_or_nothing(question, self.problems)
        for draft in question.tests:
            draft.task = task
            draft.name = question.name
        self.drafts.extend(question.tests)
        if any(not d.hidden for d in question.tests):
            self.student.append(check_cell(task, f"{question.cell}"))

    # --- cells inside blocks

    def _test(self, index: int, cell: NotebookNode) -> None:
        if cell.cell_type != "code":
            self.problems.add("non-code cell in a TESTS block", index)
            return
        result = _read_test(cell, index, self.problems)
        if result is not None and self.question is not None:
            self.question.tests.append(result[0])
            self.question.test_points.append(result[1])

    def _content(
        self, index: int, cell: NotebookNode, lines: list[str], *, in_solution: bool
    ) -> None:
        split = split_solutions(
            lines, cell=index, cell_type=cell.cell_type, problems=self.problems, stub=dots_stub
        )
        self.secrets += [SecretLine(text, index, line) for line, text in split.secret]
        self.reference.append(new_cell(cell.cell_type, "\n".join(split.reference), like=cell))
        if not in_solution:
            self.student.append(new_cell(cell.cell_type, "\n".join(split.student), like=cell))
        elif cell.cell_type == "code" and split.marked:
            self.student.append(new_cell("code", "\n".join(split.student), like=cell))
        else:
            self.secrets += [SecretLine(text, index, n) for n, text in enumerate(lines, start=1)]
            if not (self.question and self.question.has_prompt):
                stub = "\n".join(dots_stub("", cell.cell_type))
                self.student.append(new_cell(cell.cell_type, stub, like=cell))

    def finish(self, nb: NotebookNode) -> ParsedSheet:
        for open_block, opened_at in self.stack:
            self.problems.add(
                f"BEGIN {open_block.upper()} is never closed; add a raw cell "
                f"`# END {open_block.upper()}`",
                opened_at,
                1,
            )
        tests, pending = finish_tests(self.drafts, self.config, self.problems)
        return ParsedSheet(
            format="otter",
            notebook=nb,
            student_cells=self.student,
            reference_cells=self.reference,
            tests=tests,
            secret_lines=self.secrets,
            pending_outputs=pending,
        )
