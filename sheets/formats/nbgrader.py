"""nbgrader markup: ``### BEGIN SOLUTION`` regions, ``### BEGIN HIDDEN TESTS``
regions and the ``nbgrader`` cell metadata (``grade``, ``solution``, ``locked``,
``grade_id``, ``points``).

This follows nbgrader's ``ClearSolutions``, ``ClearHiddenTests`` and
``LockCells`` preprocessors (same delimiters, same stubs, same locking) but does
not import nbgrader: importing ``nbgrader.preprocessors`` pulls in its server
extensions and exchange (jupyter_server, tornado, alembic, about 100 packages)
and takes 1.5-1.9 s on this machine class, for a few dozen lines of text
processing.

Each autograder-test cell (``grade: true``, not a solution) becomes ``assert``
tests for the task named by its ``grade_id`` (exactly, as ``q<task>``, or as
``<task>-anything``). Without a hidden region the cell is one public test
carrying all its points. With one, the public part becomes a public test worth
0 points (so students can run it) and the whole cell, public and hidden part
together, a hidden test carrying all the points: nbgrader grades the cell all
or nothing, and the hidden asserts may use names the public part defines.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import replace
from typing import Any

from nbformat import NotebookNode

from sheetgrade.course.config import SheetConfig
from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.formats.base import (
    DraftTest,
    ParsedSheet,
    SecretLine,
    finish_tests,
    resolve_task,
    syntax_problem,
    to_doctest,
)
from sheetgrade.sheets.markers import split_solutions
from sheetgrade.sheets.model import TestKind
from sheetgrade.sheets.notebook import new_cell, source_lines

BEGIN_HIDDEN = re.compile(r"^\s*#+\s*BEGIN HIDDEN TESTS\s*$")
END_HIDDEN = re.compile(r"^\s*#+\s*END HIDDEN TESTS\s*$")
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
AUTOTEST = "AUTOTEST"
HASHED = "HASHED"
AUTOTEST_HELPER = "_sheetgrade_autotest"
AUTOTEST_SOURCE = f"""\
def {AUTOTEST_HELPER}(value, hashed):
    kind = type(value)
    checks = [kind]
    if kind in (set, list, tuple, str):
        checks.append(len(value))
    if kind in (list, tuple):
        checks.append(sorted(map(str, value)))
    if kind is float:
        checks.append(round(value, 2))
    elif kind is str:
        checks += [value.lower(), value]
    else:
        checks.append(value)
    lines = [str(check) for check in checks]
    if hashed:
        import hashlib
        lines = [hashlib.sha1(f"{{i}}{{line}}".encode()).hexdigest() for i, line in enumerate(lines)]
    return "\\n".join(lines)"""
TEXT_STUB = "YOUR ANSWER HERE"


def meta(cell: NotebookNode) -> dict[str, Any]:
    """The cell's ``nbgrader`` metadata ({} when absent)."""
    value = cell.metadata.get("nbgrader", {})
    return dict(value) if isinstance(value, dict) else {}


def is_nbgrader(cell: NotebookNode) -> bool:
    """Whether nbgrader metadata marks the cell as a solution, grade, task or locked cell."""
    m = meta(cell)
    return any(m.get(k) for k in ("grade", "solution", "task", "locked"))


def nbgrader_stub(indent: str, cell_type: str) -> list[str]:
    """ClearSolutions' stubs."""
    return [TEXT_STUB] if cell_type == "markdown" else [indent + line for line in CODE_STUB]


def _locked(cell: NotebookNode, m: dict[str, Any]) -> NotebookNode:
    """LockCells: solution cells cannot be deleted; grade and locked cells not edited either."""
    if m.get("solution"):
        cell.metadata["deletable"] = False
    elif m.get("grade") or m.get("locked"):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False
    return cell


def _split_hidden(
    lines: list[str], index: int, problems: Problems
) -> tuple[list[str], list[tuple[int, str]]]:
    public: list[str] = []
    hidden: list[tuple[int, str]] = []
    opened: int | None = None
    for number, line in enumerate(lines, start=1):
        if BEGIN_HIDDEN.match(line):
            if opened is not None:
                problems.add(
                    f"BEGIN HIDDEN TESTS inside the region opened at line {opened}", index, number
                )
            opened = number
        elif END_HIDDEN.match(line):
            if opened is None:
                problems.add(
                    "END HIDDEN TESTS without a BEGIN HIDDEN TESTS before it", index, number
                )
            opened = None
        elif opened is not None:
            hidden.append((number, line))
        else:
            public.append(line)
    if opened is not None:
        problems.add("BEGIN HIDDEN TESTS is never closed; add ### END HIDDEN TESTS", index, opened)
    return public, hidden


def parse(nb: NotebookNode, config: SheetConfig, problems: Problems) -> ParsedSheet:
    """Parse a notebook written with nbgrader markup."""
    task_ids = [t.id for t in config.tasks]
    student: list[NotebookNode] = []
    reference: list[NotebookNode] = []
    drafts: list[DraftTest] = []
    secrets: list[SecretLine] = []
    locked_sources: dict[str, str] = {}
    hidden_names: set[str] = set()  # bound by the hidden regions of the grade cells so far
    for index, cell in enumerate(nb.cells):
        m = meta(cell)
        lines = source_lines(cell)
        if m.get("grade") and not m.get("solution") and cell.cell_type == "code":
            public, hidden = _split_hidden(lines, index, problems)
            student.append(_locked(new_cell("code", "\n".join(public), like=cell), m))
            cell_drafts = _grade_cell_tests(
                cell, index, m, (lines, public, hidden), task_ids, locked_sources, problems
            )
            drafts += _after_hidden(cell_drafts, lines, hidden_names)
            hidden_names |= _names(hidden_code(hidden), bound=True)
            continue
        student_cell, reference_cell, cell_secrets = _answer_cell(cell, index, m, lines, problems)
        student.append(student_cell)
        reference.append(reference_cell)
        secrets += cell_secrets
    tests, pending_outputs = finish_tests(drafts, config, problems)
    return ParsedSheet(
        format="nbgrader",
        notebook=nb,
        student_cells=student,
        reference_cells=reference,
        tests=tests,
        secret_lines=secrets,
        pending_outputs=pending_outputs,
        locked_sources=locked_sources,
    )


def _grade_cell_tests(
    cell: NotebookNode,
    index: int,
    m: dict[str, Any],
    parts: tuple[list[str], list[str], list[tuple[int, str]]],
    task_ids: list[str],
    locked_sources: dict[str, str],
    problems: Problems,
) -> list[DraftTest]:
    """The tests of an autograder-test cell (``parts``: its lines, public lines
    and hidden lines); records its public source in ``locked_sources``."""
    lines, public, hidden = parts
    grade_id = str(m.get("grade_id", ""))
    if not grade_id:
        problems.add("autograder test cell without nbgrader.grade_id", index)
        return []
    task = (
        str(cell.metadata.get("sheetgrade", {}).get("task", ""))
        or resolve_task(grade_id, task_ids)
        or grade_id
    )
    points = m.get("points")
    if points is not None and not isinstance(points, int | float):
        problems.add(f"nbgrader.points must be a number, not {points!r}", index)
        return []
    full = "\n".join(
        line for line in lines if not (BEGIN_HIDDEN.match(line) or END_HIDDEN.match(line))
    )
    if syntax_problem(full, index, problems):
        return []
    public_code = "\n".join(public).strip("\n")
    full_code = full.strip("\n")
    kind: TestKind = "assert"
    scoring, pending = "nbgrader", False
    if any(_autotest_line(line) for line in lines):
        # nbgrader instantiates these from the reference's values; so does the build
        public_code = to_doctest(expand_autotests(public_code)) if public_code.strip() else ""
        full_code = to_doctest(expand_autotests(full_code))
        kind, scoring, pending = "ok", "all", True
    if grade_id in locked_sources:
        problems.add(f"grade_id '{grade_id}' appears twice; grade ids must be unique", index)
    locked_sources[grade_id] = "\n".join(public)
    if not hidden:
        return [
            DraftTest(task, points, False, kind, public_code, grade_id, index, pending, scoring)
        ]
    drafts = []
    if public_code.strip():
        public_points = 0.0 if points is not None else None
        drafts.append(
            DraftTest(task, public_points, False, kind, public_code, grade_id, index, pending)
        )
    drafts.append(DraftTest(task, points, True, kind, full_code, grade_id, index, pending, scoring))
    return drafts


def hidden_code(hidden: list[tuple[int, str]]) -> str:
    """A grade cell's hidden region as code."""
    return textwrap.dedent("\n".join(line for _, line in hidden))


def _names(code: str, *, bound: bool) -> set[str]:
    """The names ``code`` binds (imports, assignments, definitions) or reads."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) == bound:
            out.add(node.id)
        elif bound and isinstance(node, ast.alias):
            out.add(node.asname or node.name.split(".")[0])
        elif bound and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
    return out


def _after_hidden(
    drafts: list[DraftTest], lines: list[str], hidden_names: set[str]
) -> list[DraftTest]:
    """A grade cell that reads a name only an earlier cell's hidden tests bind
    (``from numpy.testing import assert_allclose`` in a hidden region) works in
    nbgrader, which runs grade cells in place, whole. Here it becomes hidden, so
    that it runs after those hidden tests, in sheet order; its public part, which
    would fail before them, is no test of its own."""
    code = "\n".join(line for line in lines if not _autotest_line(line))
    needs = _names(code, bound=False) - _names(code, bound=True)
    if not drafts or not (needs & hidden_names):
        return drafts
    return [replace(d, hidden=True) for d in drafts if d.hidden or d.points != 0.0]


def _answer_cell(
    cell: NotebookNode, index: int, m: dict[str, Any], lines: list[str], problems: Problems
) -> tuple[NotebookNode, NotebookNode, list[SecretLine]]:
    """Any other cell: (student cell, reference cell, secret lines)."""
    split = split_solutions(
        lines,
        cell=index,
        cell_type=cell.cell_type,
        problems=problems,
        stub=nbgrader_stub,
        line_markers=False,
        prompts=False,
    )
    if split.marked and not m.get("solution") and cell.cell_type in ("code", "markdown"):
        problems.add(
            "solution region in a cell that is not an nbgrader solution cell; set "
            "nbgrader.solution: true (Create Assignment toolbar: 'Autograded answer')",
            index,
        )
    if cell.cell_type == "raw":
        text = "\n".join(lines)
        return new_cell("raw", text, like=cell), new_cell("raw", text, like=cell), []
    secrets = [SecretLine(text, index, n) for n, text in split.secret]
    student_lines = split.student
    if m.get("solution") and not split.marked:
        student_lines = nbgrader_stub("", cell.cell_type)
        secrets += [SecretLine(text, index, n) for n, text in enumerate(lines, start=1)]
    student = _locked(new_cell(cell.cell_type, "\n".join(student_lines), like=cell), m)
    reference = new_cell(cell.cell_type, "\n".join(split.reference), like=cell)
    return student, reference, secrets


def _autotest_line(line: str) -> bool:
    return line.strip().startswith("#") and AUTOTEST in line


def expand_autotests(code: str) -> str:
    """``### AUTOTEST a; b`` lines as code printing what nbgrader's default
        ``autotests.yml`` (python3) checks of each snippet: its type, then by type
        its length, sorted items, value rounded to 2 places, lower-cased value, and
        value (``### HASHED AUTOTEST``: their sha1 digests instead). The build
        records what the reference prints, as nbgrader records the reference's
        values when it instantiates the tests. Everything is printed by one
    statement at the end, so the ok test has one expected output."""
    out: list[str] = []
    for line in code.split("\n"):
        if not _autotest_line(line):
            out.append(line)
            continue
        at = line.find(AUTOTEST)
        hashed = HASHED in line[:at]
        indent = line[: len(line) - len(line.lstrip())]
        snippets = [s.strip() for s in line[at + len(AUTOTEST) :].strip(";").split(";")]
        for snippet in filter(None, snippets):
            out.append(
                f"{indent}{AUTOTEST_HELPER}_out.append({AUTOTEST_HELPER}({snippet}, {hashed}))"
            )
    if out != code.split("\n"):
        # one printing statement at the end: the build records one expected output
        out = [AUTOTEST_SOURCE, f"{AUTOTEST_HELPER}_out = []", *_quiet(out)]
        out.append(f'print("\\n".join({AUTOTEST_HELPER}_out))')
    return "\n".join(out)


def _quiet(lines: list[str]) -> list[str]:
    """Bare expressions (a docstring, a value) assigned away: in a notebook only
    a cell's last expression shows, and the ok test compares printed output."""
    import ast

    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return lines
    out = list(lines)
    for node in tree.body:
        if isinstance(node, ast.Expr) and node.col_offset == 0:
            out[node.lineno - 1] = f"{AUTOTEST_HELPER}_ = " + out[node.lineno - 1]
    return out
